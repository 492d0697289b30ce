"""Django admin (Chinese) for the tree, layers, grids and 五定 — restricted by the same scoping primitive.

Grids and their 五定 are saved through ``geo.services`` (update_grid, set_duties: checked, scoped, audited). The
tree comes from the national division codes (``init-district``) and its boundaries from imports; layers from
``generate-grids`` and layer imports — so they are read-only here.
"""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import Grid, GridDuty, GridLayer, Jurisdiction


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the signed-in account may see."""

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.VIEW)
        except NoRight:
            return super().get_queryset(request).none()


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent", "boundary_source", "area_m2")
    list_filter = ("level", "boundary_source")
    search_fields = ("code", "name")
    exclude = ("geometry",)


@admin.register(GridLayer)
class GridLayerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind")


class DutyInline(admin.TabularInline):
    model = GridDuty
    extra = 0
    raw_id_fields = ("person",)
    fields = ("post", "person", "duty_hours", "standard")


@admin.register(Grid)
class GridAdmin(ScopedAdmin, ServiceAdmin):
    list_display = ("code", "name", "layer", "community", "grid_class", "grid_type", "households", "area_m2")
    list_filter = ("layer", "grid_class", "grid_type", "generated")
    search_fields = ("code", "name", "community__name")
    raw_id_fields = ("community",)
    fields = ("layer", "code", "name", "community", "grid_class", "grid_type", "households", "scope_key",
              "area_m2", "generated")
    readonly_fields = ("layer", "code", "scope_key", "area_m2", "generated")
    inlines = [DutyInline]
    list_select_related = ("layer", "community")

    def has_add_permission(self, request):
        return False  # grids are generated or imported

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE}
        if "community" in form.changed_data:
            changes["community_code"] = form.cleaned_data["community"].code
        original = Grid.objects.get(pk=obj.pk)  # the code the admin opened (a move changes it)
        if changes:
            services.update_grid(request.user, obj.layer.code, original.code, changes)
        request._gridgov_grid = (obj.layer.code, Grid.objects.get(pk=obj.pk).code)

    def save_formset(self, request, form, formset, change):
        if formset.model is not GridDuty or not formset.has_changed():
            return
        rows = [{"post": f.cleaned_data["post"], "username": f.cleaned_data["person"].username,
                 "duty_hours": f.cleaned_data.get("duty_hours"), "standard": f.cleaned_data.get("standard")}
                for f in formset.forms
                if f.cleaned_data and f not in formset.deleted_forms and f.cleaned_data.get("person")]
        layer, code = getattr(request, "_gridgov_grid", (form.instance.layer.code, form.instance.code))
        services.set_duties(request.user, layer, code, rows)


@admin.register(GridDuty)
class GridDutyAdmin(ScopedAdmin, ReadOnlyAdmin):
    """五定 are edited on their grid (above), where the whole set is replaced through ``set_duties``."""

    list_display = ("grid", "post", "person", "duty_hours")
    list_filter = ("post",)
    list_select_related = ("grid", "person")
