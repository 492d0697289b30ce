"""Page forms of 检查 (/inspection/plans/new/, /inspection/plans/<id>/targets/, /inspection/frontage/new/): they parse
and say what is missing, in Chinese; ``services`` decide what is valid (scope, template, inspector, dates) and
their errors go back next to the field (``PageForm.add_service_error``). Nothing is written by a form."""

import re

from django import forms

from gridgov.accounts import roles
from gridgov.accounts.scope import scope_prefix
from gridgov.basedata.forms import REQUIRED, PageForm
from gridgov.basedata.models import Organisation

from .logic import schedule
from .models import ChecklistTemplate
from .services import FRONTAGE_TEMPLATE

MAX_CHOICES = 500
DATE_ERRORS = {**REQUIRED, "invalid": "日期格式不正确（应为 YYYY-MM-DD）"}


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, error_messages=DATE_ERRORS,
                           widget=forms.DateInput(attrs={"type": "date"}))


def organisation_choices(user) -> list[tuple[str, str]]:
    """The organisations of one's scope that have a position (a target needs one), by name."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    rows = Organisation.objects.filter(scope_key__startswith=prefix, lon__isnull=False, lat__isnull=False) \
        .order_by("name", "id").values_list("pk", "name", "address")[:MAX_CHOICES]
    return [(str(pk), f"{name}（{address}）" if address else name) for pk, name, address in rows]


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，、；;]+", text or "") if c]


TARGET_ERRORS = {"unknown_target": "organisations", "target_without_position": "organisations",
                 "target_outside_plan": "organisations"}


class TargetsMixin:
    def targets(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        return [("organisation", pk) for pk in d.get("organisations") or []] + [("grid", c) for c in d.get("grids") or []]

    def add_service_error(self, err) -> None:
        if err.code in TARGET_ERRORS and "网格「" in err.message:  # the message names a grid
            self.add_error("grids", err.message)
            return
        super().add_service_error(err)

    def clean_grids(self):
        return _codes(self.cleaned_data.get("grids", ""))


class PlanForm(TargetsMixin, PageForm):
    FIELD_OF = {"name_required": "name", "invalid_frequency": "frequency", "invalid_role": "inspector_role",
                "invalid_inspector": "inspector", "invalid_date": "start_on", "unknown_node": "node",
                "node_required": "node", "out_of_scope": "node", "unknown_template": "template", **TARGET_ERRORS}

    name = forms.CharField(label="计划名称", max_length=100, error_messages=REQUIRED)
    template = forms.ChoiceField(label="检查表")
    frequency = forms.ChoiceField(label="检查频次", choices=list(schedule.FREQUENCIES.items()), initial="monthly")
    start_on = _date("开始日期", help_text="从这一天起按频次到期")
    node = forms.CharField(label="计划范围", max_length=40, required=False, error_messages=REQUIRED,
                           help_text="街道、社区代码或管理网格编码；不填为您的辖区")
    inspector = forms.CharField(label="检查人（账号）", max_length=150, required=False, error_messages=REQUIRED,
                                help_text="指定一人；不填则由下面岗位中范围内的任何人检查")
    inspector_role = forms.ChoiceField(label="或：检查岗位", required=False)
    organisations = forms.MultipleChoiceField(label="检查对象：单位", required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 8}),
                                              help_text="可多选（按住 Ctrl 或在手机上逐个点选）")
    grids = forms.CharField(label="检查对象：网格", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="网格编码，每行一个或用逗号分开")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # 门前三包 is inspected through its agreements, not through plans
        self.fields["template"].choices = list(ChecklistTemplate.objects.filter(active=True).exclude(code=FRONTAGE_TEMPLATE)
                                               .order_by("code").values_list("code", "name"))
        self.fields["inspector_role"].choices = [("", "—")] + [
            (r.value, roles.ROLE_LABELS[r]) for r in roles.Role if roles.has_right(r.value, roles.INSPECTION_INSPECT)]
        self.fields["organisations"].choices = organisation_choices(user)

    def to_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "template": d["template"], "frequency": d["frequency"], "start_on": d["start_on"],
                "node": d["node"] or None, "inspector": d["inspector"].strip() or None,
                "inspector_role": d["inspector_role"], "targets": self.targets()}


class TargetsForm(TargetsMixin, PageForm):
    """More targets for a plan (each through ``services.add_target``)."""

    FIELD_OF = {"invalid_date": "start_on", "no_targets": "organisations", **TARGET_ERRORS}

    organisations = PlanForm.base_fields["organisations"]
    grids = PlanForm.base_fields["grids"]
    start_on = _date("纳入日期", required=False, help_text="不填为今天")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = organisation_choices(user)

    def to_data(self) -> dict:
        return {"start_on": self.cleaned_data.get("start_on")}


class AgreementForm(PageForm):
    FIELD_OF = {"frontage_required": "frontage", "no_duty": "clean", "invalid_dates": "expires_on",
                "agreement_exists": "signed_on", "unknown_target": "organisation",
                "target_without_position": "organisation"}

    organisation = forms.ChoiceField(label="商户（单位）")
    frontage = forms.CharField(label="责任区范围", max_length=200, error_messages=REQUIRED,
                               help_text="如：门前至路缘石，东西各 5 米")
    clean = forms.BooleanField(label="市容整洁", required=False, initial=True)
    orderly = forms.BooleanField(label="秩序", required=False, initial=True)
    green = forms.BooleanField(label="绿化", required=False, initial=True)
    signed_on = _date("签订日期")
    expires_on = _date("到期日期", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "请选择商户")] + organisation_choices(user)

    def add_service_error(self, err) -> None:
        if err.code == "invalid_date":  # check_day names the date: 签订日期… / 到期日期…
            self.add_error("expires_on" if err.message.startswith("到期") else "signed_on", err.message)
            return
        super().add_service_error(err)

    def to_data(self) -> dict:
        d = self.cleaned_data
        return {"organisation_id": int(d["organisation"]), "frontage": d["frontage"], "signed_on": d["signed_on"],
                "expires_on": d["expires_on"], "clean": d["clean"], "orderly": d["orderly"], "green": d["green"]}
