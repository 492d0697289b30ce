"""Patrol API (/api/v1/patrol/): plans, 上班签到/下班签退, track batches, shifts, tracks, coverage, anomalies,
leave and the monthly attendance table. Parse → call a service → serialise."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from gridgov import spreadsheets
from gridgov.limits import Id, Text, field
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services
from .models import Leave, PatrolPlan, Shift, TrackPoint

router = Router(tags=["巡查与考勤"])

Lon = Annotated[float, Field(ge=-180, le=180, title="经度")]
Lat = Annotated[float, Field(ge=-90, le=90, title="纬度")]


class PlanOut(Schema):
    grid: str
    grid_class: str
    method: str
    method_label: str
    per_week: int
    min_minutes: int
    min_km: float
    min_share: float
    hours: str
    basis: str


def plan_out(p: PatrolPlan) -> dict:
    return {"grid": p.grid.code, "grid_class": p.grid.grid_class, "method": p.method,
            "method_label": p.get_method_display(), "per_week": p.per_week, "min_minutes": p.min_minutes,
            "min_km": p.min_km, "min_share": p.min_share, "hours": p.hours, "basis": p.basis}


class PlanIn(Schema):
    method: Literal["foot", "vehicle"] | None = Field(None, title="巡查方式")
    per_week: int | None = field(PatrolPlan, "per_week", None)
    min_minutes: int | None = field(PatrolPlan, "min_minutes", None)
    min_km: float | None = Field(None, ge=0, le=1000, title="每次至少（公里）")
    min_share: float | None = Field(None, ge=0, le=1, title="单元网格覆盖至少")
    hours: str | None = field(PatrolPlan, "hours", None)


@router.get("/plans", response=answers(page_of(PlanOut), 403, 422), summary="巡查计划（按网格类别生成，可调整）")
def list_plans(request, page: Query[PageIn]):
    return paginate(services.plans(request.user).order_by("scope_key"), page, plan_out)


@router.put("/plans/{grid_code}", response=answers(PlanOut, 400, 403, 404, 422), summary="调整一个网格的巡查计划")
def put_plan(request, grid_code: Annotated[str, Field(max_length=40)], body: PlanIn):
    return plan_out(services.set_plan(request.user, grid_code, **body.dict()))


class PositionIn(Schema):
    lon: Lon
    lat: Lat
    reason: str = field(Shift, "start_reason", "")


class ShiftOut(Schema):
    id: int
    person: str
    grid: str
    day: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime | None
    start_inside: bool
    start_distance_m: float
    start_reason: str
    late_minutes: int
    points: int
    length_m: float
    duration_s: float
    units_visited: int
    share: float
    done: bool
    missing: str


def shift_out(s: Shift) -> dict:
    return {"id": s.pk, "person": s.person.display_name or s.person.username, "grid": s.scope_key, "day": s.day,
            "started_at": s.started_at, "ended_at": s.ended_at, "start_inside": s.start_inside,
            "start_distance_m": s.start_distance_m, "start_reason": s.start_reason, "late_minutes": s.late_minutes,
            "points": s.points, "length_m": s.length_m, "duration_s": s.duration_s,
            "units_visited": len(s.units_visited or []), "share": s.share, "done": s.done, "missing": s.missing}


@router.post("/checkin", response=answers(ShiftOut, 400, 403, 409, 422, status=201), summary="上班签到（在所负责网格内）")
def checkin(request, body: PositionIn):
    return Status(201, shift_out(services.checkin(request.user, body.lon, body.lat, body.reason)))


@router.post("/checkout", response=answers(ShiftOut, 400, 403, 409, 422), summary="下班签退")
def checkout(request, body: PositionIn):
    return shift_out(services.checkout(request.user, body.lon, body.lat, body.reason))


class PointIn(BaseModel):
    """One position (a plain pydantic model: thousands are validated per request, in pydantic's core)."""

    seq: int = field(TrackPoint, "seq")
    at: dt.datetime = Field(title="时间")
    lon: Lon
    lat: Lat
    accuracy: float | None = Field(None, ge=0, le=100_000, title="精度（米）")


class TrackIn(Schema):
    shift_id: Id
    points: list[PointIn] = Field(max_length=services.MAX_BATCH, title="轨迹点")


class TrackResult(Schema):
    accepted: int
    duplicates: int


@router.post("/track", response=answers(TrackResult, 400, 403, 404, 422),
             summary="上传一批轨迹点（幂等：同一序号只保存一次）")
def upload_track(request, body: TrackIn):
    return services.add_points(request.user, body.shift_id,
                               [(p.seq, p.at, p.lon, p.lat, p.accuracy) for p in body.points])


class TrackColumnsIn(Schema):
    """A batch as columns: the i-th point is (seq[i], t[i], lon[i], lat[i], accuracy[i]) — one array a field instead
    of one object a point, so a batch of thousands is parsed and checked as arrays."""

    shift_id: Id
    seq: list[int] = Field(max_length=services.MAX_COLUMNS, title="序号")
    t: list[int] = Field(max_length=services.MAX_COLUMNS, title="时间（Unix 毫秒，UTC）")
    lon: list[float] = Field(max_length=services.MAX_COLUMNS, title="经度")
    lat: list[float] = Field(max_length=services.MAX_COLUMNS, title="纬度")
    accuracy: list[float | None] | None = Field(None, max_length=services.MAX_COLUMNS, title="精度（米）")


@router.post("/track/columns", response=answers(TrackResult, 400, 403, 404, 422),
             summary="上传一批轨迹点（按列：seq、t 毫秒、lon、lat、accuracy 各一数组；幂等：同一序号只保存一次）")
def upload_track_columns(request, body: TrackColumnsIn):
    return services.add_columns(request.user, body.shift_id, body.seq, [t * 1000 for t in body.t], body.lon, body.lat, body.accuracy)


class ShiftsIn(PageIn):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grid: str | None = Field(None, max_length=40)


@router.get("/shifts", response=answers(page_of(ShiftOut), 403, 422), summary="在岗记录（不含位置）")
def list_shifts(request, q: Query[ShiftsIn]):
    qs = services.shifts(request.user)
    if q.date_from:
        qs = qs.filter(day__gte=q.date_from)
    if q.date_to:
        qs = qs.filter(day__lte=q.date_to)
    if q.grid:
        qs = qs.filter(grid__code=q.grid)
    return paginate(qs.order_by("-started_at", "-id"), q, shift_out)


class AnomalyOut(Schema):
    id: int
    shift_id: int
    person: str
    grid: str
    kind: str
    kind_label: str
    start: dt.datetime
    end: dt.datetime
    detail: str


def anomaly_out(a) -> dict:
    p = a.shift.person
    return {"id": a.pk, "shift_id": a.shift_id, "person": p.display_name or p.username, "grid": a.scope_key,
            "kind": a.kind, "kind_label": a.get_kind_display(), "start": a.start, "end": a.end, "detail": a.detail}


class TrackOut(Schema):
    shift: ShiftOut
    points: list[tuple[dt.datetime, float, float]] = Field(description="[时间, 经度, 纬度]")
    anomalies: list[AnomalyOut]
    units: list[str] = Field(description="网格的全部单元网格")
    visited: list[str] = Field(description="到过的单元网格")


@router.get("/shifts/{shift_id}/track", response=answers(TrackOut, 403, 404, 422),
            summary="一次在岗的轨迹（仅督导链可见，查看即记入个人信息访问日志）")
def get_track(request, shift_id: Id, reason: Text = ""):
    t = services.track(request.user, shift_id, reason)
    return {"shift": shift_out(t["shift"]), "points": t["points"],
            "anomalies": [anomaly_out(a) for a in t["anomalies"]], "units": t["units"],
            "visited": t["shift"].units_visited or []}


class PeriodIn(PageIn):
    date_from: dt.date | None = Field(None, description="默认本月 1 日")
    date_to: dt.date | None = Field(None, description="默认今天")
    grid: str | None = Field(None, max_length=40)


class CoverageOut(Schema):
    person: str
    grid: str
    method: str
    shifts: int
    patrols_done: int
    patrols_planned: int
    hours_on_patrol: float
    km: float
    units_visited: int
    units_total: int
    share: float
    anomalies: int


@router.get("/coverage", response=answers(page_of(CoverageOut), 400, 403, 422),
            summary="覆盖率：每名网格员在期间内到过的单元网格、完成巡查与计划")
def get_coverage(request, q: Query[PeriodIn]):
    today = timezone.localdate()
    rows = services.coverage(request.user, q.date_from or today.replace(day=1), q.date_to or today, q.grid)
    return paginate(rows, q, lambda r: {**r, "person": r["person"].display_name or r["person"].username,
                                        "grid": r["grid"].code})


@router.get("/anomalies", response=answers(page_of(AnomalyOut), 403, 422), summary="巡查异常（督导员查看）")
def list_anomalies(request, page: Query[PageIn]):
    return paginate(services.anomalies(request.user).order_by("-start", "-id"), page, anomaly_out)


class LeaveIn(Schema):
    start: dt.date
    end: dt.date
    reason: str = field(Leave, "reason")


class LeaveOut(Schema):
    id: int
    person: str
    start: dt.date
    end: dt.date
    reason: str
    status: str
    status_label: str


def leave_out(leave: Leave) -> dict:
    p = leave.person
    return {"id": leave.pk, "person": p.display_name or p.username, "start": leave.start, "end": leave.end,
            "reason": leave.reason, "status": leave.status, "status_label": leave.get_status_display()}


@router.post("/leaves", response=answers(LeaveOut, 400, 403, 409, 422, status=201), summary="请假申请")
def post_leave(request, body: LeaveIn):
    return Status(201, leave_out(services.request_leave(request.user, body.start, body.end, body.reason)))


@router.get("/leaves", response=answers(page_of(LeaveOut), 403, 422), summary="请假记录")
def list_leaves(request, page: Query[PageIn]):
    return paginate(services.leaves(request.user).order_by("-start", "-id"), page, leave_out)


class DecideIn(Schema):
    approve: bool


@router.post("/leaves/{leave_id}/decide", response=answers(LeaveOut, 400, 403, 404, 409, 422),
             summary="审批请假（网格长、督导员）")
def decide_leave(request, leave_id: Id, body: DecideIn):
    return leave_out(services.decide_leave(request.user, leave_id, body.approve))


class MonthIn(PageIn):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）",
                              description="默认本月")


class AttendanceOut(Schema):
    name: str
    grid: str
    workdays: int
    days_on_duty: int
    late: int
    absent: int
    leave: int
    patrols: int
    patrols_planned: int
    hours: float
    reports: int
    visits: int
    verifications: int
    inspections: int
    tasks: int
    anomalies: int


@router.get("/attendance", response=answers(page_of(AttendanceOut), 400, 403, 422),
            summary="月度考勤与工作量（每名网格员一行）")
def get_attendance(request, q: Query[MonthIn]):
    return paginate(services.attendance(request.user, q.month or timezone.localdate().strftime("%Y-%m")), q)


class ExportIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")
    format: Literal["xlsx", "csv"] = "xlsx"


@router.get("/attendance/export", response=answers(None, 400, 403, 422), openapi_extra=binary(
    spreadsheets.XLSX_TYPE, "text/csv", description="月度考勤表"), summary="导出月度考勤表（Excel）")
def export_attendance(request, q: Query[ExportIn]):
    rows = services.attendance(request.user, q.month)
    body, ctype = attendance_file(rows, q.format, q.month)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="attendance-{q.month}.{q.format}"'
    return response


def attendance_file(rows: list[dict], fmt: str, month: str) -> tuple[bytes, str]:
    head = [label for _, label in services.ATTENDANCE_COLUMNS]
    return spreadsheets.write(fmt, head, ([r[k] for k, _ in services.ATTENDANCE_COLUMNS] for r in rows),
                              title=f"考勤{month}")

