"""The only place that writes jurisdictions, boundaries, grids and 五定; each public function owns its transaction."""

import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from gridgov import limits
from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, ensure_in_scope, get_scoped, in_scope, require
from gridgov.audit import services as audit

from . import divisions, locating
from .errors import GeoError, NotFound
from .logic.boundary import BoundaryError, clean_geometry, read_features
from .logic.gridgen import make_lattice, management_grids, unit_grids
from .logic.partition import partition
from .logic.projection import LocalProjection
from .models import (
    BoundarySource,
    Grid,
    GridClass,
    GridDuty,
    GridLayer,
    GridType,
    Jurisdiction,
    LayerKind,
    Level,
    Post,
)

log = logging.getLogger("gridgov.geo")

UNIT_LAYER, MANAGEMENT_LAYER = "unit", "management"
DEFAULT_LAYERS = {
    UNIT_LAYER: ("单元网格", LayerKind.UNIT, "GB/T 30428.1 万米单元网格，约 10,000 平方米，15 位编码"),
    MANAGEMENT_LAYER: ("管理网格", LayerKind.MANAGEMENT, "约 300 户一个的社区管理网格，由相邻单元网格组成"),
}
# 定标准 shipped by default, by grid class (editable per duty). Seed 001 第三篇 (三岗巡查): 「對網格中（一類網格）
# 主要道路、窗口重點進行徒步巡查，對其它地域（二、三類網格）機動巡查，對難點、重點地段實行錯時督查管理」 — 错时督查 is
# for 难点/重点地段 (patrol.KeyPlace), not a grid class; the seeds give no frequency (the patrol plan's are defaults).
CLASS_STANDARD = {
    GridClass.ONE: "一类网格：主要道路、窗口重点徒步巡查",
    GridClass.TWO: "二类网格：机动巡查",
    GridClass.THREE: "三类网格：机动巡查",
}


def area_m2(shape) -> float:
    return LocalProjection.for_geometry(shape).area_m2(shape)


def bump_layers(*codes: str) -> None:
    """Every grid write bumps its layer's version; the locator rebuilds when it sees a new one."""
    GridLayer.objects.filter(code__in=codes).update(revision=uuid.uuid4().hex)
    locating.invalidate(*codes)


def ensure_default_layers() -> dict[str, GridLayer]:
    out = {}
    for code, (name, kind, desc) in DEFAULT_LAYERS.items():
        out[code], _ = GridLayer.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "description": desc})
    return out


# ---------------------------------------------------------------- the tree


@transaction.atomic
def init_district(code: str) -> Jurisdiction:
    """Create (or refresh) a county-level district with its city, real streets and real communities."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise GeoError("invalid_code", f"区县代码应为 6 位数字，收到「{code}」")
    area = divisions.areas().get(code)
    if area is None:
        raise NotFound("unknown_district", f"未知的区县代码 {code}：不在国家统计局区划代码（2023）中")
    city = divisions.city_of(area)
    city_node, _ = Jurisdiction.objects.update_or_create(
        code=city.code, defaults={"name": city.name, "level": Level.CITY, "parent": None}
    )
    district, _ = Jurisdiction.objects.update_or_create(
        code=code, defaults={"name": area.name, "level": Level.DISTRICT, "parent": city_node}
    )
    streets = divisions.streets_by_area().get(code, [])
    existing = {j.code: j for j in Jurisdiction.objects.filter(code__startswith=code)}
    street_nodes = {}
    for s in streets:
        node = existing.get(s.code)
        if node is None:
            node = Jurisdiction.objects.create(code=s.code, name=s.name, level=Level.STREET, parent=district)
        elif node.name != s.name:
            node.name = s.name
            node.save(update_fields=["name"])
        street_nodes[s.code] = node
    new = [
        Jurisdiction(code=c.code, name=c.name, level=Level.COMMUNITY, parent=street_nodes[c.parent_code])
        for c in divisions.communities_of_area(code)
        if c.code not in existing and c.parent_code in street_nodes
    ]
    Jurisdiction.objects.bulk_create(new, batch_size=500)
    audit.record(None, "init_district", "jurisdiction", code,
                 after={"name": area.name, "streets": len(street_nodes), "new_communities": len(new)})
    locating.invalidate()
    return district


def descendants(node: Jurisdiction, level: str | None = None):
    qs = Jurisdiction.objects.filter(code__startswith=node.code).exclude(pk=node.pk)
    return qs.filter(level=level) if level else qs


# ---------------------------------------------------------------- boundaries


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)  # human-readable lines
    repaired: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (feature label, code, message)
    nodes: list[Jurisdiction] = field(default_factory=list)


def _feature_label(feature: dict, index: int) -> str:
    props = feature.get("properties") or {}
    return str(props.get("name") or feature.get("id") or props.get("code") or f"第 {index + 1} 个要素")


def _feature_code(feature: dict) -> str:
    props = feature.get("properties") or {}
    for value in (props.get("code"), props.get("adcode"), feature.get("id")):
        if value is not None and str(value).isdigit() and len(str(value)) in (6, 9, 12):
            return str(value)
    return ""


def _resolve_node(feature: dict, label: str, city_code: str | None) -> Jurisdiction:
    code = _feature_code(feature)
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        if node:
            return node
    name = (feature.get("properties") or {}).get("name")
    matches = list(Jurisdiction.objects.filter(name=name, level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]))
    if city_code:
        matches = [m for m in matches if m.code.startswith(city_code)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise GeoError("ambiguous_name", f"要素「{label}」：名称对应多个辖区，请用 --code 指定")
    wanted = code or (divisions.areas_named(name, city_code)[0].code if name and divisions.areas_named(name, city_code) else "")
    hint = f"，请先运行 gridgov init-district {wanted}" if wanted and len(wanted) == 6 else ""
    raise NotFound("unknown_jurisdiction", f"要素「{label}」：找不到对应的辖区{hint}")


def import_boundary(data, *, name: str | None = None, code: str | None = None, user=None) -> ImportReport:
    """Import district/street/community boundaries from GeoJSON.

    Features are matched to tree nodes by code (``id``/``code``/``adcode``) or by name within the file's city.
    With ``name`` or ``code`` only that feature is imported and an error is raised if it is refused.
    Each feature is written in its own transaction: a refused feature writes nothing.
    """
    if user is not None:
        require(user, roles.IMPORT)
    try:
        features = read_features(data)
    except BoundaryError as e:
        raise GeoError(e.code, str(e)) from e
    names = [str((f.get("properties") or {}).get("name") or "") for f in features]
    city_code = divisions.guess_city([n for n in names if n])
    if name or code:
        picked = [
            (i, f) for i, f in enumerate(features)
            if (name and names[i] == name) or (code and _feature_code(f) == code)
        ]
        if not picked and code and name is None:
            # the file may name it only: look the code up in the tree
            node = Jurisdiction.objects.filter(code=code).first()
            picked = [(i, f) for i, f in enumerate(features) if node and names[i] == node.name]
        if not picked:
            raise NotFound("feature_not_found", f"文件中没有名为「{name or code}」的要素")
    else:
        picked = list(enumerate(features))
    report = ImportReport()
    for i, feature in picked:
        label = _feature_label(feature, i)
        try:
            with transaction.atomic():
                node = _resolve_node(feature, label, city_code)
                if code and node.code != code:
                    raise GeoError("code_mismatch", f"要素「{label}」对应 {node.code}，不是 {code}")
                if user is not None and not in_scope(user, node.code):
                    raise OutOfScope()
                clean = clean_geometry(feature.get("geometry"), label)
                _store_boundary(node, clean.geometry, BoundarySource.IMPORTED, "；".join(clean.notes))
                # a real street/community boundary: its generated siblings are re-shared around it
                parent = node.parent if node.level in (Level.STREET, Level.COMMUNITY) else None
                regenerate_partitions(parent if parent is not None and parent.geometry else node)
                audit.record(user, "import_boundary", "jurisdiction", node.code,
                             after={"source": node.boundary_source, "area_m2": round(node.area_m2 or 0, 1),
                                    "repairs": clean.notes, "regenerated_under": (parent or node).code})
        except BoundaryError as e:
            report.refused.append((label, e.code, str(e)))
            continue
        except GeoError as e:
            report.refused.append((label, e.code, e.message))
            continue
        report.nodes.append(node)
        report.imported.append(f"{node.name}（{node.code}）：面积 {node.area_m2 / 1e6:.2f} 平方公里")
        report.repaired.extend(f"{node.name}：{n}" for n in clean.notes)
    if (name or code) and report.refused:
        label, err_code, message = report.refused[0]
        raise GeoError(err_code, message)
    return report


def _store_boundary(node: Jurisdiction, shape, source: str, note: str) -> None:
    node.set_shape(shape, area_m2(shape))
    node.boundary_source = source
    node.boundary_note = note
    node.save()
    locating.invalidate("communities")


def regenerate_partitions(node: Jurisdiction) -> None:
    """Generate plausible boundaries for the children of ``node`` (and below) that have no imported one.

    Children with an imported boundary keep it; the rest of the parent's area is shared among the others,
    in proportion to their weight (a street: its number of communities; a community: 1).
    """
    children = list(node.children.order_by("code"))
    if not children or not node.geometry:
        return
    from shapely import union_all

    parent_shape = node.shape
    real = [c for c in children if c.boundary_source == BoundarySource.IMPORTED and c.geometry]
    todo = [c for c in children if c not in real]
    if todo:
        rest = parent_shape.difference(union_all([c.shape for c in real])) if real else parent_shape
        if rest.area <= 0:
            raise GeoError("no_room", f"{node.name} 的下级边界已占满全部面积，无法为 {todo[0].name} 等生成边界")
        weights = [max(1, c.children.count()) if c.level == Level.STREET else 1 for c in todo]
        pieces = partition(rest, weights)
        for child, piece in zip(todo, pieces, strict=True):
            _store_boundary(child, piece, BoundarySource.GENERATED, "自动生成的示意边界，可用真实边界文件替换")
    for child in children:
        regenerate_partitions(child)


# ---------------------------------------------------------------- grids


@dataclass
class GridReport:
    district: Jurisdiction
    unit_count: int
    management_count: int
    area_m2: float


def _community_shapes(district: Jurisdiction):
    communities = list(descendants(district, Level.COMMUNITY).exclude(geometry=""))
    missing = descendants(district, Level.COMMUNITY).filter(geometry="").count()
    if missing or not communities:
        raise GeoError(
            "no_boundary",
            f"{district.name} 还没有社区边界：请先 gridgov import-boundary 导入区界（缺少 {missing} 个社区边界）",
        )
    return communities


@transaction.atomic
def generate_grids(
    district_code: str, *, cell_m: float | None = None, households_per_km2: float | None = None
) -> GridReport:
    """(Re)build the unit and management grids of a district from its community boundaries."""
    district = Jurisdiction.objects.filter(code=district_code, level=Level.DISTRICT).first()
    if district is None:
        raise NotFound("unknown_district", f"辖区 {district_code} 尚未创建：请先 gridgov init-district {district_code}")
    cell_m = cell_m or settings.GRIDGOV["UNIT_GRID_CELL_M"]
    density = households_per_km2 or settings.GRIDGOV["DEFAULT_HOUSEHOLDS_PER_KM2"]
    if not (10 <= cell_m <= 1000):
        raise GeoError("invalid_cell", f"单元网格边长应在 10～1000 米之间，收到 {cell_m}")
    if density <= 0:
        raise GeoError("invalid_density", "户数密度必须大于 0")
    communities = _community_shapes(district)
    layers = ensure_default_layers()
    # gridchange: a district that has grids is regenerated through a change plan that keeps history
    if Grid.objects.filter(layer__in=layers.values(), community__code__startswith=district.code).exists():
        return _regenerate_existing(district, cell_m if cell_m != settings.GRIDGOV["UNIT_GRID_CELL_M"] else None,
                                    households_per_km2)
    lattice = make_lattice(district.shape.bounds, cell_m)
    try:
        units = unit_grids([(c.code, c.shape) for c in communities], lattice, min_piece_fraction=0.5)
    except ValueError as e:
        raise GeoError("too_many_grids", str(e)) from e
    mgmts = management_grids(units, density, settings.GRIDGOV["MANAGEMENT_GRID_HOUSEHOLDS"])
    # 管理网格 codes: community code + "W" + serial, so they never collide with 15-digit unit grid codes
    mgmt_code = {m.code: f"{m.community_code}W{m.serial:03d}" for m in mgmts}

    removed = (Grid.objects.filter(layer__in=layers.values(), community__code__startswith=district.code).delete()[1]
               .get(Grid._meta.label, 0))
    by_code = {c.code: c for c in communities}
    mgmt_rows = []
    for m in mgmts:
        g = Grid(
            layer=layers[MANAGEMENT_LAYER], code=mgmt_code[m.code], name=f"{by_code[m.community_code].name}第{m.serial}网格",
            community=by_code[m.community_code], scope_key=mgmt_code[m.code], grid_type=GridType.COMPOUND,
            households=m.households, households_estimated=True, generated=True,
        )
        g.set_shape(m.geometry, area_m2(m.geometry))
        mgmt_rows.append(g)
    Grid.objects.bulk_create(mgmt_rows, batch_size=500)
    mgmt_ids = dict(Grid.objects.filter(layer=layers[MANAGEMENT_LAYER], community__code__startswith=district.code)
                    .values_list("code", "id"))
    parent_of = {u: mgmt_code[m.code] for m in mgmts for u in m.unit_codes}
    unit_rows = []
    total = 0.0
    for u in units:
        mcode = parent_of[u.code]
        g = Grid(
            layer=layers[UNIT_LAYER], code=u.code, name=u.code, community=by_code[u.community_code],
            parent_id=mgmt_ids[mcode], scope_key=f"{mcode}.{u.code}", grid_type=GridType.STREET,
            households=round(u.area_m2 / 1e6 * density), households_estimated=True, generated=True,
        )
        g.set_shape(u.geometry, u.area_m2)
        total += u.area_m2
        unit_rows.append(g)
    Grid.objects.bulk_create(unit_rows, batch_size=1000)
    district.lattice = [lattice.origin_lon, lattice.origin_lat, lattice.step_lon, lattice.step_lat]
    district.save(update_fields=["lattice"])
    audit.record(None, "generate_grids", "jurisdiction", district.code, after={
        "unit_grids": len(unit_rows), "management_grids": len(mgmt_rows), "removed": removed, "cell_m": cell_m,
        "households_per_km2": density, "management_codes": [mgmt_code[m.code] for m in mgmts]})
    bump_layers(UNIT_LAYER, MANAGEMENT_LAYER)
    return GridReport(district, len(unit_rows), len(mgmt_rows), total)


def _regenerate_existing(district: Jurisdiction, cell_m: float | None, households_per_km2: float | None) -> GridReport:
    """gridchange: plan + apply a regeneration (nothing is applied when the grids would come out the same)."""
    from . import gridchanges

    draft = gridchanges.plan(None, node=district.code, kind="regenerate", cell_m=cell_m,
                             households_per_km2=households_per_km2, dry_run=True)
    if draft.changes:
        change = gridchanges.plan(None, node=district.code, kind="regenerate", cell_m=cell_m,
                                  households_per_km2=households_per_km2)
        gridchanges.apply(None, change.pk)
    units = Grid.objects.filter(layer__code=UNIT_LAYER, community__code__startswith=district.code)
    total = sum(a or 0 for a in units.values_list("area_m2", flat=True))
    return GridReport(district, units.count(), Grid.objects.filter(
        layer__code=MANAGEMENT_LAYER, community__code__startswith=district.code).count(), total)


def grid_lookup(user, layer: str, code: str, right: str = roles.VIEW) -> Grid:
    try:
        return get_scoped(Grid.objects.select_related("layer", "community"), user, right, layer__code=layer, code=code)
    except OutOfScope:
        raise NotFound("grid_not_found", f"网格 {layer}/{code} 不存在或不在您的管辖范围内") from None


EDITABLE = {"name", "grid_class", "grid_type", "households"}


@transaction.atomic
def update_grid(user, layer: str, code: str, changes: dict) -> Grid:
    """Edit a grid's attributes, or move it to another community (its code changes with it)."""
    grid = grid_lookup(user, layer, code, roles.EDIT)
    audited = [*sorted(EDITABLE), "households_estimated", "code", "community", "scope_key", "parent"]
    before = audit.values(grid, audited)
    unknown = set(changes) - EDITABLE - {"community_code"}
    if unknown:
        raise GeoError("unknown_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    limits.check_fields(Grid, changes)  # e.g. households within the column's range
    if "grid_class" in changes and changes["grid_class"] not in GridClass.values:
        raise GeoError("invalid_grid_class", f"网格类别应为 {'/'.join(GridClass.values)}（一类/二类/三类）")
    if "grid_type" in changes and changes["grid_type"] not in GridType.values:
        raise GeoError("invalid_grid_type", f"网格类型应为 {'/'.join(GridType.values)}（街巷型/楼院型/单位型）")
    if "households" in changes:
        if not isinstance(changes["households"], int) or changes["households"] < 0:
            raise GeoError("invalid_households", "户数应为非负整数")
        grid.households_estimated = False
    for k in EDITABLE & set(changes):
        setattr(grid, k, changes[k])
    target, counts = changes.get("community_code"), None
    if target and target != grid.community.code:
        community = Jurisdiction.objects.filter(code=target, level=Level.COMMUNITY).first()
        if community is None:
            raise NotFound("unknown_community", f"社区 {target} 不存在")
        counts = _move_grid(grid, community)
    grid.save()
    ensure_in_scope(grid, user, roles.EDIT)  # nobody moves an object out of their own subtree
    old, new = audit.changed(before, audit.values(grid, audited))
    if counts is None:
        audit.record(user, "update", "grid", f"{layer}/{code}", before=old, after=new)
    else:  # a move is one record: what changed, and how many rows under the grid were re-keyed
        audit.record(user, "grid.move", "grid", f"{layer}/{code}", before=old, after={**new, "rekeyed": counts})
    bump_layers(grid.layer.code)
    return grid


def _next_serials(layer: GridLayer, community: Jurisdiction, prefix: str, n: int) -> list[str]:
    """``n`` new codes ``prefix`` + serial in ``community``, after the highest one used there."""
    siblings = Grid.objects.filter(layer=layer, community=community).values_list("code", flat=True)
    serials = [int(c[len(prefix):]) for c in siblings if c.startswith(prefix) and c[len(prefix):].isdigit()]
    first = max(serials, default=0) + 1
    if first + n - 1 > 999:
        raise GeoError("too_many_grids", f"社区 {community.name} 的网格序号已满（999）")
    return [f"{prefix}{s:03d}" for s in range(first, first + n)]


def _check_move(grid: Grid, community: Jurisdiction) -> None:
    """A management grid moves only within its district, to a community its area touches (a boundary
    adjustment): its unit grids, places and people go with it."""
    if community.code[:6] != grid.community.code[:6]:
        raise GeoError("other_district", f"网格只能移到本区县的社区，{community.name} 属于其他区县")
    here, there = grid.shape, community.shape
    if here is not None and there is not None and here.distance(there) > 1e-6:  # ≈ 0.1 m
        raise GeoError("not_adjacent", f"网格 {grid.code} 与社区 {community.name} 不相邻，只能移到相邻的社区")


def _move_grid(grid: Grid, community: Jurisdiction) -> dict[str, int]:
    """Give ``grid`` a code in ``community`` and re-key everything scoped under it (see ``rekey``): its unit
    grids (renumbered in the new community), 五定 (by grid), accounts bound to it, basic data, components and
    cases. Returns the rows re-keyed per model and field."""
    from . import rekey

    old_key = grid.scope_key
    if grid.layer.kind == LayerKind.MANAGEMENT:
        _check_move(grid, community)
        grid.code = _next_serials(grid.layer, community, community.code + "W", 1)[0]
        grid.scope_key = grid.code
        units = list(Grid.objects.filter(parent=grid, layer__kind=LayerKind.UNIT).order_by("code"))
        codes = dict(zip([u.code for u in units], _next_serials(units[0].layer, community, community.code,
                                                                len(units)) if units else [], strict=True))
        for u in units:
            new = codes[u.code]
            u.name = new if u.name == u.code else u.name
            u.code = new
        Grid.objects.bulk_update(units, ["code", "name"], batch_size=500)
        keys = {f"{old_key}.{a}": f"{grid.scope_key}.{b}" for a, b in codes.items()}
        management_code = grid.code
    else:  # a unit grid leaves its management grid: it is its own scope
        old_code = grid.code
        grid.code = _next_serials(grid.layer, community, community.code, 1)[0]
        grid.parent = None
        grid.scope_key = grid.code
        if grid.name == old_code or grid.name.isdigit():
            grid.name = grid.code
        codes = {old_code: grid.code}
        keys = {}
        management_code = ""
    grid.community = community
    counts = rekey.rekey(old_key, grid.scope_key, keys, community=community, codes=codes,
                         management_code=management_code)
    from gridgov.analytics.rollup import rebuild_open

    rebuild_open()  # the open cases' counts per grid (the dashboard), re-keyed with them
    bump_layers(UNIT_LAYER, MANAGEMENT_LAYER)
    return counts


@transaction.atomic
def set_duties(user, layer: str, code: str, duties: list[dict]) -> list[GridDuty]:
    """Replace the 五定 of a grid. Each person must be an account within the editor's scope."""
    from gridgov.accounts.models import User

    grid = grid_lookup(user, layer, code, roles.EDIT)
    rows = []
    for i, d in enumerate(duties):
        post = d.get("post")
        if post not in Post.values:
            raise GeoError("invalid_post", f"第 {i + 1} 条：岗位应为 {'/'.join(Post.values)}")
        person = User.objects.filter(username=d.get("username")).first()
        if person is None or not (person.node_key and in_scope(user, person.node_key)):
            raise NotFound("unknown_person", f"第 {i + 1} 条：人员「{d.get('username')}」不存在或不在您的管辖范围内")
        rows.append(GridDuty(
            grid=grid, person=person, post=post,
            duty_hours=d.get("duty_hours") or "周一至周五 8:30–17:30",
            standard=d.get("standard") or CLASS_STANDARD[GridClass(grid.grid_class)],
        ))
    def listed(duties):
        return [{"post": d.post, "person": d.person.username, "duty_hours": d.duty_hours, "standard": d.standard}
                for d in duties]

    before = listed(GridDuty.objects.filter(grid=grid).select_related("person").order_by("id"))
    GridDuty.objects.filter(grid=grid).delete()
    GridDuty.objects.bulk_create(rows)
    audit.record(user, "set_duties", "grid", f"{layer}/{code}", before=before, after=listed(rows))
    return rows


def grid_geojson_feature(g: Grid) -> dict:
    return {
        "type": "Feature",
        "id": f"{g.layer.code}/{g.code}",
        "geometry": json.loads(g.geometry) if g.geometry else None,
        "properties": {
            "code": g.code, "name": g.name, "layer": g.layer.code, "community_code": g.community.code,
            "community": g.community.name, "grid_class": g.grid_class, "grid_class_label": g.get_grid_class_display(),
            "grid_type": g.grid_type, "grid_type_label": g.get_grid_type_display(),
            "households": g.households, "area_m2": round(g.area_m2 or 0, 1),
        },
    }



_CLASS_WORDS = {"1": "1", "2": "2", "3": "3", "一类": "1", "二类": "2", "三类": "3", "一类网格": "1", "二类网格": "2", "三类网格": "3"}
_TYPE_WORDS = {**{v: v for v in GridType.values}, **{label: value for value, label in GridType.choices}}


def import_grids(user, layer_code: str, layer_name: str | None, data) -> dict:
    """Create or replace a thematic layer (环保、消防、园区网格…) from GeoJSON, all or nothing.

    Each feature needs ``properties.code`` (unique in the layer); optional ``name``, ``grid_class``
    (1/2/3 or 一类…), ``grid_type`` (街巷型/楼院型/单位型), ``parent`` (code of a grid of the same layer) and
    ``community`` (12-digit code; by default the community containing the feature's interior point).
    Every bad feature is reported; nothing is written unless all are good.
    """
    import re

    if user is not None:  # None: the command line, run by the operator
        require(user, roles.IMPORT)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", layer_code or ""):
        raise GeoError("invalid_layer_code", "图层编码应为 2–40 位小写字母、数字或连字符")
    limits.check_value(GridLayer, "name", layer_name)
    if layer_code in DEFAULT_LAYERS:
        raise GeoError("reserved_layer", "单元网格和管理网格由 gridgov generate-grids 生成，不能导入覆盖")
    try:
        features = read_features(data)
    except BoundaryError as e:
        raise GeoError(e.code, str(e)) from e
    communities = locating.index_for("communities")
    errors, rows, seen = [], [], set()
    for i, f in enumerate(features):
        props = f.get("properties") or {}
        label = _feature_label(f, i)
        code = str(props.get("code") or "").strip()
        if not code:
            errors.append(f"要素「{label}」：缺少 code 属性")
            continue
        if code in seen:
            errors.append(f"要素「{label}」：编码 {code} 重复")
            continue
        seen.add(code)
        try:
            clean = clean_geometry(f.get("geometry"), label)
        except BoundaryError as e:
            errors.append(str(e))
            continue
        shape = clean.geometry
        community_code = str(props.get("community") or "")
        if not community_code:
            p = shape.representative_point()
            hit = communities.locator.locate(p.x, p.y) if len(communities.codes) else -1
            community_code = communities.codes[hit] if hit >= 0 else ""
        if not community_code:
            errors.append(f"要素「{label}」：不在任何已有社区范围内（请先导入区界并生成社区边界，或在属性中给出 community）")
            continue
        if user is not None and not in_scope(user, community_code):
            errors.append(f"要素「{label}」：所属社区 {community_code} 不在您的管辖范围内")
            continue
        grid_class = _CLASS_WORDS.get(str(props.get("grid_class") or "2"))
        grid_type = _TYPE_WORDS.get(str(props.get("grid_type") or "street"))
        if grid_class is None or grid_type is None:
            errors.append(f"要素「{label}」：grid_class 应为 1/2/3（一类/二类/三类），grid_type 应为 街巷型/楼院型/单位型")
            continue
        name = str(props.get("name") or code)
        too_long = limits.problem(Grid, "code", code) or limits.problem(Grid, "name", name)
        if too_long:
            errors.append(f"要素「{label[:40]}」：编码或名称过长（{too_long}）")
            continue
        rows.append((code, name, community_code, shape, grid_class, grid_type, str(props.get("parent") or "")))
    known = {r[2] for r in rows}
    found = dict(Jurisdiction.objects.filter(code__in=known, level=Level.COMMUNITY).values_list("code", "id"))
    errors += [f"要素「{r[0]}」：社区 {r[2]} 不存在" for r in rows if r[2] not in found]
    errors += [f"要素「{r[0]}」：上级网格 {r[6]} 不在本图层中" for r in rows if r[6] and r[6] not in seen]
    if errors:
        raise GeoError("invalid_features", f"共 {len(errors)} 个要素有误，未写入任何数据：" + "；".join(errors[:50]))
    if not rows:
        raise GeoError("empty_layer", "文件中没有要素")
    with transaction.atomic():
        layer, _ = GridLayer.objects.update_or_create(
            code=layer_code, defaults={"name": layer_name or layer_code, "kind": LayerKind.THEMATIC}
        )
        removed = Grid.objects.filter(layer=layer).delete()[1].get(Grid._meta.label, 0)
        objs = []
        for code, name, community_code, shape, grid_class, grid_type, _parent in rows:
            key = code if code.startswith(community_code) else f"{community_code}:{layer_code}:{code}"
            g = Grid(layer=layer, code=code, name=name, community_id=found[community_code], scope_key=key,
                     grid_class=grid_class, grid_type=grid_type)
            g.set_shape(shape, area_m2(shape))
            objs.append(g)
        Grid.objects.bulk_create(objs, batch_size=500)
        parents = {r[0]: r[6] for r in rows if r[6]}
        if parents:
            ids = dict(Grid.objects.filter(layer=layer).values_list("code", "id"))
            children = list(Grid.objects.filter(layer=layer, code__in=parents))
            for g in children:
                g.parent_id = ids[parents[g.code]]
            Grid.objects.bulk_update(children, ["parent"], batch_size=500)
        audit.record(user, "import_grids", "grid_layer", layer_code,
                     after={"name": layer.name, "grids": len(objs), "removed": removed, "codes": [r[0] for r in rows]})
        bump_layers(layer_code)
    return {"layer": layer_code, "name": layer.name, "grids": len(objs)}


SCHEMATIC_NOTE = "街道、社区边界为自动生成的示意范围，不是正式边界；导入正式边界（gridgov import-boundary）后自动替换。"


def schematic_note(user) -> str:
    """The note every map shows while a street or community boundary of the user's district was generated (示意), or
    "" when all of them are imported."""
    from gridgov.accounts.scope import scope_prefix

    prefix = (scope_prefix(user) or "")[:6]
    generated = Jurisdiction.objects.filter(level__in=["street", "community"], code__startswith=prefix,
                                            boundary_source=BoundarySource.GENERATED).exists()
    return SCHEMATIC_NOTE if generated else ""
