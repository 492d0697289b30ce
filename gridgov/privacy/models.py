"""Personal information (个人信息保护法): how long each kind of personal data is kept.

The kinds, their defaults and the legal floors are pure data in ``logic/retention.py``; this table holds what an
administrator set (written only by ``services.set_policy``, which audits the change). A kind without a row has
its default.
"""

from django.db import models

from .logic.retention import KINDS


class RetentionPolicy(models.Model):
    """保存期限: the period in days after which one kind of personal data is erased (empty: kept)."""

    kind = models.CharField("个人信息类别", max_length=20, unique=True, choices=[(k, v.label) for k, v in KINDS.items()])
    days = models.PositiveIntegerField("保存期限（天）", null=True, blank=True, help_text="留空表示长期保存，不自动删除")
    note = models.CharField("依据或说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息保存期限"
        ordering = ["kind"]

    def __str__(self):
        return KINDS[self.kind].label if self.kind in KINDS else self.kind
