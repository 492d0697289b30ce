"""弄虚作假核查 (001 篇5「不準弄虛作假」, 003 篇7 第五条): flags raised by the detectors or entered by hand, decided by a
reviewer. A confirmed flag zeroes one assessment item of one street for one month (``services.confirmed_zeroings``).

Only ``services.py`` writes these rows.
"""

from django.conf import settings
from django.db import models

from .logic.items import ITEMS, KINDS, SUBJECTS


class Status(models.TextChoices):
    PENDING = "pending", "待核"
    CONFIRMED = "confirmed", "确认"
    CLEARED = "cleared", "排除"


class Flag(models.Model):
    """核查线索: what raised it (kind, subject, evidence) and what the reviewer decided."""

    SCOPE_FIELD = "scope_key"

    kind = models.CharField("类型", max_length=14, choices=list(KINDS.items()))
    subject_type = models.CharField("对象类型", max_length=8, choices=list(SUBJECTS.items()))
    subject = models.CharField("对象", max_length=64, help_text="案件编号、照片编号、人员账号或街道代码")
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    photo = models.ForeignKey("cases.CasePhoto", verbose_name="照片", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True)
    unit = models.CharField("街道", max_length=9, db_index=True)
    period = models.CharField("月份", max_length=7, db_index=True)
    item = models.CharField("记零考评项", max_length=20, choices=list(ITEMS.items()))
    summary = models.CharField("说明", max_length=300)
    evidence = models.JSONField("证据", default=dict, blank=True)
    key = models.CharField("检测键", max_length=120, null=True, blank=True, unique=True,
                           help_text="检测出的线索每个只记一次；手工录入的为空")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发现时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核定人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("核定时间", null=True, blank=True)
    reason = models.CharField("核定理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查线索"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "period", "unit"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject}"
