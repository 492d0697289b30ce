"""Unit grids (GB/T 30428.1 单元网格) and management grids (管理网格).

Unit grids are the intersections of each community with a regular lattice of
≈100 m × 100 m cells.  Small boundary pieces (< :data:`MIN_PIECE_FRACTION` of
a cell) are merged into the neighbouring grid of the same community with the
longest shared boundary, so every unit grid is a single valid Polygon.  Code =
12-digit community code + 3-digit serial; serials start at 001 and run west→
east within a row, rows from north to south.

Lattice indices: ``row`` counts cells northward from the lattice origin (the
snapped south-west corner), ``col`` eastward.  Serial order is therefore
``(-row, col)``.

Management grids group adjacent unit grids of one community until the
estimated number of households (area × density) reaches about a target.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from .projection import LocalProjection, metres_per_degree

#: Pieces smaller than this fraction of a full cell are merged into a neighbour.
MIN_PIECE_FRACTION = 0.25
MAX_SERIAL = 999
#: Shared boundaries shorter than this (degrees) do not count as adjacency.
_TOUCH_EPS = 1e-10
#: Overlay round-off slivers below this fraction of a cell are discarded.
_SLIVER_FRACTION = 1e-8


@dataclass(frozen=True)
class Lattice:
    """Regular lon/lat lattice; lines at ``origin + k * step``."""

    origin_lon: float
    origin_lat: float
    step_lon: float
    step_lat: float

    def cell_of(self, lon: float, lat: float) -> tuple[int, int]:
        """(row, col) of the cell containing the point; row grows northward."""
        return (
            math.floor((lat - self.origin_lat) / self.step_lat),
            math.floor((lon - self.origin_lon) / self.step_lon),
        )

    def cell_bounds(self, row: int, col: int) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of a cell, computed exactly as in :meth:`boxes`."""
        return (
            self.origin_lon + col * self.step_lon,
            self.origin_lat + row * self.step_lat,
            self.origin_lon + (col + 1) * self.step_lon,
            self.origin_lat + (row + 1) * self.step_lat,
        )

    def boxes(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Vectorised cell polygons (shared edges have bit-identical coordinates)."""
        x0 = self.origin_lon + cols * self.step_lon
        y0 = self.origin_lat + rows * self.step_lat
        x1 = self.origin_lon + (cols + 1) * self.step_lon
        y1 = self.origin_lat + (rows + 1) * self.step_lat
        return shapely.box(x0, y0, x1, y1)


def make_lattice(bounds: Sequence[float], cell_m: float = 100.0) -> Lattice:
    """Lattice of ``cell_m`` × ``cell_m`` m cells (at the centre latitude) covering ``bounds``.

    The origin is the south-west corner of ``bounds`` snapped outward to a
    multiple of the step, so the lattice is reproducible for a given district.
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or minx > maxx or miny > maxy:
        raise ValueError(f"invalid bounds {bounds!r}")
    if not cell_m > 0:
        raise ValueError("cell_m must be positive")
    m_lon, m_lat = metres_per_degree((miny + maxy) / 2.0)
    step_lon, step_lat = cell_m / m_lon, cell_m / m_lat
    return Lattice(
        origin_lon=math.floor(minx / step_lon) * step_lon,
        origin_lat=math.floor(miny / step_lat) * step_lat,
        step_lon=step_lon,
        step_lat=step_lat,
    )


@dataclass
class UnitGrid:
    """One unit grid (单元网格)."""

    code: str
    community_code: str
    serial: int
    geometry: Polygon
    row: int
    col: int
    area_m2: float


@dataclass
class ManagementGrid:
    """One management grid (管理网格): a connected group of unit grids."""

    code: str
    community_code: str
    serial: int
    geometry: Polygon | MultiPolygon
    unit_codes: list[str] = field(default_factory=list)
    households: int = 0


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _polygons(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _shared_lengths(geoms: Sequence, pairs_left: np.ndarray, pairs_right: np.ndarray) -> np.ndarray:
    """Length of common boundary for each (left, right) index pair."""
    if len(pairs_left) == 0:
        return np.zeros(0)
    arr = np.asarray(geoms, dtype=object)
    bl = shapely.boundary(arr[pairs_left])
    br = shapely.boundary(arr[pairs_right])
    return shapely.length(shapely.intersection(bl, br))


def _adjacency(geoms: Sequence) -> dict[int, dict[int, float]]:
    """Edge-adjacency graph {i: {j: shared boundary length}} of polygons."""
    arr = np.asarray(geoms, dtype=object)
    graph: dict[int, dict[int, float]] = {i: {} for i in range(len(arr))}
    if len(arr) < 2:
        return graph
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    lengths = _shared_lengths(arr, left, right)
    for i, j, length in zip(left.tolist(), right.tolist(), lengths.tolist(), strict=True):
        if length > _TOUCH_EPS:
            graph[i][j] = length
            graph[j][i] = length
    return graph


def _check_code(code: str) -> None:
    if not (isinstance(code, str) and len(code) == 12 and code.isdigit()):
        raise ValueError(f"community code must be 12 digits, got {code!r}")


# ---------------------------------------------------------------------------
# unit grids
# ---------------------------------------------------------------------------
def unit_grids(communities: Sequence[tuple[str, Polygon | MultiPolygon]], lattice: Lattice, *,
               min_piece_fraction: float = MIN_PIECE_FRACTION,
               projection: LocalProjection | None = None) -> list[UnitGrid]:
    """Intersect each community with the lattice and number the unit grids.

    Pieces smaller than ``min_piece_fraction`` of a cell are merged into a
    neighbouring grid of the same community.

    Returns grids ordered by community (input order) then serial.  Raises
    ``ValueError`` for malformed community codes or if a community would need
    more than 999 unit grids. ``projection`` (default: centred on all the communities given) measures the
    pieces: regenerating part of a district passes the whole district's, so its unit grids come out the same.
    """
    if not communities:
        return []
    all_geoms = [g for _, g in communities]
    proj = projection or LocalProjection.for_geometry(shapely.GeometryCollection(all_geoms))
    cx, cy = proj.lon0, proj.lat0
    cell_area = float(proj.area_m2(shapely.box(cx, cy, cx + lattice.step_lon, cy + lattice.step_lat)))
    seen: set[str] = set()
    result: list[UnitGrid] = []
    for code, geom in communities:
        _check_code(code)
        if code in seen:
            raise ValueError(f"duplicate community code {code}")
        seen.add(code)
        result.extend(_community_units(code, geom, lattice, proj, cell_area, min_piece_fraction))
    return result


def _community_units(code, geom, lattice: Lattice, proj: LocalProjection, cell_area: float,
                     min_fraction: float) -> list[UnitGrid]:
    if geom is None or geom.is_empty:
        return []
    if not geom.is_valid:
        raise ValueError(f"社区 {code} 的边界几何无效")
    total = float(proj.area_m2(geom))
    if total > 2 * MAX_SERIAL * cell_area:  # cheap early refusal; exact check below
        raise ValueError(_too_many_message(code, round(total / cell_area)))
    minx, miny, maxx, maxy = geom.bounds
    r0, c0 = lattice.cell_of(minx, miny)
    r1, c1 = lattice.cell_of(maxx, maxy)
    rows, cols = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    boxes = lattice.boxes(rows, cols)
    shapely.prepare(geom)
    hit = shapely.intersects(geom, boxes)
    inside = shapely.contains_properly(geom, boxes)
    pieces = np.array(boxes, dtype=object)
    partial = hit & ~inside
    pieces[partial] = shapely.intersection(boxes[partial], geom)

    # split into single polygons, classify as core (big) or fragment (small)
    parts, cell_idx = [], []
    for k in np.flatnonzero(hit):
        for p in _polygons(pieces[k]):
            parts.append(p)
            cell_idx.append(k)
    if not parts:
        return []
    areas = proj.area_m2(np.array(parts, dtype=object))
    nonzero = areas > _SLIVER_FRACTION * cell_area  # drop round-off slivers from the overlay
    parts = [p for p, ok in zip(parts, nonzero, strict=True) if ok]
    cell_idx = [k for k, ok in zip(cell_idx, nonzero, strict=True) if ok]
    areas = areas[nonzero]
    owner = np.where(areas >= min_fraction * cell_area, np.arange(len(parts)), -1)

    graph = _adjacency(parts)
    _assign_fragments(owner, areas, graph)

    groups: dict[int, list[int]] = {}
    for i, o in enumerate(owner.tolist()):
        groups.setdefault(o, []).append(i)
    if len(groups) > MAX_SERIAL:
        raise ValueError(_too_many_message(code, len(groups)))

    grids = []
    for core, members in groups.items():
        shape = parts[core] if len(members) == 1 else shapely.union_all([parts[i] for i in members])
        shape = _single_polygon(shape)
        k = cell_idx[core]
        c = shape.centroid
        grids.append((-int(rows[k]), int(cols[k]), -c.y, c.x, shape, int(rows[k]), int(cols[k]),
                      float(areas[members].sum())))
    grids.sort(key=lambda g: g[:4])
    return [
        UnitGrid(code=f"{code}{n:03d}", community_code=code, serial=n, geometry=g[4], row=g[5], col=g[6],
                 area_m2=g[7])
        for n, g in enumerate(grids, start=1)
    ]


def _too_many_message(code: str, n: int) -> str:
    return (f"社区 {code} 约需 {n} 个单元网格，超过 3 位序号上限 {MAX_SERIAL} 个；"
            "请先将该社区拆分为更小的社区，或增大单元网格边长")


def _assign_fragments(owner: np.ndarray, areas: np.ndarray, graph: dict[int, dict[int, float]]) -> None:
    """Give each fragment (owner -1) the owner of its best-connected neighbour.

    Fragments next to an owned piece take the owner sharing the longest
    boundary; this propagates outward.  Fragments cut off from every core
    (tiny islands) promote their largest member to a core.  In place.
    """
    while (owner < 0).any():
        progress = True
        while progress:
            progress = False
            for i in np.flatnonzero(owner < 0).tolist():
                best, best_len = -1, 0.0
                for j, length in sorted(graph[i].items()):
                    if owner[j] >= 0 and length > best_len:
                        best, best_len = j, length
                if best >= 0:
                    owner[i] = owner[best]
                    progress = True
        rest = np.flatnonzero(owner < 0)
        if len(rest):
            biggest = int(rest[np.argmax(areas[rest])])
            owner[biggest] = biggest


def _single_polygon(shape) -> Polygon:
    """Return ``shape`` as a Polygon (merging numeric slivers if needed)."""
    if isinstance(shape, Polygon):
        return shape
    polys = _polygons(shape)
    if len(polys) == 1:
        return polys[0]
    # parts touching only at points or separated by round-off: close the gap
    merged = shapely.union_all([shapely.buffer(p, 1e-11, join_style="mitre") for p in polys]).buffer(
        -1e-11, join_style="mitre")
    polys2 = _polygons(merged)
    if len(polys2) == 1:
        return polys2[0]
    return max(polys, key=lambda p: p.area)  # pragma: no cover - should not happen


# ---------------------------------------------------------------------------
# management grids
# ---------------------------------------------------------------------------
def management_grids(units: Sequence[UnitGrid], households_per_km2: float,
                     target_households: int = 300) -> list[ManagementGrid]:
    """Group adjacent unit grids of each community into management grids.

    Region growing starts at the lowest unassigned serial (north-west) and adds
    the adjacent unit nearest (in lattice cells) to the seed, ties broken by
    serial, while that brings the household estimate closer to the target.
    Groups below half the target are then merged into the adjacent group with
    the longest shared boundary.  Serials 001… follow the order of each group's
    first unit.  Raises ``ValueError`` for invalid density/target.
    """
    if not (math.isfinite(households_per_km2) and households_per_km2 >= 0):
        raise ValueError("households_per_km2 must be a non-negative number")
    if target_households <= 0:
        raise ValueError("target_households must be positive")
    by_community: dict[str, list[UnitGrid]] = {}
    for u in units:
        by_community.setdefault(u.community_code, []).append(u)
    result: list[ManagementGrid] = []
    for code, members in by_community.items():
        members = sorted(members, key=lambda u: u.serial)
        result.extend(_community_management(code, members, households_per_km2 / 1e6, target_households))
    return result


def _community_management(code: str, units: list[UnitGrid], density_m2: float, target: int) -> list[ManagementGrid]:
    hh = np.array([u.area_m2 * density_m2 for u in units])
    n = len(units)
    if hh.sum() < target:
        groups = [list(range(n))]
    else:
        graph = _adjacency([u.geometry for u in units])
        group_of = np.full(n, -1)
        groups = []
        for seed in range(n):
            if group_of[seed] >= 0:
                continue
            gid = len(groups)
            members, total = [seed], hh[seed]
            group_of[seed] = gid
            frontier: list[tuple[float, int]] = []

            def push(i: int, seed=seed, frontier=frontier) -> None:
                for j in graph[i]:
                    if group_of[j] < 0:
                        d = math.hypot(units[j].row - units[seed].row, units[j].col - units[seed].col)
                        heapq.heappush(frontier, (d, j))

            push(seed)
            while frontier and total < target:
                _, j = heapq.heappop(frontier)
                if group_of[j] >= 0:
                    continue
                if abs(total + hh[j] - target) > abs(total - target):
                    break
                group_of[j] = gid
                members.append(j)
                total += hh[j]
                push(j)
            groups.append(members)
        groups = _merge_small(groups, group_of, hh, graph, target)

    result = []
    for serial, members in enumerate(sorted(groups, key=min), start=1):
        members = sorted(members)
        shape = shapely.union_all([units[i].geometry for i in members])
        if isinstance(shape, MultiPolygon) and len(shape.geoms) == 1:
            shape = shape.geoms[0]
        result.append(ManagementGrid(
            code=f"{code}{serial:03d}", community_code=code, serial=serial, geometry=shape,
            unit_codes=[units[i].code for i in members], households=round(float(hh[members].sum())),
        ))
    if len(result) > MAX_SERIAL:
        raise ValueError(f"社区 {code} 的管理网格超过 {MAX_SERIAL} 个，请调高每个网格的目标户数")
    return result


def _merge_small(groups, group_of, hh, graph, target) -> list[list[int]]:
    """Merge groups under half the target into their best adjacent group."""
    groups = [list(g) for g in groups]
    alive = [True] * len(groups)
    totals = [float(hh[g].sum()) for g in groups]
    changed = True
    while changed:
        changed = False
        for gid in sorted(range(len(groups)), key=lambda k: (totals[k], k)):
            if not alive[gid] or totals[gid] >= target / 2:
                continue
            shared: dict[int, float] = {}
            for i in groups[gid]:
                for j, length in graph[i].items():
                    other = int(group_of[j])
                    if other != gid:
                        shared[other] = shared.get(other, 0.0) + length
            if not shared:
                continue  # isolated island: stays a (small) group of its own
            dest = max(sorted(shared), key=lambda k: (shared[k], -totals[k]))
            for i in groups[gid]:
                group_of[i] = dest
            groups[dest].extend(groups[gid])
            totals[dest] += totals[gid]
            alive[gid] = False
            groups[gid] = []
            changed = True
            break
    return [g for g, ok in zip(groups, alive, strict=True) if ok]
