"""Django admin of the notify app: messages and deliveries read-only (written by the service); templates and people's
contact points edited through the service (checked and audited), by those who manage accounts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from gridgov.accounts import roles
from gridgov.errors import DomainError

from . import services
from .models import Delivery, Notification, Preference, Template


def _allowed(request) -> bool:
    u = request.user
    return u.is_active and u.is_staff and (u.is_superuser or roles.has_right(u.role, roles.MANAGE_USERS))


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # written by the service only


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("id", "user", "kind", "title", "created", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("id", "key", "channel", "status", "urgent", "to", "attempts", "next_attempt", "sent_at")
    list_filter = ("channel", "status", "urgent")
    search_fields = ("key",)
    raw_id_fields = ("notification",)


class Configured(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _allowed(request)

    def has_view_permission(self, request, obj=None):
        return _allowed(request)

    def has_add_permission(self, request):
        return _allowed(request)

    def has_change_permission(self, request, obj=None):
        return _allowed(request)

    def has_delete_permission(self, request, obj=None):
        return _allowed(request)


@admin.register(Template)
class TemplateAdmin(Configured):
    list_display = ("channel", "kind", "template_code", "text", "active")
    list_filter = ("channel", "active")
    fields = services.TEMPLATE_FIELDS

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in services.TEMPLATE_FIELDS if k in form.cleaned_data}
        try:
            saved = services.save_template(request.user, data, obj.pk if change else None)
        except DomainError as e:
            raise PermissionDenied(e.message) from e
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_template(request.user, obj.pk)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            services.delete_template(request.user, pk)


class PreferenceForm(forms.ModelForm):
    phone = forms.CharField(label="手机号", required=False, help_text="留空不改；填 0 清除。加密保存，只显示部分")

    class Meta:
        model = Preference
        fields = ("user", "wecom_userid", "quiet_start", "quiet_end")


@admin.register(Preference)
class PreferenceAdmin(Configured):
    form = PreferenceForm
    list_display = ("user", "phone_masked", "wecom_userid", "quiet_start", "quiet_end", "updated")
    raw_id_fields = ("user",)
    readonly_fields = ("phone_masked",)
    fields = ("user", "phone_masked", "phone", "wecom_userid", "quiet_start", "quiet_end")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        phone = d.get("phone", "").strip()
        try:
            saved = services.set_preference(request.user, d["user"], phone=None if not phone else
                                            ("" if phone == "0" else phone), wecom_userid=d.get("wecom_userid", ""),
                                            quiet=(d.get("quiet_start"), d.get("quiet_end")))
        except DomainError as e:
            raise PermissionDenied(e.message) from e
        obj.pk = saved.pk
