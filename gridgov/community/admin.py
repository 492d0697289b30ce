"""Admin (Chinese) of the published numbers: read-only — they are set by ``services.set_phone`` (the page
/community/phones/ and the API), which checks the rights and the format and audits every change."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import PublicPhone


@admin.register(PublicPhone)
class PublicPhoneAdmin(ReadOnlyAdmin):
    list_display = ("kind", "node_name", "key", "phone", "updated_at")
    list_filter = ("kind",)
    search_fields = ("key", "node_name", "phone")
