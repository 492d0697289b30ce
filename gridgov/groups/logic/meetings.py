"""例会 every two weeks (seed 003 篇4: 「例会每两周召开一次……每次例会纪要要求由文艺委员负责记录」): the dates a meeting
is due, and which of them passed without minutes. Pure; no Django import."""

import datetime as dt

INTERVAL_DAYS = 14


def due_dates(start: dt.date, until: dt.date, every: int = INTERVAL_DAYS) -> list[dt.date]:
    """The scheduled days from ``start`` up to and including ``until`` (none when ``until`` is before ``start``)."""
    if every < 1:
        raise ValueError("every must be at least 1 day")
    out, day = [], start
    while day <= until:
        out.append(day)
        day += dt.timedelta(days=every)
    return out


def next_due(start: dt.date, today: dt.date, every: int = INTERVAL_DAYS) -> dt.date:
    """The first scheduled day after today (or ``start`` if it has not come yet)."""
    if today < start:
        return start
    return start + dt.timedelta(days=((today - start).days // every + 1) * every)


def missed(scheduled: list[dt.date], held_for: set[dt.date], today: dt.date) -> list[dt.date]:
    """Scheduled days already past (before today) with no minutes recorded for them."""
    return [d for d in scheduled if d < today and d not in held_for]
