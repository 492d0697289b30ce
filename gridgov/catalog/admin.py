"""Django admin (Chinese): the catalog's local parts, deadline rules, legacy codes and components (scoped).

Every save and delete goes through ``catalog.services`` (checked, scoped and audited); see ServiceAdmin."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ServiceAdmin

from . import services
from .models import CatalogItem, Component, DeadlineRule, Kind, LegacyCode

STANDARD_FIELDS = ("kind", "code", "major_code", "major_name", "minor_code", "name")


def _rule_data(obj) -> dict:
    return {f: getattr(obj, f) for f in services.RULE_FIELDS}


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
class CatalogItemAdmin(ServiceAdmin):
    """The standard's codes and names are read-only; the local parts (department, conditions, active) are editable."""

    list_display = ("code", "name", "kind", "origin", "major_name", "default_department", "restricted_right",
                    "has_conditions", "active")
    list_filter = ("kind", "major_name", "active")
    search_fields = ("code", "name", "major_name")
    list_editable = ("default_department", "active")
    fields = STANDARD_FIELDS + ("default_department", "register_condition", "close_condition", "restricted_right",
                                "active")
    readonly_fields = STANDARD_FIELDS
    list_per_page = 100

    # ---- matters: the open catalog — local classes (majors 50–99) are added here; national ones stay read-only
    ADD_FIELDS = ("kind", "code", "major_name", "name", "default_department", "register_condition", "close_condition",
                  "restricted_right", "active")

    def get_fields(self, request, obj=None):
        return self.ADD_FIELDS if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("kind", "code", "major_code", "minor_code") if obj.is_local else STANDARD_FIELDS

    @admin.display(description="来源")
    def origin(self, obj):
        return "本地" if obj.is_local else "国家标准"

    def save_model(self, request, obj, form, change):
        if not change:
            saved = services.create_local_item(request.user, {f: form.cleaned_data.get(f) for f in self.ADD_FIELDS})
            obj.pk = saved.pk
            return
        editable = services.LOCAL_EDITABLE if obj.is_local else services.ITEM_LOCAL
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in editable}
        if changes:
            services.update_local_item(request.user, obj.kind, obj.code, changes)
    # ---- end matters

    def save_formset(self, request, form, formset, change):
        if formset.model is not DeadlineRule:
            return  # legacy codes are read-only here
        for f in formset.forms:
            rule = f.instance
            if f in formset.deleted_forms:
                if rule.pk:
                    services.delete_deadline_rule(request.user, rule.pk)
            elif f.has_changed():
                rule.matter = form.instance
                services.save_deadline_rule(request.user, _rule_data(rule), rule.pk)

    def get_inlines(self, request, obj):
        inlines = [LegacyCodeInline]
        return [DeadlineRuleInline, *inlines] if obj is not None and obj.kind == Kind.MATTER else inlines

    def has_add_permission(self, request):
        return True  # local classes only (the service refuses a national code); the standard's are loaded by migration

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead

    @admin.display(description="立结案条件", boolean=True)
    def has_conditions(self, obj):
        return bool(obj.register_condition and obj.close_condition)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ServiceAdmin):
    list_display = ("stage", "matter", "urgency", "area_class", "amount", "unit", "note")
    list_filter = ("stage", "urgency", "area_class", "unit", ("matter", admin.EmptyFieldListFilter))
    search_fields = ("matter__name", "matter__code", "note")
    list_select_related = ("matter",)
    autocomplete_fields = ("matter",)
    list_editable = ("amount", "unit")
    fields = ("matter", "urgency", "area_class", "stage", "amount", "unit", "note")

    def save_model(self, request, obj, form, change):
        saved = services.save_deadline_rule(request.user, _rule_data(obj), obj.pk if change else None)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_deadline_rule(request.user, obj.pk)


@admin.register(LegacyCode)
class LegacyCodeAdmin(ServiceAdmin):
    list_display = ("scheme", "code", "name", "major_name", "item", "method")
    list_filter = ("scheme", "method")
    search_fields = ("code", "name", "item__name", "item__code")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
    readonly_fields = ("scheme", "code", "name", "major_name")

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.LEGACY_EDITABLE}
        if changes:
            services.update_legacy_code(request.user, obj.pk, changes)

    def has_add_permission(self, request):
        return False  # loaded with the catalog

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Component)
class ComponentAdmin(ServiceAdmin):
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

    def has_delete_permission(self, request, obj=None):
        return False  # a component is 废弃/移除 by its status, never deleted

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE}
        if changes:
            services.update_component(request.user, obj.code, changes)
