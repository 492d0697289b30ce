"""Admin (Chinese) of the two-way rating dimensions, written through ``services.save_dimension`` (checked,
audited); surveys, call attempts and ratings are read-only here (made on their pages, the public page and the API)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import CallAttempt, Dimension, Rating, Survey


@admin.register(Dimension)
class DimensionAdmin(ServiceAdmin):
    list_display = ("ratee_kind", "key", "name", "order", "active")
    list_filter = ("ratee_kind", "active")
    fields = ("ratee_kind", "key", "name", "order", "active")

    def get_readonly_fields(self, request, obj=None):
        return ("ratee_kind", "key") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = services.save_dimension(request.user, obj.ratee_kind, obj.key, obj.name, obj.order, obj.active)
        obj.pk = saved.pk


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("case", "outcome", "channel", "attitude", "efficiency", "result", "resolved", "department", "at")
    list_filter = ("outcome", "channel", "resolved")


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ("case", "note", "by", "at")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("period", "rater_code", "ratee_kind", "ratee_code", "revision", "at")
    list_filter = ("period", "ratee_kind")
