"""Django admin (Chinese): the base maps an administrator keeps, and the address register — written through the
services (checked, scoped, audited)."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ServiceAdmin

from . import services
from .models import Address, BaseMapSource


@admin.register(BaseMapSource)
class BaseMapSourceAdmin(ServiceAdmin):
    list_display = ("label", "name", "kind", "crs", "position", "enabled")
    list_editable = ("position", "enabled")
    fields = ("name", "label", "kind", "crs", "url", "layer", "key", "matrix_set", "subdomains", "attribution",
              "min_zoom", "max_zoom", "file", "position", "enabled")

    def save_model(self, request, obj, form, change):
        services.save_source(request.user, obj)

    def delete_model(self, request, obj):
        services.delete_source(request.user, obj)


@admin.register(Address)
class AddressAdmin(ServiceAdmin):
    list_display = ("code", "text", "kind", "community_code", "unit_grid", "source")
    list_filter = ("kind", "source")
    search_fields = ("code", "text", "name", "initials")
    fields = ("code", "kind", "road", "number", "building", "unit", "name", "poi_kind", "lon", "lat")
    list_per_page = 100

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.VIEW)
        except NoRight:
            return super().get_queryset(request).none()

    def save_model(self, request, obj, form, change):
        data = {f: getattr(obj, f) for f in self.fields}
        saved = services.save_address(request.user, data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_address(request.user, obj.code)
