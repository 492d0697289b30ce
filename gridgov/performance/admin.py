"""The admin of the pay scheme: read-only (edited on /performance/scheme/, which writes through the service and the
audit chain)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import PayScheme


@admin.register(PayScheme)
class PaySchemeAdmin(ReadOnlyAdmin):
    list_display = ["district", "updated_at"]
