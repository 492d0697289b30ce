"""The figures for any period and level, read from the roll-up — the module other apps call (the dashboard, the
KPI page and API, exports, briefs, mining).

    from gridgov.analytics import figures
    figures.tallies(user, "street", period)        # {street code: Tally} — what kpi.queries.tallies returns
    figures.system_tallies("110101", "source", p)  # the same for a scope code, no user (scheduled documents)
    figures.series(user, period, "day"|"week"|"month", level=None, key=None)  # [(first day, Tally)]
    gridgov.kpi.queries.table(user, level, period)  # rows with every KPI, 同比 and 环比 (fed by these tallies)

``period`` is a ``gridgov.kpi.logic.indicators.Period`` (``analytics.periods.parse`` makes one from the picker).
Levels: district / street / community / grid (the management grid) / department / major (the matter's 大类) /
source. Every count is a ``Tally`` field (its definition in ``kpi/logic/indicators.py``), summed over the
period's days; the two cohorts (应结案, 应处理) over their start days, done before the period's end (the months
before the end's month from the roll-up; the end's own month, when the period ends inside it, from the cases).

A user whose scope the roll-up cannot express (a department's handlers — they see what was sent to them —, a scope
below the community, someone who reported cases of a class hidden from their post) is answered by the plain
GROUP BY over the cases (``kpi.queries.live_tallies``): same figures, slower.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix
from gridgov.cases.models import Case
from gridgov.kpi.logic import indicators as ind

from . import logic
from .models import CohortCount, DailyCount, OpenCount

GEO = {"district": 6, "street": 9, "community": 12}
LEVEL_DIM = {"grid": "grid", "department": "department", "major": "major", "source": "source"}
LEVELS = (*GEO, *LEVEL_DIM)


def dim_of(level: str, narrowed: int = 0) -> str | None:
    """The roll-up's dimension that answers ``level`` for an area code ``narrowed`` digits long (the user's scope,
    a drilled-into street or community): the coarsest area dimension holding both the level's and that area's
    codes (district and street: the street rows; community: the community rows), the group's own otherwise; None
    when the roll-up keeps nothing that fine (a scope below the community)."""
    if level in GEO:
        need = max(GEO[level], narrowed)
        return next((d for d in logic.AREA_DIMS if need <= logic.DIMS[d]), None)
    dim = LEVEL_DIM.get(level)
    return dim if dim and narrowed <= logic.DIMS[dim] else None


def _row_key(level: str):
    if level in GEO:
        return Substr("area", 1, GEO[level])
    return F("key")


def _case_key(level: str):
    """The same grouping on the case table (the cohorts' partial month)."""
    if level in GEO:
        return Substr("scope_key", 1, GEO[level])
    return {"grid": F("management_grid__code"), "department": F("assignee_department_id"),
            "major": Concat("matter__kind", Value("-"), "matter__major_code"), "source": F("source")}[level]


def _clean(level: str, k):
    """A roll-up group key as the case table's GROUP BY gives it (no grid / department / matter: None)."""
    if k in ("", None) or (level == "major" and k == "-"):
        return None
    if level == "department":
        return int(k)
    return k


def scope_of(user, level: str) -> tuple[str, frozenset] | None:
    """(scope prefix, restricted rights the user lacks) when the roll-up can answer ``user`` at ``level``; None
    when only the case table can (see the module's docstring)."""
    from gridgov.catalog.cache import hidden_matter_ids, snapshot

    if level not in LEVELS:
        return None
    if getattr(user, "department_id", None) and not user.is_superuser:
        return None
    prefix = scope_prefix(user)
    if prefix is None or (prefix and (not prefix.isdigit() or dim_of(level, len(prefix)) is None)):
        return None
    hidden = hidden_matter_ids(user)
    if not hidden:
        return prefix, frozenset()
    if Case.objects.filter(reporter_id=user.pk, matter_id__in=sorted(hidden)).exists():
        return None
    return prefix, frozenset(r for pk, r in snapshot().restricted.items() if pk in hidden)


def tallies(user, level: str, p: ind.Period, within: str = "") -> dict:
    """group key → ``Tally`` of the period for ``user`` (only groups with something in it); ``within``: only the
    cases under that area code (the caller checks it is the user's to see)."""
    require(user, roles.CASE_VIEW)
    scope = scope_of(user, level)
    if scope is None or dim_of(level, len(within)) is None:
        from gridgov.kpi.queries import live_tallies

        return live_tallies(user, level, p, within)
    from gridgov.accounts.scope import scoped

    prefix, lacking = scope
    cases = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    if within.startswith(prefix) and len(within) > len(prefix):
        prefix, cases = within, cases.filter(scope_key__startswith=within)
    return _tallies(prefix, lacking, level, p, cases)


def system_tallies(scope_code: str, level: str, p: ind.Period) -> dict:
    """``tallies`` for everything under ``scope_code`` ('' the whole system), every class included — for a
    system's own documents (a scheduled 简报), not for a person's page."""
    return _tallies(scope_code, frozenset(), level, p, Case.objects.filter(scope_key__startswith=scope_code))


def _filtered(qs, prefix: str, lacking: frozenset, dim: str):
    qs = qs.filter(dim=dim)
    if prefix:
        qs = qs.filter(area__startswith=prefix)
    if lacking:
        qs = qs.exclude(restricted__in=sorted(lacking))
    return qs


def _spans(first: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple | None]:
    """[first, end) as the day ranges read at grain "d" and the whole months read at grain "m"."""
    m0 = first if first.day == 1 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    m1 = end.replace(day=1)
    if m0 >= m1:
        return [(first, end)], None
    days = [r for r in ((first, m0), (m1, end)) if r[0] < r[1]]
    return days, (m0, m1)


def _in_period(first: dt.date, end: dt.date, field: str = "day") -> Q:
    """The rows of [first, end): its whole months' month rows and the other days' day rows."""
    days, months = _spans(first, end)
    q = Q()
    for a, b in days:
        q |= Q(grain="d", **{f"{field}__gte": a, f"{field}__lt": b})
    if months:
        q |= Q(grain="m", **{f"{field}__gte": months[0], f"{field}__lt": months[1]})
    return q


def _days(p: ind.Period) -> tuple[dt.date, dt.date]:
    return p.start.astimezone(logic.SHANGHAI).date(), p.end.astimezone(logic.SHANGHAI).date()


def _tallies(prefix: str, lacking: frozenset, level: str, p: ind.Period, cases) -> dict:
    dim = dim_of(level, len(prefix))
    first, end = _days(p)
    now = timezone.now()
    merged: dict = defaultdict(dict)
    rows = (_filtered(DailyCount.objects.all(), prefix, lacking, dim).filter(_in_period(first, end))
            .order_by().values(k=_row_key(level)).annotate(**{f: Sum(f) for f in logic.DAILY_FIELDS}))
    for r in rows:
        merged[_clean(level, r.pop("k"))].update({k: v or 0 for k, v in r.items()})
    inside = end.day != 1  # the period ends inside a month: add what was done in that month before the end
    end_month = ind.month(end.year, end.month)
    lo, hi = end_month.start, end_month.end
    # counted from the cases over the shorter side of the end: [month start, end) itself, or the whole month's
    # (the roll-up's done_month) less [end, next month) — nothing at all for a period ending now or later
    rest = inside and (p.end >= now or p.end - lo > hi - p.end)
    for kind, due, done, done_at, start_at in (("close", "close_due", "close_done", "closed_at", "registered_at"),
                                                 ("handle", "handle_due", "handle_done", "handled_at",
                                                  "handle_due_at")):
        for k, n_due, n_done, n_end_month in _cohort(prefix, lacking, dim, level, kind, first, end):
            m = merged[_clean(level, k)]
            m[due] = m.get(due, 0) + n_due
            m[done] = m.get(done, 0) + n_done + (n_end_month if rest else 0)
        if inside and not (rest and p.end >= now):
            a, b, sign = (p.end, hi, -1) if rest else (lo, p.end, 1)
            part = (cases.filter(**{f"{done_at}__gte": a, f"{done_at}__lt": b, f"{start_at}__gte": p.start,
                                    f"{start_at}__lt": p.end})
                    .order_by().values(k=_case_key(level)).annotate(n=Sum(Value(1))))
            for r in part:
                m = merged[_clean(level, r["k"])]
                m[done] = m.get(done, 0) + sign * r["n"]
    return {k: ind.Tally(**v) for k, v in merged.items()}


def _cohort(prefix, lacking, dim, level, kind, first, end):
    """(key, due, done before the month of ``end``, done in that month) of the cohort ``kind`` started in
    [first, end)."""
    end_month = end.year * 100 + end.month
    rows = (_filtered(CohortCount.objects.all(), prefix, lacking, dim).filter(_in_period(first, end, "start"),
                                                                             kind=kind)
            .order_by().values(k=_row_key(level))
            .annotate(due=Sum("n"), done=Sum("n", filter=Q(done_month__gt=0, done_month__lt=end_month)),
                      done_end=Sum("n", filter=Q(done_month=end_month))))
    return [(r["k"], r["due"] or 0, r["done"] or 0, r["done_end"] or 0) for r in rows]


def series(user, p: ind.Period, step: str = "day", level: str | None = None, key=None) -> list[tuple]:
    """The period's counts per day / week (from Monday) / month: [(first day, Tally of the daily fields)] — every
    step of the period, empty ones too. ``level``/``key`` narrow it to one group (a street, a department …)."""
    require(user, roles.CASE_VIEW)
    level = level or "district"
    scope = scope_of(user, level)
    first, end = _days(p)
    buckets = _buckets(first, end, step)
    if scope is None:  # the case table: one Tally per step
        from gridgov.kpi.queries import live_tallies

        out = []
        for b, nxt in zip(buckets, [*buckets[1:], end], strict=True):
            t = ind.day_range(b, nxt - dt.timedelta(days=1))
            got = live_tallies(user, level, t)
            out.append((b, got.get(key, ind.Tally()) if key is not None else ind.total(got.values())))
        return out
    prefix, lacking = scope
    qs = _filtered(DailyCount.objects.all(), prefix, lacking, dim_of(level, len(prefix)))
    qs = qs.filter(_in_period(first, end)) if step == "month" else qs.filter(grain="d", day__gte=first, day__lt=end)
    if key is not None:
        if level in GEO:
            qs = qs.filter(area__startswith=key)
        else:
            qs = qs.filter(key="" if key is None else str(key))
    rows = qs.order_by().values("day").annotate(**{f: Sum(f) for f in logic.DAILY_FIELDS})
    sums: dict = defaultdict(dict)
    for r in rows:
        b = _bucket_of(r.pop("day"), step)
        for k, v in r.items():
            sums[b][k] = sums[b].get(k, 0) + (v or 0)
    return [(b, ind.Tally(**sums.get(b, {}))) for b in buckets]


def _bucket_of(d: dt.date, step: str) -> dt.date:
    if step == "week":
        return d - dt.timedelta(days=d.weekday())
    if step == "month":
        return d.replace(day=1)
    return d


def _buckets(first: dt.date, end: dt.date, step: str) -> list[dt.date]:
    out, d = [], _bucket_of(first, step)
    while d < end:
        out.append(d)
        if step == "week":
            d += dt.timedelta(days=7)
        elif step == "month":
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            d += dt.timedelta(days=1)
    return out


def open_counts(user, now: dt.datetime) -> list[dict] | None:
    """The open cases at ``now`` per (street, department, management grid) — {street, dept, grid, open, overdue
    (red)} — for ``user``'s scope; None when the open counts cannot express it (``scope_of``: only the case table).

    Open and red from the rows (``OpenCount``: red when due in a month before now's), plus the cases due since
    now's month began and already red (``lights.overdue_q``), read through the due-time index: a few thousand rows
    and a month of deadlines, however many cases are open."""
    from django.db.models import Count

    from gridgov.accounts.scope import scoped
    from gridgov.cases.services.lights import overdue_q

    scope = scope_of(user, "grid")
    if scope is None:
        return None
    prefix, lacking = scope
    local = timezone.localtime(now, logic.SHANGHAI)
    lo, month = ind.month(local.year, local.month).start, logic.month_number(now)
    qs = OpenCount.objects.exclude(n=0)  # (a row may be negative: a case leaving a folded month, see fold_open)
    if prefix:
        qs = qs.filter(area__startswith=prefix)
    if lacking:
        qs = qs.exclude(restricted__in=sorted(lacking))
    out: dict = {}
    for r in (qs.order_by().values(street=Substr("area", 1, GEO["street"]), dept=F("department"), g=F("grid"))
              .annotate(open=Sum("n"), overdue=Sum("n", filter=Q(due_month__gt=0, due_month__lt=month)))):
        out[(r["street"], r["dept"] or None, r["g"] or None)] = {"open": r["open"] or 0, "overdue": r["overdue"] or 0}
    late = (scoped(Case.objects.all(), user, roles.CASE_VIEW).filter(overdue_q(now), stage_due_at__gte=lo)
            .order_by().values(street=Substr("scope_key", 1, GEO["street"]), dept=F("assignee_department_id"),
                               g=F("management_grid_id")).annotate(n=Count("stage_due_at")))
    for r in late:
        got = out.setdefault((r["street"], r["dept"], r["g"]), {"open": 0, "overdue": 0})
        got["overdue"] += r["n"]
    return [{"street": s, "dept": d, "grid": g, **v} for (s, d, g), v in out.items()]
