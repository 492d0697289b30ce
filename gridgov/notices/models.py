"""通知公告: community notices (社区动态), early warnings (预警) with a level and a validity period, staff notices with
read receipts, and residents' subscriptions to their community's daily digest.

A notice is addressed to one node of the jurisdiction tree (``scope_key``: a district, a street or a community code);
it is published when written and withdrawn (kept, marked) when no longer valid — never deleted."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    COMMUNITY = "community", "社区动态"
    WARNING = "warning", "预警"
    STAFF = "staff", "工作通知"


class Level(models.TextChoices):
    """预警级别, from the least to the most severe (the order of SEVERITY)."""

    BLUE = "blue", "蓝色"
    YELLOW = "yellow", "黄色"
    ORANGE = "orange", "橙色"
    RED = "red", "红色"


SEVERITY = {Level.BLUE: 1, Level.YELLOW: 2, Level.ORANGE: 3, Level.RED: 4}
# 003 篇5: 雨雪冰冻等灾害性天气 — 预警 through the 宣传栏, the 电子屏 and now SMS
TOPICS = ["雨雪灾害", "停水停电", "大风", "高温", "燃气", "道路施工", "其他"]


class Notice(models.Model):
    SCOPE_FIELD = "scope_key"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=2000)
    topic = models.CharField("预警类别", max_length=20, blank=True)
    level = models.CharField("预警级别", max_length=10, choices=Level.choices, blank=True)
    scope_key = models.CharField("发布范围", max_length=12, db_index=True)
    area_name = models.CharField("范围名称", max_length=100)
    starts_at = models.DateTimeField("生效时间")
    ends_at = models.DateTimeField("失效时间", null=True, blank=True)
    posts = models.JSONField("接收岗位", default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT,
                               related_name="notices_written")
    published_at = models.DateTimeField("发布时间", default=timezone.now)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    reminded_at = models.DateTimeField("最近提醒", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知公告"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["kind", "scope_key", "published_at"], name="notices_kind_scope_idx")]

    def __str__(self):
        return self.title

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def current(self, now=None) -> bool:
        """Published, not withdrawn and within its validity period."""
        now = now or timezone.now()
        return (self.withdrawn_at is None and self.starts_at <= now
                and (self.ends_at is None or self.ends_at > now))

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.level, 0)


class Receipt(models.Model):
    """One addressee of a staff notice: read when they opened it (回执)."""

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notice_receipts")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    reminded = models.PositiveSmallIntegerField("提醒次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "阅读回执"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notices_receipt_once")]


class Subscription(models.Model):
    """A resident's subscription to a community: its notices and the progress of its cases, as a daily digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="居民", on_delete=models.CASCADE,
                             related_name="notice_subscriptions")
    community = models.ForeignKey("geo.Jurisdiction", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("有效", default=True)
    created = models.DateTimeField("订阅时间", default=timezone.now)
    ended_at = models.DateTimeField("退订时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区订阅"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "community"], name="notices_subscription_once")]


class DigestSent(models.Model):
    """The daily digest of one day to one subscriber — at most one (the unique key makes a second run send nothing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="居民", on_delete=models.CASCADE,
                             related_name="+")
    day = models.DateField("日期")
    communities = models.JSONField("社区", default=list)
    notification_id = models.BigIntegerField("消息编号", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "每日摘要发送记录"
        ordering = ["-day", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="notices_digest_once_a_day")]
