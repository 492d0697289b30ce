"""Admin (Chinese) of the registers: read-only — every register is written on its page or through the API, by the
services (checked, audited)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import Outage, Problem, Publicity, QuotaAdjustment, QuotaYear, SampleDraw, Training, UnitBase


@admin.register(QuotaYear)
class QuotaYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit_name", "annual_cases", "population_weight", "area_weight")


@admin.register(UnitBase)
class UnitBaseAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit_name", "population", "area_km2", "population_source", "area_source")
    list_filter = ("year",)


@admin.register(QuotaAdjustment)
class QuotaAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit_name", "amount", "reason", "created_by", "created_at")


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("found_at", "unit_name", "kind", "description", "verdict")
    list_filter = ("kind", "verdict")


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    list_display = ("period", "unit_name", "closed", "seed", "drawn_at")


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "unit_name", "title", "kind", "attendees", "status")
    list_filter = ("kind", "status")


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ("start", "end", "unit_name", "kind", "note")


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ("on", "unit_name", "kind", "title", "outlet")
