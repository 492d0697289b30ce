"""The admin of 核查线索: read-only (flags are raised by the scan or entered and decided on /integrity/, which write
through the services and the audit chain)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import Flag


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "subject", "unit", "period", "item", "status", "decided_by", "decided_at"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["subject", "unit", "summary"]
