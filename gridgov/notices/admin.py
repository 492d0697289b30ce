"""通知公告 in the admin: read-only (every write goes through the services, audited)."""

from django.contrib import admin

from .models import DigestSent, Notice, Receipt, Subscription


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ["title", "kind", "level", "area_name", "published_at", "withdrawn_at"]
    list_filter = ["kind", "level"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["notice", "user", "read_at", "reminded"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["user", "community", "active", "created", "ended_at"]


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnly):
    list_display = ["user", "day", "sent_at"]
