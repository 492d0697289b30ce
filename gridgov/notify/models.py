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


CHANNEL_LABELS = {"sms": "短信", "wecom": "企业微信应用消息", "robot": "企业微信群机器人", "email": "电子邮件"}


class Preference(models.Model):
    """One person's contact points and wishes: phone (encrypted, shown masked), 企业微信 userid, which kinds of
    message come by which channel, and quiet hours (Asia/Shanghai) during which non-urgent messages wait.

    ``channels`` maps a kind group ("case", "task", "oversight" … — a kind's part before the dot) to the channel
    names wanted for it; a group not listed gets every channel that can reach the person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="notify_preference")
    phone_cipher = models.BinaryField("手机号（加密）", blank=True, default=b"")
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    wecom_userid = models.CharField("企业微信账号", max_length=64, blank=True)
    channels = models.JSONField("各类消息的渠道", default=dict, blank=True)
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)
    updated = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息偏好与联系方式"

    def __str__(self):
        return f"消息偏好（{self.user_id}）"


class Template(models.Model):
    """The text (or the gateway's template code) of one kind of message on one channel; kind "" is the channel's
    default. ``text`` may use {title} {body} {number}; an SMS template's ``params`` names the gateway template's
    variables and what fills each (e.g. {"number": "{number}", "title": "{title}"})."""

    channel = models.CharField("渠道", max_length=10, choices=list(CHANNEL_LABELS.items()))
    kind = models.CharField("消息类型", max_length=50, blank=True, help_text="留空：该渠道的默认模板")
    template_code = models.CharField("短信模板编号", max_length=64, blank=True)
    text = models.TextField("内容", blank=True, help_text="可用 {title} {body} {number}")
    params = models.JSONField("短信模板参数", default=dict, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息模板"
        ordering = ["channel", "kind"]
        constraints = [models.UniqueConstraint(fields=["channel", "kind"], name="notify_template_channel_kind")]

    def __str__(self):
        return f"{CHANNEL_LABELS.get(self.channel, self.channel)}：{self.kind or '默认'}"


class Delivery(models.Model):
    """One message through one outside channel: recorded before it is sent, claimed by one worker, retried with
    the back-off of gridgov/backoff.py, never sent twice (``key`` is unique: "<channel>:<notification id>")."""

    PENDING, SENDING, SENT, FAILED, HELD = "pending", "sending", "sent", "failed", "held"
    STATUS_LABELS = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "失败", HELD: "免打扰暂缓"}

    notification = models.ForeignKey(Notification, verbose_name="消息", on_delete=models.CASCADE,
                                     related_name="deliveries")
    channel = models.CharField("渠道", max_length=10)
    key = models.CharField("去重键", max_length=80, unique=True)
    status = models.CharField("状态", max_length=10, default=PENDING, choices=list(STATUS_LABELS.items()))
    urgent = models.BooleanField("紧急", default=False)
    to = models.CharField("接收方（脱敏）", max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt = models.DateTimeField("下次尝试", null=True, blank=True)
    answer = models.TextField("网关应答", blank=True)
    created = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息投递记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt"], name="notify_delivery_due_idx")]

    def __str__(self):
        return self.key
