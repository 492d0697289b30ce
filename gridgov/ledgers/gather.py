"""The registers' facts for the assessment (the facts document's inputs that the ledgers produce).

``register_inputs(period, district_code)`` — the shared contract (see README 「考评台账」):

    {"totals": {"population", "area_km2", "annual_cases"},
     "units": {street_code: {"name", "case_count": {"quota"}, "system_uptime": {...}, "grid_update": {...},
                             "quality_sample": {...}, "discovery": {...}, "staffing": {...}, "training": {...},
                             "publicity": {...}}}}

- part 3 items (``quality_sample``, ``discovery``) count the month; the others the year to date up to the
  period's end (``logic.periods``);
- ``case_count.quota`` = (base + adjustments) / 12 of the period's year (``logic.quota``), rounded to 2 decimals;
  refused (``quota_total_missing`` / ``quota_population_missing``) when the year's allocation cannot be made;
- ``quality_sample``: closed = the month's normally closed cases; sampled = drawn cases already marked; passed =
  marked 合格 (no draw yet: sampled 0);
- ``discovery``: checked = the month's problems a reviewer has concluded on; found_in_time = those 已及时发现;
- ``staffing``: active grid-worker accounts bound within the street, communities of the street (as they are now:
  accounts keep no history of posts);
- ``training``: confirmed trainings held in the year to date, whole-staff and partial;
- ``system_uptime``: ``logic.uptime`` over the year to date; usable false when a 「无系统或系统无法使用」 period covers
  the period's end;
- ``publicity``: media reports and submissions dated in the year to date;
- ``grid_update``: the geo app's grid changes (``GridChange``) of the street created in the year to date (plans);
  on time = applied at least 21 days after it was created (GridChange has no planned effective date: the day it
  was applied is when it took effect).

No scope: the assessment reads every street of the district (the caller checks rights).
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Q

from gridgov.errors import DomainError

from . import services
from .logic import periods, uptime
from .models import (
    Mark,
    Outage,
    OutageKind,
    Problem,
    Publicity,
    QuotaYear,
    SampledCase,
    SampleDraw,
    Training,
    TrainingStatus,
    UnitBase,
    Verdict,
)

NOTICE_DAYS = 21  # 003 篇7: 至少提前三周报送数据及更新方案


def register_inputs(period: str, district_code: str) -> dict:
    period = services.check_period(period)
    year, _ = periods.parse(period)
    m_start, m_end = periods.month(period)
    y_start, y_end = periods.year_to_date(period)
    units = services.streets(district_code)
    if not units:
        raise DomainError("unknown_district", f"区县「{district_code}」没有镇街")
    codes = [u.code for u in units]
    total = QuotaYear.objects.filter(scope_key=district_code, year=year).first()
    alloc = {a.code: a for a in services.allocate(district_code, year, total)}
    bases = UnitBase.objects.filter(scope_key__in=codes, year=year)
    out = {"totals": {"population": sum(b.population or 0 for b in bases),
                      "area_km2": round(float(sum(b.area_km2 or 0 for b in bases)), 2),
                      "annual_cases": total.annual_cases},
           "units": {}}
    closed_by_street = Counter(key[:9] for key in
                               services.closed_cases(district_code, period).values_list("scope_key", flat=True))
    marks = defaultdict(Counter)
    for key, mark in SampledCase.objects.filter(draw__period=period, draw__scope_key__in=codes).exclude(
            mark=Mark.PENDING).values_list("scope_key", "mark"):
        marks[key][mark] += 1
    verdicts = defaultdict(Counter)
    for key, v in Problem.objects.filter(found_at__gte=m_start, found_at__lt=m_end, scope_key__in=codes).exclude(
            verdict=Verdict.PENDING).values_list("scope_key", "verdict"):
        verdicts[key][v] += 1
    trained = defaultdict(Counter)
    for key, kind in Training.objects.filter(status=TrainingStatus.CONFIRMED, held_on__gte=y_start.date(),
                                             held_on__lt=y_end.date(), scope_key__in=codes) \
            .values_list("scope_key", "kind"):
        trained[key][kind] += 1
    media = defaultdict(Counter)
    for key, kind in Publicity.objects.filter(on__gte=y_start.date(), on__lt=y_end.date(), scope_key__in=codes) \
            .values_list("scope_key", "kind"):
        media[key][kind] += 1
    spans = defaultdict(lambda: defaultdict(list))
    for key, kind, a, b in Outage.objects.filter(Q(end__isnull=True) | Q(end__gt=y_start), start__lt=y_end,
                                                 scope_key__in=codes).values_list("scope_key", "kind", "start", "end"):
        spans[key][kind].append((a, b))
    staff, communities, plans = _staffing(codes), _communities(codes), _grid_plans(codes, y_start, y_end)
    for u in units:
        s = spans[u.code]
        unusable = any(a < y_end and (b is None or b >= y_end) for a, b in s[OutageKind.UNUSABLE])
        out["units"][u.code] = {
            "name": u.name,
            "case_count": {"quota": round(alloc[u.code].monthly, 2)},
            "system_uptime": uptime.system_uptime(s[OutageKind.FAULT], s[OutageKind.UPGRADE], y_start, y_end,
                                                  usable=not unusable),
            "grid_update": plans.get(u.code, {"plans": 0, "plans_on_time": 0}),
            "quality_sample": {"closed": closed_by_street[u.code], "sampled": sum(marks[u.code].values()),
                               "passed": marks[u.code][Mark.PASSED]},
            "discovery": {"checked": sum(verdicts[u.code].values()), "found_in_time": verdicts[u.code][Verdict.IN_TIME]},
            "staffing": {"staff": staff[u.code], "communities": communities[u.code]},
            "training": {"whole": trained[u.code]["whole"], "partial": trained[u.code]["partial"]},
            "publicity": {"reports": media[u.code]["report"], "submissions": media[u.code]["submission"]},
        }
    return out


def _staffing(codes: list[str]) -> Counter:
    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role

    n = Counter()
    for key in User.objects.filter(role=Role.GRID_WORKER, is_active=True, department__isnull=True) \
            .exclude(node_key="").values_list("node_key", flat=True):
        if key[:9] in codes:
            n[key[:9]] += 1
    return n


def _communities(codes: list[str]) -> Counter:
    from gridgov.geo.models import Jurisdiction, Level

    n = Counter()
    for code in Jurisdiction.objects.filter(level=Level.COMMUNITY, parent__code__in=codes).values_list("code", flat=True):
        n[code[:9]] += 1
    return n


def _grid_plans(codes: list[str], start: dt.datetime, end: dt.datetime) -> dict:
    from gridgov.geo.models import ChangeStatus, GridChange

    out: dict[str, dict] = {}
    for node, status, created, applied in GridChange.objects.filter(created_at__gte=start, created_at__lt=end) \
            .values_list("node_code", "status", "created_at", "applied_at"):
        street = node[:9]
        if street not in codes:
            continue
        row = out.setdefault(street, {"plans": 0, "plans_on_time": 0})
        row["plans"] += 1
        if status == ChangeStatus.APPLIED and applied is not None and applied < end \
                and applied - created >= dt.timedelta(days=NOTICE_DAYS):
            row["plans_on_time"] += 1
    return out


def summary(user, period: str, district_code: str | None = None) -> list[dict]:
    """The registers' counts per street for a month (the ledgers' front page), for the streets in the user's scope:
    the year's population and area, the month's 倒查 problems (pending / in time / missed), closed cases and the
    sample (drawn / marked / passed), and the year to date's trainings, outages and publicity."""
    services.require(user, services.VIEW)
    period = services.check_period(period)
    m_start, m_end = periods.month(period)
    y_start, y_end = periods.year_to_date(period)
    district = services.district_of(user, district_code).code
    blank = {"population": None, "area_km2": None, "problems": 0, "problems_pending": 0, "in_time": 0, "missed": 0,
             "closed": 0, "sampled": 0, "marked": 0, "passed": 0, "trainings": 0, "trainings_pending": 0,
             "outages": 0, "publicity": 0}
    rows = {s.code: {"code": s.code, "name": s.name, **blank} for s in services.streets(district)
            if services.in_scope(user, s.code)}
    codes = list(rows)
    for b in UnitBase.objects.filter(scope_key__in=codes, year=m_start.year):
        rows[b.scope_key]["population"], rows[b.scope_key]["area_km2"] = b.population, b.area_km2
    for key, v in Problem.objects.filter(scope_key__in=codes, found_at__gte=m_start, found_at__lt=m_end) \
            .values_list("scope_key", "verdict"):
        rows[key]["problems"] += 1
        rows[key][{"pending": "problems_pending", "in_time": "in_time", "missed": "missed"}[v]] += 1
    for key in services.closed_cases(district, period).values_list("scope_key", flat=True):
        if key[:9] in rows:
            rows[key[:9]]["closed"] += 1
    for d in SampleDraw.objects.filter(scope_key__in=codes, period=period).annotate(
            n=Count("cases"), m=Count("cases", filter=~Q(cases__mark=Mark.PENDING)),
            p=Count("cases", filter=Q(cases__mark=Mark.PASSED))):
        rows[d.scope_key].update(sampled=d.n, marked=d.m, passed=d.p)
    for key, status in Training.objects.filter(scope_key__in=codes, held_on__gte=y_start.date(),
                                               held_on__lt=y_end.date()).values_list("scope_key", "status"):
        rows[key]["trainings"] += status == TrainingStatus.CONFIRMED
        rows[key]["trainings_pending"] += status == TrainingStatus.SUBMITTED
    for key in Outage.objects.filter(scope_key__in=codes, start__lt=y_end).filter(
            Q(end__isnull=True) | Q(end__gt=y_start)).values_list("scope_key", flat=True):
        rows[key]["outages"] += 1
    for key in Publicity.objects.filter(scope_key__in=codes, on__gte=y_start.date(), on__lt=y_end.date()) \
            .values_list("scope_key", flat=True):
        rows[key]["publicity"] += 1
    return list(rows.values())
