"""The KPIs counted in SQL (GROUP BY only) for any period and level — every count is a ``Tally`` field of
``logic/indicators.py`` (its docstring says which cases it counts); the rates are computed there.

One small GROUP BY per kind of event (上报, 立案, 派遣, 应处理, 处置, 结案 read through the index on their own
timestamp; 核实, 核查, 派遣/退回/改派 from the timeline), each grouped by the level's key: the scope-key prefix of
the district (6), street (9) or community (12 digits), the management grid, the 主办部门, or the person (the
reporter of a case; the actor of a timeline event). Every read starts from ``scoped(Case, user, cases.view)``.
"""

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.db.models.lookups import Exact

from gridgov.accounts import roles
from gridgov.accounts.models import Department, User
from gridgov.accounts.scope import NoRight, require, scope_prefix, scoped
from gridgov.cases.logic.lifecycle import Action
from gridgov.cases.models import Case, Source
from gridgov.catalog.models import CatalogItem
from gridgov.geo.models import Grid, Jurisdiction

from .logic import indicators as ind

R = roles.Role
# who reads the KPIs (page and API): the leaders and the centres, the street's 督导员 (its street), a department's
# handlers (what was sent to their department) — within their scope, like the leader dashboard
POSTS = frozenset({R.ADMIN, R.LEADER, R.SHIFT_LEADER, R.INTAKE_CLERK, R.DISPATCHER, R.CLERK, R.GRID_SUPERVISOR,
                   R.HANDLER})
LEVELS = {"district": "区县", "street": "街道（镇）", "community": "社区", "grid": "管理网格", "department": "专业部门",
          "inspector": "监督员", "grid_worker": "网格员", "major": "事项大类", "source": "来源"}
PERSON_ROLES = {"inspector": "inspector", "grid_worker": "grid_worker"}
PREFIX = {"district": 6, "street": 9, "community": 12}
VERIFY_ACTIONS = list(ind.VERIFY_ACTIONS)  # 核实: confirm / refute
INSPECT_ACTIONS = list(ind.INSPECT_ACTIONS)  # 核查: pass / fail


def _in(field: str, p: ind.Period) -> Q:
    return Q(**{f"{field}__gte": p.start, f"{field}__lt": p.end})


def _not_late(stage: str) -> Exact:
    """The stage's bit is clear in ``late_stages`` (``indicators.late`` in SQL)."""
    return Exact(F("late_stages").bitand(ind.STAGE_BITS[stage]), 0)


def _key(level: str):
    """The GROUP BY expression of a level on Case."""
    if level in PREFIX:
        return Substr("scope_key", 1, PREFIX[level])
    if level == "grid":
        return F("management_grid__code")
    if level == "department":
        return F("assignee_department_id")
    if level == "major":
        return Concat("matter__kind", Value("-"), "matter__major_code")
    if level == "source":
        return F("source")
    return F("reporter_id")


def require_post(user) -> None:
    """The KPIs are for ``POSTS`` with ``cases.view`` (403 otherwise)."""
    require(user, roles.CASE_VIEW)
    if not user.is_superuser and user.role not in POSTS:
        raise NoRight(roles.CASE_VIEW)


def cases_of(user):
    return scoped(Case.objects.all(), user, roles.CASE_VIEW)


def _rows(qs, key, **counts) -> list[dict]:
    return list(qs.order_by().values(k=key).annotate(**counts))


def tallies(user, level: str, p: ind.Period, within: str = "") -> dict:
    """group key → ``Tally`` of the period (only groups with something in it), of the cases under the area code
    ``within`` (a drill-down) if given: from the roll-up (``gridgov.analytics.figures``), which falls back to
    ``live_tallies`` where it cannot answer."""
    from gridgov.analytics import figures

    return figures.tallies(user, level, p, within)


def live_tallies(user, level: str, p: ind.Period, within: str = "") -> dict:
    """``tallies`` counted from the case table (the plain GROUP BY; ``gridgov analytics check`` compares)."""
    cases = cases_of(user)
    if within:
        cases = cases.filter(scope_key__startswith=within)
    key = _key(level)
    end = p.end
    parts = [
        _rows(cases.filter(_in("reported_at", p)), key, reported=Count("reported_at"),
              valid=Count("reported_at", filter=Q(registered_at__isnull=False))),
        _rows(cases.filter(_in("registered_at", p)), key, registered=Count("registered_at"),
              registered_on_time=Count("registered_at", filter=_not_late("register")),
              found_own=Count("registered_at", filter=Q(source__in=sorted(ind.OWN_SOURCES))),
              found_other=Count("registered_at", filter=Q(source__in=sorted(ind.OTHER_SOURCES))),
              close_due=Count("registered_at"),
              close_done=Count("registered_at", filter=Q(closed_at__isnull=False, closed_at__lt=end))),
        _rows(cases.filter(_in("dispatched_at", p)), key, dispatched=Count("dispatched_at"),
              dispatched_on_time=Count("dispatched_at", filter=_not_late("dispatch"))),
        _rows(cases.filter(_in("handle_due_at", p)), key, handle_due=Count("handle_due_at"),
              handle_done=Count("handle_due_at", filter=Q(handled_at__isnull=False, handled_at__lt=end))),
        _rows(cases.filter(_in("handled_at", p)), key, handled=Count("handled_at"),
              reworked=Count("handled_at", filter=Q(rework_count__gt=0)),
              handle_hours_sum=Sum("handle_hours"), handle_hours_n=Count("handle_hours")),
        _rows(cases.filter(_in("closed_at", p)), key, closed=Count("closed_at"),
              closed_on_time=Count("closed_at", filter=Q(late_stages=0)),
              followed=Count("satisfaction"), satisfaction_sum=Sum("satisfaction"),
              satisfied=Count("satisfaction", filter=Q(satisfaction__gte=4))),
    ]
    # the timeline's events of the period, joined to their (scoped) case — read by time through the events' index
    def events(actions):
        return cases.filter(events__at__gte=p.start, events__at__lt=p.end, events__action__in=actions)

    ekey = F("events__actor_id") if level in PERSON_ROLES else key
    verify, inspect = Q(events__action__in=VERIFY_ACTIONS), Q(events__action__in=INSPECT_ACTIONS)
    parts.append(_rows(events(VERIFY_ACTIONS + INSPECT_ACTIONS), ekey,
                       verified=Count("events__id", filter=verify),
                       verified_on_time=Count("events__id", filter=verify & _not_late("verify")),
                       inspected=Count("events__id", filter=inspect),
                       inspected_on_time=Count("events__id", filter=inspect & _not_late("inspect"))))
    dispatch = Q(events__action__in=[Action.DISPATCH, Action.RULE_UPHOLD])
    parts.append(_rows(events([Action.DISPATCH, Action.RULE_UPHOLD, Action.RETURN]), ekey,
                       dispatches=Count("events__id", filter=dispatch),
                       dispatch_misses=Count("events__id", filter=Q(events__action=Action.RULE_UPHOLD)
                                             | Q(events__action=Action.RETURN, events__role=roles.Role.HANDLER))))
    merged: dict = {}
    for rows in parts:
        for r in rows:
            k = r.pop("k")
            merged.setdefault(None if level == "major" and k in ("-", None) else k, {}).update({k: v or 0 for k, v in r.items()})
    return {k: ind.Tally(**v) for k, v in merged.items()}


def _groups(user, level: str, keys) -> list[tuple]:
    """(key, code, name) of the level's groups in the user's scope: every street (community, department, person
    of the post) in scope, and any other group that has figures."""
    prefix = scope_prefix(user) or ""
    keys = {k for k in keys if k is not None}
    if level in PREFIX:
        qs = Jurisdiction.objects.filter(level={"district": "district", "street": "street",
                                                "community": "community"}[level])
        if prefix:
            qs = qs.filter(Q(code__startswith=prefix[:PREFIX[level]]) | Q(code__in=keys))
        out = [(c, c, n) for c, n in qs.order_by("code").values_list("code", "name")]
    elif level == "major":
        names = {f"{k}-{m}": n for k, m, n in CatalogItem.objects.values_list("kind", "major_code", "major_name")}
        out = [(k, k, names.get(k, k)) for k in sorted(keys)]
    elif level == "source":
        out = [(k, k, label) for k, label in Source.choices if k in keys]
    elif level == "grid":
        qs = Grid.objects.filter(code__in=keys)
        out = [(c, c, n) for c, n in qs.order_by("code").values_list("code", "name")]
    elif level == "department":
        qs = Department.objects.all()
        if prefix:
            qs = qs.filter(Q(district__code=prefix[:6]) | Q(pk__in=keys))
        out = [(pk, c, n) for pk, c, n in qs.order_by("code").values_list("pk", "code", "name")]
    else:
        qs = User.objects.filter(Q(role=PERSON_ROLES[level]) & (Q(node_key__startswith=prefix) | Q(pk__in=keys)))
        out = [(pk, u, d or u) for pk, u, d in qs.order_by("username").values_list("pk", "username", "display_name")]
    known = {k for k, _, _ in out}
    out += [(k, str(k), str(k)) for k in sorted(keys - known, key=str) if level not in PERSON_ROLES]
    return out


def table(user, level: str, p: ind.Period, compare: bool = True, within: str = "") -> dict:
    """The level's rows for the period: each group's tally, indicator values and their 同比 (yoy, the same period a
    year earlier) and 环比 (pop, the period just before) changes; and the total of all rows. ``within``: only the
    cases under that area code (a street's communities, a street's departments …)."""
    now = tallies(user, level, p, within)
    yoy = tallies(user, level, p.shifted_year(), within) if compare else {}
    pop = tallies(user, level, p.previous(), within) if compare else {}
    rows = []
    for key, code, name in _groups(user, level, set(now) | set(yoy) | set(pop)):
        if within and level in PREFIX and not str(code).startswith(within[:PREFIX[level]]):
            continue
        rows.append(_row(code, name, now.get(key, ind.Tally()), yoy.get(key), pop.get(key), compare))
    total = _row("", "合计", ind.total(now.values()), ind.total(yoy.values()), ind.total(pop.values()), compare)
    return {"level": level, "period": p, "rows": rows, "total": total}


def _row(code, name, t: ind.Tally, yoy: ind.Tally | None, pop: ind.Tally | None, compare: bool) -> dict:
    values = ind.values(t)
    before_y = ind.values(yoy or ind.Tally()) if compare else {}
    before_p = ind.values(pop or ind.Tally()) if compare else {}
    return {"code": str(code), "name": name, "tally": t, "values": values,
            "yoy": {k: ind.delta(v, before_y.get(k)) for k, v in values.items()},
            "pop": {k: ind.delta(v, before_p.get(k)) for k, v in values.items()}}

