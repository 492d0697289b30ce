"""The admin of accounts: every save, deletion, password, token revocation and TOTP removal goes through
``accounts.services`` (which checks and audits); the admin never saves these models itself."""

import copy

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from gridgov.errors import DomainError

from . import services
from .models import ApiToken, Department, User

# rights come from the post (accounts/roles.py), not from Django groups
admin.site.unregister(Group)


class AuditedPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" form; saving goes through the service (validated, audited)."""

    audit_actor = None

    def save(self, commit=True):
        password = self.cleaned_data.get("password1")
        try:
            if password and self.cleaned_data.get("set_usable_password", True):
                services.save_user(self.audit_actor, self.user, password=password)
            else:
                self.user.set_unusable_password()
                services.save_user(self.audit_actor, self.user, password_removed=True)
        except DomainError as e:
            raise ValidationError(e.message) from None
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "node_key", "department", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "node_key")
    fieldsets = BaseUserAdmin.fieldsets + (("岗位与管辖范围", {"fields": ("role", "display_name", "node_key", "department")}),)
    actions = ["deactivate", "remove_totp"]

    def save_model(self, request, obj, form, change):
        services.save_user(request.user, obj, created=not change)

    def delete_model(self, request, obj):
        services.delete_user(request.user, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.delete_user(request.user, user)

    def user_change_password(self, request, id, form_url=""):
        # a form class and an admin copy per request (threads share the admin instance): the form knows its actor
        form_class = type("AuditedPasswordForm", (AuditedPasswordForm,), {"audit_actor": request.user})
        per_request = copy.copy(self)
        per_request.change_password_form = form_class
        return BaseUserAdmin.user_change_password(per_request, request, id, form_url)

    @admin.action(description="停用所选账号")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.deactivate_user(request.user, user)
        self.message_user(request, "已停用所选账号", messages.SUCCESS)

    @admin.action(description="停用所选账号的动态口令（手机丢失时）")
    def remove_totp(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                services.remove_totp(request.user, user)
                done += 1
            except DomainError:
                continue
        self.message_user(request, f"已停用 {done} 个账号的动态口令", messages.SUCCESS)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district")
    search_fields = ("code", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owners (/accounts/tokens/, the API, `createuser --token`); here: see, revoke."""

    list_display = ("prefix", "user", "name", "created", "last_used", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "name", "prefix", "created", "last_used", "expires_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):  # every field is read-only: nothing to save
        return None

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.revoke_token(request.user, token.pk)
                done += 1
            except DomainError as e:
                self.message_user(request, e.message, messages.ERROR)
        self.message_user(request, f"已吊销 {done} 个令牌", messages.SUCCESS)
