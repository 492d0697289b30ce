"""Django admin (Chinese) for the working calendar: per-date overrides and the single office-hours setting.
Saves and deletes go through ``worktime.services`` (checked and audited)."""

from django.contrib import admin

from gridgov.audit.admin import ServiceAdmin

from . import services
from .models import CalendarDay, WorkSetting


@admin.register(CalendarDay)
class CalendarDayAdmin(ServiceAdmin):
    list_display = ("date", "weekday", "is_workday", "name", "note", "updated_at")
    list_filter = ("is_workday",)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:  # moved to another date: the old override goes
            services.remove_day(form.initial["date"], user=request.user)
        saved = services.set_day(obj.date, obj.is_workday, obj.name, obj.note, user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_day(obj.date, user=request.user)

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"星期{'一二三四五六日'[obj.date.weekday()]}"


@admin.register(WorkSetting)
class WorkSettingAdmin(ServiceAdmin):
    list_display = ("office_hours", "yellow_share", "updated_at")
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change):
        saved = services.update_setting(obj.office_hours, obj.yellow_share, user=request.user)
        obj.pk = saved.pk

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WorkSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
