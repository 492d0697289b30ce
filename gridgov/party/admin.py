"""Party building in the admin: read-only (every write goes through ``services``, audited and logged)."""

from django.contrib import admin

from .models import PartyOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "parent_name"]
    list_filter = ["kind"]
    fields = ["name", "kind", "community", "parent_name", "scope_key"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
