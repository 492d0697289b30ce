"""Demo: the 网格长's visits of this year (coverage 60–90 % per management grid, drawn per grid), some of last
year's, and a few visits that name a case of the household's grid (一户一档 → 本户案件 · 走访关联).

Synthetic and deterministic (a seeded generator over households in id order); the 网格长 of a household is the
grid-leader account whose node is the longest prefix of its scope key (the rule of ``coverage``)."""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role

from ..fastsql import db_datetime, insert_rows
from ..models import Household, Visit

DISTRICT = "110101"
TALKS = ["了解家庭近况，无特殊诉求", "宣传防诈骗知识", "询问老人身体状况，提醒按时体检", "反映楼道灯不亮，已记录",
         "反映邻居装修噪音", "宣传垃圾分类", "核对家庭成员信息", "了解就业需求，介绍社区招聘会"]


def build(stdout=print, scale: str = "demo") -> dict:
    rng = random.Random(20261705)
    now = timezone.now()
    dbnow = db_datetime(now)
    year_start = timezone.make_aware(dt.datetime(now.year, 1, 1))
    span = max(int((now - year_start).total_seconds()) - 3600, 60)
    leaders = sorted(((u.node_key, u.pk) for u in User.objects.filter(role=Role.GRID_LEADER).exclude(node_key="")),
                     key=lambda x: -len(x[0]))
    by_grid = defaultdict(list)
    for pk, key in Household.objects.filter(scope_key__startswith=DISTRICT).order_by("pk").values_list("pk", "scope_key"):
        by_grid[key.split(".")[0]].append((pk, key))
    visits, covered = [], 0
    for grid in sorted(by_grid):
        rate = rng.uniform(0.6, 0.9)
        for pk, key in by_grid[grid]:
            leader = next((u for node, u in leaders if key.startswith(node)), None)
            if leader is None:
                continue
            if rng.random() < rate:
                covered += 1
                at = year_start + dt.timedelta(seconds=rng.randrange(span))
            elif rng.random() < 0.5:  # visited last year only: left this year
                at = year_start - dt.timedelta(days=rng.randrange(1, 300), hours=rng.randrange(8))
            else:
                continue
            visits.append((leader, pk, db_datetime(at), "网格长年度入户走访", rng.choice(TALKS), "", key, dbnow))
    linked = _case_visits(rng, now)
    with transaction.atomic():  # rows without model instances (fastsql): some 20,000 at demo scale
        insert_rows(Visit, ["worker_id", "household_id", "visited_at", "place", "issues", "follow_up", "scope_key",
                            "created_at"], visits)
        Visit.objects.bulk_create(linked)
    households = sum(len(v) for v in by_grid.values())
    stdout(f"户：网格长本年走访 {covered:,}/{households:,} 户，关联案件的走访 {len(linked)} 次")
    return {"covered": covered, "households": households, "linked": len(linked)}


def _case_visits(rng, now) -> list[Visit]:
    """The demo grid leader's grid: three households whose visit names a case of their grid (走访关联)."""
    from gridgov.cases.models import Case

    leader = User.objects.filter(username="gridleader").first()
    worker = User.objects.filter(username="gridworker").first()
    if leader is None or worker is None or not worker.node_key:
        return []
    grid = worker.node_key
    homes = list(Household.objects.filter(scope_key__startswith=grid + ".").order_by("pk")[:3])
    cases = list(Case.objects.filter(scope_key__startswith=grid).order_by("reported_at", "pk")
                 .values_list("number", flat=True)[:3])
    return [Visit(worker=leader, household=h, visited_at=now - dt.timedelta(days=1 + i), place="入户走访",
                  issues="住户反映的问题已上报为案件", follow_up="跟进案件办理", case_number=number, scope_key=h.scope_key)
            for i, (h, number) in enumerate(zip(homes, cases, strict=False))]
