"""便民服务 in the admin: read-only lists (every write goes through the services, audited; people's names and phones
are personal data and are not listed here)."""

from django.contrib import admin

from .models import ElderlyItem, Facility, Pledge, VolunteerTeam


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ElderlyItem)
class ElderlyItemAdmin(ReadOnly):
    list_display = ("class_no", "class_name", "name", "matter")
    list_filter = ("class_name",)


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(ReadOnly):
    list_display = ("name", "kind", "unit_name", "scope_key")


@admin.register(Facility)
class FacilityAdmin(ReadOnly):
    list_display = ("name", "kind", "address", "hours", "scope_key")
    list_filter = ("kind",)


@admin.register(Pledge)
class PledgeAdmin(ReadOnly):
    list_display = ("unit_name", "post", "text", "time_limit", "active")
