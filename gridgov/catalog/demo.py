"""Demo components in 东城区: manhole covers, storm drains, street lamps, bins, street-name signs and benches
placed in the unit grids (synthetic and deterministic; run by ``gridgov.demo.build`` after the grids exist)."""

import hashlib

from django.db import transaction

from .models import Component, ComponentSerial, ComponentStatus

DISTRICT = "110101"
# class code, share (%), owner, maintainer — owners are the demo departments, maintainers synthetic
KINDS = [
    ("01002", 14, "区水务局", "东城区排水养护所（示例）"),
    ("01003", 12, "区水务局", "东城区排水养护所（示例）"),
    ("01004", 10, "区水务局", "东城区排水养护所（示例）"),
    ("01005", 8, "国网北京东城供电公司（示例）", "东城供电抢修班（示例）"),
    ("01007", 8, "东城通信管线公司（示例）", "东城通信管线公司（示例）"),
    ("01037", 20, "区城市管理委员会", "东城区路灯管理所（示例）"),
    ("03005", 16, "区环境卫生服务中心", "东城区环卫作业队（示例）"),
    ("02012", 6, "区交通委员会", "东城区交通设施养护队（示例）"),
    ("04007", 6, "区园林绿化局", "东城区园林养护队（示例）"),
]
STATUSES = [(ComponentStatus.INTACT, 88), (ComponentStatus.DAMAGED, 7), (ComponentStatus.LOST, 3),
            (ComponentStatus.ABANDONED, 2)]
# components per unit grid (demo), and every n-th unit grid of each community (test)
PER_GRID = {"demo": 1, "test": 1}
EVERY = {"demo": 1, "test": 12}
OFFSETS_M = [(0, 0), (18, 12), (-15, -20), (25, -10)]


def _h(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _pick(choices, value: int):
    value %= sum(c[1] for c in choices)
    for c in choices:
        if value < c[1]:
            return c
        value -= c[1]
    return choices[-1]


def _point_in(shape, k: int, salt: int):
    """A deterministic point inside the grid: near its centre, moved by a few metres."""
    from shapely.geometry import Point

    base = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
    dx, dy = OFFSETS_M[(k + salt) % len(OFFSETS_M)]
    p = Point(base.x + dx / 85_000, base.y + dy / 111_000)  # ≈ metres → degrees at 40° N
    return p if shape.contains(p) else shape.representative_point()


def rows(scale: str) -> list[dict]:
    from gridgov.geo.models import Grid

    every, per_grid = EVERY.get(scale, 1), PER_GRID.get(scale, 1)
    grids = Grid.objects.filter(layer__code="unit", community__code__startswith=DISTRICT).order_by("code")
    out = []
    for g in grids.only("code", "geometry"):
        if int(g.code[-3:]) % every != 1 % every:
            continue
        shape = g.shape
        for k in range(per_grid):
            h = _h("component", g.code, k)
            class_code, _, owner, maintainer = _pick(KINDS, h)
            status = _pick(STATUSES, h >> 8)[0]
            p = _point_in(shape, k, h)
            note = {ComponentStatus.DAMAGED: "巡查发现破损（示例）", ComponentStatus.LOST: "巡查发现丢失（示例）"}.get(status, "")
            out.append({"item_code": class_code, "lon": round(p.x, 7), "lat": round(p.y, 7), "owner": owner,
                        "maintainer": maintainer, "status": status, "note": note})
    return out


def build(stdout=print, scale: str = "demo") -> None:
    from . import services
    from .loading import load_catalog

    load_catalog()  # normally done by the migration; harmless when up to date
    with transaction.atomic():
        Component.objects.filter(code__startswith=DISTRICT).delete()
        ComponentSerial.objects.filter(division=DISTRICT).delete()
        n = services.create_components_bulk(rows(scale))
    broken = Component.objects.filter(code__startswith=DISTRICT, status__in=[ComponentStatus.DAMAGED, ComponentStatus.LOST])
    stdout(f"部件：{n:,} 个示例管理部件（其中破损或丢失 {broken.count()} 个）")

