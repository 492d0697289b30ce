"""Writes of personal data that a person's rights or the retention period call for (个人信息保护法), next to the
register's other services: 更正 (correction, 第四十六条), 删除 (erasure, 第四十七条) and the expiry of the access
log. Each function owns its transaction and appends to the audit chain; values appear masked in the history and
the audit record, never in plain form.

Corrections are kept where every change of a resident is kept — ``ResidentEvent`` (kind ``correct``, with the
field, the old and the new value masked and the reason) — so the person's file lists them with the rest of
their history.
"""

import datetime as dt

from django.db import models, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit.services import record
from gridgov.crypto import cipher
from gridgov.errors import Conflict, DomainError

from . import rights
from .logic import ids
from .models import AccessLog, EventKind, Resident, ResidentEvent, ResidentStatus
from .services import ID_FIELD, PHONE_FIELD, clean_id, clean_phone, id_fields, phone_fields

# what may be corrected, and how each value is shown in the history: (label, mask)
CORRECTABLE = {"name": ("姓名", ids.mask_name), "phone": ("手机号", ids.mask_phone), "id_number": ("身份证号", ids.mask_id)}
ERASED_PREFIX = "erased-"  # an erased resident's ID index: unique, and never a hex digest


def _current(r: Resident, field: str) -> str:
    if field == "name":
        return r.name
    if field == "phone":
        return cipher().decrypt(r.phone_cipher, PHONE_FIELD)
    return cipher().decrypt(r.id_cipher, ID_FIELD)


@transaction.atomic
def correct_resident(user, pk: int, field: str, value: str, reason: str) -> ResidentEvent:
    """更正: a person asks to correct their name, phone or ID number. Records the field, the old and the new value
    (masked), the reason, who and when, in the resident's history and the audit chain."""
    if field not in CORRECTABLE:
        raise DomainError("invalid_field", "可更正的字段为 name（姓名）、phone（手机号）、id_number（身份证号）")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "请填写更正原因（如本人申请及核对的证件）")
    r = rights.get_scoped(Resident.objects.select_for_update(), user, rights.EDIT, pk=pk)
    if r.id_index.startswith(ERASED_PREFIX):
        raise Conflict("resident_erased", "该人员的个人信息已删除，不能更正")
    label, mask = CORRECTABLE[field]
    if field == "name":
        new = (value or "").strip()
        if not new or len(new) > Resident._meta.get_field("name").max_length:
            raise DomainError("invalid_name", "姓名不能为空，且不超过 50 个字")
        changes = {"name": new}
    elif field == "phone":
        new = clean_phone(value)
        changes = phone_fields(new)
    else:
        new = clean_id(value)
        changes = id_fields(new)
        if Resident.objects.filter(id_index=changes["id_index"]).exclude(pk=r.pk).exists():
            raise Conflict("duplicate_resident", "该身份证号已登记给另一人员")
    old = _current(r, field)
    if old == new:
        raise DomainError("unchanged", f"{label}与登记的相同，无需更正")
    for k, v in changes.items():
        setattr(r, k, v)
    r.save()
    event = ResidentEvent.objects.create(
        resident=r, kind=EventKind.CORRECT, date=timezone.localdate(), reason=reason[:200], from_key=r.scope_key,
        to_key=r.scope_key, actor=user, scope_key=r.scope_key, field_name=field, old_masked=mask(old),
        new_masked=mask(new))
    record(user, "correct", "resident", r.pk, before={"field": field, "value": event.old_masked},
           after={"field": field, "value": event.new_masked, "reason": event.reason})
    rights.ensure_in_scope(r, user, rights.EDIT)
    return event


def _erase(qs, marker: str) -> int:
    """Overwrite the personal data of the residents of ``qs`` (ID number, phone, name) with a marker."""
    return qs.update(name=marker, id_cipher=b"", id_masked=marker[:18], phone_cipher=b"", phone_index="",
                     phone_masked=marker[:11], updated_at=timezone.now(),
                     id_index=Concat(Value(ERASED_PREFIX), Cast("pk", models.CharField())))


def left_before(day: dt.date):
    """Residents moved out of the territory or cancelled before ``day`` whose data is not erased yet."""
    left = Max("events__date", filter=Q(events__kind__in=[EventKind.CANCEL, EventKind.MOVE]))
    return (Resident.objects.filter(status__in=[ResidentStatus.CANCELLED, ResidentStatus.MOVED_OUT])
            .exclude(id_index__startswith=ERASED_PREFIX).annotate(left_on=left).filter(left_on__lt=day))


def erase_left_residents(day: dt.date, marker: str) -> int:
    """The retention period of people who left (called by the privacy purge, which audits the count)."""
    ids_ = list(left_before(day).values_list("pk", flat=True))
    return _erase(Resident.objects.filter(pk__in=ids_), marker) if ids_ else 0


@transaction.atomic
def erase_resident(user, pk: int, reason: str, marker: str) -> Resident:
    """删除 on the person's request, where the law allows it: only someone who has left the territory (moved out
    or cancelled) — an active resident's registration is a legal duty of the register (第四十七条 applies once its
    purpose is achieved). Birth date, gender and the history stay (statistics), without the identifying values."""
    require(user, roles.PRIVACY_REQUEST)  # a person's request is handled by the administrator, not the grid staff
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "请填写删除原因（如本人申请）")
    r = rights.get_scoped(Resident.objects.select_for_update(), user, rights.EDIT, pk=pk)
    if r.status == ResidentStatus.ACTIVE:
        raise Conflict("resident_active", "在住人员的登记信息依法须保留，不能删除；迁出或注销后可删除")
    if r.id_index.startswith(ERASED_PREFIX):
        raise Conflict("resident_erased", "该人员的个人信息已删除")
    _erase(Resident.objects.filter(pk=r.pk), marker)
    record(user, "erase", "resident", r.pk, after={"reason": reason[:200]})
    r.refresh_from_db()
    return r


def expire_access_logs(before: dt.datetime) -> int:
    """Remove access-log lines written before ``before``: the one sanctioned removal from the append-only log,
    for its retention period (called by the privacy purge inside its transaction, which audits the count)."""
    n, _ = models.QuerySet.delete(AccessLog.objects.filter(at__lt=before))
    return n
