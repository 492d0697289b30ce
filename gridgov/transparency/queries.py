"""What the public pages show (公开信息) — read-only, no account, no personal data:

- ``street_figures(month)``: per street, 上报, 结案, 按期结案率 and 满意度 of the month, read through ``gridgov.kpi``
  (the one definition of each figure; the analytics roll-ups will serve the same through it);
- ``closed_cases(month)``: the month's closed cases: number, matter, street and community, dates, whether closed
  on time, the description sanitised (``logic.sanitise``) and the position coarsened (``logic.coarsen``) — never a
  reporter, an address or an exact point; cases of a restricted class (信访, 治安/维稳) are never published;
- ``clocks()``: each open case's running stage against its published deadline, overdue ones marked;
- ``rankings(period)``: the 考评 ranking of a month, only from a published revision (``assess.Run.published_at``).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.cases.logic.lifecycle import OPEN_STATES, STAGE_LABELS, Stage, State
from gridgov.cases.models import Case, CaseReport
from gridgov.cases.services.lights import countdown, light
from gridgov.catalog.cache import hidden_matter_ids
from gridgov.geo.models import Jurisdiction
from gridgov.kpi import queries as kpi
from gridgov.kpi.logic import indicators as ind

from .logic.coarsen import cell_centre
from .logic.sanitise import sanitise

CLOSED = (State.CLOSED, State.ARCHIVED)
MAX_CLOCKS = 300
MAX_CLOSED = 5000


@dataclass(frozen=True)
class _Public:
    """The reader of the whole territory's figures (counts only; never used to read a row)."""

    is_authenticated: bool = True
    is_superuser: bool = True
    is_active: bool = True
    pk: None = None
    id: None = None
    role: str = ""
    department_id: None = None
    node_key: str = ""


PUBLIC = _Public()
_ANONYMOUS = _Public(is_superuser=False, role=Role.RESIDENT)  # whose view of restricted classes applies


def month_period(text: str | None) -> ind.Period:
    """``2026-11`` → that month; empty or wrong → the last complete month (the figures of a month are final)."""
    if text:
        try:
            y, m = (int(x) for x in text.split("-"))
            if 2000 <= y <= 2100 and 1 <= m <= 12:
                return ind.month(y, m)
        except ValueError:
            pass
    today = timezone.localdate()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return ind.month(first.year, first.month)


def months(n: int = 12) -> list[str]:
    today = timezone.localdate().replace(day=1)
    out = []
    for _ in range(n):
        today = (today - dt.timedelta(days=1)).replace(day=1)
        out.append(f"{today:%Y-%m}")
    return out


def _public_cases():
    hidden = hidden_matter_ids(_ANONYMOUS)
    qs = Case.objects.filter(merged_into__isnull=True)
    return qs.exclude(matter_id__in=sorted(hidden)) if hidden else qs


def street_figures(p: ind.Period) -> list[dict]:
    t = kpi.tallies(PUBLIC, "street", p)
    out = []
    for code, name in Jurisdiction.objects.filter(level="street").order_by("code").values_list("code", "name"):
        tally = t.get(code, ind.Tally())
        out.append(_figures(code, name, tally))
    out.append(_figures("", "合计", ind.total(t.values())))
    return out


def _figures(code, name, t: ind.Tally) -> dict:
    on_time = ind.on_time_rate(t)
    sat = ind.satisfaction_mean(t)
    return {"code": code, "name": name, "reported": t.reported, "closed": t.closed,
            "on_time_rate": None if on_time is None else round(on_time * 100, 1),
            "satisfaction": None if sat is None else round(sat, 2)}


def closed_cases(p: ind.Period, limit: int = MAX_CLOSED) -> list[dict]:
    qs = (_public_cases().filter(status__in=[str(s) for s in CLOSED], closed_at__gte=p.start, closed_at__lt=p.end)
          .select_related("matter", "community__parent").order_by("closed_at", "id")
          .only("number", "matter__name", "matter__major_name", "community__name", "community__parent__name",
                "reported_at", "closed_at", "late_stages", "description", "lon", "lat")
          .prefetch_related(Prefetch("reports", to_attr="names", queryset=CaseReport.objects.only(
              "case_id", "reporter_name"))))
    out = []
    for c in qs[:limit]:
        lon, lat = cell_centre(c.lon, c.lat)
        out.append({
            "number": c.number, "matter": c.matter.name if c.matter_id else "", "matter_class":
            c.matter.major_name if c.matter_id else "", "street": c.community.parent.name if c.community_id and
            c.community.parent_id else "", "community": c.community.name if c.community_id else "",
            "reported_on": timezone.localtime(c.reported_at).date().isoformat(),
            "closed_on": timezone.localtime(c.closed_at).date().isoformat(),
            "closed_on_time": ind.on_time_closed(True, c.late_stages),
            "description": sanitise(c.description, [r.reporter_name for r in c.names])[:200], "lon": lon, "lat": lat})
    return out


def clocks(limit: int = MAX_CLOCKS) -> dict:
    now = timezone.now()
    qs = (_public_cases().filter(status__in=sorted(str(s) for s in OPEN_STATES)).exclude(stage="")
          .filter(stage_due_at__isnull=False).select_related("matter", "community__parent")
          .order_by("stage_due_at", "id"))
    total = qs.count()
    overdue = qs.filter(Q(stage_due_at__lt=now) & Q(paused_at__isnull=True)).count()
    rows = []
    for c in qs[:limit]:
        state = light(c, now)
        rows.append({"number": c.number, "matter": c.matter.name if c.matter_id else "",
                     "street": c.community.parent.name if c.community_id and c.community.parent_id else "",
                     "stage": STAGE_LABELS.get(Stage(c.stage), ""), "due": timezone.localtime(c.stage_due_at),
                     "light": state, "overdue": state == "red", "countdown": countdown(c, now)})
    return {"rows": rows, "total": total, "overdue": overdue, "now": timezone.localtime(now)}


def rankings(period: str | None = None) -> dict:
    """The latest published revision of ``period`` (or of the latest published month): its units by rank."""
    from gridgov.assess.models import Run

    runs = Run.objects.filter(published_at__isnull=False)
    periods = list(runs.order_by("-period").values_list("period", flat=True).distinct())
    if not periods:
        return {"run": None, "rows": [], "periods": []}
    period = period if period in periods else periods[0]
    run = runs.filter(period=period).order_by("-revision").first()
    rows = [{"rank": r.rank, "name": r.unit_name, "total": round(r.total, 2)}
            for r in run.results.order_by("rank", "unit_code")]
    return {"run": run, "rows": rows, "periods": periods}
