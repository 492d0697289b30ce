"""The demo: 东城区 with its real streets and communities, grids, 五定 and one account per post.

Everything personal here is synthetic and deterministic (names are drawn from fixed lists by index).
"""

import hashlib
import json
from importlib import resources

from django.contrib.auth.models import Permission
from django.db import transaction

from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import ROLE_LABELS, Role
from gridgov.geo import services
from gridgov.geo.models import Grid, GridClass, GridDuty, GridType, Jurisdiction, Level, Post

DISTRICT = "110101"
# the demo administrator may use the admin pages of every gridgov app
ADMIN_APPS = ["geo", "accounts", "catalog", "cases", "worktime", "audit", "notify", "basedata", "duty", "oversight", "tasks", "inspection", "governance", "patrol", "ledgers", "evaluation", "integrity", "performance"]
ADMIN_APPS.append("assess")  # assess: 考评 (read-only admin)
ADMIN_APPS.append("addresses")  # basemap: 标准地址 and 底图 sources
ADMIN_APPS.append("notices")  # notices: 通知公告 (read-only admin)
ADMIN_APPS.append("training")  # training: 培训考试 (read-only admin)
ADMIN_APPS += ["community", "services", "party", "groups"]  # the community side (#17): read-only admin pages
PASSWORD = "gridgov-demo"
DEPARTMENTS = [
    ("110101-CG", "区城市管理委员会"),
    ("110101-ZF", "区城管执法局"),
    ("110101-HW", "区环境卫生服务中心"),
    ("110101-SZ", "区市政市容管理委员会"),
    ("110101-YL", "区园林绿化局"),
    ("110101-JT", "区交通委员会"),
    ("110101-ZJ", "区住房和城乡建设委员会"),
    ("110101-SW", "区水务局"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕", "晓东"]


def synthetic_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]


def photo(seed: int, kind: str = "JPEG") -> bytes:
    """A small synthetic site photo, its own for each seed: bands and blocks of colour drawn from the seed, so that
    neither the bytes nor the perceptual hash (the integrity check's photo reuse) repeat between demo photos."""
    import io
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed * 7919 + 17)
    img = Image.new("RGB", (160, 120), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for i in range(9):  # a 9 × 8 patchwork: the difference hash compares neighbouring patches, so it is the seed's
        for j in range(8):
            shade = rng.randrange(20, 236)
            draw.rectangle([i * 160 // 9, j * 15, (i + 1) * 160 // 9, j * 15 + 14],
                           fill=(shade, (shade + rng.randrange(-20, 20)) % 256, rng.randrange(256)))
    for _ in range(3):
        x, y = rng.randrange(150), rng.randrange(110)
        draw.rectangle([x, y, x + rng.randrange(8, 60), y + rng.randrange(6, 40)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, kind, **({"quality": 80} if kind == "JPEG" else {}))
    return buf.getvalue()


def _pick(code: str, salt: str, choices: list[tuple[str, int]]) -> str:
    h = int(hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()[:8], 16) % 100
    for value, share in choices:
        if h < share:
            return value
        h -= share
    return choices[-1][0]


DEMO_ACCOUNTS = [
    # username, role, node (None = filled below), department
    ("admin", Role.ADMIN, DISTRICT, ""),
    ("leader", Role.LEADER, DISTRICT, ""),
    ("intake", Role.INTAKE_CLERK, DISTRICT, ""),
    ("shift", Role.SHIFT_LEADER, DISTRICT, ""),
    ("dispatcher", Role.DISPATCHER, DISTRICT, ""),
    ("supervisor", Role.GRID_SUPERVISOR, DISTRICT + "001", ""),
    ("inspector", Role.INSPECTOR, DISTRICT + "001", ""),
    ("gridleader", Role.GRID_LEADER, DISTRICT + "001001", ""),
    ("gridworker", Role.GRID_WORKER, DISTRICT + "001001W001", ""),
    ("handler", Role.HANDLER, "", "110101-HW"),
    ("resident", Role.RESIDENT, "", ""),
    ("clerk", Role.CLERK, DISTRICT, ""),  # levels: 信息员 (desk, 预立案) beside the 监督员 (field)
]


def already_built() -> bool:
    """The demo finished once in this database (its last step made the case history)."""
    from gridgov.cases.models import Case

    return User.objects.filter(username="admin").exists() and Case.objects.filter(number__startswith=DISTRICT).exists()


def accounts() -> list[tuple[str, str, str]]:
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
             .select_related("department")}
    return [(name, ROLE_LABELS[role], users[name].department.name if users[name].department_id else (node or "—"))
            for name, role, node, _ in DEMO_ACCOUNTS if name in users]


def boundary_file() -> bytes:
    return resources.files("gridgov.geo").joinpath("data/boundaries/beijing-districts.geojson").read_bytes()


# Apps that add to the demo provide ``<app>/demo.py`` with ``build(stdout, scale)``; they run in this order.
DEMO_APPS = ["gridgov.catalog", "gridgov.basedata", "gridgov.cases", "gridgov.duty", "gridgov.oversight", "gridgov.tasks",
             "gridgov.inspection", "gridgov.governance"]
DEMO_APPS.append("gridgov.geo")  # gridchange: a re-division applied with its history (after the cases it carries)
DEMO_APPS.append("gridgov.patrol")  # patrol: a month of shifts and tracks on the grids as they are now
DEMO_APPS.append("gridgov.ledgers")  # ledgers: 附件2 bases and totals; at demo scale two months of registers
DEMO_APPS.append("gridgov.evaluation")  # evaluation: surveys of part of the closed cases, last month's ratings
DEMO_APPS.append("gridgov.integrity")  # integrity: a few flags (one confirmed, one cleared, some pending)
DEMO_APPS.append("gridgov.ops")  # scale: one health-check pass (/healthz, /metrics, 系统运行 from health checks)
DEMO_APPS.append("gridgov.addresses")  # basemap: the address register from the buildings, places, an offline archive
DEMO_APPS.append("gridgov.assess")  # assess: two scored and published months, judgements, an upheld and a pending appeal (last: it reads the others)
DEMO_APPS.append("gridgov.open311")  # open311: a demo api key (printed) and a few Open311 requests
DEMO_APPS.append("gridgov.hotline")  # open311: a 12345 system, its orders, an outbox with sent and pending
DEMO_APPS.append("gridgov.analytics")  # analytics: the per-day roll-up rebuilt from every demo case (last: after the grid change)
DEMO_APPS.append("gridgov.exports")  # exports: today's reports for the big screen, a shared column set, a finished export
DEMO_APPS.append("gridgov.briefs")  # briefs: issued 简报 of the last weeks (one draft), 月报, 通报, 值班日报, 分析报告 with its mining run; the leader subscribes
DEMO_APPS.append("gridgov.notify")  # notify: unread messages for every post, preferences, delivery record examples (last: after every app that notifies)
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.community")  # community: 服务热线 and 监督电话 of the demo district, every grid's board
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.notices")  # notices: notices and a warning per street, a staff notice half read, subscribed residents and yesterday's digest
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.services")  # services: teams, volunteers, stations, pledges, elderly requests
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.party")  # party: 网格党组织, 党员, 报到与承诺, 入户, 帮扶对子 (one overdue)
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.basedata.households")  # households: 网格长本年走访（覆盖 60–90 %）、关联案件的走访
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.training")  # training: two courses, a bank, an exam taken, last month's sessions
DEMO_APPS.insert(DEMO_APPS.index("gridgov.notify"), "gridgov.groups")  # groups: a class with four dormitories, a company, 独居且 80 岁以上


def build(stdout=print, scale: str = "demo") -> list[tuple[str, str, str]]:
    """Build the whole demo (idempotent: rebuilds grids and demo people). Returns the demo accounts.

    ``scale`` is "demo" for `make demo`, or "test" for the smaller world the test suite builds once.
    """
    import time

    started = last = time.monotonic()

    def lap(step: str) -> None:  # the time of each step, printed (the demo's speed budget: ≤ 90 s on SQLite)
        nonlocal last
        now = time.monotonic()
        stdout(f"  用时：{step} {now - last:.1f} 秒")
        last = now

    district = services.init_district(DISTRICT)
    stdout(f"辖区：{district.parent.name}{district.name}，{services.descendants(district, Level.STREET).count()} 个街道，"
           f"{services.descendants(district, Level.COMMUNITY).count()} 个社区")
    report = services.import_boundary(boundary_file(), name=district.name)
    for line in report.imported + report.repaired:
        stdout(f"边界：{line}")
    r = services.generate_grids(DISTRICT)
    stdout(f"网格：{r.unit_count:,} 个单元网格，{r.management_count:,} 个管理网格")
    _classify()
    _environment_layer()
    lap("辖区、边界与网格")
    accounts = _people()
    lap("账号与五定")
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    from gridgov import background

    # the demo's background jobs (the 值班长's export, documents) run here as each step commits: in a thread of their
    # own they wait on SQLite's one writer behind the next step, and on a busy machine gave up (an export left 生成中)
    had = settings.GRIDGOV.get("BACKGROUND")
    if background.mode() == "thread":
        settings.GRIDGOV["BACKGROUND"] = "inline"
    try:
        for app in DEMO_APPS:
            if find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").build(stdout, scale)
                lap(app.rsplit(".", 1)[-1])
    finally:
        if had is None:
            settings.GRIDGOV.pop("BACKGROUND", None)
        else:
            settings.GRIDGOV["BACKGROUND"] = had
    stdout(f"演示数据构建完成，共用时 {time.monotonic() - started:.1f} 秒")
    return accounts


@transaction.atomic
def _classify() -> None:
    """Synthetic, deterministic variety of grid classes and types (real ones are set by the district)."""
    grids = list(Grid.objects.filter(layer__code__in=["unit", "management"], community__code__startswith=DISTRICT)
                 .select_related("layer"))
    # a management grid's class is drawn; its unit grids have the same class (one class per grid, as its 五定 says)
    classes = {g.pk: _pick(g.code, "class", [(GridClass.ONE, 25), (GridClass.TWO, 55), (GridClass.THREE, 20)])
               for g in grids if g.layer.code == "management"}
    for g in grids:
        g.grid_class = classes.get(g.pk) or classes.get(g.parent_id) or \
            _pick(g.code, "class", [(GridClass.ONE, 25), (GridClass.TWO, 55), (GridClass.THREE, 20)])
        if g.layer.code == "unit":
            g.grid_type = _pick(g.code, "type", [(GridType.STREET, 50), (GridType.COMPOUND, 35), (GridType.UNIT, 15)])
    Grid.objects.bulk_update(grids, ["grid_class", "grid_type"], batch_size=1000)
    services.bump_layers("unit", "management")


def _environment_layer() -> None:
    """A thematic layer made through the import path: 环保四级网格, one per community (as in seed 003)."""
    features = [
        {"type": "Feature", "geometry": json.loads(c.geometry),
         "properties": {"code": f"HB{c.code}", "name": f"{c.name}环保网格", "community": c.code, "grid_class": "2"}}
        for c in Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=DISTRICT).exclude(geometry="")
    ]
    services.import_grids(None, "env", "环保四级网格", json.dumps({"type": "FeatureCollection", "features": features}))


@transaction.atomic
def _people() -> list[tuple[str, str, str]]:
    district = Jurisdiction.objects.get(code=DISTRICT)
    for code, name in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "district": district})
    GridDuty.objects.filter(grid__community__code__startswith=DISTRICT).delete()
    User.objects.filter(username__startswith="demo-").delete()
    admin_perms = list(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    accounts = []
    for i, (username, role, node, dept) in enumerate(DEMO_ACCOUNTS):
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.node_key = node
        user.department = Department.objects.get(code=dept) if dept else None
        user.display_name = synthetic_name(1000 + i)
        user.is_staff = role == Role.ADMIN
        user.set_password(PASSWORD)
        user.save()
        if role == Role.ADMIN:
            user.user_permissions.set(admin_perms)
        where = user.department.name if user.department else (node or "—")
        accounts.append((username, ROLE_LABELS[role], where))
    # one synthetic grid worker per management grid, one grid leader per community, one supervisor per street
    mgmt = list(Grid.objects.filter(layer__code="management", community__code__startswith=DISTRICT)
                .select_related("community").order_by("code"))
    communities = sorted({g.community.code for g in mgmt})
    streets = sorted({c[:9] for c in communities})
    people = []
    for i, g in enumerate(mgmt):
        people.append(User(username=f"demo-w{g.code}", role=Role.GRID_WORKER, node_key=g.scope_key,
                           display_name=synthetic_name(i)))
    for i, c in enumerate(communities):
        people.append(User(username=f"demo-l{c}", role=Role.GRID_LEADER, node_key=c, display_name=synthetic_name(5000 + i)))
    for i, s in enumerate(streets):
        people.append(User(username=f"demo-s{s}", role=Role.GRID_SUPERVISOR, node_key=s,
                           display_name=synthetic_name(9000 + i)))
    for p in people:
        p.set_unusable_password()
    User.objects.bulk_create(people, batch_size=500)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    demo_worker = User.objects.get(username="gridworker")
    demo_leader = User.objects.get(username="gridleader")
    duties = []
    for g in mgmt:
        standard = services.CLASS_STANDARD[GridClass(g.grid_class)]
        worker = demo_worker if g.scope_key == demo_worker.node_key else by_name[f"demo-w{g.code}"]
        leader = demo_leader if g.community.code == demo_leader.node_key else by_name[f"demo-l{g.community.code}"]
        duties += [
            GridDuty(grid=g, person=worker, post=Post.GRID_WORKER, duty_hours="周一至周五 8:30–17:30，周末轮值",
                     standard=standard),
            GridDuty(grid=g, person=leader, post=Post.GRID_LEADER, duty_hours="周一至周五 8:30–17:30", standard=standard),
            GridDuty(grid=g, person=by_name[f"demo-s{g.community.code[:9]}"], post=Post.SUPERVISOR,
                     duty_hours="每周巡查督导不少于 2 次", standard="督导本街道各网格履职"),
        ]
    GridDuty.objects.bulk_create(duties, batch_size=1000)
    return accounts
