"""Django admin for the audit log (read-only, for administrators), and :class:`ServiceAdmin`, the base of every
admin that writes: its saves and deletes call the app's services, so they are checked, scoped and audited like
any other write (the admin never saves a model itself)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, OutOfScope, require
from gridgov.errors import DomainError

from .models import AuditRecord


def refusal(error: Exception) -> str:
    """The Chinese message people read for a write a service refused."""
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, NoRight):
        return "您的岗位没有此项操作的权限"
    return "对象不存在或不在您的管辖范围内"


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose writes go through services. Subclasses implement :meth:`save_model` (and
    :meth:`delete_model` where deleting is allowed) by calling the app's service with ``request.user``.

    A refused write (the service's DomainError, NoRight or OutOfScope) rolls back the admin's transaction and
    comes back as a message on the page; bulk deletes run :meth:`delete_model` per object, never a bare
    ``queryset.delete()``.
    """

    REFUSED = (DomainError, NoRight, OutOfScope)

    def _guarded(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except self.REFUSED as e:
            messages.error(request, refusal(e))
            return redirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._guarded(request, super().changeform_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._guarded(request, super().changelist_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._guarded(request, super().delete_view, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        raise PermissionDenied("此对象只能通过业务功能修改")

    def save_formset(self, request, form, formset, change):
        raise PermissionDenied("此对象只能通过业务功能修改")

    def construct_change_message(self, request, form, formsets, add=False):
        for formset in formsets or ():  # the services saved the inline rows, not formset.save()
            for name in ("new_objects", "changed_objects", "deleted_objects"):
                if not hasattr(formset, name):
                    setattr(formset, name, [])
        return super().construct_change_message(request, form, formsets, add)

    def delete_model(self, request, obj):
        raise PermissionDenied("此对象不能删除")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing, like one service call
            for obj in queryset:
                self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here (no service writes it from the admin)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "created", "actor_name", "role", "object_type", "object_id", "action")
    list_filter = ("object_type", "action")
    search_fields = ("=object_id", "actor_name")
    date_hierarchy = "created"
    ordering = ("-id",)
    show_full_result_count = False  # COUNT(*) over a long log is slow

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_view_permission(self, request, obj=None):
        try:
            require(request.user, roles.MANAGE_USERS)
        except NoRight:
            return False
        return True

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
