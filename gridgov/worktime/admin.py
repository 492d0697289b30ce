"""Django admin (Chinese) for the working calendar: per-date overrides and the single office-hours setting."""

from django.contrib import admin

from .models import CalendarDay, WorkSetting


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_workday", "name", "note", "updated_at")
    list_filter = ("is_workday",)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)
    readonly_fields = ("updated_at",)

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"星期{'一二三四五六日'[obj.date.weekday()]}"


@admin.register(WorkSetting)
class WorkSettingAdmin(admin.ModelAdmin):
    list_display = ("office_hours", "yellow_share", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WorkSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
