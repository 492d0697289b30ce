"""Stage clocks: when a stage starts, its budget comes from the catalog's deadline rules and its due time
from the working calendar; suspensions pause it; extensions lengthen it."""

import datetime as dt
from decimal import Decimal

from gridgov.catalog.services import deadline_for
from gridgov.worktime import services as worktime

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


def start_stage(case, stage: Stage | None, now: dt.datetime) -> None:
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
