"""市区联动与督办 in the admin: shown, never written here (writes go through the pages and API → services)."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import CityDispatch, Notice, NoticeReply


@admin.register(CityDispatch)
class CityDispatchAdmin(ReadOnlyAdmin):
    list_display = ("case", "district_code", "dispatched_at", "due_at", "answered_at")
    list_filter = ("district_code",)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "addressee_name", "issued_at", "due_at", "status")
    list_filter = ("status",)
    search_fields = ("number", "title")


@admin.register(NoticeReply)
class NoticeReplyAdmin(ReadOnlyAdmin):
    list_display = ("notice", "replied_at", "outcome", "reviewed_at")
