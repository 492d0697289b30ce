"""Admin (Chinese): routing rules are configuration to edit (through ``services.routing``, audited); cases are read here and changed only through
the transition function (the API and the pages), so the timeline and the audit chain stay complete."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ServiceAdmin

from .models import Case, CaseEvent, EntryRule, RoutingDecision, RoutingRule
from .services import entry, routing


@admin.register(RoutingRule)
class RoutingRuleAdmin(ServiceAdmin):
    list_display = ("matter", "level", "area_class", "department", "target_level", "priority", "active")
    list_filter = ("level", "area_class", "active", "department")
    raw_id_fields = ("matter",)
    search_fields = ("matter__name", "matter__code", "department__name")

    def save_model(self, request, obj, form, change):
        data = {f: getattr(obj, f) for f in routing.RULE_FIELDS}
        obj.pk = routing.save_rule(request.user, data, obj.pk if change else None).pk

    def delete_model(self, request, obj):
        routing.delete_rule(request.user, obj.pk)


@admin.register(EntryRule)
class EntryRuleAdmin(ServiceAdmin):
    """levels: where each class of matter enters — with the 网格长 of its grid, or at the district centre."""

    list_display = ("major", "matter", "source", "level", "priority", "active", "note")
    list_filter = ("level", "source", "active", "major")
    raw_id_fields = ("matter",)
    search_fields = ("major", "matter__name", "matter__code", "note")

    def save_model(self, request, obj, form, change):
        data = {f: getattr(obj, f) for f in entry.RULE_FIELDS}
        obj.pk = entry.save_rule(request.user, data, obj.pk if change else None).pk

    def delete_model(self, request, obj):
        entry.delete_rule(request.user, obj.pk)


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor_name", "role", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "matter", "source", "urgency", "community", "assignee_department",
                    "stage", "stage_due_at", "reported_at")
    list_filter = ("status", "source", "urgency", "stage")
    search_fields = ("number", "description", "address")
    list_select_related = ("matter", "community", "assignee_department")
    inlines = [EventInline]

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.CASE_VIEW)
        except NoRight:
            return super().get_queryset(request).none()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "suggested_department", "suggested_node", "chosen_department", "chosen_node",
                    "overridden")
    list_filter = ("overridden",)
    list_select_related = ("case", "suggested_department", "chosen_department")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
