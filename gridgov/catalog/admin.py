"""Django admin (Chinese): the catalog's local parts, deadline rules, legacy codes and components (scoped)."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, in_scope, scoped

from .models import CatalogItem, Component, DeadlineRule, Kind, LegacyCode

STANDARD_FIELDS = ("kind", "code", "major_code", "major_name", "minor_code", "name")


class DeadlineRuleInline(admin.TabularInline):
    model = DeadlineRule
    fk_name = "matter"
    extra = 0
    fields = ("stage", "urgency", "area_class", "amount", "unit", "note")
    verbose_name = verbose_name_plural = "本事项的时限规则（未设置的环节使用通用规则）"


class LegacyCodeInline(admin.TabularInline):
    model = LegacyCode
    extra = 0
    fields = ("scheme", "code", "name", "method", "note")
    readonly_fields = fields
    can_delete = False
    verbose_name = verbose_name_plural = "对应的旧分类代码"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    """The standard's codes and names are read-only; the local parts (department, conditions, active) are editable."""

    list_display = ("code", "name", "kind", "major_name", "default_department", "has_conditions", "active")
    list_filter = ("kind", "major_name", "active")
    search_fields = ("code", "name", "major_name")
    list_editable = ("default_department", "active")
    fields = STANDARD_FIELDS + ("default_department", "register_condition", "close_condition", "active")
    readonly_fields = STANDARD_FIELDS
    list_per_page = 100

    def get_inlines(self, request, obj):
        inlines = [LegacyCodeInline]
        return [DeadlineRuleInline, *inlines] if obj is not None and obj.kind == Kind.MATTER else inlines

    def has_add_permission(self, request):
        return False  # the catalog is the standard's; it is loaded by the data migration

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead

    @admin.display(description="立结案条件", boolean=True)
    def has_conditions(self, obj):
        return bool(obj.register_condition and obj.close_condition)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("stage", "matter", "urgency", "area_class", "amount", "unit", "note")
    list_filter = ("stage", "urgency", "area_class", "unit", ("matter", admin.EmptyFieldListFilter))
    search_fields = ("matter__name", "matter__code", "note")
    list_select_related = ("matter",)
    autocomplete_fields = ("matter",)
    list_editable = ("amount", "unit")
    fields = ("matter", "urgency", "area_class", "stage", "amount", "unit", "note")


@admin.register(LegacyCode)
class LegacyCodeAdmin(admin.ModelAdmin):
    list_display = ("scheme", "code", "name", "major_name", "item", "method")
    list_filter = ("scheme", "method")
    search_fields = ("code", "name", "item__name", "item__code")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
    readonly_fields = ("scheme", "code", "name", "major_name")

    def save_model(self, request, obj, form, change):
        if "item" in form.changed_data:
            obj.method = LegacyCode.Method.MANUAL if obj.item_id else LegacyCode.Method.NONE
        super().save_model(request, obj, form, change)


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    """Scoped like the grids. Components are registered through the API (locating and coding); here one edits them."""

    list_display = ("code", "item", "status", "community", "grid", "owner", "maintainer", "updated")
    list_filter = ("status", "item__major_name")
    search_fields = ("code", "item__name", "owner", "maintainer", "community__name")
    list_select_related = ("item", "community", "grid")
    fields = ("code", "item", "lon", "lat", "grid", "community", "scope_key", "status", "owner", "maintainer", "note",
              "created", "updated")
    readonly_fields = ("code", "item", "lon", "lat", "grid", "community", "scope_key", "created", "updated")

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.VIEW)
        except NoRight:
            return super().get_queryset(request).none()

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        with transaction.atomic():
            if not in_scope(request.user, obj.scope_key):
                raise PermissionDenied("不能修改管辖范围以外的部件")
            super().save_model(request, obj, form, change)
