"""API of the audit app (django-ninja router, mounted at /api/v1/audit): for posts with the right to audit."""

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.limits import BigInt, Limit

from . import services
from .models import AuditRecord

router = Router(tags=["审计日志"])
AUDIT_RIGHT = roles.MANAGE_USERS  # administrators
MAX_LIMIT = 1000


class RecordFilter(Schema):
    object_type: str | None = None
    object_id: str | None = None
    after_id: BigInt = 0  # cursor: the last id of the previous page
    limit: Limit = 100


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


@router.get("/records", response=list[RecordOut], summary="审计记录（按对象筛选；after_id 翻页，按编号升序）")
def records(request, filters: Query[RecordFilter]):
    require(request.user, AUDIT_RIGHT)
    qs = AuditRecord.objects.filter(id__gt=filters.after_id).order_by("id")
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return list(qs[: max(1, min(filters.limit, MAX_LIMIT))])


class VerifyOut(Schema):
    ok: bool
    count: int
    first_bad_id: int | None
    reason: str
    message: str


@router.get("/verify", response=VerifyOut, summary="校验审计哈希链")
def verify(request):
    require(request.user, AUDIT_RIGHT)
    report = services.verify_chain()
    return {"ok": report.ok, "count": report.count, "first_bad_id": report.first_bad_id, "reason": report.reason,
            "message": services.describe(report)}
