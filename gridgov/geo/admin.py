"""Django admin (Chinese) for the tree, layers, grids and 五定 — restricted by the same scoping primitive."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, in_scope, scoped

from .models import Grid, GridDuty, GridLayer, Jurisdiction


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the signed-in account may see; saving re-checks that the row stays within scope."""

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.VIEW)
        except NoRight:
            return super().get_queryset(request).none()

    def save_model(self, request, obj, form, change):
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            key = obj
            for part in obj.SCOPE_FIELD.split("__"):
                key = getattr(key, part)
            if not in_scope(request.user, key):
                raise PermissionDenied("不能把对象移出您的管辖范围")


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent", "boundary_source", "area_m2")
    list_filter = ("level", "boundary_source")
    search_fields = ("code", "name")
    readonly_fields = ("area_m2",)
    raw_id_fields = ("parent",)


@admin.register(GridLayer)
class GridLayerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    readonly_fields = ("revision",)


class DutyInline(admin.TabularInline):
    model = GridDuty
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ("code", "name", "layer", "community", "grid_class", "grid_type", "households", "area_m2")
    list_filter = ("layer", "grid_class", "grid_type", "generated")
    search_fields = ("code", "name", "community__name")
    raw_id_fields = ("community", "parent")
    readonly_fields = ("scope_key", "area_m2", "generated")
    inlines = [DutyInline]
    list_select_related = ("layer", "community")

    def save_model(self, request, obj, form, change):
        from .services import bump_layers

        super().save_model(request, obj, form, change)
        bump_layers(obj.layer.code)


@admin.register(GridDuty)
class GridDutyAdmin(ScopedAdmin):
    list_display = ("grid", "post", "person", "duty_hours")
    list_filter = ("post",)
    raw_id_fields = ("grid", "person")
    list_select_related = ("grid", "person")
