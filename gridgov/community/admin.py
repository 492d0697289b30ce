"""Admin (Chinese) of the published numbers: read-only — they are set by ``services.set_phone`` (the page
/community/phones/ and the API), which checks the rights and the format and audits every change."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import PublicPhone, StaffPhoto


@admin.register(PublicPhone)
class PublicPhoneAdmin(ReadOnlyAdmin):
    list_display = ("kind", "node_name", "key", "phone", "updated_at")
    list_filter = ("kind",)
    search_fields = ("key", "node_name", "phone")


@admin.register(StaffPhoto)
class StaffPhotoAdmin(ReadOnlyAdmin):
    """Set on the board's page (本人, or the 网格长/督导员/管理员 of the grid), which checks and audits the upload."""

    list_display = ("person", "updated_by", "updated_at")
    search_fields = ("person__username", "person__display_name")
