"""案件导出: saved column sets (导出模板) and the exports a user asked for (我的导出), with their progress and file."""

from django.conf import settings
from django.db import models


class ColumnSet(models.Model):
    """A named, ordered choice of export columns (``logic.columns``), a user's own; shared ones are offered to everyone
    who may export."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="export_column_sets")
    name = models.CharField("名称", max_length=40)
    columns = models.JSONField("导出列", default=list)
    shared = models.BooleanField("共享", default=False, help_text="共享后，其他可导出案件的账户也能选用")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出列模板"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="exports_columnset_user_name")]

    def __str__(self):
        return self.name


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期删除"


class Export(models.Model):
    """One export of the case list: the filters (the queue's query string), columns and format asked for, the rows
    done of the total while it runs, and the file (Django's storage) once done, kept ``EXPORT_KEEP_DAYS``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.CASCADE,
                             related_name="case_exports")
    query = models.CharField("筛选条件", max_length=1000, blank=True)
    columns = models.JSONField("导出列", default=list)
    fmt = models.CharField("格式", max_length=4, choices=[("xlsx", "Excel"), ("csv", "CSV")])
    by_class = models.BooleanField("按事项大类分表", default=False)
    unmask = models.BooleanField("含明文个人信息", default=False)
    reason = models.CharField("事由", max_length=200, blank=True)
    status = models.CharField("状态", max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已完成行数", default=0)
    file_name = models.CharField("存储文件", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("字节数", default=0)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("删除时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件导出"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"导出 #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if self.status == ExportStatus.DONE else (self.done * 100 // self.total if self.total else 0)
