"""The city level in the demo: 北京市's centre and a city department with their accounts, a second district
(西城区: tree, boundary and generated grids) with a handful of cases of its own loop, a city 派件 in progress and one
answered, a 督办通知书 with a 整改 reply, and a contested dispatch with its ruling (and one waiting for it).

Synthetic and deterministic (seeded random); runs after the cases demo (gridgov/demo.py DEMO_APPS)."""

import datetime as dt
import random
import time

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.cases.services import intake, transition  # the functions
from gridgov.errors import DomainError
from gridgov.geo import services as geo
from gridgov.geo.models import Grid, Jurisdiction

from . import services
from .models import CityDispatch, Notice

CITY, WEST, EAST = "1101", "110102", "110101"
PASSWORD = "gridgov-demo"
CITY_ACCOUNTS = [  # username, post, node, department
    ("city_shift", Role.SHIFT_LEADER, CITY, ""),
    ("city_dispatcher", Role.DISPATCHER, CITY, ""),
    ("city_leader", Role.LEADER, CITY, ""),
    ("city_handler", Role.HANDLER, "", "1101-CG"),
]
WEST_DEPARTMENTS = [("110102-HW", "西城区环境卫生服务中心"), ("110102-CG", "西城区城市管理委员会")]


def build(stdout=print, scale: str = "demo") -> None:
    started = time.perf_counter()
    west = geo.init_district(WEST)
    geo.import_boundary(_boundaries(), name=west.name)
    tree_s = time.perf_counter() - started
    if scale == "demo":  # the test world generates 西城区's grids itself (tests/conftest.py)
        r = geo.generate_grids(WEST)
        stdout(f"西城区：{r.unit_count:,} 个单元网格，{r.management_count:,} 个管理网格"
               f"（建树与边界 {tree_s:.1f} 秒，生成网格 {time.perf_counter() - started - tree_s:.1f} 秒）")
    people = _people()
    if scale != "demo":  # the test world: the accounts only (tests make their own 派件, notices and disputes)
        return
    if Notice.objects.exists() or CityDispatch.objects.exists():
        stdout("市级演示数据已存在，保留不变")
        return
    rng = random.Random(20261203)
    now = timezone.now()
    made = _west_cases(rng, people, now)
    _city_work(people, now, stdout)
    stdout(f"市级：西城区演示案件 {made} 件；市级派件 {CityDispatch.objects.count()} 件，"
           f"督办通知书 {Notice.objects.count()} 份；账号 city_shift / city_dispatcher / city_leader / city_handler")


def _boundaries() -> bytes:
    from gridgov.demo import boundary_file

    return boundary_file()


@transaction.atomic
def _people() -> dict[str, User]:
    city = Jurisdiction.objects.get(code=CITY)
    west = Jurisdiction.objects.get(code=WEST)
    Department.objects.update_or_create(code="1101-CG", defaults={"name": "市城市管理委员会", "district": city})
    for code, name in WEST_DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "district": west})
    from gridgov.demo import synthetic_name

    out = {}
    for i, (username, role, node, dept) in enumerate(CITY_ACCOUNTS):
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.node_key = role, node
        user.department = Department.objects.get(code=dept) if dept else None
        user.display_name = synthetic_name(3000 + i)
        user.set_password(PASSWORD)
        user.save()
        out[username] = user
    first_street = Jurisdiction.objects.filter(parent=west).order_by("code").values_list("code", flat=True).first()
    for i, (username, role, node, dept) in enumerate([
            ("demo-xc-shift", Role.SHIFT_LEADER, WEST, ""), ("demo-xc-dispatcher", Role.DISPATCHER, WEST, ""),
            ("demo-xc-intake", Role.INTAKE_CLERK, WEST, ""), ("demo-xc-inspector", Role.INSPECTOR, first_street, ""),
            ("demo-xc-inspector2", Role.INSPECTOR, first_street, ""), ("demo-xc-handler", Role.HANDLER, "", "110102-HW")]):
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.node_key = role, node
        user.department = Department.objects.get(code=dept) if dept else None
        user.display_name = synthetic_name(3100 + i)
        user.set_unusable_password()
        user.save()
        out[username] = user
    for name in ("shift", "dispatcher", "intake", "handler", "inspector", "supervisor"):
        out[name] = User.objects.get(username=name)
    return out


def _west_points(rng, n: int) -> list[tuple[float, float]]:
    from shapely import from_geojson

    grids = list(Grid.objects.filter(layer__code="unit", community__code__startswith=WEST)
                 .order_by("code").values_list("geometry", flat=True)[:400])
    if grids:
        out = []
        for g in rng.sample(grids, min(n, len(grids))):
            p = from_geojson(g).representative_point()
            out.append((p.x, p.y))
        return out
    street = Jurisdiction.objects.filter(parent__code=WEST).exclude(geometry="").order_by("code").first()
    p = street.shape.representative_point() if street else None
    return [(p.x, p.y)] * n if p else []


def _west_cases(rng, u, now) -> int:
    """A handful of 西城区 cases through its own loop: some closed, some open, one slow."""
    made = 0
    for i, (lon, lat) in enumerate(_west_points(rng, 8)):
        at = now - dt.timedelta(hours=44 - i * 5 + rng.uniform(0, 1))  # the last two days (this month's figures)
        try:
            with transaction.atomic():
                r = intake(u["demo-xc-inspector"], source="inspector", lon=lon, lat=lat,
                                  description=rng.choice(["路边暴露垃圾", "垃圾桶满溢", "绿地脏乱"]), matter="06010",
                                  now=at, find_duplicates=False)
                n = r.case.number
                steps = [(u["demo-xc-intake"], "register", {"matter": "06010"}),
                         (u["demo-xc-dispatcher"], "dispatch", {"department": "110102-HW"}),
                         (u["demo-xc-handler"], "accept", {}),
                         (u["demo-xc-handler"], "handle", {"feedback": "已清运"}),
                         (u["demo-xc-inspector2"], "inspect_pass", {}),
                         (u["demo-xc-intake"], "close", {})]
                last = 6 if i < 4 else (2 if i == 7 else 3)  # four closed, three in hand, one waiting 签收
                t = at
                for who, action, data in steps[:last]:
                    t = t + dt.timedelta(hours=rng.uniform(0.5, 4))
                    transition(who, n, action, data, now=min(t, now))
            made += 1
        except DomainError:
            continue
    return made


def _east_point():
    g = Grid.objects.filter(layer__code="unit", scope_key__startswith="110101001001W001.").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


def _city_work(u, now, stdout) -> None:
    lon, lat = _east_point()
    try:
        with transaction.atomic():
            # a city 派件 to 东城区 waiting for the district's 签收, and one to 西城区 signed and answered
            n = intake(u["city_shift"], source="leader", lon=lon, lat=lat, matter="06010",
                              description="市领导交办：东华门大街沿线暴露垃圾", now=now - dt.timedelta(hours=5),
                              find_duplicates=False).case.number
            transition(u["city_shift"], n, "register", {"matter": "06010"}, now=now - dt.timedelta(hours=4.5))
            services.dispatch_to_district(u["city_dispatcher"], n, EAST, now + dt.timedelta(days=3),
                                          "请于三日内办结并答复", now=now - dt.timedelta(hours=4))
            west = _west_points(random.Random(7), 1)
            if west:
                m = intake(u["city_shift"], source="leader", lon=west[0][0], lat=west[0][1], matter="06010",
                                  description="12345 热线集中反映：西单北大街垃圾桶满溢", now=now - dt.timedelta(days=2),
                                  find_duplicates=False).case.number
                transition(u["city_shift"], m, "register", {"matter": "06010"}, now=now - dt.timedelta(days=2))
                d = services.dispatch_to_district(u["city_dispatcher"], m, WEST, now - dt.timedelta(hours=20),
                                                  "请当日办结", now=now - dt.timedelta(days=2, minutes=-30))
                transition(u["demo-xc-dispatcher"], m, "accept", {}, now=now - dt.timedelta(days=1, hours=23))
                services.answer_dispatch(u["demo-xc-dispatcher"], d.pk, "已协调环卫清运，并增加清运频次",
                                         now=now - dt.timedelta(days=1, hours=12))
            # a 督办通知书 to 东城区 about its overdue cases, with the district's 整改 reply waiting for review
            from gridgov.cases.models import Case

            late = list(Case.objects.filter(district__code=EAST, stage_due_at__lt=now, status__in=[
                "dispatched", "accepted"]).order_by("stage_due_at").values_list("number", flat=True)[:2])
            notice = services.issue_notice(
                u["city_shift"], title="关于东城区超期案件的督办", node=EAST, cases=late,
                text="你区上述案件已超过处置时限，请于期限内完成整改，并报送整改情况和长效管理措施。",
                due_at=now + dt.timedelta(days=5), now=now - dt.timedelta(days=1))
            services.reply_notice(u["shift"], notice.pk, "已督促区环卫中心完成清运，落实每日巡查，并对责任人约谈。",
                                  now=now - dt.timedelta(hours=3))
            services.issue_notice(u["city_shift"], title="关于门前三包落实情况的督办", department="1101-CG",
                                  text="请市城市管理委员会对各区门前三包落实情况开展检查并报送。",
                                  due_at=now + dt.timedelta(days=10), now=now - dt.timedelta(hours=2))
            # a contested dispatch with its ruling, and one waiting for the ruling (东城区)
            for i, (reason, ruling) in enumerate([("该井盖属市政设施，不属环卫职责", "uphold"),
                                                  ("该处垃圾属于物业管理区域", None)]):
                t = now - dt.timedelta(hours=8 - i * 3)
                c = intake(u["inspector"], source="inspector", lon=lon, lat=lat, matter="06010",
                                  description="路面井盖周边堆放垃圾" if i == 0 else "小区门口垃圾堆放",
                                  now=t, find_duplicates=False).case.number
                transition(u["intake"], c, "register", {"matter": "06010"}, now=t + dt.timedelta(minutes=20))
                transition(u["dispatcher"], c, "dispatch", {"department": "110101-HW"},
                           now=t + dt.timedelta(minutes=40))
                transition(u["handler"], c, "contest", {"reason": reason}, now=t + dt.timedelta(hours=1))
                if ruling:
                    transition(u["shift"], c, "rule_uphold", {"department": "110101-SZ",
                                                              "reason": "经核查属市政设施，改派区市政市容委"},
                               now=t + dt.timedelta(hours=2))
    except DomainError as e:  # a step the demo could not take is reported, never hidden
        stdout(f"市级演示跳过：{e.message}")
