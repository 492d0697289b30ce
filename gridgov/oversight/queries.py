"""Reads of the oversight pages and API: rulings and 派遣准确率, and the city leader's view across districts.

Every read starts from the scoping primitive (cases: ``scoped(Case, user, CASE_VIEW)``; 派件 and notices: their
own ``scoped`` reads in ``services``). The case figures per district come from the leader dashboard's one GROUP BY
(``gridgov.dashboard.queries.grouped``) and its definitions (``kpi``: 按期结案率, 超期) — nothing is counted twice.
"""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.cases.logic.lifecycle import Action
from gridgov.cases.models import Case, CaseEvent
from gridgov.dashboard import kpi
from gridgov.dashboard import queries as dashboard
from gridgov.geo.models import Jurisdiction, Level

from . import services
from .models import NoticeStatus

RULING_ACTIONS = [Action.CONTEST, Action.RULE_UPHOLD, Action.RULE_REJECT]
DISTRICT_LEN = 6


def _events(user):
    return CaseEvent.objects.filter(case__in=scoped(Case.objects.all(), user, roles.CASE_VIEW).values("pk"))


def disputes(user, start: dt.datetime | None = None, end: dt.datetime | None = None):
    """责任争议 and their rulings (who, when, reason, result), newest first."""
    qs = _events(user).filter(action__in=RULING_ACTIONS).select_related("case")
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lt=end)
    return qs.order_by("-at", "-id")


def dispute_row(e: CaseEvent) -> dict:
    from gridgov.cases.logic.lifecycle import ACTION_LABELS

    data = e.data or {}
    return {"id": e.pk, "case": e.case.number, "action": e.action, "action_label": ACTION_LABELS[Action(e.action)],
            "at": e.at, "by": e.actor_name, "reason": data.get("reason", ""), "result": data.get("result", ""),
            "department": data.get("department", ""), "contested_by": data.get("contested_by", ""),
            "waiting": e.case.status == "contested" and e.action == Action.CONTEST}


def accuracy(user, start: dt.datetime, end: dt.datetime) -> dict[str, tuple[int, int]]:
    """Per district (and "" for all): (dispatches, overturned) in [start, end) — the counts of
    ``kpi.dispatch_accuracy``, as the KPI table counts them (``gridgov/kpi/queries.py``): each 派遣 to a department
    and each re-dispatch of an upheld ruling is a dispatch; a department's 退回 and an upheld ruling each undo one
    (never more than the period's dispatches)."""
    rows = (_events(user).filter(at__gte=start, at__lt=end,
                                 action__in=[Action.DISPATCH, Action.RULE_UPHOLD, Action.RETURN])
            .order_by().values(district=Substr("case__number", 1, DISTRICT_LEN))
            .annotate(n=Count("id", filter=Q(action__in=[Action.DISPATCH, Action.RULE_UPHOLD])),
                      overturned=Count("id", filter=Q(action=Action.RULE_UPHOLD)
                                       | Q(action=Action.RETURN, role=roles.Role.HANDLER))))
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        for key in (r["district"], ""):
            n, o = out.get(key, (0, 0))
            out[key] = (n + r["n"], o + r["overturned"])
    return {key: (n, min(o, n)) for key, (n, o) in out.items()}


def overview(user, now: dt.datetime | None = None) -> dict:
    """The city leader's view: per district open, overdue, closed this month, 按期结案率, 派遣准确率, and the city's
    派件 and 督办 in progress. Read-only; within the user's scope."""
    now = now or timezone.now()
    p = kpi.periods(now, timezone.get_current_timezone())
    prefix = scope_prefix(user) or ""
    districts = Jurisdiction.objects.filter(level=Level.DISTRICT)
    if prefix:
        districts = districts.filter(code__startswith=prefix[:DISTRICT_LEN])
    tallies: dict[str, kpi.Tally] = {}
    for (street, _dept), row in dashboard.grouped(user, now, p).items():
        t = kpi.Tally(**{n: row.get(f"{n}_m", 0) for n in dashboard.NAMES}, open=row.get("open", 0),
                      overdue=row.get("overdue", 0))
        tallies[street[:DISTRICT_LEN]] = tallies.get(street[:DISTRICT_LEN], kpi.Tally()) + t
    acc = accuracy(user, p.month, p.next_month)
    items = list(services.dispatches(user))
    figures = services.dispatch_figures(items)
    in_progress: dict[str, int] = {}
    for d in items:
        if d.answered_at is None:
            in_progress[d.district_code] = in_progress.get(d.district_code, 0) + 1
    notices_open: dict[str, int] = {}
    for key in services.notices(user).exclude(status=NoticeStatus.CLOSED).values_list("scope_key", flat=True):
        notices_open[key[:DISTRICT_LEN]] = notices_open.get(key[:DISTRICT_LEN], 0) + 1
    rows = []
    for code, name in districts.order_by("code").values_list("code", "name"):
        t = tallies.get(code, kpi.Tally())
        n, o = acc.get(code, (0, 0))
        f = figures.get(code, kpi.DispatchFigures())
        rows.append({"code": code, "name": name, "open": t.open, "overdue": t.overdue, "closed": t.closed,
                     "on_time_rate": t.on_time_rate, "dispatches": n, "overturned": o,
                     "accuracy": kpi.dispatch_accuracy(n, o), "city_dispatches": f.dispatched,
                     "city_in_progress": in_progress.get(code, 0), "timely_rate": f.timely_rate,
                     "closed_rate": f.closed_rate, "score": f.score, "notices_open": notices_open.get(code, 0)})
    total = kpi.total(tallies.values())
    n, o = acc.get("", (0, 0))
    f = figures.get("", kpi.DispatchFigures())
    return {"now": now, "districts": rows, "total": {
        "open": total.open, "overdue": total.overdue, "closed": total.closed, "on_time_rate": total.on_time_rate,
        "dispatches": n, "overturned": o, "accuracy": kpi.dispatch_accuracy(n, o), "city_dispatches": f.dispatched,
        "city_in_progress": sum(in_progress.values()), "timely_rate": f.timely_rate, "closed_rate": f.closed_rate,
        "score": f.score, "notices_open": sum(notices_open.values())}}
