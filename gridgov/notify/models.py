"""In-app notifications (消息通知): each row is one message in one user's inbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One message to one user (e.g. "case.dispatched": a case was dispatched to you)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField("类型", max_length=50)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    created = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # external channels' outcome, written after the commit: {"log": "sent", "sms": "error: Timeout"}
    channel_results = models.JSONField("渠道结果", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息通知"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notify_user_read_idx")]

    def __str__(self):
        return f"{self.title}（{self.user_id}）"
