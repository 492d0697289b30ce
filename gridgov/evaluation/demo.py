"""Demo (called by ``gridgov.demo.build``): 满意度回访 of part of the closed cases and last month's two-way ratings.

- of the closed cases not yet followed up (oldest closing first), about two in three are surveyed by phone by the
  demo 受理员 a day after closing (through ``services.phone_survey``: the case's satisfaction and timeline follow),
  one in twelve says 「未解决」 (the case is reopened), two have a call that did not get through, one is 无法联系 —
  the rest stay in the 待回访 queue, so the centre has work;
- every street's 督导员 rates the departments and every department's handler rates the centre for the last complete
  month (scores seeded), at the first working moment of this month (within the window).

Deterministic (seeded RNG; times relative to now, as the cases' demo). Scale "test": a handful of surveys only.
"""

import datetime as dt
import random

from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.cases.logic.lifecycle import State
from gridgov.cases.models import Case

from . import services
from .models import RateeKind, Rating

DISTRICT = "110101"
REMARKS = ["处理及时，态度很好", "清理得很干净", "希望以后多巡查", "效率还可以再提高", "", "", ""]
DEPT_REMARKS = ["响应快，配合好", "个别案件签收偏慢", "", "现场处置质量高", ""]
CENTRE_REMARKS = ["派遣准确", "部分案件派遣描述不够清楚", "", "协调及时"]


SURVEYED = 360


def build(stdout=print, scale: str = "demo") -> None:
    rng = random.Random(20261203)
    now = timezone.now()
    clerk = User.objects.get(username="intake")
    cases = list(Case.objects.filter(district__code=DISTRICT, status=State.CLOSED.value, followed_up=False,
                                     closed_at__isnull=False, surveys__isnull=True).order_by("closed_at", "id"))
    # demo: the oldest few hundred (at a district's volume the centre follows up a sample; the rest wait)
    limit = 4 if scale != "demo" else min(len(cases), SURVEYED)
    surveyed = calls = 0
    for i, case in enumerate(cases[:limit * 2 // 3 if scale == "demo" else limit]):
        at = min(case.closed_at + dt.timedelta(days=1), now - dt.timedelta(minutes=5))
        if i % 9 == 4:  # 无法联系 after three calls, or one call not through
            for k in range(3 if i % 18 == 4 else 1):
                services.record_call(clerk, case.number, "无人接听", now=at + dt.timedelta(hours=k))
                calls += 1
            continue
        resolved = i % 12 != 7
        result = rng.choice([5, 5, 4, 4, 3]) if resolved else rng.choice([1, 2])
        services.phone_survey(clerk, case.number, attitude=rng.choice([5, 5, 4, 4, 3]), now=at,
                              efficiency=rng.choice([5, 4, 4, 3, 2]), result=result, resolved=resolved,
                              remark=rng.choice(REMARKS) if resolved else "垃圾清运后第二天又堆起来了")
        surveyed += 1
    ratings = _ratings(rng, now) if scale == "demo" else 0
    waiting = Case.objects.filter(district__code=DISTRICT, status=State.CLOSED.value, followed_up=False).count()
    stdout(f"回访与评价：{surveyed} 件电话回访、{calls} 次未接通，{waiting} 件待回访；上月双向评价 {ratings} 份")


def _ratings(rng, now) -> int:
    period = services.previous_period(now)
    Rating.objects.filter(period=period, district_code=DISTRICT).delete()  # a rebuild rates again
    # the first morning of this month: always within last month's window (the month + 5 working days)
    at = min(services.period_bounds(services.current_period(now))[0] + dt.timedelta(hours=9),
             now - dt.timedelta(minutes=1))
    n = 0
    for supervisor in User.objects.filter(role=Role.GRID_SUPERVISOR, node_key__regex=r"^110101\d{3}$").order_by("node_key"):
        for dept in Department.objects.filter(district__code=DISTRICT).order_by("code"):
            if rng.random() < 0.3:
                continue
            scores = {d.key: rng.choice([5, 4, 4, 3, 3, 2]) for d in services.dimensions(RateeKind.DEPARTMENT)}
            services.rate(supervisor, period, dept.code, scores, rng.choice(DEPT_REMARKS), now=at)
            n += 1
    for handler in User.objects.filter(role=Role.HANDLER, department__district__code=DISTRICT).order_by("username"):
        if Rating.objects.filter(period=period, rater_code=handler.department.code).exists():
            continue
        scores = {d.key: rng.choice([5, 4, 4, 3]) for d in services.dimensions(RateeKind.CENTRE)}
        services.rate(handler, period, None, scores, rng.choice(CENTRE_REMARKS), now=at)
        n += 1
    return n

