"""Synthetic basic data for the demo district (called by ``gridgov.demo.build`` after grids and accounts exist).

Everything is synthetic and deterministic (a seeded generator): names from fixed lists, ID numbers and credit
codes built with valid checksums, phones in the 170/171 virtual-operator ranges. Never a real person's data.

scale "demo": about one household per 10 in the grids' household estimate (≈ 27,000 households,
≈ 70,000 residents in 东城区), organisations along the lanes, key-population tags, a month of visits and
diary entries. scale "test": the three communities the tests use (多福巷 110101001001, its neighbour
110101001002 and 110101002001 in the next street), one household per 25 estimated — a few hundred residents.
"""

import datetime as dt
import math
import random
import time

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.crypto import cipher
from gridgov.geo import locating
from gridgov.geo.models import Grid, Jurisdiction

from .fastsql import db_datetime, insert_rows
from .logic import ids
from .models import (
    Building,
    DiaryEntry,
    Dwelling,
    DwellingUse,
    EventKind,
    Household,
    ImportJob,
    KeyCategory,
    KeyTag,
    Organisation,
    OrgKind,
    RegistrationType,
    Relation,
    Resident,
    ResidentEvent,
    ResidentStatus,
    Visit,
    VisitRule,
    VisitTrigger,
)
from .services import ID_FIELD, ORG_PHONE_FIELD, PHONE_FIELD

DISTRICT = "110101"
TEST_COMMUNITIES = ("110101001001", "110101001002", "110101002001")
SCALES = {"demo": 10, "test": 25}  # one synthetic household per N estimated households
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰志海燕晓东建国文博浩宇欣怡子涵雨轩梓萱一诺俊熙思远佳琪嘉怡"
LANE_WORDS = ("胡同", "巷", "条", "大街", "街", "里", "路", "桥", "口", "门", "坊", "院")
# synthetic but plausible first parts of lane names (a community's first grid takes the community's own name)
LANE_STEMS = ["福寿", "永安", "长庆", "宝善", "吉兆", "兴隆", "仁寿", "安乐", "广福", "同和", "庆丰", "椿树", "槐荫",
              "柳荫", "榆钱", "银杏", "枣林", "花园", "井儿", "石碑", "板桥", "北河", "灯笼", "菜厂", "草场", "铸钟",
              "丰盛", "大福", "新开", "盆儿", "头条", "甘雨", "报恩", "延寿", "永康", "瑞金", "三眼井", "小石桥"]
LANE_KINDS = ["胡同", "胡同", "胡同", "巷", "东巷", "大街", "里", "北街"]


def community_base(name: str) -> str:
    """「多福巷社区居委会」→「多福巷」."""
    for suffix in ("社区居委会", "居委会", "社区"):
        name = name.removesuffix(suffix)
    return name


def lane_of(community_name: str, community_code: str, k: int) -> str:
    """The lane of a community's ``k``-th unit grid: the first bears the community's name (「多福巷」,「交道口胡同」),
    the others plausible synthetic names (「永安胡同」,「宝善里」) — deterministic."""
    base = community_base(community_name)
    if k == 0:
        return base if base.endswith(LANE_WORDS) else base + "胡同"
    h = int(community_code[-6:]) * 7 + k * 13
    return LANE_STEMS[h % len(LANE_STEMS)] + LANE_KINDS[(h // len(LANE_STEMS) + k) % len(LANE_KINDS)]
ORG_WORDS = ["便民超市", "餐饮店", "理发店", "文化传媒有限公司", "科技有限公司", "物业服务中心", "社区养老驿站",
             "药店", "洗衣店", "书店", "健身工作室", "律师事务所", "社会工作服务中心", "幼儿园", "卫生服务站"]
ISSUES = ["反映楼道照明损坏", "咨询养老补贴申领", "反映垃圾清运不及时", "邻里噪音纠纷", "咨询居住证办理",
          "反映自行车乱停放", "希望增加便民服务点", "反映供暖不热", "咨询医保报销", "无诉求，家庭情况稳定"]
DIARY = ["走访辖区独居老人，身体状况良好", "巡查发现楼道堆物，已提醒居民清理", "协助居民办理居住登记",
         "收集居民对停车管理的意见", "调解一起邻里漏水纠纷", "宣传防诈骗知识", "入户核实新入住户信息"]
OTHER_REGIONS = ["130102", "130602", "370102", "410102", "420102", "510104", "340102", "230102", "140105",
                 "210102", "320102", "610102", "120101", "150102", "360102"]
OTHER_PROVINCE_REGIONS = ["810000", "820000", "830000"]


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def _birth(rng: random.Random, age: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=age * 365 + rng.randrange(365))


def _points_in(shape, n: int, rng: random.Random) -> list[tuple[float, float]]:
    from shapely.geometry import Point

    x0, y0, x1, y1 = shape.bounds
    pts, tries = [], 0
    while len(pts) < n and tries < n * 30:
        tries += 1
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shape.contains(Point(x, y)):
            pts.append((round(x, 6), round(y, 6)))
    p = shape.representative_point()
    while len(pts) < n:
        pts.append((round(p.x, 6), round(p.y, 6)))
    return pts


def clear() -> None:
    """Remove the synthetic basic data (the access log is append-only and stays)."""
    for model in (VisitTrigger, Visit, DiaryEntry, KeyTag, ResidentEvent, Resident, Household, Organisation, Dwelling,
                  Building, ImportJob):
        model.objects.all()._raw_delete(model.objects.db)


def build(stdout=print, scale: str = "demo") -> dict:
    t0 = time.perf_counter()
    with transaction.atomic():
        counts = _build(scale)
        if scale == "demo":
            _grid_households()
    stdout(f"基础数据：{counts['buildings']:,} 栋楼，{counts['dwellings']:,} 套房屋，{counts['households']:,} 户，"
           f"{counts['residents']:,} 名实有人口，{counts['organisations']:,} 家单位，{counts['tags']:,} 个重点人群标记，"
           f"{counts['visits']:,} 次走访（{time.perf_counter() - t0:.1f} 秒；全部为合成数据）")
    return counts


def _grid_households() -> None:
    """The grids' 户数 are the households of the basic data (the map and 基础数据 show the same figure), no longer
    the estimate the grid generator made from the area."""
    from gridgov.geo import services as geo

    per_key = {}
    for key in Household.objects.filter(scope_key__startswith=DISTRICT).values_list("scope_key", flat=True):
        per_key[key] = per_key.get(key, 0) + 1
    grids = list(Grid.objects.filter(layer__code__in=["unit", "management"], community__code__startswith=DISTRICT)
                 .only("id", "scope_key", "layer_id", "households", "households_estimated"))
    by_prefix = {}
    for key, n in per_key.items():
        head = key.split(".")[0]
        by_prefix[head] = by_prefix.get(head, 0) + n
    for g in grids:
        g.households = per_key.get(g.scope_key, 0) if "." in g.scope_key else by_prefix.get(g.scope_key, 0)
        g.households_estimated = False
    Grid.objects.bulk_update(grids, ["households", "households_estimated"], batch_size=1000)
    geo.bump_layers("unit", "management")


def _build(scale: str) -> dict:
    from shapely import from_geojson

    rng = random.Random(20240601)
    divisor = SCALES.get(scale, SCALES["test"])
    c = cipher()
    clear()
    now = timezone.now()
    today = timezone.localdate()
    dbnow = db_datetime(now)
    grids = Grid.objects.filter(layer__code="unit", community__code__startswith=DISTRICT).exclude(geometry="")
    if scale != "demo":
        grids = grids.filter(community__code__in=TEST_COMMUNITIES)
    grids = list(grids.select_related("community").order_by("code"))
    names = dict(Jurisdiction.objects.filter(code__startswith=DISTRICT).values_list("code", "name"))
    workers = {u.node_key: u.pk for u in User.objects.filter(role=Role.GRID_WORKER).exclude(node_key="")}
    demo_worker = User.objects.filter(username="gridworker").values_list("pk", "node_key").first()
    if demo_worker:
        workers[demo_worker[1]] = demo_worker[0]

    # -------- buildings: placed inside each unit grid; their grid comes from their location
    plan, points = [], []
    for g in grids:
        n_hh = max(1, round(g.households / divisor))
        n_b = max(1, math.ceil(n_hh / 12))
        for i, pt in enumerate(_points_in(from_geojson(g.geometry), n_b, rng)):
            plan.append((g, i, n_hh // n_b + (1 if i < n_hh % n_b else 0)))
            points.append(pt)
    located = locating.locate_many([p[0] for p in points], [p[1] for p in points]) if points else []
    keys = dict(Grid.objects.filter(layer__code="unit", code__in={r["unit_grid"] for r in located if r["unit_grid"]})
                .values_list("code", "scope_key"))
    # names as Beijing writes them: 「多福巷12号院3号楼」 in a grid of several buildings (one 院), 「永安胡同7号」
    # for a lone building; door numbers go up along a lane, odd and even sides
    buildings, lane_no, grid_k, yard, seen = [], {}, {}, {}, {}
    per_grid = {}
    for g, _i, _hh in plan:
        per_grid[g.code] = per_grid.get(g.code, 0) + 1
    for (g, i, _hh), (lon, lat), where in zip(plan, points, located, strict=True):
        community = g.community.code
        if g.code not in grid_k:  # the community's k-th grid
            grid_k[g.code] = seen[community] = seen.get(community, -1) + 1
        lane = lane_of(names.get(community, ""), community, grid_k[g.code])
        if per_grid[g.code] >= 3 or g.grid_type == "compound":  # a 院 (楼院型 grids, or several buildings)
            if g.code not in yard:
                lane_no[lane] = lane_no.get(lane, 0) + 1 + int(g.code[-3:]) % 6  # no draw: the generator's
                yard[g.code] = lane_no[lane]
            name = f"{lane}{yard[g.code]}号院{i + 1}号楼"
        else:
            lane_no[lane] = lane_no.get(lane, 0) + 1 + (int(g.code[-3:]) + i) % 4  # sequence stays as it was
            name = f"{lane}{lane_no[lane]}号"
        key = keys.get(where["unit_grid"] or "", g.scope_key)
        buildings.append(Building(code=f"B{g.code}{i + 1:02d}", name=name,
                                  address=f"北京市东城区{name}", lon=lon, lat=lat,
                                  unit_grid=where["unit_grid"] or g.code, management_grid=where["management_grid"] or "",
                                  community_code=community, floors=rng.randint(2, 6), scope_key=key,
                                  created_by_id=workers.get(key.split(".")[0])))
    Building.objects.bulk_create(buildings, batch_size=2000)
    bmap = dict(Building.objects.values_list("code", "id"))

    # -------- dwellings (occupied ones house one household each; some vacant or commercial)
    drows, occupied = [], []
    for (_g, _i, n_hh), b in zip(plan, buildings, strict=True):
        units = 1 if n_hh <= 8 else 2
        n_d = n_hh + max(0, round(n_hh * 0.08))
        per_floor = max(1, math.ceil(n_d / (units * b.floors)))
        k = 0
        for u in range(1, units + 1):
            for f in range(1, b.floors + 1):
                for r in range(1, per_floor + 1):
                    if k >= n_d:
                        break
                    room = f"{f}{r:02d}"
                    code = f"{b.code}-{u}-{room}"
                    use = (DwellingUse.OWNER if rng.random() < 0.72 else DwellingUse.RENTED) if k < n_hh else \
                        rng.choice([DwellingUse.VACANT, DwellingUse.COMMERCIAL])
                    drows.append((code, bmap[b.code], str(u), f, room, use.value, f"{rng.uniform(35, 130):.2f}",
                                  b.created_by_id, dbnow, dbnow, b.scope_key))
                    if k < n_hh:
                        occupied.append((code, b.scope_key, b.created_by_id, use))
                    k += 1
    insert_rows(Dwelling, ["code", "building_id", "unit_no", "floor", "room", "use", "area_m2", "created_by_id",
                           "created_at", "updated_at", "scope_key"], drows)
    dmap = dict(Dwelling.objects.values_list("code", "id"))

    # -------- households and residents
    insert_rows(Household, ["number", "dwelling_id", "scope_key", "note", "created_at"],
                [(f"H{code}", dmap[code], key, "", dbnow) for code, key, _w, _u in occupied])
    hmap = dict(Household.objects.values_list("number", "id"))
    used, rrows, members = set(), [], []
    seq = 0

    def new_id(region: str, birth: dt.date, male: bool) -> str:
        nonlocal seq
        while True:
            seq += 1
            s = (seq * 7) % 1000
            s = s - s % 2 + (1 if male else 0)
            idn = ids.make_id(region, birth, s)
            if idn[:17] not in used:
                used.add(idn[:17])
                return idn

    for code, key, worker, use in occupied:
        size = rng.choices([1, 2, 3, 4, 5], [22, 30, 28, 14, 6])[0]
        rented = use == DwellingUse.RENTED
        reg = RegistrationType.FLOATING if rented and rng.random() < 0.7 else \
            (RegistrationType.FOREIGN if rng.random() < 0.015 else RegistrationType.HUKOU)
        region = {RegistrationType.HUKOU: DISTRICT, RegistrationType.FLOATING: rng.choice(OTHER_REGIONS),
                  RegistrationType.FOREIGN: rng.choice(OTHER_PROVINCE_REGIONS)}[reg]
        head_age = rng.randint(22, 88) if size > 1 else rng.choice([rng.randint(22, 60), rng.randint(65, 92)])
        ages = [(head_age, Relation.HEAD)]
        if size >= 2:
            ages.append((max(20, head_age + rng.randint(-5, 5)), Relation.SPOUSE))
        for _ in range(size - len(ages)):
            if head_age < 70 and rng.random() < 0.75 and head_age - 22 >= 0:
                ages.append((max(0, head_age - rng.randint(22, 34)), Relation.CHILD))
            else:
                ages.append((min(99, head_age + rng.randint(22, 30)), Relation.PARENT))
        surname = rng.choice(SURNAMES)
        moved_in = today - dt.timedelta(days=rng.randrange(30, 8000) if not rented else rng.randrange(10, 900))
        for age, rel in ages:
            male = rng.random() < 0.5 if rel != Relation.SPOUSE else not members[-1][4]
            birth = _birth(rng, age, today)
            idn = new_id(region, birth, male)
            name = (surname if rel in (Relation.HEAD, Relation.CHILD) else rng.choice(SURNAMES)) + \
                (rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""))
            phone = f"17{rng.choice('01')}{rng.randrange(10**8):08d}" if age >= 16 and rng.random() < 0.85 else ""
            created = now - dt.timedelta(days=rng.randrange(0, 60), hours=rng.randrange(0, 9))
            rrows.append((name, c.encrypt(idn, ID_FIELD), c.index(idn, ID_FIELD), ids.mask_id(idn), ids.id_gender(idn),
                          birth.isoformat(), c.encrypt(phone, PHONE_FIELD) if phone else b"",
                          c.index(phone, PHONE_FIELD) if phone else "", ids.mask_phone(phone), reg.value,
                          hmap[f"H{code}"], rel.value, dmap[code], ResidentStatus.ACTIVE.value, moved_in.isoformat(),
                          worker, db_datetime(created), dbnow, key))
            members.append((rrows[-1][2], key, worker, age, male, hmap[f"H{code}"], rel, len(ages), created))
    insert_rows(Resident, ["name", "id_cipher", "id_index", "id_masked", "gender", "birth_date", "phone_cipher",
                           "phone_index", "phone_masked", "reg_type", "household_id", "relation", "dwelling_id",
                           "status", "moved_in", "created_by_id", "created_at", "updated_at", "scope_key"], rrows)
    rmap = dict(Resident.objects.values_list("id_index", "id"))
    insert_rows(ResidentEvent, ["resident_id", "kind", "date", "reason", "from_key", "to_key", "actor_id",
                                "created_at", "scope_key"],
                [(rmap[m[0]], EventKind.ADD.value, timezone.localdate(m[8]).isoformat(), "入户采集", "", m[1], m[2],
                  db_datetime(m[8]), m[1]) for m in members])

    # -------- key populations
    cats = {k.code: k for k in KeyCategory.objects.all()}
    tags = []
    for m in members:
        rid, key, worker, age, _male, _hh, rel, size, _created = m
        code = None
        if age >= 70 and size == 1:
            code = "elderly_alone"
        elif rng.random() < 0.015:
            code = "disabled"
        elif rng.random() < 0.012:
            code = "hardship"
        elif age < 16 and rng.random() < 0.02:
            code = "left_behind_child"
        elif 18 <= age < 60 and rng.random() < 0.002:
            code = "community_correction"
        elif 18 <= age and rng.random() < 0.002:
            code = "mental_disorder"
        if code and code in cats:
            since = today - dt.timedelta(days=rng.randrange(20, 900))
            tags.append(KeyTag(resident_id=rmap[rid], category=cats[code], since=since, scope_key=key,
                               created_by_id=worker))
    KeyTag.objects.bulk_create(tags, batch_size=2000)

    # -------- a month of visits, diary entries and 六必访 items
    heads = [m for m in members if m[6] == Relation.HEAD]
    tagged = {t.resident_id for t in tags}
    visits = []
    for m in members:
        rid, key, worker, *_ = m
        if worker is None:
            continue
        p = 0.8 if rmap[rid] in tagged else (0.25 if m[6] == Relation.HEAD else 0.0)
        if rng.random() < p:
            at = now - dt.timedelta(days=rng.randrange(0, 30), hours=rng.randrange(0, 8), minutes=rng.randrange(60))
            issue = rng.choice(ISSUES)
            visits.append(Visit(worker_id=worker, household_id=m[5], resident_id=rmap[rid], visited_at=at,
                                place="入户走访", issues=issue, follow_up="" if issue.startswith("无") else "已记录，跟进中",
                                scope_key=key))
    Visit.objects.bulk_create(visits, batch_size=2000)
    diary = []
    for node, worker in workers.items():
        if scale != "demo" and not node.startswith(TEST_COMMUNITIES):
            continue
        for _ in range(rng.randint(3, 10)):
            diary.append(DiaryEntry(worker_id=worker, date=today - dt.timedelta(days=rng.randrange(0, 30)),
                                    content=rng.choice(DIARY), scope_key=node))
    DiaryEntry.objects.bulk_create(diary, batch_size=2000)
    rules = list(VisitRule.objects.filter(active=True))
    triggers = []
    for m in heads:
        if rules and rng.random() < 0.015:
            rule = rng.choice(rules)
            occurred = today - dt.timedelta(days=rng.randrange(0, 14))
            triggers.append(VisitTrigger(household_id=m[5], rule=rule, occurred_on=occurred,
                                         due_on=occurred + dt.timedelta(days=rule.within_days), scope_key=m[1],
                                         created_by_id=m[2]))
    # the demo grid worker always has something due
    if demo_worker and rules:
        own = next((m for m in heads if m[1].startswith(demo_worker[1])), None)
        if own:
            triggers.append(VisitTrigger(household_id=own[5], rule=rules[0], occurred_on=today - dt.timedelta(days=1),
                                         due_on=today + dt.timedelta(days=rules[0].within_days - 1),
                                         scope_key=own[1], created_by_id=own[2], note="演示"))
    VisitTrigger.objects.bulk_create(triggers, batch_size=2000)

    # -------- organisations along the lanes
    orgs = []
    kinds = [(OrgKind.ENTERPRISE, "91", 60), (OrgKind.INDIVIDUAL, "92", 25), (OrgKind.SOCIAL, "52", 10),
             (OrgKind.PUBLIC, "12", 5)]
    charset = ids.CREDIT_CHARSET
    for n, b in enumerate(buildings):
        if rng.random() > 0.35:
            continue
        kind, prefix, _ = rng.choices(kinds, [k[2] for k in kinds])[0]
        body = "".join(charset[(n * 7 + i * 13 + rng.randrange(31)) % 31] for i in range(8)) + str(n % 10)
        code = ids.make_credit(prefix, DISTRICT, body)
        phone = f"17{rng.choice('01')}{rng.randrange(10**8):08d}"
        opened = today - dt.timedelta(days=rng.randrange(60, 6000))
        closed = today - dt.timedelta(days=rng.randrange(1, 50)) if rng.random() < 0.05 else None
        orgs.append(Organisation(
            name=f"北京{b.name.split('号')[0].rstrip('0123456789')[:6]}{rng.choice(ORG_WORDS)}", credit_code=code, kind=kind,
            address=b.address, lon=b.lon, lat=b.lat, building_id=bmap[b.code], unit_grid=b.unit_grid,
            contact_name=_name(rng), contact_phone_cipher=c.encrypt(phone, ORG_PHONE_FIELD),
            contact_phone_masked=ids.mask_phone(phone), opened_on=opened, closed_on=closed, scope_key=b.scope_key,
            created_by_id=b.created_by_id))
    seen = set()
    orgs = [o for o in orgs if not (o.credit_code in seen or seen.add(o.credit_code))]
    Organisation.objects.bulk_create(orgs, batch_size=2000)
    return {"buildings": len(buildings), "dwellings": len(drows), "households": len(occupied),
            "residents": len(rrows), "organisations": len(orgs), "tags": len(tags), "visits": len(visits)}
