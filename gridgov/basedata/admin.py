"""Django admin (Chinese) for the basic data — scoped like the API, personal data masked, the access log read-only.

Residents are edited through the services (API) so that ID numbers and phones are validated, encrypted and
their history kept; here they are shown masked and read-only. The configuration tables (key-population
categories, 六必访 rules) are saved through the services, audited.
"""

from django.contrib import admin

from gridgov.accounts.scope import NoRight
from gridgov.audit.admin import ServiceAdmin

from . import rights, services
from .models import (
    AccessLog,
    Building,
    DiaryEntry,
    Dwelling,
    Household,
    ImportJob,
    KeyCategory,
    KeyTag,
    Organisation,
    Resident,
    ResidentEvent,
    Visit,
    VisitRule,
    VisitTrigger,
)


def _staff_with(request, right: str) -> bool:
    return request.user.is_active and request.user.is_staff and rights.has_right(request.user, right)


class ScopedAdmin(admin.ModelAdmin):
    """Visible to staff whose post has the basedata right (not Django's model permissions); rows by scope."""

    right = rights.VIEW

    def has_module_permission(self, request):
        return _staff_with(request, rights.VIEW)

    def has_view_permission(self, request, obj=None):
        return _staff_with(request, self.right)

    def get_queryset(self, request):
        try:
            return rights.scoped(super().get_queryset(request), request.user, self.right)
        except NoRight:
            return super().get_queryset(request).none()



class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "address", "unit_grid", "management_grid", "floors")
    search_fields = ("code", "name", "address")
    list_filter = ("community_code",)


@admin.register(Dwelling)
class DwellingAdmin(ReadOnlyAdmin):
    list_display = ("code", "building", "unit_no", "floor", "room", "use", "area_m2")
    list_filter = ("use",)
    search_fields = ("code",)
    list_select_related = ("building",)


class MemberInline(admin.TabularInline):
    model = Resident
    fields = ("name", "id_masked", "phone_masked", "relation", "reg_type", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("number", "dwelling", "scope_key")
    search_fields = ("number",)
    inlines = [MemberInline]
    list_select_related = ("dwelling__building",)


class EventInline(admin.TabularInline):
    model = ResidentEvent
    fields = ("kind", "date", "reason", "actor", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ("name", "id_masked", "phone_masked", "gender", "birth_date", "reg_type", "status", "scope_key")
    list_filter = ("reg_type", "status", "gender")
    search_fields = ("name",)
    fields = ("name", "id_masked", "phone_masked", "gender", "birth_date", "reg_type", "household", "relation",
              "dwelling", "status", "moved_in", "scope_key", "created_by", "created_at")
    readonly_fields = fields
    inlines = [EventInline]


@admin.register(ResidentEvent)
class ResidentEventAdmin(ReadOnlyAdmin):
    list_display = ("resident", "kind", "date", "reason", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("resident", "actor")


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "credit_code", "kind", "address", "contact_name", "contact_phone_masked", "opened_on",
                    "closed_on")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    exclude = ("contact_phone_cipher",)


class ConfigAdmin(ServiceAdmin):
    """Configuration tables: edited by posts with ``basedata.configure``, saved through the services (audited)."""

    service = None  # services.save_… (user, code, data)
    fields_saved: tuple = ()

    def save_model(self, request, obj, form, change):
        type(self).service(request.user, obj.code, {f: getattr(obj, f) for f in self.fields_saved})

    def has_module_permission(self, request):
        return _staff_with(request, rights.VIEW)

    def has_view_permission(self, request, obj=None):
        return _staff_with(request, rights.VIEW)

    def has_add_permission(self, request):
        return _staff_with(request, rights.CONFIGURE)

    def has_change_permission(self, request, obj=None):
        return _staff_with(request, rights.CONFIGURE)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyCategory)
class KeyCategoryAdmin(ConfigAdmin):
    list_display = ("code", "name", "visit_interval_days", "roles", "active")
    service = services.save_key_category
    fields_saved = services.CATEGORY_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


@admin.register(KeyTag)
class KeyTagAdmin(ReadOnlyAdmin):
    list_display = ("resident", "category", "since", "until")
    list_filter = ("category",)
    list_select_related = ("resident", "category")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("visited_at", "worker", "household", "resident", "place", "case_number")
    list_select_related = ("worker", "household", "resident")


@admin.register(DiaryEntry)
class DiaryEntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "worker", "content")


@admin.register(VisitRule)
class VisitRuleAdmin(ConfigAdmin):
    list_display = ("code", "name", "within_days", "active")
    service = services.save_visit_rule
    fields_saved = services.RULE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


@admin.register(VisitTrigger)
class VisitTriggerAdmin(ReadOnlyAdmin):
    list_display = ("household", "rule", "occurred_on", "due_on", "visit")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    right = rights.AUDIT
    list_display = ("at", "username", "action", "target", "object_id", "fields", "count", "reason")
    list_filter = ("action", "target")
    search_fields = ("username",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    right = rights.IMPORT
    list_display = ("id", "register", "user", "status", "total", "created", "updated", "unchanged", "skipped")
    exclude = ("errors",)
