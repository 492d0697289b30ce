"""Admin (Chinese) of the checklist templates and their items: written through ``services`` (checked, audited);
the plans, inspections, 回头看 and 门前三包 agreements are read-only here (they are made on their pages and the API)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import ChecklistItem, ChecklistTemplate, FrontageAgreement, Inspection, Plan, Revisit


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ServiceAdmin):
    list_display = ("code", "name", "kind", "active")
    list_filter = ("kind", "active")
    fields = ("code", "name", "kind", "active", "note")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        services.save_template(request.user, obj)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ServiceAdmin):
    list_display = ("template", "code", "text", "matter_code", "photo_required", "order", "active")
    list_filter = ("template", "active")
    fields = ("template", "code", "text", "matter_code", "photo_required", "order", "active")

    def get_readonly_fields(self, request, obj=None):
        return ("template", "code") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        services.save_item(request.user, obj)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "template", "frequency", "inspector", "inspector_role", "scope_key", "active")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("inspected_at", "template", "place", "inspector_name", "outcome", "failed_count")
    list_filter = ("template", "outcome")


@admin.register(FrontageAgreement)
class FrontageAgreementAdmin(ReadOnlyAdmin):
    list_display = ("name", "frontage", "signed_on", "expires_on", "last_inspected_on")


@admin.register(Revisit)
class RevisitAdmin(ReadOnlyAdmin):
    list_display = ("case", "recurred", "new_case", "inspector_name", "visited_at")
