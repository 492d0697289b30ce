"""Admin (Chinese) of 专项工作: read-only — campaigns, tasks, reports, drills and meetings are written by ``services``
(through the API and the pages), which check the rights and audit every write."""

from django.contrib import admin

from .models import Campaign, Drill, Meeting, Report, Task


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ("name", "issuer_name", "start", "end", "report_day")
    search_fields = ("name",)


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("title", "unit_name", "issuer_name", "deadline", "status")
    list_filter = ("status",)
    search_fields = ("title", "unit_name")


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("campaign", "unit", "period", "submitted_at")


@admin.register(Drill)
class DrillAdmin(ReadOnly):
    list_display = ("title", "kind", "planned_on", "held_on", "organiser_name")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "held_at", "place", "minutes_sent_at")
