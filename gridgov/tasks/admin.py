"""Admin (Chinese) of 专项工作: read-only — campaigns, tasks, reports, drills and meetings are written by ``services``
(through the API and the pages), which check the rights and audit every write."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import Campaign, Drill, Meeting, Report, Task


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "issuer_name", "start", "end", "report_day")
    search_fields = ("name",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit_name", "issuer_name", "deadline", "status")
    list_filter = ("status",)
    search_fields = ("title", "unit_name")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "unit", "period", "submitted_at")


@admin.register(Drill)
class DrillAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "planned_on", "held_on", "organiser_name")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "held_at", "place", "minutes_sent_at")
