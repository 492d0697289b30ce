"""Stage clocks: when a stage starts, its budget comes from the catalog's deadline rules and its due time
from the working calendar; suspensions pause it; extensions lengthen it."""

import datetime as dt
from decimal import Decimal

from gridgov.catalog.services import deadline_for
from gridgov.kpi.logic.indicators import STAGE_BITS
from gridgov.worktime import services as worktime
from gridgov.worktime.logic.sla import past_due

from ..logic.lifecycle import Stage


def _pauses(case) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b) if b else None) for a, b in case.stage_pauses]


def recompute(case) -> None:
    """Due and yellow times of the running stage from its start, budget and pauses (None while paused)."""
    if not case.stage:
        case.stage_due_at = case.stage_yellow_at = None
        return
    amount = float(case.stage_amount)
    pauses = _pauses(case)
    case.stage_due_at = worktime.due(case.stage_started_at, amount, case.stage_unit, pauses)
    case.stage_yellow_at = worktime.due(case.stage_started_at, amount * worktime.yellow_share(), case.stage_unit, pauses)
    if case.stage == Stage.HANDLE:
        case.handle_due_at = case.stage_due_at


def end_stage(case, now: dt.datetime) -> None:
    """The running stage ends at ``now``: if that is after its due time, its bit is set in ``late_stages`` (kpi:
    按期结案 holds over every stage; 按时立案/派遣/核实/核查 per stage)."""
    if case.stage and case.stage_due_at is not None and past_due(case.stage_due_at, now):
        case.late_stages = (case.late_stages or 0) | STAGE_BITS[case.stage]


def self_handled(case, now: dt.datetime) -> None:
    """自行处置 has its own budget: the catalog's 处置 (handle) deadline rule of the case's matter, urgency and area
    class, counted from the report (a grid worker settles on the spot what she found). The centre's 立案 clock that
    ran since the report does not apply to it (nothing was left for the centre to register); it stops here."""
    amount, unit = deadline_for(case.matter, case.urgency, case.area_class, str(Stage.HANDLE))
    case.handle_due_at = worktime.due(case.reported_at, float(amount), unit)
    if past_due(case.handle_due_at, now):
        case.late_stages = (case.late_stages or 0) | STAGE_BITS[Stage.HANDLE]
    case.handle_hours = worktime.elapsed(case.reported_at, "work_hours", now)
    case.stage = ""  # the running 立案 clock ends without being judged (start_stage starts 核查 next)


def handled(case, now: dt.datetime) -> None:
    """处置反馈: the working hours from 派遣 (or 签收/受理 at a level without a 派遣) to now (平均处理时间)."""
    start = case.dispatched_at or case.accepted_at or case.reported_at
    case.handle_hours = worktime.elapsed(start, "work_hours", now) if start and start <= now else 0.0


def start_stage(case, stage: Stage | None, now: dt.datetime) -> None:
    end_stage(case, now)
    case.stage_seq += 1
    case.warned_level = 0
    case.stage_pauses = []
    case.paused_at = None
    if stage is None:
        case.stage = ""
        case.stage_started_at = case.stage_amount = None
        case.stage_unit = ""
        case.stage_due_at = case.stage_yellow_at = None
        return
    amount, unit = deadline_for(case.matter, case.urgency, case.area_class, str(stage))
    case.stage = str(stage)
    case.stage_started_at = now
    case.stage_amount = Decimal(amount)
    case.stage_unit = unit
    recompute(case)


def pause(case, now: dt.datetime) -> None:
    case.paused_at = now
    case.stage_pauses = [*case.stage_pauses, [now.isoformat(), None]]
    recompute(case)


def resume(case, now: dt.datetime) -> None:
    pauses = list(case.stage_pauses)
    if pauses and pauses[-1][1] is None:
        pauses[-1] = [pauses[-1][0], now.isoformat()]
    case.stage_pauses = pauses
    case.paused_at = None
    case.warned_level = 0 if case.stage_due_at is None else case.warned_level
    recompute(case)


def extend(case, amount: Decimal) -> None:
    case.stage_amount = Decimal(case.stage_amount) + Decimal(amount)
    case.warned_level = 0
    recompute(case)
