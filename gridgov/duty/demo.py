"""Demo of 值班与应急 in 东城区: the district centre's 24-hour roster for this month and next (the demo accounts and a
few synthetic colleagues, one day next month left half-covered so the gap shows), two 预案 activations through
the intake service (a 占用消防通道 yesterday, finished; a 道路积雪、结冰 this morning, in progress), 交班记录 for
yesterday's and today's 值班日报. 日产日清 reads the case history the cases demo made. Deterministic, seconds.

Only at the demo scale: the test world builds its own duty rows in each test.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role

from . import services
from .logic.daily import SHANGHAI
from .logic.roster import CHIEF, LEADER, OFFICER
from .models import Activation, Handover, Shift

DISTRICT = "110101"
FIRE_KEY, SNOW_KEY = "demo-duty-fire", "demo-duty-snow"


def _colleagues() -> dict[str, list[User]]:
    """The people who take turns: the demo's leader, shift leader, intake clerk and dispatcher and a few
    synthetic colleagues of each (accounts without a password)."""
    from gridgov.demo import synthetic_name

    made = {}
    for i, (prefix, role, n) in enumerate([("lead", Role.LEADER, 2), ("chief", Role.SHIFT_LEADER, 2),
                                           ("officer", Role.INTAKE_CLERK, 4)]):
        for k in range(n):
            u, created = User.objects.get_or_create(username=f"demo-duty-{prefix}{k + 1}", defaults={
                "role": role, "node_key": DISTRICT, "display_name": synthetic_name(7000 + 10 * i + k)})
            if created:
                u.set_unusable_password()
                u.save()
            made.setdefault(prefix, []).append(u)
    by = {u.username: u for u in User.objects.filter(username__in=["leader", "shift", "intake", "dispatcher"])}
    return {"lead": [by["leader"], *made["lead"]], "chief": [by["shift"], *made["chief"]],
            "officer": [by["intake"], by["dispatcher"], *made["officer"]]}


def _roster(admin, people, today: dt.date) -> int:
    first = today.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    last = (next_first + dt.timedelta(days=32)).replace(day=1)  # the end of next month
    half_day = next_first.replace(day=15)  # only a day shift: the night is a gap the month view flags
    Shift.objects.filter(centre=DISTRICT).delete()
    n, day, i = 0, first - dt.timedelta(days=1), 0
    while day < last:
        start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI)
        half = day == half_day
        end = start + (dt.timedelta(hours=12) if half else dt.timedelta(hours=24))
        lead = people["lead"][i % len(people["lead"])]
        chief = people["chief"][i % len(people["chief"])]
        off = people["officer"]
        members = [(lead, LEADER), (chief, CHIEF), (off[(2 * i) % len(off)], OFFICER), (off[(2 * i + 1) % len(off)], OFFICER)]
        services.save_shift(admin, centre=DISTRICT, date=day, starts_at=start, ends_at=end, members=members,
                            note="仅白班（夜班待补）" if half else "")
        n, day, i = n + 1, day + dt.timedelta(days=1), i + 1
    return n


def _activations(now: dt.datetime) -> int:
    """Two urgent reports through the intake service: each starts its plan; the first is worked to the end."""
    from gridgov.cases.services import intake
    from gridgov.geo.models import Grid

    worker = User.objects.get(username="gridworker")
    shift = User.objects.get(username="shift")
    dispatcher = User.objects.get(username="dispatcher")
    grids = list(Grid.objects.filter(layer__code="unit", parent__scope_key=worker.node_key).order_by("code")[:2])
    today = dt.datetime.combine(now.astimezone(SHANGHAI).date(), dt.time(), tzinfo=SHANGHAI)
    fire_at = today - dt.timedelta(days=1) + dt.timedelta(hours=14, minutes=10)
    snow_at = min(today + dt.timedelta(hours=6, minutes=40), now - dt.timedelta(minutes=5))
    p1, p2 = grids[0].shape.representative_point(), grids[-1].shape.representative_point()
    fire = intake(worker, source="grid_worker", lon=p1.x, lat=p1.y, matter="09012", urgency="urgent",
                  description="小区消防通道被三辆私家车堵死，楼内有老人", client_key=FIRE_KEY, now=fire_at,
                  find_duplicates=False)
    snow = intake(worker, source="grid_worker", lon=p2.x, lat=p2.y, matter="10001", urgency="urgent",
                  description="胡同主路夜间降雪结冰，多人滑倒", client_key=SNOW_KEY, now=snow_at,
                  find_duplicates=False)
    if fire.created:
        a = Activation.objects.filter(case=fire.case).first()
        notes = ["已通知东华门消防救援站", "社区已到场疏散围观群众", "已派遣城管执法拖移车辆", "带班领导视频调度",
                 "车辆已拖离，通道畅通", "已写入值班日报"]
        for step, note in zip(a.steps.order_by("order"), notes, strict=False):
            who = dispatcher if step.order == 3 else shift
            services.tick(who, a.pk, step.order, note, now=fire_at + dt.timedelta(minutes=step.order * 8))
    if snow.created:
        a = Activation.objects.filter(case=snow.case).first()
        services.tick(shift, a.pk, 1, "雪情覆盖东华门、景山两街道", now=snow_at + dt.timedelta(minutes=10))
        services.tick(shift, a.pk, 2, "社区电子屏已发布预警", now=snow_at + dt.timedelta(minutes=5))
    return Activation.objects.filter(case__reports__client_key__in=[FIRE_KEY, SNOW_KEY]).count()


def _handovers(now: dt.datetime) -> None:
    shift = User.objects.get(username="shift")
    today = dt.datetime.combine(now.astimezone(SHANGHAI).date(), dt.time(), tzinfo=SHANGHAI)
    Handover.objects.filter(centre=DISTRICT).delete()
    services.write_handover(shift, "夜间平稳。待办：两件占道经营待城管执法反馈；明日预报有雪，注意启动防汛及雨雪冰冻预案。",
                            DISTRICT, now=today - dt.timedelta(days=1) + dt.timedelta(hours=8, minutes=20))
    services.write_handover(shift, "昨日占用消防通道案件已按预案处置完毕。今晨道路结冰预案处置中，请接班继续跟进第 3 步起。",
                            DISTRICT, now=min(today + dt.timedelta(hours=8, minutes=20), now))


def build(stdout=print, scale: str = "demo") -> None:
    if scale != "demo":
        return
    now = timezone.now()
    admin = User.objects.get(username="admin")
    with transaction.atomic():
        people = _colleagues()
        shifts = _roster(admin, people, services.local_today(now))
    count = _activations(now)
    with transaction.atomic():
        _handovers(now)
    stdout(f"值班：{shifts} 个班次（本月和下月），{count} 次预案启动，交班记录 2 条")
