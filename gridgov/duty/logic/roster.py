"""The 值班 roster's rules — pure, no Django import: a shift's span, a person on two shifts at once, and whether a
day is fully covered (24 小时值班: every moment of the day has a shift).

Spans are half-open ``[start, end)``: a shift ending at 08:30 and the next starting at 08:30 touch, they do not
overlap, and leave no gap.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

LEADER, CHIEF, OFFICER = "leader", "chief", "officer"
DUTY_ROLE_LABELS = {LEADER: "带班领导", CHIEF: "值班长", OFFICER: "值班员"}
MAX_SHIFT = dt.timedelta(hours=48)


def span_problem(start: dt.datetime, end: dt.datetime) -> str | None:
    """Why a shift's span is not acceptable (a Chinese message), or None."""
    if end <= start:
        return "班次结束时间必须晚于开始时间"
    if end - start > MAX_SHIFT:
        return "一个班次不能超过 48 小时"
    return None


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Two half-open spans share a moment."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class DayCover:
    """How one day (``[start, end)``) is covered: the uncovered spans, and the spans where shifts overlap."""

    day: dt.date
    gaps: tuple[tuple[dt.datetime, dt.datetime], ...]
    doubled: tuple[tuple[dt.datetime, dt.datetime], ...]

    @property
    def covered(self) -> bool:
        return not self.gaps


def cover(day: dt.date, start: dt.datetime, end: dt.datetime,
          spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> DayCover:
    """Gaps and overlaps of the shifts ``spans`` within the day ``[start, end)``."""
    cut = sorted((max(s, start), min(e, end)) for s, e in spans if overlaps(s, e, start, end))
    gaps, doubled = [], []
    reached = start  # everything before is covered
    for s, e in cut:
        if s > reached:
            gaps.append((reached, s))
        elif s < reached:
            doubled.append((s, min(e, reached)))
        reached = max(reached, e)
    if reached < end:
        gaps.append((reached, end))
    return DayCover(day, tuple(gaps), tuple(doubled))
