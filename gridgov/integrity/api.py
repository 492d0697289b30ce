"""Integrity API (/api/v1/integrity/): flags (核查线索) read, entered by hand and decided; the scan; the month's
confirmed zeroings as the assessment reads them. Parse → call a service → serialise."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services

router = Router(tags=["弄虚作假核查"])

Period = Field(pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")


class FlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject_type: str
    subject: str
    case: str | None
    photo: int | None
    person: str | None
    unit: str = Field(description="街道代码（9 位）")
    period: str
    item: str = Field(description="确认后记零的考评项")
    item_label: str
    summary: str
    evidence: dict[str, Any]
    status: str = Field(description="pending 待核、confirmed 确认、cleared 排除")
    status_label: str
    created_at: dt.datetime
    created_by: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str


class FlagsIn(PageIn):
    status: Literal["pending", "confirmed", "cleared"] | None = Field(None, title="状态")
    kind: Literal["photo_place", "photo_time", "photo_reuse", "speed", "repeat_close", "quick_reopen",
                  "manual"] | None = Field(None, title="类型")
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")


@router.get("/flags", response=answers(page_of(FlagOut), 403, 422), summary="核查线索（本辖区）")
def list_flags(request, q: Query[FlagsIn]):
    rows = services.flags(request.user)
    for name in ("status", "kind", "period"):
        if getattr(q, name):
            rows = rows.filter(**{name: getattr(q, name)})
    return paginate(rows.order_by("-created_at", "-id"), q, services.flag_out)


@router.get("/flags/{flag_id}", response=answers(FlagOut, 403, 404, 422), summary="一条核查线索")
def get_flag(request, flag_id: Id):
    return services.flag_out(services.get_flag(request.user, flag_id))


class FlagIn(Schema):
    unit: str = Field("", max_length=9, title="街道代码", description="9 位；填了案件或人员时可省略")
    item: str = Field(max_length=20, title="考评项")
    period: str = Period
    reason: str = Field(max_length=300, title="发现的问题")
    case: str = Field("", max_length=32, title="案件编号")
    person: str = Field("", max_length=150, title="人员账号")


@router.post("/flags", response=answers(FlagOut, 400, 403, 422, status=201), summary="录入督查发现的弄虚作假")
def create_flag(request, body: FlagIn):
    return Status(201, services.flag_out(services.create(request.user, **body.dict())))


class FlagDecideIn(Schema):
    decision: Literal["confirm", "clear"] = Field(title="核定结果", description="confirm 确认、clear 排除")
    reason: str = Field(max_length=300, title="理由")
    item: str | None = Field(None, max_length=20, title="记零的考评项", description="确认时可改")
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")


@router.post("/flags/{flag_id}/decide", response=answers(FlagOut, 400, 403, 404, 409, 422),
             summary="核定一条线索：确认（该项当月记 0 分）或排除")
def decide_flag(request, flag_id: Id, body: FlagDecideIn):
    return services.flag_out(services.decide(request.user, flag_id, body.decision, body.reason, body.item,
                                             body.period))


class ScanIn(Schema):
    since: dt.date | None = Field(None, title="从该日起", description="默认最近 35 天")


class IntegrityScanOut(Schema):
    new: dict[str, int] = Field(description="各类型的新线索条数")


@router.post("/scan", response=answers(IntegrityScanOut, 403, 422), summary="运行一次检测（每条线索只记一次）")
def run_scan(request, body: ScanIn):
    from django.utils import timezone

    from gridgov.accounts.scope import require

    require(request.user, services.REVIEW)
    since = dt.datetime.combine(body.since, dt.time.min, timezone.get_default_timezone()) if body.since else None
    return {"new": services.scan(since=since)}


class ZeroingOut(Schema):
    unit: str
    item: str
    by: str
    at: str
    reason: str
    source: str


class ZeroingsIn(PageIn):
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）",
                               description="默认本月")
    district: str = Field("", pattern=r"^(\d{6})?$", title="区县代码", description="默认：您辖区内的全部")


@router.get("/zeroings", response=answers(page_of(ZeroingOut), 400, 403, 422),
            summary="某月已确认的弄虚作假（考评记 0 分的项）")
def zeroings(request, q: Query[ZeroingsIn]):
    from gridgov.accounts.scope import require

    require(request.user, services.VIEW)
    from django.utils import timezone

    rows = services.confirmed_zeroings(q.period or timezone.localdate().strftime("%Y-%m"), q.district)
    return paginate([r for r in rows if services.in_scope(request.user, r["unit"])], q)
