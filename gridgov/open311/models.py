"""Open311 GeoReport v2 (开放接口): the api keys issued to outside clients and the service requests they filed.

A service request *is* a case (its ``service_request_id`` is the case number): the row here only remembers which
client filed it, the token, the media link and the contact e-mail (encrypted, like a resident's phone).
"""

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """An api_key issued by an administrator to one Open311 client (an app, a civic website). Only a hash is kept:
    the key itself is shown once, when it is created."""

    name = models.CharField("客户端名称", max_length=100, unique=True)
    prefix = models.CharField("密钥前缀", max_length=12)  # the first characters, to recognise a key in the list
    digest = models.CharField("密钥摘要", max_length=64, unique=True)  # sha256 of the whole key (hex)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 密钥"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"


class ServiceRequest(models.Model):
    """A service request posted through Open311: the case it became and what the client sent besides."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.CASCADE,
                                related_name="open311_request")
    api_key = models.ForeignKey(ApiKey, verbose_name="客户端", on_delete=models.PROTECT, related_name="requests")
    token = models.CharField("令牌", max_length=40, unique=True)
    service_code = models.CharField("服务代码", max_length=5)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    email_cipher = models.BinaryField("电子邮箱（加密）", blank=True, default=b"")
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("客户端账号", max_length=100, blank=True)
    requested_at = models.DateTimeField("提交时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 服务请求"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return self.token
