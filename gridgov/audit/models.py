"""The audit log (审计日志): append-only records linked into a hash chain, and the chain's head.

Records are written only by ``gridgov.audit.services`` (which assigns ids and hashes under the head's lock).
They cannot be changed through Django: ``save()`` and ``delete()`` of a record raise, and so do
``update()``/``delete()`` of a queryset; the database refuses UPDATE and DELETE too (triggers, see migration
0002). Whoever bypasses all that is still caught by ``gridgov audit verify``.
"""

from django.conf import settings
from django.db import models

from .logic.chain import GENESIS


class AppendOnly(Exception):
    """An attempt to change or remove an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnly("审计日志只能追加，不能删除")

    update.queryset_only = True
    delete.queryset_only = True


class AuditRecord(models.Model):
    """One audited change: who (a snapshot of name and post), what object, which action, before and after."""

    # ids are assigned by the service (head.last_id + 1), so they are gap-free and are the order of the chain
    id = models.BigAutoField(primary_key=True)
    created = models.DateTimeField("时间")
    # The account may be deleted later; the record must not change then, so no FK constraint and no cascade.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=200, blank=True)
    role = models.CharField("岗位", max_length=40, blank=True)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象编号", max_length=64)
    action = models.CharField("动作", max_length=40)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.id} {self.object_type} {self.object_id} {self.action}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            raise AppendOnly("审计记录只能通过 gridgov.audit.services.record() 写入")
        raise AppendOnly("审计日志只能追加，不能修改")

    def delete(self, *args, **kwargs):
        raise AppendOnly("审计日志只能追加，不能删除")

    def chain_fields(self) -> dict:
        """The record as the pure chain logic sees it."""
        return {
            "id": self.id, "created": self.created, "actor_id": self.actor_id, "actor_name": self.actor_name,
            "role": self.role, "object_type": self.object_type, "object_id": self.object_id, "action": self.action,
            "before": self.before, "after": self.after, "prev_hash": self.prev_hash, "hash": self.hash,
        }


class AuditHead(models.Model):
    """The end of the chain: one row (id 1), locked by every append, holding the last id and hash.

    ``maintenance`` is the SQLite switch of the database guard (PostgreSQL uses the session setting
    ``gridgov.audit_maintenance``); see ``services.maintenance()``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField("最后记录编号", default=0)
    last_hash = models.CharField("最后记录哈希", max_length=64, default=GENESIS)
    maintenance = models.BooleanField("维护模式", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.last_id} {self.last_hash[:12]}…"
