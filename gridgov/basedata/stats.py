"""Statistics per grid / community / street / district, and the weekly ranking of grid workers.

A node is a scope-key prefix (district 6, street 9, community 12 digits, a management grid, a unit grid's
scope key); it must lie within the account's scope. Counts group by ``scope_key`` in the database (a few
thousand unit grids at most) and fold into the next level down in Python.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import OutOfScope, scope_prefix

from . import rights
from .models import (
    DiaryEntry,
    Dwelling,
    Household,
    KeyTag,
    Organisation,
    RegistrationType,
    Resident,
    ResidentEvent,
    ResidentStatus,
    Visit,
)
from .services import visible_categories


def child_of(node: str, key: str) -> str:
    """The next level below ``node`` that ``key`` falls in."""
    if "." in node:
        return node
    if len(node) < 9:
        return key[:9]
    if len(node) < 12:
        return key[:12]
    if len(node) == 12:
        return key.split(".")[0]
    return key


def _node(user, node: str | None) -> str:
    rights.require(user, rights.STATS)
    prefix = scope_prefix(user)
    if prefix is None:
        raise OutOfScope()
    node = node or prefix
    if not node.startswith(prefix):
        raise OutOfScope()
    if node != prefix:  # one's own node is a place by definition (even a grid retired since)
        check_node_exists(node)
    return node


def check_node_exists(node: str) -> None:
    """households: a node asked for must be a place — a district, street or community code, or a grid's scope key
    (``""``, the whole system, always is); an unknown grid is 404 ``unknown_node``, not a page of zeros."""
    from gridgov.errors import NotFound
    from gridgov.geo.models import Grid, Jurisdiction

    if not node or Jurisdiction.objects.filter(code=node).exists() or Grid.objects.filter(scope_key=node).exists():
        return
    raise NotFound("unknown_node", "没有这个网格或辖区")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def statistics(user, node: str | None = None) -> dict:
    node = _node(user, node)
    today = timezone.localdate()
    week_from, month_from = _local_midnight(week_start(today)), _local_midnight(today.replace(day=1))
    children: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()

    def fold(qs, name_of):
        for row in qs:
            key, n = row["scope_key"], row["n"]
            label = name_of(row)
            totals[label] += n
            children[child_of(node, key)][label] += n

    flt = {"scope_key__startswith": node}
    fold(Resident.objects.filter(status=ResidentStatus.ACTIVE, **flt).values("scope_key", "reg_type")
         .annotate(n=Count("id")), lambda r: f"population_{r['reg_type']}")
    fold(Household.objects.filter(**flt).values("scope_key").annotate(n=Count("id")), lambda r: "households")
    fold(Dwelling.objects.filter(**flt).values("scope_key").annotate(n=Count("id")), lambda r: "dwellings")
    fold(Organisation.objects.filter(closed_on__isnull=True, **flt).values("scope_key").annotate(n=Count("id")),
         lambda r: "organisations")
    fold(Visit.objects.filter(visited_at__gte=week_from, **flt).values("scope_key").annotate(n=Count("id")),
         lambda r: "visits_week")
    fold(Visit.objects.filter(visited_at__gte=month_from, **flt).values("scope_key").annotate(n=Count("id")),
         lambda r: "visits_month")
    cats = {c.pk: c for c in visible_categories(user)}
    fold(KeyTag.objects.filter(until__isnull=True, category_id__in=cats, resident__status=ResidentStatus.ACTIVE, **flt)
         .values("scope_key", "category_id").annotate(n=Count("id")), lambda r: f"key_{cats[r['category_id']].code}")

    def shape(c: Counter) -> dict:
        pop = {t.value: c.get(f"population_{t.value}", 0) for t in RegistrationType}
        return {
            "population": {"total": sum(pop.values()), **pop}, "households": c.get("households", 0),
            "dwellings": c.get("dwellings", 0), "organisations": c.get("organisations", 0),
            "key_population": {cat.code: c.get(f"key_{cat.code}", 0) for cat in cats.values()},
            "visits_week": c.get("visits_week", 0), "visits_month": c.get("visits_month", 0),
        }

    return {"node": node, "date": today, "key_categories": {c.code: c.name for c in cats.values()},
            **shape(totals), "children": [{"node": k, **shape(v)} for k, v in sorted(children.items())]}


def ranking(user, node: str | None = None, day: dt.date | None = None) -> dict:
    """网格员周排名 (every Friday the 网格长 ranks the workers): collection (people registered or changed, dwellings
    and organisations collected) and visits (走访 + 民情日记) in the week containing ``day``."""
    node = _node(user, node)
    if day is not None and week_start(day) > week_start(timezone.localdate()):
        from gridgov.errors import DomainError

        raise DomainError("future_week", "不能查看未来一周的排名，请选择本周或以前的周")
    start = week_start(day or timezone.localdate())
    t0, t1 = _local_midnight(start), _local_midnight(start + dt.timedelta(days=7))
    flt = {"scope_key__startswith": node}
    collected: Counter = Counter()
    for qs, who in ((ResidentEvent.objects.filter(created_at__gte=t0, created_at__lt=t1, **flt), "actor_id"),
                    (Dwelling.objects.filter(created_at__gte=t0, created_at__lt=t1, **flt), "created_by_id"),
                    (Organisation.objects.filter(created_at__gte=t0, created_at__lt=t1, **flt), "created_by_id")):
        collected.update({r[who]: r["n"] for r in qs.exclude(**{who: None}).values(who).annotate(n=Count("id"))})
    visits = Counter({r["worker_id"]: r["n"] for r in Visit.objects.filter(visited_at__gte=t0, visited_at__lt=t1, **flt)
                      .values("worker_id").annotate(n=Count("id"))})
    diary = Counter({r["worker_id"]: r["n"] for r in DiaryEntry.objects.filter(
        date__gte=start, date__lt=start + dt.timedelta(days=7), **flt).values("worker_id").annotate(n=Count("id"))})
    workers = {u.pk: u for u in User.objects.filter(role=Role.GRID_WORKER, node_key__startswith=node)}
    ids_ = set(workers) | set(collected) | set(visits) | set(diary)
    missing = ids_ - set(workers)
    if missing:
        workers.update({u.pk: u for u in User.objects.filter(pk__in=missing, role=Role.GRID_WORKER)})
    rows = [{"username": u.username, "name": str(u), "node": u.node_key, "collected": collected[pk],
             "visits": visits[pk], "diary": diary[pk], "total": collected[pk] + visits[pk] + diary[pk]}
            for pk, u in workers.items()]
    rows.sort(key=lambda r: (-r["total"], -r["visits"], r["username"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return {"node": node, "week_start": start, "week_end": start + dt.timedelta(days=6), "workers": rows}
