"""Forms of the grid worker's phone pages. They only parse and say what is missing, in plain Chinese; the
services decide what is valid (checksums, scope, duplicates) and their errors are put back next to the field.

ID numbers and phones are personal data: their inputs never echo a typed value back (``NoEchoInput``) and a
stored value is shown only masked, as a hint.
"""

import datetime as dt

from django import forms
from django.utils import timezone

from .models import DwellingUse, RegistrationType, Relation

REQUIRED = {"required": "请填写此项", "invalid": "格式不正确", "invalid_choice": "请从列表中选择",
            "max_length": "内容过长（最多 %(limit_value)d 个字）"}


class NoEchoInput(forms.PasswordInput):
    """A text input that, like a password box, never renders the submitted value back into the page."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})}, render_value=False)


def _char(label, max_length=None, required=True, help_text="", **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           error_messages=REQUIRED, widget=forms.TextInput(attrs=attrs) if attrs else None)


class PageForm(forms.Form):
    """Every field gets the same error wording; ``add_service_error`` puts a service's message by a field."""

    # service error codes (gridgov.errors.DomainError.code) → the field the message belongs next to
    FIELD_OF: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.ChoiceField):
                f.error_messages = {**f.error_messages, "required": "请选择此项", "invalid_choice": "请从列表中选择"}

    def add_service_error(self, err) -> None:
        field = self.FIELD_OF.get(err.code)
        if err.code == "invalid_choice":
            field = next((n for n, f in self.fields.items() if f.label and f.label in err.message), None)
        self.add_error(field if field in self.fields else None, err.message)


def _choices(enum, blank=None):
    return ([("", blank)] if blank else []) + [(c.value, c.label) for c in enum]


class ResidentForm(PageForm):
    FIELD_OF = {"invalid_name": "name", "invalid_id_number": "id_number", "duplicate_resident": "id_number",
                "invalid_phone": "phone", "invalid_household": "household"}

    name = _char("姓名", 50, autocomplete="off")
    id_number = forms.CharField(label="身份证号", max_length=20, error_messages=REQUIRED,
                                help_text="18 位，末位可为 X；系统只显示脱敏后的号码",
                                widget=NoEchoInput(attrs={"inputmode": "text", "autocapitalize": "characters"}))
    phone = forms.CharField(label="手机号", max_length=20, required=False, error_messages=REQUIRED,
                            help_text="选填，11 位手机号",
                            widget=NoEchoInput(attrs={"inputmode": "tel", "type": "tel"}))
    reg_type = forms.ChoiceField(label="人口类型", choices=_choices(RegistrationType), initial=RegistrationType.HUKOU)
    dwelling = forms.ModelChoiceField(label="居住房屋", queryset=None, empty_label="请选择房屋")
    household = forms.ChoiceField(label="所在户", required=False)
    relation = forms.ChoiceField(label="与户主关系", choices=_choices(Relation), initial=Relation.OTHER)

    NEW_HOUSEHOLD = "new"

    def __init__(self, *args, dwellings, households=None, fixed_dwelling=None, **kwargs):
        """``households``: the households of the fixed dwelling to choose from (None: the household is given or
        left to the service, which files the resident under the dwelling's own household)."""
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].queryset = dwellings
        self.fields["dwelling"].label_from_instance = str
        if fixed_dwelling is not None:
            self.fields["dwelling"].initial = fixed_dwelling.pk
            self.fields["dwelling"].widget = forms.HiddenInput()
        if households is None:
            del self.fields["household"]
        else:
            hh = [(str(h.pk), f"{h.number}（{len(h.members.all())} 人）") for h in households]
            self.fields["household"].choices = [*hh, (self.NEW_HOUSEHOLD, "新建一户")]
            self.fields["household"].initial = hh[0][0] if hh else self.NEW_HOUSEHOLD
            self.fields["household"].help_text = "同一房屋可有多户" if hh else "该房屋还没有户，将新建一户"


class ResidentEditForm(PageForm):
    FIELD_OF = {"invalid_phone": "phone"}

    name = _char("姓名", 50, autocomplete="off")
    phone = forms.CharField(label="新手机号", max_length=20, required=False, error_messages=REQUIRED,
                            widget=NoEchoInput(attrs={"inputmode": "tel", "type": "tel"}))
    reg_type = forms.ChoiceField(label="人口类型", choices=_choices(RegistrationType))
    relation = forms.ChoiceField(label="与户主关系", choices=_choices(Relation))

    def __init__(self, *args, phone_masked="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = (f"当前：{phone_masked}；" if phone_masked else "当前未登记；") + "留空则不修改"


class DwellingForm(PageForm):
    FIELD_OF = {"invalid_choice": "use"}

    use = forms.ChoiceField(label="用途", choices=_choices(DwellingUse), widget=forms.RadioSelect)
    floor = forms.IntegerField(label="楼层", min_value=-5, max_value=200,
                               error_messages={"required": "请填写楼层", "invalid": "楼层应为整数",
                                               "min_value": "楼层不能低于 %(limit_value)s",
                                               "max_value": "楼层不能高于 %(limit_value)s"},
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    area_m2 = forms.DecimalField(label="建筑面积（平方米）", required=False, min_value=1, max_value=99999,
                                 max_digits=8, decimal_places=2,
                                 error_messages={"invalid": "面积应为数字，如 56.5",
                                                 "min_value": "面积应大于 1 平方米",
                                                 "max_value": "面积过大，请核对",
                                                 "max_decimal_places": "面积最多保留两位小数",
                                                 "max_digits": "面积过大，请核对",
                                                 "max_whole_digits": "面积过大，请核对"},
                                 widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))


class VisitForm(PageForm):
    FIELD_OF = {"invalid_date": "visited_at", "visit_target": "household"}

    household = forms.ModelChoiceField(label="走访户", queryset=None, empty_label="请选择户")
    resident = forms.ChoiceField(label="走访对象", required=False)
    visited_at = forms.DateTimeField(label="走访时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     error_messages={"required": "请填写走访时间", "invalid": "时间格式不正确"},
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"))
    place = _char("地点", 200, required=False)
    issues = forms.CharField(label="反映问题", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="居民反映的诉求、困难或意见")
    follow_up = forms.CharField(label="跟进情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    case_number = _char("关联案件编号", 40, required=False, help_text="选填，已上报为案件时填写",
                        autocomplete="off")

    def __init__(self, *args, households=None, members=None, resident=None, **kwargs):
        """Either ``members`` (the household is given: choose whom) or ``households`` (choose the household)."""
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if members is not None:
            del self.fields["household"]
            choices = [(str(m.pk), f"{m.name}（{m.get_relation_display()}）") for m in members]
            self.fields["resident"].choices = [("", "全户"), *choices]
            if resident is not None:
                self.fields["resident"].initial = str(resident.pk)
        else:
            self.fields["household"].queryset = households
            self.fields["household"].label_from_instance = lambda h: f"{h.dwelling or ''} · {h.number}"
            del self.fields["resident"]

    def clean_visited_at(self):
        v = self.cleaned_data["visited_at"]
        if v > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("走访时间不能晚于现在")
        return v


class SearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)
