"""The case figures of the district's 专项考评 (seed 003 篇7 附件1, part 3 案件管理 and 社会参与, 市区两级平台派件) for one
month, per street — the kpi helper's part of the assessment's facts document (``gridgov assess facts``).

``case_inputs(period, district_code)`` reads the whole district (a system read for the assessment, not a user's
page; the pages and the API use ``queries`` with the user's scope). Each figure uses the one definition of
``logic/indicators.py``:

- ``case_count.completed``: the street's cases 结案 in the month (``closed_at`` in it; a case reopened since is
  not closed); ``last_year``: the same month a year earlier, ``None`` when there were none.
- ``type_diversity``: of the month's 结案, ``self_handled`` = those settled on the spot (a 自行处置 in their timeline),
  ``simple`` = the other ones whose matter is a 简单类型案件 (``indicators.SIMPLE_MATTERS``), ``total`` = all of them.
- ``closure_rate``: ``due`` = 应结案, the cases registered (立案) in the month; ``closed`` = those of them closed by
  the month's end (``indicators.closure_rate``); ``totals.closure_rate`` = the district's closed / due.
- ``city_dispatch``: the city's 派件 (gridgov.oversight ``CityDispatch``) to the district dispatched in the month,
  by the street of their case: ``received``; ``timely`` = answered at or before the 派件's 办结时限;
  ``closed`` = the case closed by the month's end.
- ``public_channels``: of the cases reported in the month, ``total``; ``public`` = from 居民上报 (app, page,
  WeChat) or 12345 热线 (``indicators.PUBLIC_SOURCES``); ``public_closed_on_time`` = those public ones closed by the
  month's end with every stage on time (按期结案); ``totals.public_share`` = the district's public / total.
"""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr

from gridgov.cases.logic.lifecycle import Action
from gridgov.cases.models import Case, CaseEvent
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Jurisdiction
from gridgov.oversight.models import CityDispatch

from .logic import indicators as ind

STREET = 9


def month_of(period: str) -> ind.Period:
    """「2026-11」 → that month (Asia/Shanghai); anything else is bad input."""
    text = (period or "").strip()
    if len(text) != 7 or text[4] != "-":
        raise DomainError("invalid_period", f"考评期间「{period}」应为月份，如 2026-11")
    try:
        return ind.parse_period(text)
    except ValueError:
        raise DomainError("invalid_period", f"考评期间「{period}」应为月份，如 2026-11") from None


def _by_street(qs, **counts) -> dict[str, dict]:
    return {r.pop("street"): r for r in qs.order_by().values(street=Substr("scope_key", 1, STREET)).annotate(**counts)}


def case_inputs(period: str, district_code: str) -> dict:
    p = month_of(period)
    if not Jurisdiction.objects.filter(code=district_code, level="district").exists():
        raise NotFound("unknown_district", f"区县「{district_code}」不存在")
    streets = list(Jurisdiction.objects.filter(level="street", code__startswith=district_code)
                   .order_by("code").values_list("code", flat=True))
    cases = Case.objects.filter(scope_key__startswith=district_code)
    self_handled = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.SELF_HANDLE))
    closed = _by_street(
        cases.filter(closed_at__gte=p.start, closed_at__lt=p.end).annotate(on_spot=self_handled),
        completed=Count("id"), self_handled=Count("id", filter=Q(on_spot=True)),
        simple=Count("id", filter=Q(on_spot=False, matter__code__in=sorted(ind.SIMPLE_MATTERS))))
    a_year = p.shifted_year()
    last_year = _by_street(cases.filter(closed_at__gte=a_year.start, closed_at__lt=a_year.end), n=Count("id"))
    registered = _by_street(cases.filter(registered_at__gte=p.start, registered_at__lt=p.end), due=Count("id"),
                            closed=Count("id", filter=Q(closed_at__isnull=False, closed_at__lt=p.end)))
    reported = _by_street(
        cases.filter(reported_at__gte=p.start, reported_at__lt=p.end), total=Count("id"),
        public=Count("id", filter=Q(source__in=sorted(ind.PUBLIC_SOURCES))),
        public_closed_on_time=Count("id", filter=Q(source__in=sorted(ind.PUBLIC_SOURCES), closed_at__isnull=False,
                                                   closed_at__lt=p.end, late_stages=0)))
    dispatches = {
        r.pop("street"): r for r in CityDispatch.objects.filter(
            district_code=district_code, dispatched_at__gte=p.start, dispatched_at__lt=p.end)
        .order_by().values(street=Substr("case__scope_key", 1, STREET))
        .annotate(received=Count("id"), timely=Count("id", filter=Q(answered_at__lte=F("due_at"))),
                  closed=Count("id", filter=Q(case__closed_at__isnull=False, case__closed_at__lt=p.end)))}
    units = {}
    for code in streets:
        c, r, rep = closed.get(code, {}), registered.get(code, {}), reported.get(code, {})
        d = dispatches.get(code, {})
        units[code] = {
            "case_count": {"completed": c.get("completed", 0), "last_year": last_year.get(code, {}).get("n") or None},
            "type_diversity": {"simple": c.get("simple", 0), "self_handled": c.get("self_handled", 0),
                               "total": c.get("completed", 0)},
            "closure_rate": {"closed": r.get("closed", 0), "due": r.get("due", 0)},
            "city_dispatch": {"received": d.get("received", 0), "timely": d.get("timely", 0),
                              "closed": d.get("closed", 0)},
            "public_channels": {"public": rep.get("public", 0), "total": rep.get("total", 0),
                                "public_closed_on_time": rep.get("public_closed_on_time", 0)},
        }
    due = sum(u["closure_rate"]["due"] for u in units.values())
    done = sum(u["closure_rate"]["closed"] for u in units.values())
    total = sum(u["public_channels"]["total"] for u in units.values())
    public = sum(u["public_channels"]["public"] for u in units.values())
    return {"totals": {"closure_rate": ind.rate(done, due) or 0.0, "public_share": ind.rate(public, total) or 0.0},
            "units": units}
