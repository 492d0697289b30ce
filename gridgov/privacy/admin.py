"""Admin (Chinese) of the retention periods: edited through ``services.set_policy`` (checked and audited)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from gridgov.accounts import roles
from gridgov.errors import DomainError

from . import services
from .logic.retention import KINDS, days_problem
from .models import RetentionPolicy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ("kind", "days", "note")

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or getattr(self.instance, "kind", "")
        problem = days_problem(kind, data.get("days")) if kind else None
        if problem:
            self.add_error("days", problem)
        return data


def _allowed(request) -> bool:
    u = request.user
    return u.is_active and u.is_staff and (u.is_superuser or roles.has_right(u.role, services.CONFIGURE))


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ("kind_label", "days_label", "counted_from", "note", "updated_at")
    fields = ("kind", "days", "note")
    form = PolicyForm

    @admin.display(description="个人信息类别")
    def kind_label(self, obj):
        return str(obj)

    @admin.display(description="保存期限")
    def days_label(self, obj):
        return "长期保存" if obj.days is None else f"{obj.days} 天"

    @admin.display(description="起算")
    def counted_from(self, obj):
        return KINDS[obj.kind].event if obj.kind in KINDS else ""

    def has_module_permission(self, request):
        return _allowed(request)

    def has_view_permission(self, request, obj=None):
        return _allowed(request)

    def has_add_permission(self, request):
        return _allowed(request)

    def has_change_permission(self, request, obj=None):
        return _allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        try:
            saved = services.set_policy(request.user, obj.kind, obj.days, obj.note)
        except DomainError as e:
            raise PermissionDenied(e.message) from e
        obj.pk = saved.pk

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            defaults = [k.label for k in KINDS.values()
                        if not RetentionPolicy.objects.filter(kind=k.code).exists()]
            if defaults:
                messages.info(request, "未设定的类别按默认期限执行：" + "、".join(defaults))
        return super().changelist_view(request, extra_context)
