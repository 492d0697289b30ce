"""Django admin (Chinese): 人员网格, read-only here — organisations, groups, members, notices, holidays and dynamic groups
are written on the /groups/ pages and through the API (groups.services), where each write is checked, scoped and
audited."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ReadOnlyAdmin

from .models import DynamicGroup, Group, Organisation


class Scoped:
    """Only what the administrator may see (the organisation's grid, the dynamic group's place)."""

    def get_queryset(self, request):
        try:
            return scoped(super().get_queryset(request), request.user, roles.GROUPS_VIEW)
        except NoRight:
            return super().get_queryset(request).none()


@admin.register(Organisation)
class OrganisationAdmin(Scoped, ReadOnlyAdmin):
    list_display = ("name", "kind", "scope_key", "head", "meeting_start")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Group)
class GroupAdmin(Scoped, ReadOnlyAdmin):
    list_display = ("name", "organisation", "parent")
    search_fields = ("name", "organisation__name")


@admin.register(DynamicGroup)
class DynamicGroupAdmin(Scoped, ReadOnlyAdmin):
    list_display = ("name", "scope_key", "responsible")
