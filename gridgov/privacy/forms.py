from django import forms


class PersonForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    reason = forms.CharField(label="事由", max_length=200, help_text="如：本人书面申请查阅、复制（受理编号…）")

    def clean(self):
        data = super().clean()
        if bool((data.get("id_number") or "").strip()) == bool((data.get("phone") or "").strip()):
            raise forms.ValidationError("请填写身份证号或手机号（二者填一项）")
        return data
