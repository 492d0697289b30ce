"""The grid's public face (公示牌, 温馨提示卡, 社区名录, seed 001 篇4 「统一公开身份」): the published phone numbers.

What a board shows otherwise is read from where it is kept: the grid and its community and street (geo), its staff
from the 五定 (``geo.GridDuty``). Only the numbers residents call are configured here.
"""

from django.conf import settings
from django.db import models


class PhoneKind(models.TextChoices):
    HOTLINE = "hotline", "服务热线"
    SUPERVISION = "supervision", "监督电话"


class PublicPhone(models.Model):
    """公开电话: a 服务热线 of a grid (or the default of a community, street or district for its grids) or a 监督电话 of a
    community, street or district (a default at the district). ``key`` is the grid's scope key or the jurisdiction's
    code, so the number of a grid is the one set at the longest prefix of its key."""

    SCOPE_FIELD = "key"

    kind = models.CharField("类型", max_length=12, choices=PhoneKind.choices)
    key = models.CharField("设置于（网格或辖区）", max_length=100, db_index=True)
    node_name = models.CharField("名称", max_length=100)
    phone = models.CharField("电话", max_length=20)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开电话（服务热线、监督电话）"
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="public_phone_unique")]

    def __str__(self):
        return f"{self.node_name} · {self.get_kind_display()} · {self.phone}"


class StaffPhoto(models.Model):
    """公示照片: the photo of a member of staff on the boards of their grids (001 篇4 「统一公开身份…公示牌」). Kept as a
    3:4 JPEG through the photo store (content-addressed, local disk or object storage)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE,
                                  related_name="board_photo")
    key = models.CharField("文件", max_length=200)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("上传时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示照片"

    def __str__(self):
        return f"{self.person} 的公示照片"
