"""12345 对接: the hotline systems we exchange with (receivers), their work orders (each a case, the hotline's own
id kept) and the outbox of status changes going back to them as signed webhooks.

The outbox row is written in the same transaction as the case change it reports (``services.on_transitions``), so
a change that commits is never lost; ``delivery`` sends the rows of one case in order until the receiver
acknowledges (2xx), retrying with gridgov.backoff.
"""

from django.db import models


class Receiver(models.Model):
    """A 12345 system: its code (what its orders say they come from), where its webhooks go, the shared secret
    (encrypted) that signs them."""

    system = models.CharField("系统代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    url = models.URLField("回传地址", max_length=500)
    secret_cipher = models.BinaryField("共享密钥（加密）", default=b"")
    active = models.BooleanField("启用回传", default=True)
    timeout_s = models.FloatField("超时（秒）", default=10.0)
    updated_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = verbose_name_plural = "12345 对接系统"
        ordering = ["system"]

    def __str__(self):
        return f"{self.name}（{self.system}）"


class Order(models.Model):
    """A 12345 work order (工单): the hotline's own id, unique per hotline system, and the case it became."""

    receiver = models.ForeignKey(Receiver, verbose_name="来源系统", on_delete=models.PROTECT, related_name="orders")
    order_id = models.CharField("工单编号", max_length=40)
    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.CASCADE,
                                related_name="hotline_order")
    deadline = models.DateTimeField("12345 办理时限", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "12345 工单"
        constraints = [models.UniqueConstraint(fields=["receiver", "order_id"], name="hotline_order_unique")]

    def __str__(self):
        return f"{self.receiver.system}:{self.order_id}"


class Delivery(models.Model):
    """One status change of a 12345 case waiting to go out, or gone (the outbox, 回传队列)."""

    PENDING, SENT = "pending", "sent"
    STATUSES = [(PENDING, "待发送"), (SENT, "已送达")]

    order = models.ForeignKey(Order, verbose_name="工单", on_delete=models.CASCADE, related_name="deliveries")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="+")
    event = models.CharField("环节", max_length=30)
    payload = models.JSONField("内容")
    at = models.DateTimeField("发生时间")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345 回传"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["case", "status", "id"])]

    def __str__(self):
        return f"{self.order} {self.event}"
