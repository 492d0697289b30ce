"""Page forms of 专项工作 (/tasks/…/new/, /tasks/drills/<id>/record/): they parse and say what is missing, in
Chinese; ``services`` decide what is valid (dates, units within reach, scope) and their errors go back next to the
field (``PageForm.add_service_error``). Nothing is written by a form."""

from django import forms

from gridgov.accounts.models import Department
from gridgov.basedata.forms import REQUIRED, PageForm
from gridgov.geo.models import Jurisdiction

from .models import Campaign, Drill, DrillKind, PhaseKind, Task

DATE = {"type": "date"}


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs=DATE),
                           error_messages={**REQUIRED, "invalid": "日期格式不正确（应为 YYYY-MM-DD）"})


def _text(model, name: str, label: str, required: bool = True, area: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=model._meta.get_field(name).max_length,
                           error_messages=REQUIRED, widget=forms.Textarea(attrs={"rows": 3}) if area else None)


def unit_choices(office) -> list[tuple[str, str]]:
    """The units an office may send work to: the nodes one level below it and, for a district, its departments."""
    nodes = Jurisdiction.objects.filter(parent__code=office.key).order_by("code").values_list("code", "name")
    depts = Department.objects.filter(district__code=office.key).order_by("code").values_list("code", "name") \
        if office.department is None else []
    return [(c, f"{n}（{c}）") for c, n in [*nodes, *depts]]


class UnitsMixin:
    UNITS_REQUIRED = "请至少选择一个责任单位"

    def set_units(self, office) -> None:
        f = self.fields["units"]
        f.choices = unit_choices(office)
        f.error_messages = {**f.error_messages, "required": self.UNITS_REQUIRED}


UNIT_ERRORS = {c: "units" for c in ("no_units", "too_many_units", "unit_out_of_reach", "unit_twice", "unknown_unit",
                                    "unit_not_in_campaign")}


class CampaignForm(UnitsMixin, PageForm):
    FIELD_OF = {**UNIT_ERRORS, "campaign_dates": "end", "invalid_report_day": "report_day"}

    name = _text(Campaign, "name", "专项行动名称")
    summary = _text(Campaign, "summary", "工作要求", required=False, area=True)
    start = _date("开始日期")
    end = _date("结束日期", required=False, help_text="长期工作可不填")
    report_day = forms.IntegerField(label="每月上报日", min_value=1, max_value=31, initial=27,
                                    help_text="责任单位每月在这一天前上报进展（当月没有这一天则为月末）",
                                    error_messages={**REQUIRED, "invalid": "请填写 1～31 的整数",
                                                    "min_value": "应在 1～31 之间", "max_value": "应在 1～31 之间"})
    units = forms.MultipleChoiceField(label="责任单位", widget=forms.CheckboxSelectMultiple)

    PHASES = [(k.value, k.label) for k in PhaseKind]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in self.PHASES:
            self.fields[f"{kind}_start"] = _date(f"{label}·开始", required=False)
            self.fields[f"{kind}_end"] = _date(f"{label}·结束", required=False)
        self.set_units(office)

    def add_service_error(self, err) -> None:
        if err.code == "phase_dates":  # 「阶段」… : next to the phase it names
            kind = next((k for k, label in self.PHASES if f"「{label}」" in err.message), None)
            if kind:
                self.add_error(f"{kind}_end" if "结束日期" in err.message else f"{kind}_start", err.message)
                return
        super().add_service_error(err)

    def clean(self):
        data = super().clean()
        for kind, _ in self.PHASES:
            if data.get(f"{kind}_end") and not data.get(f"{kind}_start"):
                self.add_error(f"{kind}_start", "填写了结束日期的阶段须有开始日期")
        return data

    def phase_rows(self):
        return [(label, self[f"{kind}_start"], self[f"{kind}_end"]) for kind, label in self.PHASES]

    def to_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "summary": d["summary"], "start": d["start"], "end": d["end"],
                "report_day": d["report_day"], "units": [{"unit": u} for u in d["units"]],
                "phases": [{"kind": k, "start": d[f"{k}_start"], "end": d[f"{k}_end"]}
                           for k, _ in self.PHASES if d.get(f"{k}_start")]}


class TaskForm(UnitsMixin, PageForm):
    FIELD_OF = {**UNIT_ERRORS, "deadline_past": "deadline", "date_out_of_range": "deadline"}

    title = _text(Task, "title", "任务名称")
    detail = _text(Task, "detail", "任务要求", required=False, area=True)
    deadline = _date("完成期限")
    units = forms.MultipleChoiceField(label="承办单位", widget=forms.CheckboxSelectMultiple)
    UNITS_REQUIRED = "请至少选择一个承办单位"

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_units(office)

    def to_data(self) -> dict:
        d = self.cleaned_data
        return {"title": d["title"], "detail": d["detail"], "deadline": d["deadline"], "units": d["units"]}


class DrillForm(PageForm):
    FIELD_OF = {"date_out_of_range": "planned_on"}

    title = _text(Drill, "title", "演练名称")
    kind = forms.ChoiceField(label="演练类型", choices=DrillKind.choices, initial=DrillKind.FIRE)
    planned_on = _date("计划日期")
    place = _text(Drill, "place", "演练地点")
    organiser_name = _text(Drill, "organiser_name", "组织单位", required=False)
    participants = _text(Drill, "participants", "参加单位和人员", required=False, area=True)
    participant_count = forms.IntegerField(label="参加人数", required=False, min_value=0, max_value=100_000,
                                           error_messages={**REQUIRED, "invalid": "请填写整数",
                                                           "min_value": "不能小于 0", "max_value": "不能超过 100000"})

    def to_data(self) -> dict:
        return dict(self.cleaned_data)


class DrillRecordForm(PageForm):
    """What happened: the day it was held, who took part, what was found."""

    FIELD_OF = {"drill_in_future": "held_on", "date_out_of_range": "held_on"}

    held_on = _date("实际演练日期")
    place = _text(Drill, "place", "演练地点")
    participants = _text(Drill, "participants", "参加单位和人员", required=False, area=True)
    participant_count = forms.IntegerField(label="参加人数", required=False, min_value=0, max_value=100_000,
                                           error_messages={**REQUIRED, "invalid": "请填写整数",
                                                           "min_value": "不能小于 0", "max_value": "不能超过 100000"})
    findings = _text(Drill, "findings", "发现的问题与不足", required=False, area=True)

    def to_data(self) -> dict:
        return dict(self.cleaned_data)
