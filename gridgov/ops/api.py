"""GET /api/v1/ops/status — the site's running state (the administrator's; gridgov/ops/status.py)."""

from datetime import datetime

from ninja import Router, Schema

from gridgov.schemas import answers

from . import status

router = Router(tags=["运行状态"])


class CheckOut(Schema):
    ok: bool
    detail: str


class HealthOut(Schema):
    status: str
    checks: dict[str, CheckOut]


class QueueOut(Schema):
    key: str
    label: str
    configured: bool
    pending: int | None
    failing: int
    given_up: int
    oldest: datetime | None


class PeriodicRunOut(Schema):
    name: str
    started_at: datetime | None
    finished_at: datetime | None
    ok: bool
    error: str
    runs: int
    failures: int
    host: str


class WorkersOut(Schema):
    configured: bool
    names: list[str]
    detail: str


class PeriodOut(Schema):
    start: datetime
    end: datetime | None
    note: str


class OutagesOut(Schema):
    month: str
    periods: list[PeriodOut]
    fault_days: int
    fault_hours: float


class StatusOut(Schema):
    at: datetime
    health: HealthOut
    queues: list[QueueOut]
    periodic: list[PeriodicRunOut]
    workers: WorkersOut
    outages: OutagesOut


@router.get("/status", response=answers(StatusOut, 403),
            summary="运行状态：健康检查、队列与发件箱、定时任务最近运行、在线 worker、本月系统故障（管理员）")
def ops_status(request):
    return status.snapshot(request.user)
