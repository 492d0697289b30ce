"""The admin of patrol plans, 错时督查 places and duty windows (writes through the services); shifts, anomalies and
leave read-only. Track points (positions) are not in the admin: they are seen on the track page, which logs access."""

import datetime as dt

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import Anomaly, KeyPlace, Leave, PatrolPlan, Shift, WorkHours


@admin.register(PatrolPlan)
class PatrolPlanAdmin(ServiceAdmin):
    list_display = ["grid", "method", "per_week", "min_minutes", "min_km", "min_share", "hours"]
    list_filter = ["method"]
    search_fields = ["grid__code", "grid__name"]
    raw_id_fields = ["grid"]

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in services.PLAN_FIELDS if k in form.cleaned_data and k != "basis"}
        services.set_plan(request.user, obj.grid.code, **values)


@admin.register(KeyPlace)
class KeyPlaceAdmin(ServiceAdmin):
    list_display = ["name", "grid", "times", "note"]
    search_fields = ["name", "grid__code"]
    raw_id_fields = ["grid"]

    def save_model(self, request, obj, form, change):
        services.save_key_place(request.user, obj)

    def delete_model(self, request, obj):
        services.delete_key_place(request.user, obj)


@admin.register(WorkHours)
class WorkHoursAdmin(ServiceAdmin):
    list_display = ["person", "grid", "weekdays", "start", "end"]
    raw_id_fields = ["person", "grid"]

    def save_model(self, request, obj, form, change):
        services.set_hours(request.user, start=obj.start or dt.time(8, 30), end=obj.end or dt.time(17, 30),
                           weekdays=obj.weekdays, person=obj.person, grid=obj.grid)


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ["person", "scope_key", "day", "started_at", "ended_at", "late_minutes", "points", "share", "done"]
    list_filter = ["done", "day"]
    exclude = ["start_lon", "start_lat", "end_lon", "end_lat"]


@admin.register(Anomaly)
class AnomalyAdmin(ReadOnlyAdmin):
    list_display = ["kind", "scope_key", "start", "detail"]
    list_filter = ["kind"]


@admin.register(Leave)
class LeaveAdmin(ReadOnlyAdmin):
    list_display = ["person", "start", "end", "reason", "status", "decided_by"]
    list_filter = ["status"]
