"""The working calendar in the database: per-date overrides (日历调整) and the office-hours setting (工作时间设置).

Rows here win over the chinese_calendar package: they are how an administrator enters the official holiday
arrangement of a year the package does not know yet, or a local change (e.g. a district's own rest day).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .logic.calendar import DEFAULT_OFFICE_HOURS, OfficeHours

DEFAULT_YELLOW_SHARE = 0.8


class CalendarDay(models.Model):
    """日历调整: one date declared a working day (e.g. 调休上班) or a rest day (e.g. 春节), overriding the library."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选：当天上班（如调休上班）；不勾选：当天休息（如法定节假日）")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如 春节、国庆节、调休上班")
    note = models.TextField("备注", blank=True, help_text="依据，如国务院办公厅通知的文号")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'}{'（' + self.name + '）' if self.name else ''}"


def validate_office_hours(text: str) -> None:
    try:
        OfficeHours.parse(text)
    except ValueError as e:
        raise ValidationError(str(e)) from e


class WorkSetting(models.Model):
    """工作时间设置: the office periods of a working day and the warning share — a single row (pk 1)."""

    SINGLETON = 1

    office_hours = models.CharField(
        "办公时段", max_length=200, default=str(DEFAULT_OFFICE_HOURS), validators=[validate_office_hours],
        help_text="北京时间，按先后用逗号分隔，如 08:30-12:00, 13:30-17:30；一个工作日的时长即各时段之和",
    )
    yellow_share = models.FloatField(
        "预警比例", default=DEFAULT_YELLOW_SHARE, validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="已用时限达到该比例即黄色预警（0.8 表示 80%）；超过时限为红色",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作时间设置"

    def __str__(self):
        return f"办公时段 {self.office_hours}，预警比例 {self.yellow_share:.0%}"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "WorkSetting":
        """The setting row, or an unsaved one with the shipped defaults (reading never writes)."""
        return cls.objects.filter(pk=cls.SINGLETON).first() or cls(pk=cls.SINGLETON)

    @property
    def parsed_office_hours(self) -> OfficeHours:
        return OfficeHours.parse(self.office_hours)
