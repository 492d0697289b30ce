"""简报与通报 (briefs): 工作简报, 情况通报, 值班日报 and 大数据分析报告 as issued documents, their 文号 counters and
the leaders' subscriptions. Written only by ``services``."""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    WEEKLY = "weekly", "工作简报（周报）"
    MONTHLY = "monthly", "工作简报（月报）"
    NOTICE = "notice", "情况通报"
    DUTY = "duty", "值班日报"
    ANALYSIS = "analysis", "大数据分析报告"


class Status(models.TextChoices):
    PENDING = "pending", "生成中"
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已签发"
    FAILED = "failed", "生成失败"


class Brief(models.Model):
    """简报: one document of a kind for a period and a scope (a district, or a street for its own)."""

    SCOPE_FIELD = "scope_key"

    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    scope_key = models.CharField("范围编码", max_length=12, db_index=True)
    scope_name = models.CharField("范围", max_length=64)
    period = models.CharField("期间", max_length=32)  # 2026-W48, 2026-11, 2026-12-02
    first_day = models.DateField("起")
    last_day = models.DateField("止")
    title = models.CharField("标题", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    figures = models.JSONField("数据", default=dict, blank=True)  # generated: tables, charts, values
    narrative = models.JSONField("正文", default=dict, blank=True)  # section key → text (editable until issued)
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    seq = models.PositiveIntegerField("序号", null=True, blank=True)
    number = models.CharField("文号", max_length=64, blank=True)
    docx = models.BinaryField("Word 文件", blank=True, default=b"")
    pdf = models.BinaryField("PDF 文件", blank=True, default=b"")
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)  # of the issued .docx and .pdf, hex
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="起草人")
    created_at = models.DateTimeField("起草时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="签发人")
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    error = models.CharField("错误", max_length=200, blank=True)

    class Meta:
        verbose_name = "简报"
        verbose_name_plural = "简报与通报"
        ordering = ["-first_day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="brief_number_unique"),
        ]
        indexes = [models.Index(fields=["kind", "scope_key", "period"])]

    def __str__(self):
        return self.number or f"{self.get_kind_display()} {self.period}（{self.get_status_display()}）"


class Counter(models.Model):
    """文号 counter: the last number of a series (the 文号 prefix of a kind's template — 周报 and 月报 share 「东城网格」,
    the 通报 has 「东城网格通」) in a year under a district or street (one row, locked while issuing)."""

    scope_key = models.CharField(max_length=12)
    series = models.CharField(max_length=40)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文号计数"
        constraints = [models.UniqueConstraint(fields=["scope_key", "series", "year"], name="brief_counter_unique")]


class Subscription(models.Model):
    """订阅: a reader receives every issued brief of a kind and scope without asking."""

    SCOPE_FIELD = "scope_key"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brief_subscriptions",
                             verbose_name="订阅人")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    scope_key = models.CharField("范围编码", max_length=12)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("订阅时间")

    class Meta:
        verbose_name = "简报订阅"
        verbose_name_plural = "简报订阅"
        constraints = [models.UniqueConstraint(fields=["user", "kind", "scope_key"], name="brief_subscription_unique")]


class Delivery(models.Model):
    """One subscription served for one period (so a subscription fires once per period)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    period = models.CharField(max_length=32)
    brief = models.ForeignKey(Brief, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "简报送达"
        constraints = [models.UniqueConstraint(fields=["subscription", "period"], name="brief_delivery_once")]
