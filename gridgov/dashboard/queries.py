"""The dashboard's aggregation in SQL (GROUP BY): a handful of queries whatever the number of cases.

Every count implements a definition of ``kpi.py``; every read starts from ``scoped(Case, user, CASE_VIEW)``.
Python only sums the grouped rows (≤ streets × departments) and computes the rates (``kpi``).
"""

import datetime as dt

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.cases.logic.lifecycle import OPEN_STATES
from gridgov.cases.models import Case
from gridgov.geo.models import Jurisdiction

from . import kpi

OPEN = sorted(OPEN_STATES)
# 按期结案 (kpi.on_time): handled within the handling deadline, or no handling deadline at all
ON_TIME = Q(handle_due_at__isnull=True) | Q(handled_at__lte=F("handle_due_at"))
STREET_LEN = 9  # the street's code is the first 9 digits of a case's scope key


def overdue_q(now: dt.datetime) -> Q:
    """超期在办: open, the running stage past due, not paused."""
    return Q(status__in=OPEN, stage_due_at__lte=now, paused_at__isnull=True)


def _in(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _tally_counts(start: dt.datetime, end: dt.datetime, now: dt.datetime, suffix: str) -> dict:
    c = {
        "reported": Count("id", filter=_in("reported_at", start, end)),
        "registered": Count("id", filter=_in("registered_at", start, end)),
        "closed": Count("id", filter=_in("closed_at", start, end)),
        "closed_on_time": Count("id", filter=_in("closed_at", start, end) & ON_TIME),
        "handled": Count("id", filter=_in("handled_at", start, end)),
        "reworked": Count("id", filter=_in("handled_at", start, end) & Q(rework_count__gt=0)),
    }
    return {f"{k}{suffix}": v for k, v in c.items()}


def cases_of(user):
    return scoped(Case.objects.all(), user, roles.CASE_VIEW)


def grouped(user, now: dt.datetime, p: kpi.Periods) -> list[dict]:
    """One row per (street, department) with today's and this month's counts and the open/overdue counts now."""
    since = min(p.today, p.month)
    touched = (Q(reported_at__gte=since) | Q(registered_at__gte=since) | Q(handled_at__gte=since)
               | Q(closed_at__gte=since) | Q(status__in=OPEN))
    return list(
        cases_of(user).filter(touched).order_by()
        .values(street=Substr("scope_key", 1, STREET_LEN), dept=F("assignee_department_id"))
        .annotate(**_tally_counts(p.today, p.tomorrow, now, "_t"), **_tally_counts(p.month, p.next_month, now, "_m"),
                  open=Count("id", filter=Q(status__in=OPEN)), overdue=Count("id", filter=overdue_q(now)))
    )


def _tally(row: dict, suffix: str) -> kpi.Tally:
    names = ("reported", "registered", "closed", "closed_on_time", "handled", "reworked")
    return kpi.Tally(**{n: row[f"{n}{suffix}"] for n in names}, open=row["open"], overdue=row["overdue"])


def summary(user, now: dt.datetime | None = None) -> dict:
    """Headline (today, month), by street and by department (this month), from one grouped query."""
    now = now or timezone.now()
    p = kpi.periods(now)
    rows = grouped(user, now, p)
    today = kpi.total(_tally(r, "_t") for r in rows)
    month = kpi.total(_tally(r, "_m") for r in rows)
    by_street: dict[str, kpi.Tally] = {}
    by_dept: dict[int | None, kpi.Tally] = {}
    for r in rows:
        t = _tally(r, "_m")
        by_street[r["street"]] = by_street.get(r["street"], kpi.Tally()) + t
        by_dept[r["dept"]] = by_dept.get(r["dept"], kpi.Tally()) + t
    prefix = scope_prefix(user) or ""
    streets = Jurisdiction.objects.filter(level="street")
    if prefix:
        streets = streets.filter(code__startswith=prefix[:STREET_LEN])
    street_rows = [{"code": code, "name": name, "t": by_street.pop(code, kpi.Tally())}
                   for code, name in streets.order_by("code").values_list("code", "name")]
    street_rows += [{"code": code, "name": code, "t": t} for code, t in sorted(by_street.items())]
    depts = Department.objects.all()
    if prefix:
        depts = depts.filter(district__code=prefix[:6])
    dept_rows = [{"code": code, "name": name, "t": by_dept.pop(pk, kpi.Tally())}
                 for pk, code, name in depts.order_by("code").values_list("pk", "code", "name")]
    rest = kpi.total(by_dept.values())  # not (yet) with a department: delegated to a level, or not dispatched
    if rest != kpi.Tally():
        dept_rows.append({"code": "", "name": "未派至部门（下派层级或待派遣）", "t": rest})
    return {"now": now, "periods": p, "today": today, "month": month, "streets": street_rows, "departments": dept_rows}


def trend(user, now: dt.datetime | None = None, days: int = 30) -> dict:
    """Daily reports and closures over the last ``days`` days (one query, one filtered count per day and kind)."""
    now = now or timezone.now()
    spans = kpi.trend_days(now, days)
    start = spans[0][1]
    counts = {}
    for i, (_, a, b) in enumerate(spans):
        counts[f"r{i}"] = Count("id", filter=_in("reported_at", a, b))
        counts[f"c{i}"] = Count("id", filter=_in("closed_at", a, b))
    got = cases_of(user).filter(Q(reported_at__gte=start) | Q(closed_at__gte=start)).order_by().aggregate(**counts)
    return {"days": [f"{d.month}-{d.day:02d}" for d, _, _ in spans], "dates": [d.isoformat() for d, _, _ in spans],
            "reported": [got[f"r{i}"] for i in range(len(spans))],
            "closed": [got[f"c{i}"] for i in range(len(spans))]}


def open_by_grid(user, now: dt.datetime | None = None) -> list[dict]:
    """Open cases per management grid with the grid's centre (from its bounding box): aggregates only."""
    now = now or timezone.now()
    rows = (cases_of(user).filter(status__in=OPEN, management_grid__isnull=False).order_by()
            .values("management_grid__code", "management_grid__name", "management_grid__community__name",
                    "management_grid__min_lon", "management_grid__min_lat", "management_grid__max_lon",
                    "management_grid__max_lat")
            .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(now))))
    out = []
    for r in rows:
        if r["management_grid__min_lon"] is None:
            continue
        out.append({"code": r["management_grid__code"], "name": r["management_grid__name"],
                    "community": r["management_grid__community__name"],
                    "lon": round((r["management_grid__min_lon"] + r["management_grid__max_lon"]) / 2, 6),
                    "lat": round((r["management_grid__min_lat"] + r["management_grid__max_lat"]) / 2, 6),
                    "n": r["n"], "overdue": r["overdue"]})
    out.sort(key=lambda g: g["code"])
    return out
