"""API of the audit app (django-ninja router, mounted at /api/v1/audit): for posts with the right to audit."""

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.limits import BigInt
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import anchoring, services
from .models import AuditRecord

router = Router(tags=["审计日志"])
AUDIT_RIGHT = roles.MANAGE_USERS  # administrators


class RecordFilter(Schema):
    object_type: str | None = None
    object_id: str | None = None
    after_id: BigInt = 0  # only records after this id (the last id already read)


class RecordOut(Schema):
    id: int
    created: datetime
    actor_id: int | None
    actor_name: str
    role: str
    object_type: str
    object_id: str
    action: str
    before: Any = None
    after: Any = None
    prev_hash: str
    hash: str


@router.get("/records", response=answers(page_of(RecordOut), 403, 422),
            summary="审计记录（按对象筛选；after_id 只看其后的记录，按编号升序）")
def records(request, filters: Query[RecordFilter], page: Query[PageIn]):
    require(request.user, AUDIT_RIGHT)
    qs = AuditRecord.objects.filter(id__gt=filters.after_id).order_by("id")
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return paginate(qs, page)


class VerifyOut(Schema):
    ok: bool
    count: int
    first_bad_id: int | None
    reason: str
    message: str
    anchors_ok: bool  # every signed anchor outside the database still matches the chain
    anchors: int  # anchors checked
    anchor_message: str


@router.get("/verify", response=answers(VerifyOut, 403), summary="校验审计哈希链及其签名锚点")
def verify(request):
    require(request.user, AUDIT_RIGHT)
    report = services.verify_chain()
    try:
        checked = anchoring.verify_anchors() if report.ok else None
    except anchoring.AnchorError as e:
        checked = anchoring.AnchorReport(False, 0, None, e.message)
    return {"ok": report.ok and checked is not None and checked.ok, "count": report.count,
            "first_bad_id": report.first_bad_id if not report.ok else (checked.bad.id if checked.bad else None),
            "reason": report.reason if not report.ok else ("" if checked.ok else checked.message),
            "message": services.describe(report) if not report.ok or checked.ok else checked.message,
            "anchors_ok": checked is not None and checked.ok, "anchors": checked.count if checked else 0,
            "anchor_message": checked.message if checked else "审计链校验未通过，未核对锚点"}
