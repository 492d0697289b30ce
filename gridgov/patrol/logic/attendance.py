"""Attendance (考勤) of one person on one day — pure, no Django.

A working day (the working calendar decides) is, for a person: 请假 (an approved leave covers it), 出勤 (checked in
no later than the start of their window plus the grace), 迟到 (checked in later), or 缺勤 (no check-in). A day that
is not a working day is 休息 (a check-in on it still counts as a day on duty). The window is the person's own, else
their grid's, else the default (弹性上下班: seed 003 篇1 moves the grid workers' hours to 14:00–21:00 Mon–Thu).
"""

import datetime as dt
from dataclasses import dataclass

ON_DUTY, LATE, ABSENT, LEAVE, REST = "on_duty", "late", "absent", "leave", "rest"
LABELS = {ON_DUTY: "出勤", LATE: "迟到", ABSENT: "缺勤", LEAVE: "请假", REST: "休息"}
GRACE_MINUTES = 5


@dataclass(frozen=True)
class Window:
    start: dt.time
    end: dt.time
    weekdays: str = "12345"  # ISO weekdays (1 = Monday) the window applies to

    def applies(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.weekdays


# the default window applies on every working day of the calendar (make-up Saturdays included); a flexible window
# only on its own weekdays
DEFAULT_WINDOW = Window(dt.time(8, 30), dt.time(17, 30), "1234567")


def late_minutes(first_checkin: dt.time, window: Window, grace: int = GRACE_MINUTES) -> int:
    """Minutes late (0 when on time or within the grace)."""
    start = window.start.hour * 60 + window.start.minute
    at = first_checkin.hour * 60 + first_checkin.minute
    return at - start if at - start > grace else 0


def day_status(day: dt.date, workday: bool, first_checkin: dt.time | None, on_leave: bool,
               window: Window = DEFAULT_WINDOW, grace: int = GRACE_MINUTES) -> str:
    works = workday and window.applies(day)
    if first_checkin is not None:
        if works and not on_leave and late_minutes(first_checkin, window, grace):
            return LATE
        return ON_DUTY
    if not works:
        return REST
    return LEAVE if on_leave else ABSENT
