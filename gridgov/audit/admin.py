"""Django admin for the audit log: read-only (no add, change or delete), for administrators."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, require

from .models import AuditRecord


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
