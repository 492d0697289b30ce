"""The dashboard's aggregation in SQL (GROUP BY): a fixed handful of queries whatever the number of cases.

Every count implements a definition of ``kpi.py``; every read starts from ``scoped(Case, user, CASE_VIEW)``.
Each kind of event (上报, 立案, 结案, 处置) is counted by its own GROUP BY (street, department) that reads only
the rows of its period through a covering index on its timestamp (``Case.Meta.indexes``), so the cost follows
the month's volume, not the years of history; open cases come through the status index. Python only sums the
grouped rows (≤ streets × departments) and computes the rates (``kpi``). Measured by ``gridgov bench pages``.
"""

import datetime as dt

from django.db.models import BooleanField, Count, DateField, F, Func, Q
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.cases.logic.lifecycle import OPEN_STATES
from gridgov.cases.models import Case
from gridgov.cases.services import lights
from gridgov.geo.models import Jurisdiction

from . import kpi

OPEN = sorted(OPEN_STATES)
# 按期结案 (gridgov.kpi.logic.indicators.on_time_rate): no stage of the case ended after its due time
ON_TIME = Q(late_stages=0)
STREET_LEN = 9  # the street's code is the first 9 digits of a case's scope key
NAMES = ("reported", "registered", "closed", "closed_on_time", "handled", "reworked")


class Rare(Func):
    """A condition true for few rows (open cases among years of closed ones). SQLite's planner, without
    per-value statistics, thinks ``status IN (9 values)`` matches most of the table and scans it; wrapped in
    ``likelihood(…, 0.05)`` it uses the status index. Other backends get the bare condition."""

    function = "likelihood"
    template = "%(function)s(%(expressions)s, 0.05)"
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor == "sqlite":
            return super().as_sql(compiler, connection, **extra)
        return compiler.compile(self.source_expressions[0])


class LocalDate(Func):
    """The calendar date of a timestamp in the site's time zone, computed by the database in C: SQLite stores
    UTC text, so ``date(t, '+480 minutes')`` (China keeps one offset all year; the offset is taken for the
    given moment); PostgreSQL converts with the zone itself. (Django's TruncDate calls Python per row on SQLite.)"""

    output_field = DateField()

    def __init__(self, expression, at: dt.datetime, **extra):
        self.at = at
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        minutes = int(self.at.astimezone(timezone.get_current_timezone()).utcoffset().total_seconds() // 60)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{minutes:+d} minutes')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) AT TIME ZONE %s)::date", [*params, timezone.get_current_timezone_name()]

    def as_sql(self, compiler, connection, **extra):  # other backends: Django's own
        return compiler.compile(TruncDate(self.source_expressions[0]))


def open_q() -> Rare:
    return Rare(Q(status__in=OPEN))


def overdue_q(now: dt.datetime) -> Q:
    """超期在办: the cases whose light is red (one definition: ``gridgov.cases.services.lights``)."""
    return lights.overdue_q(now)


def _in(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def cases_of(user):
    return scoped(Case.objects.all(), user, roles.CASE_VIEW)


def _by_group(qs, **counts) -> list[dict]:
    return list(qs.order_by().values(street=Substr("scope_key", 1, STREET_LEN), dept=F("assignee_department_id"))
                .annotate(**counts))


def _local_day(t: dt.datetime) -> dt.date:
    return timezone.localtime(t).date()


def _rolled_up(scope, p: kpi.Periods) -> list[dict]:
    """Today's and this month's counts per (street, department) summed from the roll-up's per-day rows
    (``gridgov.analytics``: the department dimension, kept per street)."""
    from django.db.models import Sum

    from gridgov.analytics.models import DailyCount

    prefix, lacking = scope
    today, tomorrow = _local_day(p.today), _local_day(p.tomorrow)
    month = _local_day(p.month)
    t, m = Q(grain="d", day__gte=today, day__lt=tomorrow), Q(grain="m", day=month)  # today; this month's row
    qs = DailyCount.objects.filter(t | m, dim="department")
    if prefix:
        qs = qs.filter(area__startswith=prefix)
    if lacking:
        qs = qs.exclude(restricted__in=sorted(lacking))
    sums = {}
    for name in NAMES:
        sums[f"{name}_t"], sums[f"{name}_m"] = Sum(name, filter=t), Sum(name, filter=m)
    out = []
    for r in qs.order_by().values("area", "key").annotate(**sums):
        key = r.pop("key")
        out.append({"street": r.pop("area"), "dept": int(key) if key else None, **{k: v or 0 for k, v in r.items()}})
    return out


def open_groups(user, now: dt.datetime) -> list[dict]:
    """The open cases now, counted per (street, department, management grid): open, and overdue (red); the summary
    sums it per (street, department), the map per grid. From the open counts kept as cases change
    (``analytics.figures.open_counts``); for a user they cannot answer (a department's handlers), one scan of the
    open cases, from the index alone (``case_open_lights``)."""
    from gridgov.analytics.figures import open_counts

    kept = open_counts(user, now)
    return kept if kept is not None else open_from_cases(user, now)


def open_from_cases(user, now: dt.datetime) -> list[dict]:
    """``open_groups`` by the plain GROUP BY over the open cases (also what ``gridgov analytics check`` compares
    the open counts with)."""
    rows = (cases_of(user).filter(open_q()).order_by()
            .values(street=Substr("scope_key", 1, STREET_LEN), dept=F("assignee_department_id"),
                    grid=F("management_grid_id"))
            .annotate(open=Count("*"), overdue=Count("status", filter=overdue_q(now))))
    return list(rows)


def _open_by_street(rows: list[dict]) -> list[dict]:
    out: dict[tuple, dict] = {}
    for r in rows:
        g = out.setdefault((r["street"], r["dept"]), {"street": r["street"], "dept": r["dept"], "open": 0,
                                                       "overdue": 0})
        g["open"] += r["open"]
        g["overdue"] += r["overdue"]
    return list(out.values())


def grouped(user, now: dt.datetime, p: kpi.Periods, open_rows: list[dict] | None = None
            ) -> dict[tuple[str, int | None], dict]:
    """(street, department) → today's (``_t``) and this month's (``_m``) counts and the open/overdue counts now.

    The counts come from the roll-up (``gridgov.analytics``) — a few hundred rows whatever the number of cases;
    for a user it cannot answer (a department's handlers), one small GROUP BY per kind of event, each reading only
    the rows of its period through the index on its own timestamp. Open and overdue: ``open_groups`` (or the
    ``open_rows`` it already gave the caller), summed per (street, department)."""
    from gridgov.analytics.figures import scope_of

    opened = _open_by_street(open_groups(user, now) if open_rows is None else open_rows)
    scope = scope_of(user, "department")
    if scope is not None:
        return _merge([_rolled_up(scope, p), opened])
    cases = cases_of(user)
    since, until = min(p.today, p.month), max(p.tomorrow, p.next_month)
    parts = []
    for field, name, extra in [("reported_at", "reported", None), ("registered_at", "registered", None),
                               ("closed_at", "closed", ("closed_on_time", ON_TIME)),
                               ("handled_at", "handled", ("reworked", Q(rework_count__gt=0)))]:
        today, month = _in(field, p.today, p.tomorrow), _in(field, p.month, p.next_month)
        # count a column of the index (not "id"): PostgreSQL can then answer from the index alone
        counts = {f"{name}_t": Count(field, filter=today), f"{name}_m": Count(field, filter=month)}
        if extra:
            counts.update({f"{extra[0]}_t": Count(field, filter=today & extra[1]),
                           f"{extra[0]}_m": Count(field, filter=month & extra[1])})
        parts.append(_by_group(cases.filter(_in(field, since, until)), **counts))
    parts.append(opened)
    return _merge(parts)


def _merge(parts) -> dict[tuple[str, int | None], dict]:
    out: dict[tuple[str, int | None], dict] = {}
    for rows in parts:
        for r in rows:
            out.setdefault((r.pop("street"), r.pop("dept")), {}).update(r)
    return out


def _tally(row: dict, suffix: str) -> kpi.Tally:
    return kpi.Tally(**{n: row.get(f"{n}{suffix}", 0) for n in NAMES}, open=row.get("open", 0),
                     overdue=row.get("overdue", 0))


def summary(user, now: dt.datetime | None = None, open_rows: list[dict] | None = None) -> dict:
    """Headline (today, month), by street and by department (this month): sums of the grouped rows."""
    now = now or timezone.now()
    p = kpi.periods(now, timezone.get_current_timezone())
    groups = grouped(user, now, p, open_rows)
    today = kpi.total(_tally(r, "_t") for r in groups.values())
    month = kpi.total(_tally(r, "_m") for r in groups.values())
    by_street: dict[str, kpi.Tally] = {}
    by_dept: dict[int | None, kpi.Tally] = {}
    for (street, dept), r in groups.items():
        t = _tally(r, "_m")
        by_street[street] = by_street.get(street, kpi.Tally()) + t
        by_dept[dept] = by_dept.get(dept, kpi.Tally()) + t
    prefix = scope_prefix(user) or ""
    streets = Jurisdiction.objects.filter(level="street")
    if prefix:
        streets = streets.filter(code__startswith=prefix[:STREET_LEN])
    street_rows = [{"code": code, "name": name, "t": by_street.pop(code, kpi.Tally()), "geometry": geometry}
                   for code, name, geometry in streets.order_by("code").values_list("code", "name", "geometry")]
    street_rows += [{"code": code, "name": code, "t": t, "geometry": ""} for code, t in sorted(by_street.items())]
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
    """Daily reports and closures over the last ``days`` days: one GROUP BY local date for each."""
    now = now or timezone.now()
    spans = kpi.trend_days(now, days, timezone.get_current_timezone())
    start, end = spans[0][1], spans[-1][2]
    from gridgov.analytics import figures

    if figures.scope_of(user, "district") is not None:  # the roll-up's days
        got = dict(figures.series(user, kpi_period(spans[0][0], spans[-1][0]), "day"))
        return {"days": [f"{d.month}-{d.day:02d}" for d, _, _ in spans],
                "dates": [d.isoformat() for d, _, _ in spans],
                "reported": [got[d].reported for d, _, _ in spans], "closed": [got[d].closed for d, _, _ in spans]}
    series = {}
    for field in ("reported_at", "closed_at"):
        rows = (cases_of(user).filter(_in(field, start, end)).order_by()
                .values(day=LocalDate(field, now)).annotate(n=Count("*")).values_list("day", "n"))
        series[field] = {(d if isinstance(d, dt.date) else dt.date.fromisoformat(d)): n for d, n in rows}
    return {"days": [f"{d.month}-{d.day:02d}" for d, _, _ in spans], "dates": [d.isoformat() for d, _, _ in spans],
            "reported": [series["reported_at"].get(d, 0) for d, _, _ in spans],
            "closed": [series["closed_at"].get(d, 0) for d, _, _ in spans]}


def kpi_period(first: dt.date, last: dt.date):
    from gridgov.kpi.logic.indicators import day_range

    return day_range(first, last)


def open_by_grid(user, now: dt.datetime | None = None, open_rows: list[dict] | None = None) -> list[dict]:
    """Open cases per management grid with the grid's centre (from its bounding box): aggregates only."""
    from gridgov.geo.models import Grid

    now = now or timezone.now()
    counts: dict[int, list[int]] = {}
    for r in (open_groups(user, now) if open_rows is None else open_rows):
        if r["grid"] is not None:
            c = counts.setdefault(r["grid"], [0, 0])
            c[0] += r["open"]
            c[1] += r["overdue"]
    out = []
    for g in (Grid.objects.filter(pk__in=sorted(counts), min_lon__isnull=False)
              .values("id", "code", "name", "community__name", "min_lon", "min_lat", "max_lon", "max_lat")):
        n, overdue = counts[g["id"]]
        out.append({"code": g["code"], "name": g["name"], "community": g["community__name"],
                    "lon": round((g["min_lon"] + g["max_lon"]) / 2, 6), "lat": round((g["min_lat"] + g["max_lat"]) / 2, 6),
                    "n": n, "overdue": overdue})
    out.sort(key=lambda g: g["code"])
    return out
