"""Demo: routing rules and about a month of realistic case activity in 东城区, replayed through the services.

Everything goes through ``intake`` and ``transition`` (with the historical time), so the timeline, deadlines,
audit chain and notifications are exactly what real use would have produced. Deterministic (seeded).
"""

import datetime as dt
import random
import zoneinfo

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.catalog.models import CatalogItem
from gridgov.errors import DomainError
from gridgov.geo.models import Grid, Jurisdiction

from .logic.lifecycle import State
from .models import Case, CaseEvent, RoutingRule
from .services import intake, scan, suggest, transition

DISTRICT = "110101"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# matter code → department code (the district's routing rules), and how often each matter is reported
ROUTES = {
    "06010": ("110101-HW", 22), "06036": ("110101-HW", 12), "06042": ("110101-HW", 6), "06012": ("110101-HW", 5),
    "09006": ("110101-ZF", 12), "09005": ("110101-ZF", 8), "07001": ("110101-ZF", 10), "06001": ("110101-ZF", 3),
    "01002": ("110101-SZ", 4), "01003": ("110101-SZ", 3), "06013": ("110101-SZ", 3),
    "04013": ("110101-YL", 3), "06017": ("110101-YL", 2), "09010": ("110101-JT", 5), "09009": ("110101-JT", 2),
}
SOURCES = [("grid_worker", 40), ("inspector", 20), ("resident", 14), ("hotline", 16), ("sensor", 5), ("leader", 3),
           ("media", 2)]
TEXTS = {
    "06010": ["路边有暴露垃圾未清运", "垃圾袋堆在路口", "胡同口有散落垃圾"],
    "06036": ["楼道口乱堆杂物", "人行道上堆放建材", "院内堆放废旧家具"],
    "06042": ["垃圾桶满溢", "垃圾站周边散落垃圾"], "06012": ["路面有油污", "道路不洁"],
    "09006": ["早点摊占道经营", "水果摊占用人行道"], "09005": ["商户店外经营", "餐馆门前摆桌"],
    "07001": ["电线杆上贴满小广告", "墙面喷涂小广告"], "06001": ["屋顶私搭乱建"],
    "01002": ["污水井盖破损", "井盖松动有响声"], "01003": ["雨水井盖缺失"], "06013": ["路面坑洼"],
    "04013": ["绿地黄土裸露"], "06017": ["绿地内有垃圾"], "09010": ["共享单车堆放堵路"], "09009": ["机动车占用盲道"],
}


def _rules() -> None:
    district = Jurisdiction.objects.get(code=DISTRICT)
    depts = {d.code: d for d in Department.objects.filter(district=district)}
    items = {i.code: i for i in CatalogItem.objects.filter(kind="matter", code__in=ROUTES)}
    RoutingRule.objects.filter(department__district=district).delete()
    rules = [RoutingRule(matter=items[code], level="district", department=depts[dept], priority=10)
             for code, (dept, _) in ROUTES.items() if code in items]
    rules.append(RoutingRule(matter=None, level="district", department=depts["110101-CG"], priority=0))
    # small matters in residential courtyards (C) go down to the community (小事不出社区)
    if "06036" in items:
        rules.append(RoutingRule(matter=items["06036"], level="district", area_class="C", target_level="community",
                                 priority=20))
    RoutingRule.objects.bulk_create(rules)


def _people() -> dict:
    """Synthetic inspectors per street and handlers per department (no password: they do not sign in)."""
    streets = list(Jurisdiction.objects.filter(code__startswith=DISTRICT, level="street").values_list("code", flat=True))
    depts = list(Department.objects.filter(district__code=DISTRICT))
    existing = set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True))
    # two inspectors a street: one finds and reports problems, the other verifies and inspects (监督与处置分离
    # also means nobody inspects what they reported)
    new = [User(username=f"demo-{k}{s}", role=Role.INSPECTOR, node_key=s, display_name=f"监督员{i + 1:02d}{k}")
           for i, s in enumerate(streets) for k in ("i", "r") if f"demo-{k}{s}" not in existing]
    new += [User(username=f"demo-h{d.code}", role=Role.HANDLER, department=d, display_name=f"{d.name[1:5]}处置员")
            for d in depts if f"demo-h{d.code}" not in existing]
    for u in new:
        u.set_unusable_password()
    User.objects.bulk_create(new)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "intake", "shift", "dispatcher", "resident", "gridworker", "inspector", "handler", "supervisor",
        "gridleader"])}
    users["inspectors"] = {u.node_key: u for u in User.objects.filter(username__startswith="demo-i")}
    users["reporters"] = {u.node_key: u for u in User.objects.filter(username__startswith="demo-r")}
    users["handlers"] = {u.department_id: u for u in User.objects.filter(username__startswith="demo-h")}
    users["handlers"][users["handler"].department_id] = users["handler"]
    users["inspectors"]["110101001"] = users["inspector"]
    users["workers"] = {u.node_key: u for u in User.objects.filter(role=Role.GRID_WORKER)}
    return users


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


def build(stdout=print, scale: str = "demo") -> None:
    import time

    _rules()
    users = _people()
    started = time.monotonic()
    if scale == "demo":  # many residents report (a few of them often), and the 12345 callers are people too
        users["callers"] = _callers()
    days, per_day = (30, 12) if scale == "demo" else (6, 4)
    rng = random.Random(20261123)
    grids = list(Grid.objects.filter(layer__code="unit", community__code__startswith=DISTRICT)
                 .values_list("code", "geometry", "scope_key", "parent__scope_key"))
    if scale != "demo":  # the test world: concentrate on the demo accounts' street so every role meets cases
        grids = [g for g in grids if g[0].startswith("110101001")]
    from shapely import from_geojson

    today = timezone.now().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    matters = [(code, w) for code, (_, w) in ROUTES.items()]
    made = 0
    for day in range(days, 0, -1):
        n = per_day
        if scale == "demo":  # a real district's days differ: fewer reports at weekends, some busy days
            weekend = (today - dt.timedelta(days=day)).weekday() >= 5
            n = max(3, per_day + rng.randint(-4, 5) - (4 if weekend else 0))
        for _ in range(n):
            at = today - dt.timedelta(days=day) + dt.timedelta(hours=rng.uniform(7.5, 20.5))
            code, geometry, scope_key, mgmt_key = rng.choice(grids)
            p = from_geojson(geometry).representative_point()
            try:
                with transaction.atomic():
                    _one(rng, users, at, _weighted(rng, matters), p.x, p.y, mgmt_key, age_days=day)
                made += 1
            except DomainError as e:  # a step the demo could not take is reported, never hidden
                stdout(f"案件演示跳过一步：{e.message}")
    if scale == "demo":
        made += _recent(rng, users, grids, stdout)
    made += _levels(rng, users, grids, today, days, scale, stdout)
    stdout(f"  用时：案件回放（经业务流程）{made} 件 {time.monotonic() - started:.1f} 秒")
    copied = 0
    if scale == "demo":
        mark = time.monotonic()
        copied = _history(users, today)
        stdout(f"  用时：历史案件批量载入 {copied} 件 {time.monotonic() - mark:.1f} 秒")
    result = scan()
    open_cases = Case.objects.filter(district__code=DISTRICT).exclude(
        status__in=[State.CLOSED, State.ARCHIVED, State.DECLINED, State.VOIDED, State.MERGED]).count()
    stdout(f"案件：回放 {days} 天共 {made} 件，历史载入 {copied} 件（在办 {open_cases} 件；"
           f"时限预警 黄 {result['yellow']}、红 {result['red']}）")


def _recent(rng, users, grids, stdout) -> int:
    """The last day and a half, through the services: each case stops before a step drawn from ``HOLDS`` (or where
    the present stops it), so whatever the hour the demo is built, every post has work waiting — 待受理, 核实中,
    待派遣, 待签收, 办理中, 待核查, 待审批 — a quarter of it in the demo accounts' street (东华门街道)."""
    from shapely import from_geojson

    now = timezone.now()
    home = [g for g in grids if g[0].startswith("110101001")]
    own = [g for g in grids if g[3] == "110101001001W001"]  # the demo grid worker's grid
    matters = [(code, w) for code, (_, w) in ROUTES.items()]
    made = 0
    for i in range(RECENT_CASES):
        at = now - dt.timedelta(hours=rng.uniform(0.3, 36))
        _, geometry, _, mgmt_key = rng.choice(own if i % 12 == 0 else home if i % 4 == 0 else grids)
        p = from_geojson(geometry).representative_point()
        try:
            with transaction.atomic():
                _one(rng, users, at, _weighted(rng, matters), p.x, p.y, mgmt_key, age_days=0, hold=_weighted(rng, HOLDS))
            made += 1
        except DomainError as e:
            stdout(f"案件演示跳过一步：{e.message}")
    return made


def _one(rng, users, at, matter, lon, lat, mgmt_key, age_days, hold=None):
    source = _weighted(rng, SOURCES)
    worker = users["workers"].get(mgmt_key) or users["gridworker"]
    reporter = {"grid_worker": worker, "inspector": users["reporters"][mgmt_key[:9]],
                "resident": users["resident"]}.get(source, users["intake"])
    urgent = rng.random() < 0.04
    name, phone = "张先生", f"139{rng.randrange(10**8):08d}"
    if "callers" in users and source in ("resident", "hotline"):
        caller = _caller(users["callers"], at)
        name, phone = caller[1], caller[2]
        if source == "resident":
            reporter = caller[0]
    r = intake(reporter, source=source, lon=lon, lat=lat, description=rng.choice(TEXTS[matter]),
               matter=matter if source not in ("resident", "hotline") else None,
               urgency="urgent" if urgent else "normal", now=at, find_duplicates=False,
               reporter_name=name if source in ("resident", "hotline") else "",
               reporter_phone=phone if source in ("resident", "hotline") else "")
    case = r.case
    n = case.number
    inspector = users["inspectors"].get(case.scope_key[:9], users["inspector"])
    intake_clerk, shift, dispatcher = users["intake"], users["shift"], users["dispatcher"]
    t = at

    def step(user, action, hours, **data):
        nonlocal t
        t = t + dt.timedelta(hours=hours)
        if t > timezone.now() or action == hold:
            raise _Stop()
        transition(user, n, action, data, now=t)

    try:
        # a share of what grid workers find is fixed on the spot (自行处置)
        if source == "grid_worker" and rng.random() < 0.25 and matter in ("06010", "07001", "06036"):
            step(worker, "self_handle", 0.3, feedback="已现场处置")
            step(inspector, "inspect_pass", rng.uniform(1, 6))
            step(intake_clerk, "close", 0.5)
            if age_days > 7:
                step(shift, "archive", 24 * 5)
            return
        if source in ("resident", "hotline", "media") and not urgent:
            step(intake_clerk, "assign_verify", rng.uniform(0.1, 1))
            if rng.random() < 0.06:
                step(inspector, "refute", rng.uniform(0.5, 3), reason="现场未发现该问题")
                return
            step(inspector, "confirm", rng.uniform(0.5, 3))
        if rng.random() < 0.03:
            step(intake_clerk, "decline", 0.3, reason="不属于城市管理范围")
            return
        step(intake_clerk, "register", rng.uniform(0.1, 0.8), matter=matter)
        case.refresh_from_db()
        s = suggest(case)
        if s.department_id:
            dept = s.department_id
            if rng.random() < 0.05:  # a wrong dispatch, returned by the department
                wrong = next(d for d in users["handlers"] if d != dept)
                step(dispatcher, "dispatch", 0.2, department=wrong)
                step(users["handlers"][wrong], "return", rng.uniform(1, 5), reason="不属于本部门职责")
            step(dispatcher, "dispatch", rng.uniform(0.1, 1), department=dept)
            holder = users["handlers"][dept]
        else:
            step(dispatcher, "delegate", 0.3, node=s.node or case.scope_key[:12])
            holder = User.objects.filter(role=Role.GRID_LEADER, node_key=s.node or case.scope_key[:12]).first()
        slow = rng.random() < 0.15  # some departments are slow: these become the overdue cases
        step(holder, "accept", rng.uniform(2, 30) if slow else rng.uniform(0.2, 6))
        if rng.random() < 0.04:
            step(holder, "request_suspension", 2, reason="需协调产权单位")
            step(shift, "approve_suspension", 1)
            step(holder, "resume", 24 * rng.uniform(1, 4))
        if rng.random() < 0.04 or hold == "approve_extension":
            step(holder, "request_extension", 1, reason="需要采购配件", amount=2)
            step(shift, "approve_extension", 1)
        step(holder, "handle", rng.uniform(20, 120) if slow else rng.uniform(1, 8), feedback="已处置完毕")
        if rng.random() < 0.08:
            step(inspector, "inspect_fail", rng.uniform(1, 4), reason="现场仍有残留")
            step(holder, "handle", rng.uniform(1, 6), feedback="已返工处理")
        step(inspector, "inspect_pass", rng.uniform(1, 6))
        step(intake_clerk, "close", rng.uniform(0.2, 2))
        if source in ("resident", "hotline"):
            if rng.random() < 0.06:
                step(intake_clerk, "reopen", 24, reason="回访：居民表示问题未解决", satisfaction=2)
                return
            step(intake_clerk, "follow_up", 24, satisfaction=rng.choice([4, 5, 5, 5, 3]))
        if age_days > 10:
            step(shift, "archive", 24 * 3)
    except _Stop:
        return


class _Stop(Exception):
    """The replay reached the present: the case stays where it is now."""


# ---------------------------------------------------------------- levels: the tiered path 网格 → 社区 → 街道 → 区

SOCIAL = [("50001", "楼上漏水，邻里发生争执", 20), ("50002", "家庭矛盾，老人反映子女不赡养", 8),
          ("50003", "业主与物业因停车收费发生纠纷", 10), ("52001", "楼道堆放杂物堵塞消防通道", 12),
          ("52002", "老旧平房墙体开裂", 5), ("53001", "小作坊夜间排放刺鼻废气", 4),
          ("54002", "独居老人申请上门助餐服务", 8)]
# where it is settled: grid (网格长), community, street (分中心), district (a department) — 小事不出网格、大事不出社区
SETTLE = [("grid", 58), ("community", 24), ("street", 10), ("district", 8)]
# (days ago, index of the day) → where it stops: waiting for the 网格长's 受理, sent up to the street, 受理'd there
WAITING = {(1, 0): "at_grid", (2, 0): "at_street", (3, 0): "street_received", (4, 0): "at_street"}


def _levels(rng, users, grids, today, days, scale, stdout) -> int:
    """Social-governance reports that enter at the grid and are settled at the grid, the community, the street or
    the district — replayed through the services; the last days' cases are still open at their level, so the grid
    leader's and the supervisor's first screens have work (and 东华门街道's 分中心 holds a few now)."""
    leaders = {u.node_key: u for u in User.objects.filter(role=Role.GRID_LEADER)}
    supervisors = {u.node_key: u for u in User.objects.filter(role=Role.GRID_SUPERVISOR)}
    leaders["110101001001"] = users["gridleader"]
    supervisors["110101001"] = users["supervisor"]
    per_day = 5 if scale == "demo" else 2
    made = 0
    pairs = [((code, text), w) for code, text, w in SOCIAL]
    for day in range(days, -1, -1):
        for i in range(per_day):
            at = today - dt.timedelta(days=day) + dt.timedelta(hours=rng.uniform(8, 18))
            if at > timezone.now():
                continue
            _, geometry, _, mgmt_key = rng.choice(grids)
            settle = _weighted(rng, SETTLE)
            if (day, i) in WAITING:  # in the demo accounts' grid: open on their first screens now
                settle, mgmt_key = WAITING[(day, i)], "110101001001W001"
                geometry = next(g[1] for g in grids if g[3] == mgmt_key)
            from shapely import from_geojson

            p = from_geojson(geometry).representative_point()
            try:
                with transaction.atomic():
                    _climb(rng, users, leaders, supervisors, at, _weighted(rng, pairs), p.x, p.y, mgmt_key, settle)
                made += 1
            except DomainError as e:
                stdout(f"层级演示跳过一步：{e.message}")
    return made


def _climb(rng, users, leaders, supervisors, at, matter, lon, lat, mgmt_key, settle) -> None:
    code, text = matter
    worker = users["workers"].get(mgmt_key) or users["gridworker"]
    resident = rng.random() < 0.3
    r = intake(users["resident"] if resident else worker, source="resident" if resident else "grid_worker",
               lon=lon, lat=lat, description=text, matter=code, now=at, find_duplicates=False,
               reporter_name="李女士" if resident else "", reporter_phone=f"138{rng.randrange(10**8):08d}" if resident
               else "")
    n = r.case.number
    key = r.case.scope_key
    leader = leaders.get(key[:12])
    supervisor = supervisors.get(key[:9])
    inspector = users["inspectors"].get(key[:9], users["inspector"])
    t = at

    def step(user, action, hours, **data):
        nonlocal t
        t = t + dt.timedelta(hours=hours)
        if t > timezone.now():
            raise _Stop()
        transition(user, n, action, data, now=t)

    try:
        if settle == "at_grid":
            return
        step(leader, "receive", rng.uniform(0.2, 3))  # 网格长: 受理第一人
        holder = leader
        if settle != "grid":
            step(leader, "escalate", rng.uniform(1, 4), reason="网格内协调不成，上报社区")
            step(leader, "receive", rng.uniform(0.5, 2))
        if settle != "grid" and settle != "community":
            step(leader, "escalate", rng.uniform(2, 6), reason="社区无法解决，上报街道分中心")
            if settle == "at_street":
                return
            step(supervisor, "receive", rng.uniform(0.5, 6))
            if settle == "street_received":
                return
            holder = supervisor
        if settle == "district":
            step(supervisor, "escalate", rng.uniform(4, 24), reason="需区级部门处置")
            step(users["dispatcher"], "dispatch", rng.uniform(0.2, 2), department="110101-CG")
            holder = users["handlers"][Department.objects.get(code="110101-CG").pk]
            step(holder, "accept", rng.uniform(1, 10))
        step(holder, "handle", rng.uniform(2, 48), feedback="已协调解决" if settle != "district" else "已处置完毕")
        step(inspector, "inspect_pass", rng.uniform(1, 8))
        step(users["intake"], "close", rng.uniform(0.2, 2))
    except _Stop:
        return


# ---------------------------------------------------------------- the demo's volume: a district's weeks of work

# reports of the last day and a half through the services, each stopped before one step (weights): what is open
# now — the intake's 待受理, 核实中, the dispatcher's 待派遣, the handlers' 待签收 and 办理中, the inspectors' 核查,
# the shift leader's 待审批 (None: as far as the present lets it go)
RECENT_CASES = 180
HOLDS = [("register", 16), ("confirm", 10), ("dispatch", 12), ("accept", 16), ("handle", 20), ("inspect_pass", 12),
         ("approve_extension", 8), (None, 6)]
# reports a day (low, high) as 东城区 handles them (数字城管: hundreds a day; fewer at weekends)
VOLUME = {"weekday": (300, 440), "weekend": (180, 250)}
HISTORY_DAYS = 30  # as many as the replay (the dashboard's 30-day trend)
# the day's rhythm: reports by hour of the day (local), as a 数字城管 centre sees them
HOURS = [(7, 3), (8, 10), (9, 13), (10, 13), (11, 10), (12, 5), (13, 6), (14, 10), (15, 11), (16, 9), (17, 5),
         (18, 3), (19, 2)]
WHERE = ["门前", "附近", "东侧", "西侧", "院门口", "南侧人行道", "北侧便道", ""]
CALLERS = 320  # synthetic residents who report (the first few report often)
FREQUENT = 8


def _callers() -> list[tuple]:
    """Synthetic residents who report: accounts (no password: they report through the public pages), names and
    phones in the 170/171 virtual ranges (never a real number). The demo ``resident`` account is one of them."""
    from gridgov.demo import SURNAMES, synthetic_name

    existing = set(User.objects.filter(username__startswith="demo-p").values_list("username", flat=True))
    new = [User(username=f"demo-p{i:03d}", role=Role.RESIDENT, display_name=synthetic_name(20000 + i * 3))
           for i in range(1, CALLERS) if f"demo-p{i:03d}" not in existing]
    for u in new:
        u.set_unusable_password()
    User.objects.bulk_create(new)
    people = [User.objects.get(username="resident")] + list(User.objects.filter(username__startswith="demo-p")
                                                             .order_by("username"))
    out = []
    for i, u in enumerate(people):
        title = "女士" if i % 3 == 1 else "先生"
        out.append((u, SURNAMES[(i * 7) % len(SURNAMES)] + title, f"17{i % 2}{(i * 7919 + 1234567) % 10**8:08d}"))
    return out


def _caller(callers: list[tuple], at) -> tuple:
    """A deterministic caller for a report at ``at``: one in four reports comes from the few frequent reporters
    (the demo ``resident`` first among them), the rest spread over everyone."""
    k = int(at.timestamp()) // 7
    if k % 4 == 0:
        return callers[(k // 4) % FREQUENT]
    return callers[FREQUENT + (k * 31) % (len(callers) - FREQUENT)]


def _history(users, today) -> int:
    """The weeks before: finished cases copied in bulk from the replayed ones of about the same age (their whole
    course — states, clocks, timeline — as the services made it), each at another time and place of the same
    community, until each day holds a district's volume (``services.history``: one audit record per case, with its course)."""
    from django.db.models import Max
    from shapely import from_geojson
    from shapely.prepared import prep

    from gridgov.basedata.models import Building

    from .logic.lifecycle import OPEN_STATES
    from .services import history

    rng = random.Random(20261204)
    now = timezone.now()
    ends = dict(CaseEvent.objects.filter(case__district__code=DISTRICT).values("case_id").annotate(end=Max("at"))
                .values_list("case_id", "end"))
    finished = [(pk, at, community, source, code) for pk, at, community, source, code in
                Case.objects.filter(district__code=DISTRICT).exclude(status__in=[*OPEN_STATES, State.MERGED])
                .values_list("id", "reported_at", "community_id", "source", "matter__code") if pk in ends]
    reported = {}
    for at in Case.objects.filter(district__code=DISTRICT).values_list("reported_at", flat=True):
        day = (today - at.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)).days
        reported[day] = reported.get(day, 0) + 1
    grids = {}
    for pk, community, geometry, code in Grid.objects.filter(layer__code="unit", community__code__startswith=DISTRICT) \
            .exclude(geometry="").values_list("id", "community_id", "geometry", "code"):
        grids.setdefault(community, []).append((pk, geometry, code))
    shapes, addresses = {}, {}
    for code, address in Building.objects.filter(community_code__startswith=DISTRICT).values_list("unit_grid", "address"):
        addresses.setdefault(code, []).append(address.removeprefix("北京市东城区"))

    def place(grid):
        pk, geometry, code = grid
        if pk not in shapes:
            shape = from_geojson(geometry)
            shapes[pk] = (shape, prep(shape), shape.bounds)
        shape, prepared, (x0, y0, x1, y1) = shapes[pk]
        from shapely.geometry import Point

        for _ in range(12):
            p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
            if prepared.contains(p):
                return p.x, p.y
        p = shape.representative_point()
        return p.x, p.y

    copies = []
    hours = [(h, w) for h, w in HOURS]
    for day in range(HISTORY_DAYS, 0, -1):
        start = today - dt.timedelta(days=day)
        low, high = VOLUME["weekend" if start.weekday() >= 5 else "weekday"]
        target = rng.randint(low, high) + (rng.randint(40, 90) if rng.random() < 0.12 else 0)  # some busy days
        age = dt.timedelta(days=day)
        pool = [t for t in finished if abs((today - t[1].astimezone(SHANGHAI)) - age) <= dt.timedelta(days=3)]
        for _ in range(max(0, target - reported.get(day, 0))):
            for _try in range(6):
                pk, t_at, community, source, code = rng.choice(pool)
                at = start + dt.timedelta(hours=_weighted(rng, hours), minutes=rng.uniform(0, 60))
                if at + (ends[pk] - t_at) < now - dt.timedelta(minutes=1) and community in grids:
                    break
            else:
                continue
            grid = rng.choice(grids[community])
            lon, lat = place(grid)
            near = addresses.get(grid[2])
            caller = _caller(users["callers"], at) if source in ("resident", "hotline") else None
            copies.append(history.Copy(
                pk, at, grid[0], lon, lat, description=rng.choice(TEXTS[code]) if code in TEXTS else "",
                address=f"{rng.choice(near)}{rng.choice(WHERE)}" if near else "",
                reporter_name=caller[1] if caller else "", reporter_phone=caller[2] if caller else "",
                reporter=caller[0].pk if caller and source == "resident" else None))
    for i in range(0, len(copies), 2000):
        history.load(copies[i:i + 2000], now=now)
    return len(copies)
