"""Grid changes that keep history (网格调整): a plan with its impact first, then applied once, in one transaction.

Part of geo's services (the only writer of grids): ``services.py`` makes grids; this module changes them. A plan
proposes a new division of an area's management grids (regenerated, merged, split or redrawn, or divided among N
people by workload) and, for a regeneration, new unit grids where the lattice no longer fits. Applying it

- retires the old grids into ``RetiredGrid`` (valid until now, with their 五定 then) and creates the new ones
  (valid from now); the live ``Grid`` table keeps only grids in force, so maps, the locator and every list read
  what is in force without a filter;
- carries each 五定 to the new grid that received the largest share of its old grid's area, and gives every new
  grid left without people a copy of the 五定 of the old grid that covers most of it (so nobody loses a duty and
  no new grid is left unstaffed; the retired grid keeps a copy of what it had);
- re-keys every row keyed by grid (``rekey.keyed_fields``: cases, components, basic data, accounts …) to its new
  grid — by its position where it has one and its unit grid was redrawn, else by its unit grid — and re-points every
  foreign key to a retired grid;
- keeps the old → new mapping of grids (``GridMapping``, by area share) and of cases (``RowMapping``, the
  历史案件对照表 of seed 003 篇7), which the case list uses (a case filed under an old grid code is found under it);
- writes one audit record with the counts.

Codes are never reused: a new management grid takes the next serial after every code its community has used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q, Value
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import in_scope, require
from gridgov.audit import services as audit
from gridgov.errors import Conflict

from . import rekey
from .errors import GeoError, NotFound
from .logic.gridgen import _adjacency, make_lattice, management_grids, unit_grids
from .logic.overlap import largest, overlap_shares, points_in
from .logic.projection import LocalProjection
from .logic.workload import Atom, LoadWeights, divide, unit_load
from .models import (
    ChangeKind,
    ChangeStatus,
    Grid,
    GridChange,
    GridDuty,
    GridLayer,
    GridMapping,
    GridType,
    Jurisdiction,
    Level,
    RetiredGrid,
    RowMapping,
)

UNIT, MANAGEMENT = "unit", "management"
MAX_PARTS = 999
MAX_MONTHS = 24


# ---------------------------------------------------------------- the area of a plan


@dataclass
class Area:
    node_code: str
    node_name: str
    communities: list[Jurisdiction]
    management: list[Grid]  # the management grids the plan may change
    units: list[Grid]       # their unit grids


def _node(user, code: str) -> tuple[str, str, list[Jurisdiction], list[Grid] | None]:
    code = (code or "").strip()
    if "W" in code:  # a management grid
        grid = Grid.objects.select_related("community").filter(layer__code=MANAGEMENT, code=code).first()
        if grid is None or (user is not None and not in_scope(user, grid.scope_key)):
            raise NotFound("unknown_node", f"网格 {code} 不存在或不在您的管辖范围内")
        return code, grid.name or code, [grid.community], [grid]
    node = Jurisdiction.objects.filter(code=code).first()
    if node is None or node.level == Level.CITY or (user is not None and not in_scope(user, node.code)):
        raise NotFound("unknown_node", f"辖区 {code or '（空）'} 不存在或不在您的管辖范围内（应为区、街道、社区代码或管理网格编码）")
    if node.level == Level.COMMUNITY:
        communities = [node]
    else:
        communities = list(Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=node.code)
                           .exclude(geometry="").order_by("code"))
    return node.code, node.name, communities, None


def _area(user, code: str, grids: list[str] | None = None) -> Area:
    node_code, name, communities, picked = _node(user, code)
    qs = Grid.objects.filter(layer__code=MANAGEMENT, community__in=communities).select_related("community")
    if grids:
        picked = list(qs.filter(code__in=grids).order_by("code"))
        missing = sorted(set(grids) - {g.code for g in picked})
        if missing:
            raise NotFound("unknown_grid", f"管理网格 {'、'.join(missing[:5])} 不存在或不在 {name} 内")
    management = picked if picked is not None else list(qs.order_by("code"))
    units = list(Grid.objects.filter(layer__code=UNIT, parent__in=management).select_related("parent")
                 .order_by("code"))
    return Area(node_code, name, communities, management, units)


def fingerprint(communities) -> str:
    """What the plan was made from: every unit and management grid of the area's communities (code, key, area)."""
    rows = (Grid.objects.filter(layer__code__in=[UNIT, MANAGEMENT], community__in=communities)
            .order_by("layer__code", "code").values_list("layer__code", "code", "scope_key", "area_m2"))
    h = hashlib.sha256()
    for layer, code, key, area in rows:
        h.update(f"{layer}|{code}|{key}|{round(area or 0, 1)}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------- proposals


def _shape(geometry):
    from shapely.geometry import shape

    return shape(geometry if isinstance(geometry, dict) else json.loads(geometry))


def _used_serials(community_code: str, prefix: str) -> int:
    """The highest serial ``prefix`` + NNN that the community ever used (live or retired grids)."""
    live = Grid.objects.filter(community__code=community_code, code__startswith=prefix).values_list("code", flat=True)
    old = RetiredGrid.objects.filter(community_code=community_code, code__startswith=prefix).values_list("code",
                                                                                                          flat=True)
    serials = [int(c[len(prefix):]) for c in [*live, *old] if c[len(prefix):].isdigit()]
    return max(serials, default=0)


def _proposal_from_groups(area: Area, groups: dict[str, list[list[str]]], new_units: dict | None = None,
                          loads: dict[str, float] | None = None) -> dict:
    """The new management grids: per community, groups of unit codes (existing ones, or codes of ``new_units``).
    A group equal to an existing management grid's units keeps that grid (its code does not change)."""
    members_of: dict[int, set[str]] = defaultdict(set)
    for u in area.units:
        members_of[u.parent_id].add(u.code)
    by_units = {frozenset(members_of.get(g.id, ())): g for g in area.management}
    names = {c.code: c.name for c in area.communities}
    out = []
    for community, parts in sorted(groups.items()):
        serial = _used_serials(community, community + "W")
        for members in parts:
            kept = by_units.get(frozenset(members))
            if kept is not None:
                out.append({"code": kept.code, "community": community, "units": sorted(members), "kept": True,
                            "name": kept.name})
                continue
            serial += 1
            if serial > 999:
                raise GeoError("too_many_grids", f"社区 {names.get(community, community)} 的网格序号已满（999）")
            out.append({"code": f"{community}W{serial:03d}", "community": community, "units": sorted(members),
                        "kept": False, "name": f"{names.get(community, community)}第{serial}网格"})
    if loads:
        for m in out:
            m["load"] = round(sum(loads.get(u, 0.0) for u in m["units"]), 2)
    return {"management": out, "units": list((new_units or {}).values())}


def _lattice(district: Jurisdiction, cell_m: float | None):
    if district.lattice and not cell_m:
        from .logic.gridgen import Lattice

        return Lattice(*district.lattice)
    return make_lattice(district.shape.bounds, cell_m or settings.GRIDGOV["UNIT_GRID_CELL_M"])


def regenerate_groups(area: Area, *, cell_m: float | None = None, households_per_km2: float | None = None):
    """Regenerate unit grids (only where the lattice gives other ones) and management grids, per community."""
    density = households_per_km2 or settings.GRIDGOV["DEFAULT_HOUSEHOLDS_PER_KM2"]
    district = Jurisdiction.objects.get(code=area.communities[0].code[:6])
    lattice = _lattice(district, cell_m)
    old_units = defaultdict(dict)
    for u in Grid.objects.filter(layer__code=UNIT, community__in=area.communities).select_related("community"):
        old_units[u.community.code][u.code] = u
    groups, new_units = {}, {}
    import shapely
    from django.db.models import Max, Min

    # the pieces are measured as when the whole district was tiled (its communities' extent)
    box = Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=district.code).exclude(
        geometry="").aggregate(Min("min_lon"), Min("min_lat"), Max("max_lon"), Max("max_lat"))
    projection = LocalProjection((box["min_lon__min"] + box["max_lon__max"]) / 2,
                                 (box["min_lat__min"] + box["max_lat__max"]) / 2)
    try:
        all_units = unit_grids([(c.code, c.shape) for c in area.communities], lattice, min_piece_fraction=0.5,
                               projection=projection)
    except ValueError as e:
        raise GeoError("too_many_grids", str(e)) from e
    units_of = defaultdict(list)
    for u in all_units:
        units_of[u.community_code].append(u)
    for c in area.communities:
        units = units_of[c.code]
        mgmts = management_grids(units, density, settings.GRIDGOV["MANAGEMENT_GRID_HOUSEHOLDS"])
        olds = old_units[c.code]
        same = len(olds) == len(units) and all(
            u.code in olds and shapely.equals_exact(u.geometry, olds[u.code].shape, tolerance=1e-9) for u in units)
        if same:
            groups[c.code] = [list(m.unit_codes) for m in mgmts]
            continue
        # the unit grids change: new codes after every serial the community used
        serial = _used_serials(c.code, c.code)
        rename = {}
        for u in units:
            serial += 1
            if serial > 999:
                raise GeoError("too_many_grids", f"社区 {c.name} 的单元网格序号已满（999），请先清理历史网格")
            rename[u.code] = f"{c.code}{serial:03d}"
            new_units[rename[u.code]] = {
                "code": rename[u.code], "community": c.code, "geometry": shapely.geometry.mapping(u.geometry),
                "area_m2": u.area_m2, "households": round(u.area_m2 / 1e6 * density)}
        groups[c.code] = [[rename[x] for x in m.unit_codes] for m in mgmts]
    return groups, new_units


def unit_loads(units: list[Grid], months: int, weights: LoadWeights, now=None) -> dict[str, dict]:
    """Expected work per unit grid: cases reported in the last ``months`` months, patrol length (half the
    perimeter, km), places to inspect (organisations and components) — read through the key fields."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=30 * months)
    keys = {u.scope_key: u.code for u in units}
    counts = {u.code: {"cases": 0, "places": 0} for u in units}
    for label, what, extra in WORKLOAD_SOURCES:
        model = apps.get_model(label)
        flt = Q(**{f"{extra}__gte": since}) if extra else Q()
        for key, n in (model._base_manager.filter(flt, scope_key__in=list(keys)).order_by().values("scope_key")
                       .annotate(n=Count("pk")).values_list("scope_key", "n")):
            counts[keys[key]][what] += n
    out = {}
    for u in units:
        shape = u.shape
        km = LocalProjection.for_geometry(shape).to_metres(shape).length / 2000 if shape is not None else 0.0
        c = counts[u.code]
        out[u.code] = {**c, "patrol_km": round(km, 3),
                       "load": round(unit_load(c["cases"], km, c["places"], weights), 3)}
    return out


#: where the expected work of a unit grid is read: (model, kind of work, date field of "recent" or None)
WORKLOAD_SOURCES = [("cases.Case", "cases", "reported_at"), ("basedata.Organisation", "places", None),
                    ("catalog.Component", "places", None)]


def workload_groups(area: Area, parts: int, months: int, weights: LoadWeights):
    units = area.units
    if len({u.community_id for u in units}) > 1:
        raise GeoError("one_community", "按工作量划分以一个社区或一个管理网格为范围（网格不跨社区）")
    if not isinstance(parts, int) or parts < 1:
        raise GeoError("invalid_parts", "人数应至少为 1")
    if parts > len(units):
        raise GeoError("invalid_parts", f"人数 {parts} 超过了范围内的单元网格数 {len(units)}：每人至少一个单元网格")
    loads = unit_loads(units, months, weights)
    shapes = [u.shape for u in units]
    graph = _adjacency(shapes)
    atoms = []
    for u, s in zip(units, shapes, strict=True):
        c = s.centroid
        atoms.append(Atom(u.code, loads[u.code]["load"], c.x, c.y))
    neighbours = {units[i].code: [units[j].code for j in js] for i, js in graph.items()}
    division = divide(atoms, neighbours, parts)
    return {units[0].community.code: division.parts}, loads


# ---------------------------------------------------------------- planning


def plan(user, *, node: str, kind: str, parts: int | None = None, months: int = 3, grids: list[str] | None = None,
         groups: list[list[str]] | None = None, cell_m: float | None = None,
         households_per_km2: float | None = None, weights: LoadWeights | None = None,
         dry_run: bool = False) -> GridChange:
    """Make a plan (not applied): the new division of ``node`` and what would move where. One audit record.
    ``dry_run``: nothing is written; the plan comes back unsaved (``changes`` says how many grids would change)."""
    if user is not None:
        require(user, roles.EDIT)
    if kind not in ChangeKind.values:
        raise GeoError("invalid_kind", f"调整类型应为 {'/'.join(ChangeKind.values)}")
    weights = weights or LoadWeights()
    parameters: dict = {}
    loads = None
    new_units: dict = {}
    if kind == ChangeKind.REGENERATE:
        area = _area(user, node)
        if not area.communities:
            raise GeoError("no_boundary", f"{area.node_name} 下没有带边界的社区")
        if cell_m is not None and not (10 <= cell_m <= 1000):
            raise GeoError("invalid_cell", f"单元网格边长应在 10～1000 米之间，收到 {cell_m}")
        if cell_m and len(area.node_code) != 6:
            raise GeoError("cell_for_district", "单元网格边长只能对整个区县重新设定（格网须全区一致）")
        groups_by, new_units = regenerate_groups(area, cell_m=cell_m, households_per_km2=households_per_km2)
        area.management = list(Grid.objects.filter(layer__code=MANAGEMENT, community__in=area.communities)
                               .select_related("community").order_by("code"))
        area.units = list(Grid.objects.filter(layer__code=UNIT, community__in=area.communities)
                          .select_related("parent").order_by("code"))
        parameters = {"cell_m": cell_m, "households_per_km2": households_per_km2}
    elif kind in (ChangeKind.WORKLOAD, ChangeKind.SPLIT):
        if parts is None:
            raise GeoError("invalid_parts", "请给出人数（划分为几个网格）")
        if not (1 <= months <= MAX_MONTHS):
            raise GeoError("invalid_months", f"统计月数应在 1～{MAX_MONTHS} 之间")
        area = _area(user, node)
        if parts > MAX_PARTS:
            raise GeoError("invalid_parts", f"人数应在 1～{MAX_PARTS} 之间")
        groups_by, loads = workload_groups(area, parts, months, weights)
        parameters = {"parts": parts, "months": months, "weights": weights.__dict__}
        loads = {code: v["load"] for code, v in loads.items()}
    elif kind == ChangeKind.MERGE:
        if not grids or len(grids) < 2:
            raise GeoError("invalid_grids", "合并至少需要两个管理网格")
        area = _area(user, node, grids)
        if len({g.community_id for g in area.management}) > 1:
            raise GeoError("one_community", "只能合并同一社区的管理网格")
        members = [u.code for u in area.units]
        shapes = {u.code: u.shape for u in area.units}
        graph = _adjacency([shapes[c] for c in members])
        reach, todo = {0}, [0]
        while todo:
            for j in graph[todo.pop()]:
                if j not in reach:
                    reach.add(j)
                    todo.append(j)
        if len(reach) != len(members):
            raise GeoError("not_adjacent", "要合并的管理网格互不相邻")
        groups_by = {area.management[0].community.code: [members]}
        parameters = {"grids": sorted(grids)}
    else:  # REDRAW: explicit groups of the unit grids of the management grids they touch
        if not groups:
            raise GeoError("invalid_groups", "请给出新网格的单元网格分组")
        area = _area(user, node)
        owner = {u.code: u.parent.code for u in area.units}
        listed = [c for g in groups for c in g]
        unknown = sorted(set(listed) - set(owner))
        if unknown:
            raise NotFound("unknown_grid", f"单元网格 {'、'.join(unknown[:5])} 不在 {area.node_name} 内")
        if len(listed) != len(set(listed)) or any(not g for g in groups):
            raise GeoError("invalid_groups", "每个单元网格只能分到一个新网格，且每组不能为空")
        touched = {owner[c] for c in listed}
        area.management = [g for g in area.management if g.code in touched]
        area.units = [u for u in area.units if u.parent.code in touched]
        if set(listed) != {u.code for u in area.units}:
            raise GeoError("invalid_groups", "分组须包含所涉管理网格的全部单元网格")
        if len({owner[c][:12] for c in listed}) > 1:
            raise GeoError("one_community", "新网格不能跨社区")
        groups_by = {listed[0][:12]: [list(g) for g in groups]}
        parameters = {"groups": len(groups)}
    proposal = _proposal_from_groups(area, groups_by, new_units, loads)
    if kind == ChangeKind.REGENERATE and cell_m:  # the district's lattice changes with its unit grids
        district = Jurisdiction.objects.get(code=area.communities[0].code[:6])
        lat = _lattice(district, cell_m)
        proposal["lattice"] = [lat.origin_lon, lat.origin_lat, lat.step_lon, lat.step_lat]
    with transaction.atomic():
        t = Transition.build(area, proposal)
        impact = t.impact()
        change = GridChange(
            node_code=area.node_code, node_name=area.node_name, kind=kind, basis=fingerprint(area.communities),
            title=f"{area.node_name}：{ChangeKind(kind).label}", parameters=parameters, proposal=proposal,
            impact=impact, created_by=user)
        change.changes = len(t.retired_management) + len(t.retired_units) + len(t.new_management) + len(t.new_units)
        if dry_run:
            return change
        if not change.changes:
            raise GeoError("no_change", f"{area.node_name} 的网格与方案相同，无需调整")
        change.save()
        audit.record(user, "grid_change.plan", "grid_change", change.pk, after={
            "node": area.node_code, "kind": kind, "retire": len(t.retired_management) + len(t.retired_units),
            "create": len(t.new_management) + len(t.new_units), **parameters})
    return change


# ---------------------------------------------------------------- what a proposal does (shared by plan and apply)


@dataclass
class Transition:
    area: Area
    proposal: dict
    retired_management: list[Grid] = field(default_factory=list)
    retired_units: list[Grid] = field(default_factory=list)
    new_management: list[dict] = field(default_factory=list)
    new_units: list[dict] = field(default_factory=list)
    parent_of: dict[str, str] = field(default_factory=dict)       # every unit code in force → its management code
    unit_map: dict[str, str] = field(default_factory=dict)        # retired unit code → new unit code (largest)
    management_shares: dict = field(default_factory=dict)         # retired management code → [(new, share)]
    unit_shares: dict = field(default_factory=dict)
    key_map: dict[str, str] = field(default_factory=dict)         # old key → new key (units and management)
    new_shapes: dict[str, object] = field(default_factory=dict)   # new unit code → shape (where units change)
    management_shapes: dict[str, object] = field(default_factory=dict)  # new management code → shape

    @classmethod
    def build(cls, area: Area, proposal: dict) -> Transition:
        import shapely

        t = cls(area, proposal)
        kept_m = {m["code"] for m in proposal["management"] if m["kept"]}
        t.new_management = [m for m in proposal["management"] if not m["kept"]]
        t.new_units = proposal.get("units", [])
        for m in proposal["management"]:
            for u in m["units"]:
                t.parent_of[u] = m["code"]
        t.retired_management = [g for g in area.management if g.code not in kept_m]
        retired_ids = {g.id for g in t.retired_management}
        t.retired_units = [u for u in area.units if u.code not in t.parent_of]
        unit_shape = {u.code: u.shape for u in area.units}
        t.new_shapes = {u["code"]: _shape(u["geometry"]) for u in t.new_units}
        if t.retired_units:
            t.unit_shares = overlap_shares({u.code: unit_shape[u.code] for u in t.retired_units}, t.new_shapes)
            t.unit_map = largest(t.unit_shares)
        # the shapes of the new management grids: unions of their units
        all_unit = {**unit_shape, **t.new_shapes}
        new_m_shapes = {m["code"]: shapely.union_all([all_unit[u] for u in m["units"]]) for m in t.new_management}
        t.management_shapes = new_m_shapes
        old_m_shapes = {g.code: g.shape for g in t.retired_management}
        t.management_shares = overlap_shares(old_m_shapes, new_m_shapes)
        m_map = largest(t.management_shares)
        for u in area.units:
            if u.parent_id not in retired_ids and u.code in t.parent_of:
                continue  # its management grid stays: nothing changes for it
            new_u = u.code if u.code in t.parent_of else t.unit_map.get(u.code)
            if new_u is None:
                continue
            t.key_map[u.scope_key] = f"{t.parent_of[new_u]}.{new_u}"
        for g in t.retired_management:
            if g.code in m_map:
                t.key_map[g.scope_key] = m_map[g.code]
        return t

    # -- rows keyed by grid

    def located(self, model) -> bool:
        names = {f.name: f for f in model._meta.concrete_fields}
        return isinstance(names.get("lon"), models.FloatField) and isinstance(names.get("lat"), models.FloatField)

    def moves(self):
        """(model, field) → list of (pk, old key, new key), for every row keyed under a changing grid."""
        retired_unit_keys = {u.scope_key for u in self.retired_units}
        out = {}
        if not self.key_map:
            return out
        keys = list(self.key_map)
        for model, fname in rekey.keyed_fields():
            if model is Grid:
                continue
            spot = fname == "scope_key" and self.located(model) and retired_unit_keys
            cols = ["pk", fname] + (["lon", "lat"] if spot else [])
            rows = []
            for i in range(0, len(keys), 500):
                rows += list(model._base_manager.filter(**{f"{fname}__in": keys[i:i + 500]}).values_list(*cols))
            if not rows:
                continue
            found = [None] * len(rows)
            if spot:
                which = [i for i, r in enumerate(rows) if r[1] in retired_unit_keys]
                hits = points_in([(rows[i][2], rows[i][3]) for i in which], self.new_shapes)
                for i, code in zip(which, hits, strict=True):
                    if code is not None:
                        found[i] = f"{self.parent_of[code]}.{code}"
            out[(model, fname)] = [(r[0], r[1], found[i] or self.key_map[r[1]]) for i, r in enumerate(rows)]
        return out

    def impact(self) -> dict:
        """Per old and new management grid: duties, households, unit grids and the rows that move, by kind."""
        moves = self.moves()
        labels = {}
        per_old: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        per_new: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        flows: dict[tuple, int] = defaultdict(int)
        for (model, fname), rows in moves.items():
            label = model._meta.label
            if fname != "scope_key":
                label = f"{label}.{fname}"
            names = _row_names(model, fname)
            status_of = {}
            mapped = rekey.MAPPED.get(model._meta.label)
            if mapped and fname == "scope_key":
                pks = [r[0] for r in rows]
                for i in range(0, len(pks), 500):
                    status_of.update(model._base_manager.filter(pk__in=pks[i:i + 500]).values_list("pk", "status"))
            for pk, old, new in rows:
                what = label
                if status_of:
                    what = f"{label}:{'closed' if status_of[pk] in mapped[1] else 'open'}"
                    labels[what] = f"{names}（{'已办结' if status_of[pk] in mapped[1] else '在办'}）"
                else:
                    labels[what] = names
                o, n = old.split(".")[0], new.split(".")[0]
                per_old[o][what] += 1
                per_new[n][what] += 1
                flows[(what, o, n)] += 1
        duties = defaultdict(int)
        for gid in GridDuty.objects.filter(grid__in=self.retired_management).values_list("grid__code", flat=True):
            duties[gid] += 1
        new_by_code = {m["code"]: m for m in self.new_management}
        back = defaultdict(list)
        for old, pieces in self.management_shares.items():
            for new, share in pieces:
                back[new].append((old, share))
        households_unit = {u.code: u.households for u in self.area.units}
        households_unit.update({u["code"]: u["households"] for u in self.new_units})
        units_of: dict[int, int] = defaultdict(int)
        for u in self.area.units:
            units_of[u.parent_id] += 1
        old_rows = [{
            "code": g.code, "name": g.name, "households": g.households, "duties": duties.get(g.code, 0),
            "units": units_of.get(g.id, 0),
            "goes_to": [{"code": c, "share": s} for c, s in self.management_shares.get(g.code, [])],
            "rows": dict(per_old.get(g.code, {})),
        } for g in self.retired_management]
        new_rows = [{
            "code": m["code"], "name": m["name"], "units": len(m["units"]),
            "households": sum(households_unit.get(u, 0) for u in m["units"]), "load": m.get("load"),
            "comes_from": [{"code": c, "share": s} for c, s in sorted(back.get(m["code"], []))],
            "rows": dict(per_new.get(m["code"], {})),
        } for m in new_by_code.values()]
        totals: dict[str, int] = defaultdict(int)
        for (what, _o, _n), n in flows.items():
            totals[what] += n
        return {
            "old": old_rows, "new": new_rows, "labels": labels, "totals": dict(totals),
            "flows": [{"what": w, "from": o, "to": n, "count": c} for (w, o, n), c in sorted(flows.items())],
            "retire_units": len(self.retired_units), "new_units": len(self.new_units),
            "kept": sum(1 for m in self.proposal["management"] if m["kept"]),
            "duties": sum(duties.values()),
        }


def _row_names(model, fname) -> str:
    name = str(model._meta.verbose_name)
    return name if fname == "scope_key" else f"{name}（{model._meta.get_field(fname).verbose_name}）"


# ---------------------------------------------------------------- applying


def apply(user, change_id: int, *, now=None) -> GridChange:
    """Apply a plan: one transaction, one audit record with the counts. Refused (nothing written) when the plan
    was applied already or the area's grids changed since it was made."""
    if user is not None:
        require(user, roles.EDIT)
    with transaction.atomic():
        change = GridChange.objects.select_for_update().filter(pk=change_id).first()
        if change is None or (user is not None and not in_scope(user, change.node_code)):
            raise NotFound("change_not_found", f"网格调整方案 {change_id} 不存在或不在您的管辖范围内")
        if change.status == ChangeStatus.APPLIED:
            raise Conflict("change_applied", f"方案 {change.pk} 已于 {timezone.localtime(change.applied_at):%Y-%m-%d %H:%M} 实施，不能重复实施")
        try:
            area = _area(None, change.node_code, change.parameters.get("grids"))
        except NotFound:  # the grid the plan was for is gone: changed since
            area = None
        if area is None:
            raise Conflict("change_stale", "方案编制后该范围的网格已有变动，请重新编制方案")
        if change.kind == ChangeKind.REGENERATE:
            area.management = list(Grid.objects.filter(layer__code=MANAGEMENT, community__in=area.communities)
                                   .select_related("community").order_by("code"))
            area.units = list(Grid.objects.filter(layer__code=UNIT, community__in=area.communities)
                              .select_related("parent").order_by("code"))
        elif change.kind == ChangeKind.REDRAW:
            touched = {u for m in change.proposal["management"] for u in m["units"]}
            parents = {u.parent.code for u in area.units if u.code in touched}
            area.management = [g for g in area.management if g.code in parents]
            area.units = [u for u in area.units if u.parent.code in parents]
        if fingerprint(area.communities) != change.basis:
            raise Conflict("change_stale", "方案编制后该范围的网格已有变动，请重新编制方案")
        t = Transition.build(area, change.proposal)
        counts = _apply(t, change, now or timezone.now())
        change.status = ChangeStatus.APPLIED
        change.applied_by = user
        change.applied_at = now or timezone.now()
        change.counts = counts
        change.save(update_fields=["status", "applied_by", "applied_at", "counts"])
        audit.record(user, "grid_change.apply", "grid_change", change.pk, after={"node": change.node_code, **counts})
        from .services import bump_layers

        bump_layers(UNIT, MANAGEMENT)
    return change


def _apply(t: Transition, change: GridChange, now) -> dict:
    layers = {layer.code: layer for layer in GridLayer.objects.filter(code__in=[UNIT, MANAGEMENT])}
    communities = {c.code: c for c in t.area.communities}
    moves = t.moves()  # read before anything is written

    # 1. the new grids (valid from now)
    from .services import area_m2

    new_m = []
    for m in t.new_management:
        g = Grid(layer=layers[MANAGEMENT], code=m["code"], name=m["name"], community=communities[m["community"]],
                 scope_key=m["code"], grid_type=GridType.COMPOUND, generated=True, valid_from=now)
        shape = t.management_shapes[m["code"]]
        g.set_shape(shape, area_m2(shape))
        new_m.append(g)
    Grid.objects.bulk_create(new_m, batch_size=500)
    ids = dict(Grid.objects.filter(layer=layers[MANAGEMENT], community__in=t.area.communities)
               .values_list("code", "id"))
    new_u = []
    for u in t.new_units:
        g = Grid(layer=layers[UNIT], code=u["code"], name=u["code"], community=communities[u["community"]],
                 parent_id=ids[t.parent_of[u["code"]]], scope_key=f"{t.parent_of[u['code']]}.{u['code']}",
                 grid_type=GridType.STREET, households=u["households"], generated=True, valid_from=now)
        g.set_shape(t.new_shapes[u["code"]], u["area_m2"])
        new_u.append(g)
    Grid.objects.bulk_create(new_u, batch_size=1000)
    # units that stay but change management grid
    restate = [u for u in t.area.units if u.code in t.parent_of and t.parent_of[u.code] != (
        u.parent.code if u.parent_id else "")]
    for u in restate:
        u.parent_id = ids[t.parent_of[u.code]]
        u.scope_key = f"{t.parent_of[u.code]}.{u.code}"
    Grid.objects.bulk_update(restate, ["parent", "scope_key"], batch_size=1000)
    # the class, type and area class of a new management grid: those of the old grid covering most of it
    old_by_code = {g.code: g for g in t.retired_management}
    back = _backward(t)
    households: dict[str, int] = defaultdict(int)
    for u in t.area.units:
        if u.code in t.parent_of:
            households[t.parent_of[u.code]] += u.households
    for u in t.new_units:
        households[t.parent_of[u["code"]]] += u["households"]
    for g in new_m:
        src = old_by_code.get(back.get(g.code, ""))
        g.households = households[g.code]
        if src is not None:
            g.grid_class, g.area_class = src.grid_class, src.area_class
    Grid.objects.bulk_update(new_m, ["households", "grid_class", "area_class"], batch_size=500)

    retired = [*t.retired_management, *t.retired_units]
    snapshot = defaultdict(list)
    for d in GridDuty.objects.filter(grid__in=retired).select_related("person").order_by("id"):
        snapshot[d.grid_id].append({"post": d.post, "person": d.person.username, "person_id": d.person_id,
                                    "duty_hours": d.duty_hours, "standard": d.standard})
    if t.proposal.get("lattice"):
        Jurisdiction.objects.filter(code=t.area.communities[0].code[:6]).update(lattice=t.proposal["lattice"])
    # 2. rows keyed by grid, and the 历史案件对照表
    rekeyed = _rekey_rows(t, moves, change)
    # 3. foreign keys to retired grids
    unit_ids = dict(Grid.objects.filter(layer=layers[UNIT], community__in=t.area.communities)
                    .values_list("code", "id"))
    repointed = _repoint(t, unit_ids, ids)
    from gridgov.analytics.rollup import rebuild_open

    rebuild_open()  # the open cases' counts per grid (the dashboard), re-keyed with them
    # 4. 五定: carried, then copied to new grids left without people
    duties = _carry_duties(t, ids, unit_ids, snapshot)
    # 5. history: the retired grids and the mapping; then they leave the live table (units looked up by id: a test
    # of `g in t.retired_units` compared each grid with every retired unit: ~35 million comparisons for 西城区)
    retired_unit_ids = {u.pk for u in t.retired_units}
    RetiredGrid.objects.bulk_create([RetiredGrid(
        change=change, layer=UNIT if g.pk in retired_unit_ids else MANAGEMENT, code=g.code, name=g.name,
        community_code=g.scope_key[:12], key=g.scope_key,
        parent_code=g.parent.code if g.pk in retired_unit_ids and g.parent_id else "",
        geometry=g.geometry, households=g.households, duties=[{k: v for k, v in d.items() if k != "person_id"} for d in snapshot.get(g.id, [])],
        valid_from=g.valid_from,
        valid_to=now) for g in retired], batch_size=500)
    unit_keys = {u.code: u.scope_key for u in t.retired_units}
    GridMapping.objects.bulk_create([
        GridMapping(change=change, layer=MANAGEMENT, old_code=old, old_key=old, new_code=new, share=share)
        for old, pieces in t.management_shares.items() for new, share in pieces
    ] + [
        GridMapping(change=change, layer=UNIT, old_code=old, old_key=unit_keys[old], new_code=new, share=share)
        for old, pieces in t.unit_shares.items() for new, share in pieces
    ], batch_size=1000)
    Grid.objects.filter(pk__in=[g.pk for g in t.retired_units]).delete()
    Grid.objects.filter(pk__in=[g.pk for g in t.retired_management]).delete()
    return {
        "retired_management": len(t.retired_management), "retired_units": len(t.retired_units),
        "new_management": len(new_m), "new_units": len(new_u), "kept_management": len(t.proposal["management"]) - len(new_m),
        "rekeyed": rekeyed, "repointed": repointed, **duties,
    }


def _backward(t: Transition) -> dict[str, str]:
    """Each new management grid → the old one that covers most of it (by area)."""
    best: dict[str, tuple[float, str]] = {}
    areas = {g.code: g.shape.area for g in t.retired_management}
    for old, pieces in t.management_shares.items():
        for new, share in pieces:
            part = share * areas[old]
            if new not in best or (part, old) > best[new]:
                best[new] = (part, old)
    return {new: old for new, (_, old) in best.items()}


def _rekey_rows(t: Transition, moves, change) -> dict[str, int]:
    counts: dict[str, int] = {}
    mapped_rows = []
    for (model, fname), rows in moves.items():
        names = {f.name: f for f in model._meta.concrete_fields}
        by_target: dict[tuple[str, str], list] = defaultdict(list)
        for pk, old, new in rows:
            by_target[(old, new)].append(pk)
        mapped = rekey.MAPPED.get(model._meta.label) if fname == "scope_key" else None
        if mapped:
            labels = {}
            pks = [r[0] for r in rows]
            for i in range(0, len(pks), 500):
                labels.update({pk: (label, state) for pk, label, state in model._base_manager.filter(
                    pk__in=pks[i:i + 500]).values_list("pk", mapped[0], "status")})
            for pk, old, new in rows:
                label, state = labels[pk]
                mapped_rows.append(RowMapping(
                    change=change, model=model._meta.label, label=label, old_key=old, new_key=new,
                    old_unit_grid=old.split(".")[1] if "." in old else "", old_management_grid=old.split(".")[0],
                    new_unit_grid=new.split(".")[1] if "." in new else "", new_management_grid=new.split(".")[0],
                    state=state))
        place = fname == "scope_key" and {
            "management_grid": isinstance(names.get("management_grid"), models.CharField),
            "unit_grid": isinstance(names.get("unit_grid"), models.CharField)}
        # rows that follow their old key's mapping: one statement per 300 keys (CASE on the old key)
        plain = sorted({old for (old, new) in by_target if new == t.key_map.get(old)})
        for i in range(0, len(plain), 300):
            chunk = plain[i:i + 300]
            changes = {fname: _case(fname, {k: t.key_map[k] for k in chunk})}
            if place and place["management_grid"]:
                changes["management_grid"] = _case(fname, {k: t.key_map[k].split(".")[0] for k in chunk})
            if place and place["unit_grid"]:
                changes["unit_grid"] = _case(fname, {k: t.key_map[k].split(".")[1] for k in chunk
                                                     if "." in t.key_map[k]}, default=models.F("unit_grid"))
            model._base_manager.filter(**{f"{fname}__in": chunk}).update(**changes)
        # rows placed by their position (their unit grid was redrawn), after the others: by target
        for (old, new), pks in by_target.items():
            if new == t.key_map.get(old):
                continue
            changes = {fname: Value(new)}
            if place and place["management_grid"]:
                changes["management_grid"] = Value(new.split(".")[0])
            if place and place["unit_grid"] and "." in new:
                changes["unit_grid"] = Value(new.split(".")[1])
            for i in range(0, len(pks), 500):
                model._base_manager.filter(pk__in=pks[i:i + 500]).update(**changes)
        counts[f"{model._meta.label}.{fname}"] = len(rows)
    RowMapping.objects.bulk_create(mapped_rows, batch_size=1000)
    return counts


def _case(fname: str, values: dict[str, str], default=None):
    whens = [models.When(**{fname: k}, then=Value(v)) for k, v in values.items()]
    return models.Case(*whens, default=default if default is not None else models.F(fname),
                       output_field=models.CharField())


def _repoint(t: Transition, unit_ids: dict[str, int], management_ids: dict[str, int]) -> dict[str, int]:
    """Every foreign key to a retired grid → its new grid: from the row's new scope key where it has one, else the
    grid that received the largest share."""
    retired_units = {u.id: u.code for u in t.retired_units}
    retired_m = {g.id: g.code for g in t.retired_management}
    m_map = largest(t.management_shares)
    counts = {}
    for model in apps.get_models():
        if model in (Grid, GridDuty):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if not (isinstance(f, models.ForeignKey) and f.related_model is Grid):
                continue
            qs = model._base_manager.filter(**{f"{f.attname}__in": [*retired_units, *retired_m]})
            cols = ["pk", f.attname] + (["scope_key"] if "scope_key" in names else [])
            n = 0
            groups: dict[int | None, list] = defaultdict(list)
            for row in qs.values_list(*cols):
                pk, old_id = row[0], row[1]
                key = row[2] if len(row) > 2 else ""
                if old_id in retired_units:
                    code = key.split(".")[1] if "." in key else t.unit_map.get(retired_units[old_id])
                    target = unit_ids.get(code)
                else:
                    code = key.split(".")[0] if key and "W" in key.split(".")[0] else m_map.get(retired_m[old_id])
                    target = management_ids.get(code)
                groups[target].append(pk)
                n += 1
            if f.unique:  # one row per grid (a OneToOne, e.g. a grid's patrol plan): the merged grid keeps one
                taken = set(model._base_manager.filter(**{f"{f.attname}__in": [t for t in groups if t]})
                            .exclude(pk__in=[pk for pks in groups.values() for pk in pks])
                            .values_list(f.attname, flat=True))
                for target, pks in list(groups.items()):
                    keep = [] if target is None or target in taken else pks[:1]
                    surplus = [pk for pk in pks if pk not in keep]
                    if surplus:
                        model._base_manager.filter(pk__in=surplus).delete()
                        counts[f"{model._meta.label}.{f.name}:dropped"] = (
                            counts.get(f"{model._meta.label}.{f.name}:dropped", 0) + len(surplus))
                    groups[target] = keep
            for target, pks in groups.items():
                for i in range(0, len(pks), 500):
                    model._base_manager.filter(pk__in=pks[i:i + 500]).update(**{f.attname: target})
            if n:
                counts[f"{model._meta.label}.{f.name}"] = n
    return counts


def _carry_duties(t: Transition, management_ids: dict[str, int], unit_ids: dict[str, int],
                  snapshot: dict[int, list[dict]]) -> dict[str, int]:
    m_map = largest(t.management_shares)
    carried = merged = copied = 0
    existing = set(GridDuty.objects.filter(grid_id__in=[*management_ids.values(), *unit_ids.values()])
                   .values_list("grid_id", "person_id", "post"))
    targets = {**{g.id: management_ids.get(m_map.get(g.code, "")) for g in t.retired_management},
               **{u.id: unit_ids.get(t.unit_map.get(u.code, "")) for u in t.retired_units}}
    moving: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id, person_id, post in GridDuty.objects.filter(grid_id__in=list(targets)).order_by("id").values_list(
            "pk", "grid_id", "person_id", "post"):
        target = targets[grid_id]
        if target is None:
            continue  # kept with the retired grid's history only (it overlaps nothing new)
        if (target, person_id, post) in existing:
            merged += 1  # the same person in the same post on the merged grid: one duty
            continue
        existing.add((target, person_id, post))
        moving[target].append(pk)
        carried += 1
    for target, pks in moving.items():
        GridDuty.objects.filter(pk__in=pks).update(grid_id=target)
    # a new management grid without people: the 五定 of the old grid that covers most of it
    staffed = {g for g, _, _ in existing}
    source_of = _backward(t)
    old_ids = {g.code: g.id for g in t.retired_management}
    copies = []
    for m in t.new_management:
        gid = management_ids[m["code"]]
        src = source_of.get(m["code"])
        if gid in staffed or src is None:
            continue
        for d in snapshot.get(old_ids[src], []):
            if (gid, d["person_id"], d["post"]) not in existing:
                existing.add((gid, d["person_id"], d["post"]))
                copies.append(GridDuty(grid_id=gid, person_id=d["person_id"], post=d["post"],
                                       duty_hours=d["duty_hours"], standard=d["standard"]))
    GridDuty.objects.bulk_create(copies, batch_size=500)
    copied = len(copies)
    return {"duties_carried": carried, "duties_merged": merged, "duties_copied": copied}


# ---------------------------------------------------------------- history: where did an old code go


def current_codes(code: str, limit: int = 50) -> list[str]:
    """The grid codes in force that an old (retired) grid code became, following later changes too; a code in
    force answers itself. Used by lists and reports so a case filed under an old code is found under the new."""
    seen, todo, out = set(), [code], []
    live = set(Grid.objects.filter(code=code).values_list("code", flat=True))
    if live:
        return [code]
    while todo and len(seen) < limit:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        nxt = list(GridMapping.objects.filter(old_code=c).order_by("-share").values_list("new_code", flat=True))
        if not nxt:
            if Grid.objects.filter(code=c).exists():
                out.append(c)
            continue
        for n in nxt:
            if Grid.objects.filter(code=n).exists():
                out.append(n)
            else:
                todo.append(n)
    return sorted(set(out))


def case_history(label: str) -> list[RowMapping]:
    """The grid changes a case went through (历史案件对照表 rows), oldest first."""
    return list(RowMapping.objects.filter(label=label).select_related("change").order_by("change_id"))


def impact_lines(change: GridChange) -> list[str]:
    """The impact of a plan as plain lines (``generate-grids --dry-run``, the plan page's summary)."""
    imp = change.impact
    labels = imp.get("labels", {})
    lines = [f"{change.title}：停用 {len(imp['old'])} 个管理网格、{imp['retire_units']} 个单元网格；"
             f"新建 {len(imp['new'])} 个管理网格、{imp['new_units']} 个单元网格；保留 {imp['kept']} 个管理网格；"
             f"涉及五定 {imp['duties']} 条"]
    if not imp["old"] and not imp["new"] and not imp["retire_units"]:
        lines.append("网格与现状相同，无需调整")
    for what, n in sorted(imp["totals"].items()):
        lines.append(f"  {labels.get(what, what)}：{n:,} 条随网格迁移")
    for g in imp["old"]:
        to = "、".join(f"{x['code']}（{x['share']:.0%}）" for x in g["goes_to"]) or "—"
        rows = "，".join(f"{labels.get(k, k)} {v}" for k, v in sorted(g["rows"].items()))
        lines.append(f"  原 {g['code']} → {to}；五定 {g['duties']} 条{('；' + rows) if rows else ''}")
    return lines


def map_features(change: GridChange) -> list[dict]:
    """The old management grids (side "old") and the new ones (side "new", with their load) of a plan, as GeoJSON
    features: for a plan, the grids in force and the proposal; once applied, the retired grids and the new ones."""
    import shapely
    from shapely.geometry import mapping

    imp = change.impact
    old_codes = [g["code"] for g in imp.get("old", [])]
    new_meta = {g["code"]: g for g in imp.get("new", [])}
    feats = []

    def feature(code, geom, side, **props):
        return {"type": "Feature", "id": f"{side}/{code}", "geometry": geom,
                "properties": {"code": code, "side": side, **props}}

    if change.status == ChangeStatus.APPLIED:
        for r in RetiredGrid.objects.filter(change=change, layer=MANAGEMENT).order_by("code"):
            feats.append(feature(r.code, json.loads(r.geometry), "old", name=r.name, households=r.households))
        live = {g.code: g for g in Grid.objects.filter(layer__code=MANAGEMENT, code__in=list(new_meta))}
        later = {r.code: r for r in RetiredGrid.objects.filter(layer=MANAGEMENT, code__in=list(new_meta))}
        for code, meta in sorted(new_meta.items()):
            g = live.get(code) or later.get(code)
            if g is not None:
                feats.append(feature(code, json.loads(g.geometry), "new", name=meta["name"],
                                     households=meta["households"], load=meta.get("load")))
        return feats
    for g in Grid.objects.filter(layer__code=MANAGEMENT, code__in=old_codes).order_by("code"):
        feats.append(feature(g.code, json.loads(g.geometry), "old", name=g.name, households=g.households))
    units = {m["code"]: m["units"] for m in change.proposal.get("management", []) if not m["kept"]}
    wanted = {u for us in units.values() for u in us}
    shapes = {u["code"]: _shape(u["geometry"]) for u in change.proposal.get("units", []) if u["code"] in wanted}
    for code, geometry in Grid.objects.filter(layer__code=UNIT, code__in=list(wanted - set(shapes))).values_list(
            "code", "geometry"):
        shapes[code] = _shape(geometry)
    for code, members in sorted(units.items()):
        parts = [shapes[u] for u in members if u in shapes]
        if not parts:
            continue
        meta = new_meta.get(code, {})
        feats.append(feature(code, mapping(shapely.union_all(parts)), "new", name=meta.get("name", code),
                             households=meta.get("households"), load=meta.get("load")))
    return feats


def filed_under(code: str):
    """The numbers of the cases that were under grid ``code`` (unit or management) when a change moved them — a
    subquery for lists and reports, so a case filed under an old grid code is still found by it."""
    return RowMapping.objects.filter(Q(old_management_grid=code) | Q(old_unit_grid=code),
                                     model="cases.Case").values("label")
