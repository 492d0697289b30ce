"""数据挖掘 results, computed by the background job ``mining.compute`` and kept per scope and period (a page reads
the stored result; nothing is computed on a page view)."""

from django.conf import settings
from django.db import models


class Run(models.Model):
    """One analysis of a scope (district or street) over a period [first_day, last_day]."""

    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围编码", max_length=12, db_index=True)
    first_day = models.DateField("起")
    last_day = models.DateField("止")
    status = models.CharField("状态", max_length=10, default="pending")  # pending / done / failed
    result = models.JSONField("结果", default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField("请求时间")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据挖掘结果"
        verbose_name_plural = "数据挖掘结果"
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["scope_key", "first_day", "last_day"], name="mining_run_once")]
