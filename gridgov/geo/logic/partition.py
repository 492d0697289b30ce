"""Split a district into plausible sub-areas (streets, communities).

When no official street/community boundaries are published we generate
plausible ones by *recursive bisection*: the weight list is split (keeping its
order) into two groups of near-equal total weight, and the polygon is cut by a
straight line perpendicular to its longer axis, at the offset that gives the
exact area ratio (found by a bracketing root search on true areas from
:class:`LocalProjection`).  Both halves are then split recursively.

Pieces are produced by ``A = P ∩ H`` and ``B = P − A``, so they never overlap
and their union is exactly the input.  Cuts are straight lines in lon/lat
space, oriented in metres (so "perpendicular" is metric).  If a cut of a single
Polygon would produce a MultiPolygon, other angles are tried; as a last resort
fragments are given to the other piece (recorded in :class:`PartitionReport`).
Everything is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon

from .projection import LocalProjection, metres_per_degree

#: Angle offsets (degrees) tried, in order, when a cut splits a piece apart.
ANGLE_OFFSETS = (0, 30, -30, 90, 10, -10, 20, -20, 45, -45, 60, -60, 75, -75)
#: The first angles of ANGLE_OFFSETS are all tried and the most compact contiguous cut wins.
SCORED_ANGLES = 4
#: Relative area tolerance of the offset search.
AREA_RTOL = 1e-9

Polygonal = Polygon | MultiPolygon


@dataclass
class PartitionReport:
    """Pieces plus quality measures of a :func:`partition_with_report` run."""

    pieces: list[Polygonal]
    #: max over pieces of |area / (weight share × total area) − 1|
    max_area_error: float = 0.0
    #: number of cuts where fragments had to be reassigned (contiguity fix)
    fragment_fixes: int = 0
    notes: list[str] = field(default_factory=list)


def _polygonal(geom) -> Polygonal:
    """Keep only polygonal parts; return Polygon, MultiPolygon or empty Polygon."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]
    parts += [p for g in getattr(geom, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms]
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _n_parts(geom) -> int:
    return len(geom.geoms) if isinstance(geom, MultiPolygon) else (0 if geom.is_empty else 1)


class _Cutter:
    """Cuts polygons with half-planes; areas measured with one projection."""

    def __init__(self, proj: LocalProjection):
        self.proj = proj
        self.kx, self.ky = metres_per_degree(proj.lat0)

    def area(self, geom) -> float:
        return float(self.proj.area_m2(geom)) if not geom.is_empty else 0.0

    def long_axis_angle(self, poly: Polygonal) -> float:
        """Angle (radians, metric frame) of the longer side of the min. rotated rectangle."""
        metric = affinity.scale(poly, self.kx, self.ky, origin=(0, 0))
        rect = shapely.oriented_envelope(metric)
        xy = np.asarray(rect.exterior.coords) if isinstance(rect, Polygon) else np.asarray(rect.coords)
        if len(xy) < 3:
            return 0.0
        e1, e2 = xy[1] - xy[0], xy[2] - xy[1]
        edge = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
        return math.atan2(edge[1], edge[0])

    def compactness(self, *geoms: Polygonal) -> float:
        """Smallest Polsby-Popper ratio 4πA/P² of ``geoms`` (metric frame)."""
        scores = []
        for g in geoms:
            metric = affinity.scale(g, self.kx, self.ky, origin=(0, 0))
            scores.append(4 * math.pi * metric.area / metric.length**2 if metric.length else 0.0)
        return min(scores)

    def half_plane(self, poly: Polygonal, angle: float, t: float) -> Polygon:
        """Polygon {p : s(p) ≤ t}, s = metric offset along direction ``angle``."""
        nx, ny = math.cos(angle), math.sin(angle)
        # orient so that small offsets are north-west (first group goes there)
        if nx - ny < 0 or (nx - ny == 0 and nx < 0):
            nx, ny = -nx, -ny
        a, b = nx * self.kx, ny * self.ky  # s = a*lon + b*lat (lon/lat frame)
        norm = math.hypot(a, b)
        ua, ub = a / norm, b / norm  # unit normal in lon/lat
        da, db = -ub, ua  # along the cut line
        minx, miny, maxx, maxy = poly.bounds
        big = 4.0 * (math.hypot(maxx - minx, maxy - miny) + 1e-9)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        s_c = a * cx + b * cy
        # point on the line s = t closest to the bbox centre
        px, py = cx + (t - s_c) / norm * ua, cy + (t - s_c) / norm * ub
        return Polygon([
            (px - big * da, py - big * db),
            (px + big * da, py + big * db),
            (px + big * da - big * ua, py + big * db - big * ub),
            (px - big * da - big * ua, py - big * db - big * ub),
        ])

    def offsets(self, poly: Polygonal, angle: float) -> tuple[float, float]:
        nx, ny = math.cos(angle), math.sin(angle)
        if nx - ny < 0 or (nx - ny == 0 and nx < 0):
            nx, ny = -nx, -ny
        xy = shapely.get_coordinates(poly)
        s = nx * self.kx * xy[:, 0] + ny * self.ky * xy[:, 1]
        return float(s.min()), float(s.max())

    def cut(self, poly: Polygonal, angle: float, target: float, total: float):
        """Cut ``poly`` so the low-offset side has area ``target`` (m²)."""
        lo, hi = self.offsets(poly, angle)
        f_lo, f_hi = -target, total - target
        best = None
        t = lo + (hi - lo) * target / total
        side = 0
        for _ in range(100):
            piece = _polygonal(shapely.intersection(poly, self.half_plane(poly, angle, t)))
            f = self.area(piece) - target
            if best is None or abs(f) < abs(best[1]):
                best = (piece, f)
            if abs(f) <= AREA_RTOL * total or hi - lo <= 1e-12 * max(1.0, abs(hi)):
                break
            if f < 0:
                lo, f_lo = t, f
                if side == -1:
                    f_hi /= 2
                side = -1
            else:
                hi, f_hi = t, f
                if side == 1:
                    f_lo /= 2
                side = 1
            # Illinois-modified regula falsi, falling back to bisection
            t_new = (lo * f_hi - hi * f_lo) / (f_hi - f_lo) if f_hi != f_lo else (lo + hi) / 2
            t = t_new if lo < t_new < hi else (lo + hi) / 2
        piece = best[0]
        rest = _polygonal(shapely.difference(poly, piece))
        return piece, rest


def _split_weights(weights: Sequence[float]) -> int:
    """Index k so that weights[:k] and weights[k:] have near-equal totals."""
    total = sum(weights)
    acc, best_k, best_d = 0.0, 1, math.inf
    for k in range(1, len(weights)):
        acc += weights[k - 1]
        d = abs(acc - total / 2)
        if d < best_d - 1e-12 * total:
            best_k, best_d = k, d
    return best_k


def _fix_fragments(a: Polygonal, b: Polygonal) -> tuple[Polygonal, Polygonal]:
    """Give every part of ``a`` except its largest to ``b``."""
    if not isinstance(a, MultiPolygon):
        return a, b
    parts = sorted(a.geoms, key=lambda p: p.area, reverse=True)
    moved = shapely.union_all([b, *parts[1:]])
    return parts[0], _polygonal(moved)


def _bisect(cutter: _Cutter, poly: Polygonal, weights: Sequence[float], report: PartitionReport):
    if len(weights) == 1:
        return [poly]
    k = _split_weights(weights)
    w_a, w_b = sum(weights[:k]), sum(weights[k:])
    total = cutter.area(poly)
    target = total * w_a / (w_a + w_b)
    base = cutter.long_axis_angle(poly)
    multi_input = _n_parts(poly) > 1
    best = None  # (is_contiguous, score, a, b, fragment_area)
    for i, offset in enumerate(ANGLE_OFFSETS):
        if i >= SCORED_ANGLES and best is not None and best[0]:
            break  # a compact contiguous cut was found among the scored angles
        a, b = cutter.cut(poly, base + math.radians(offset), target, total)
        frag_area = sum(
            sum(sorted((p.area for p in g.geoms), reverse=True)[1:]) for g in (a, b) if isinstance(g, MultiPolygon)
        )
        ok = multi_input or frag_area == 0
        cand = (ok, cutter.compactness(a, b) if ok else -frag_area, a, b, 0.0 if ok else frag_area)
        if best is None or cand[:2] > best[:2]:
            best = cand
        if multi_input:
            break  # a MultiPolygon input cannot be kept contiguous anyway
    _, _, a, b, frag = best
    if frag > 0:
        report.fragment_fixes += 1
        a, b = _fix_fragments(a, b)
        b, a = _fix_fragments(b, a)
    return _bisect(cutter, a, weights[:k], report) + _bisect(cutter, b, weights[k:], report)


def partition_with_report(polygon: Polygonal, weights: Sequence[float]) -> PartitionReport:
    """Like :func:`partition` but also returns quality measures."""
    weights = [float(w) for w in weights]
    if not weights:
        raise ValueError("weights must not be empty")
    if any(not math.isfinite(w) or w <= 0 for w in weights):
        raise ValueError("weights must be positive finite numbers")
    if not isinstance(polygon, Polygon | MultiPolygon) or polygon.is_empty:
        raise ValueError("polygon must be a non-empty Polygon or MultiPolygon")
    if not polygon.is_valid:
        raise ValueError("polygon must be valid (use boundary.clean_geometry first)")
    cutter = _Cutter(LocalProjection.for_geometry(polygon))
    report = PartitionReport(pieces=[])
    report.pieces = _bisect(cutter, polygon, weights, report)
    total = cutter.area(polygon)
    wsum = sum(weights)
    report.max_area_error = max(
        abs(cutter.area(p) / (total * w / wsum) - 1.0) for p, w in zip(report.pieces, weights, strict=True)
    )
    if report.fragment_fixes:
        report.notes.append(f"{report.fragment_fixes} cut(s) needed fragment reassignment")
    return report


def partition(polygon: Polygonal, weights: Sequence[float]) -> list[Polygonal]:
    """Split ``polygon`` (lon/lat) into ``len(weights)`` pieces, in weight order.

    Pieces do not overlap, their union is the input, each area is
    proportional to its weight, pieces of a single Polygon are single Polygons
    (except in rare, reported cases, see :func:`partition_with_report`), and
    the result is deterministic.  Consecutive pieces tend to be neighbours,
    running roughly from north-west to south-east.  Raises ``ValueError`` for
    empty/invalid polygons or non-positive weights.
    """
    return partition_with_report(polygon, weights).pieces
