"""Synthetic unit-grid layers and the point-locator benchmark.

``synthetic_layer`` builds a deterministic, realistic-looking district around
lon 116.4 / lat 39.9: an irregular region cut into Voronoi "communities", each
community intersected with a ~100 m lattice (as real 单元网格 are made), with
tiny boundary pieces merged into a neighbouring piece of the same community.

``bench_locate`` / ``format_bench`` measure :class:`gridgov.geo.logic.locator.Locator`
on such a layer (used by ``gridgov bench locate``).  Pure Python + numpy +
shapely; no Django import.
"""

from __future__ import annotations

import math
import resource
import time
from collections import defaultdict

import numpy as np
import shapely
from shapely import Polygon

__all__ = ["synthetic_layer", "bench_locate", "format_bench"]

_M_PER_DEG_LAT = 111_320.0
_CENTER = (116.4, 39.9)
# Grids produced per lattice cell of region area (boundary cells are split into
# several pieces, small pieces are merged away); calibrated empirically so that
# the layer has ``n_grids`` polygons within a few per cent.
_GRIDS_PER_CELL = 1.16


def _region(rng: np.random.Generator, area: float, step_lon: float, step_lat: float) -> Polygon:
    """An irregular (not convex) district outline of the given area (deg²)."""
    n = 16
    ang = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False) + rng.uniform(-0.12, 0.12, n)
    rad = rng.uniform(0.8, 1.15, n)
    xs = np.cos(ang) * rad * step_lon
    ys = np.sin(ang) * rad * step_lat
    poly = Polygon(np.column_stack([xs, ys]))
    k = math.sqrt(area / poly.area)
    cx, cy = _CENTER
    return Polygon(np.column_stack([cx + xs * k, cy + ys * k]))


def synthetic_layer(
    n_grids: int = 100_000,
    seed: int = 0,
    *,
    cell_m: float = 100.0,
    grids_per_community: int = 32,
) -> tuple[list[Polygon], list[str], tuple[float, float, float, float]]:
    """Return ``(polygons, keys, lattice)`` for a synthetic unit-grid layer.

    ``lattice`` is ``(origin_lon, origin_lat, step_lon, step_lat)``; lattice
    lines are at ``origin + k * step``.  Keys are a 12-digit community code plus
    a 3-digit serial.  The polygon order is shuffled (not key order).
    """
    if n_grids < 1:
        return [], [], (_CENTER[0], _CENTER[1], 0.001, 0.001)
    rng = np.random.default_rng(seed)
    step_lat = cell_m / _M_PER_DEG_LAT
    step_lon = cell_m / (_M_PER_DEG_LAT * math.cos(math.radians(_CENTER[1])))
    n_cells = n_grids / _GRIDS_PER_CELL
    region = _region(rng, n_cells * step_lon * step_lat, step_lon, step_lat)
    minx, miny, maxx, maxy = region.bounds
    # lattice origin: a lattice line just below/left of the region
    ox = _CENTER[0] - math.ceil((_CENTER[0] - minx) / step_lon + 1) * step_lon
    oy = _CENTER[1] - math.ceil((_CENTER[1] - miny) / step_lat + 1) * step_lat
    nx = math.ceil((maxx - ox) / step_lon) + 1
    ny = math.ceil((maxy - oy) / step_lat) + 1

    # communities: Voronoi cells of seeded random points, clipped to the region
    n_comm = max(1, round(n_grids / grids_per_community))
    pts = np.empty((0, 2))
    prepared_region = Polygon(region)
    shapely.prepare(prepared_region)
    while len(pts) < n_comm:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n_comm + 8, 2))
        cand = cand[shapely.contains_xy(prepared_region, cand[:, 0], cand[:, 1])]
        pts = np.vstack([pts, cand])
    pts = pts[:n_comm]
    if n_comm == 1:
        cells = np.array([region], dtype=object)
    else:
        vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=region)
        cells = shapely.get_parts(vor)
        # order communities by their seed (voronoi output order is not the input order)
        tree = shapely.STRtree(cells)
        seed_i, cell_i = tree.query(shapely.points(pts), predicate="intersects")
        first = np.unique(seed_i, return_index=True)[1]
        cells = cells[cell_i[first]]
    comms = shapely.intersection(cells, region)
    comm_codes = [f"110101{c // 999 + 1:03d}{c % 999 + 1:03d}" for c in range(len(comms))]

    # lattice cells x communities
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny))
    ii, jj = ii.ravel(), jj.ravel()
    x0 = ox + ii * step_lon
    x1 = ox + (ii + 1) * step_lon
    y0 = oy + jj * step_lat
    y1 = oy + (jj + 1) * step_lat
    boxes = shapely.box(x0, y0, x1, y1)
    shapely.prepare(comms)
    ctree = shapely.STRtree(comms)
    b_i, c_i = ctree.query(boxes, predicate="intersects")
    whole = shapely.covers(comms[c_i], boxes[b_i])
    pieces = boxes[b_i].copy()
    cut = ~whole
    pieces[cut] = shapely.intersection(comms[c_i[cut]], boxes[b_i[cut]])
    # explode (non-convex communities can give several parts), keep areas only
    parts, src = shapely.get_parts(pieces, return_index=True)
    area = shapely.area(parts)
    keep = (shapely.get_type_id(parts) == 3) & (area > 0)
    parts, src, area = parts[keep], src[keep], area[keep]
    p_comm = c_i[src]
    p_i = ii[b_i[src]]
    p_j = jj[b_i[src]]

    # merge small pieces (< 25 % of a cell) into an edge-adjacent large piece of
    # the same community (the one sharing the longest boundary); else drop them
    small = area < 0.25 * step_lon * step_lat
    large_at: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for k in np.flatnonzero(~small).tolist():
        large_at[(int(p_comm[k]), int(p_i[k]), int(p_j[k]))].append(k)
    pa, pb = [], []
    for s in np.flatnonzero(small).tolist():
        c, i, j = int(p_comm[s]), int(p_i[s]), int(p_j[s])
        for di, dj in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
            for t in large_at.get((c, i + di, j + dj), ()):
                pa.append(s)
                pb.append(t)
    pa_arr = np.asarray(pa, dtype=np.int64)
    pb_arr = np.asarray(pb, dtype=np.int64)
    shared = shapely.length(shapely.intersection(parts[pa_arr], parts[pb_arr])) if len(pa) else np.empty(0)
    best: dict[int, tuple[float, int]] = {}
    for s, t, ln in zip(pa_arr.tolist(), pb_arr.tolist(), shared.tolist(), strict=True):
        if ln > 0 and ln > best.get(s, (0.0, -1))[0]:
            best[s] = (ln, t)
    into: dict[int, list[int]] = defaultdict(list)
    for s, (_, t) in best.items():
        into[t].append(s)
    alive = ~small
    for t, ss in into.items():
        merged = shapely.union_all(parts[[t, *ss]])
        if merged.geom_type == "Polygon":
            parts[t] = merged
        # else: leave the target alone, the small pieces are dropped
    idx = np.flatnonzero(alive)
    # serials: per community in (row, col) order
    order = idx[np.lexsort((p_i[idx], p_j[idx], p_comm[idx]))]
    serial = np.zeros(len(order), dtype=np.int64)
    comm_sorted = p_comm[order]
    starts = np.r_[0, np.flatnonzero(np.diff(comm_sorted)) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    serial = np.arange(len(order)) - group_start + 1
    keys = [f"{comm_codes[c]}{s:03d}" for c, s in zip(comm_sorted.tolist(), serial.tolist(), strict=True)]
    polys = parts[order]
    perm = rng.permutation(len(polys))
    return [polys[k] for k in perm.tolist()], [keys[k] for k in perm.tolist()], (ox, oy, step_lon, step_lat)


def _timer_overhead_ns(n: int = 20_000) -> float:
    pc = time.perf_counter_ns
    d = np.empty(n, dtype=np.int64)
    for k in range(n):
        t0 = pc()
        t1 = pc()
        d[k] = t1 - t0
    return float(np.median(d))


def bench_locate(
    n_grids: int = 100_000,
    n_points: int = 1_000_000,
    n_single: int = 200_000,
    seed: int = 0,
    *,
    use_lattice: bool = True,
    n_verify: int = 20_000,
) -> dict:
    """Build a synthetic layer and a Locator and measure it; returns a dict."""
    from gridgov.geo.logic.locator import Locator

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    polys, keys, lattice = synthetic_layer(n_grids, seed)
    synth_s = time.perf_counter() - t
    t = time.perf_counter()
    loc = Locator(polys, keys, lattice=lattice if use_lattice else None)
    build_s = time.perf_counter() - t
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(polys, dtype=object)) if polys else (0, 0, 1, 1)
    rng = np.random.default_rng(seed + 1)
    xs = rng.uniform(minx, maxx, n_points)
    ys = rng.uniform(miny, maxy, n_points)
    loc.locate_many(xs[:1000], ys[:1000])  # warm-up
    bulk = []
    res = None
    for _ in range(3):
        t = time.perf_counter()
        res = loc.locate_many(xs, ys)
        bulk.append(time.perf_counter() - t)
    bulk_s = min(bulk)
    outside = float(np.mean(res == -1)) if n_points else 0.0

    # single lookups
    sx = xs[:n_single].tolist()
    sy = ys[:n_single].tolist()
    locate = loc.locate
    for k in range(min(10_000, n_single)):  # warm-up
        locate(sx[k], sy[k])
    overhead = _timer_overhead_ns()
    pc = time.perf_counter_ns
    lat = np.empty(n_single, dtype=np.int64)
    single = [0] * n_single
    for k in range(n_single):
        x = sx[k]
        y = sy[k]
        t0 = pc()
        r = locate(x, y)
        t1 = pc()
        lat[k] = t1 - t0
        single[k] = r
    lat_us = np.maximum(lat - overhead, 0) / 1000.0
    agree = bool(np.array_equal(np.asarray(single, dtype=np.int64), res[:n_single]))

    # exactness spot check against shapely's STRtree (smallest key among covering polygons)
    mismatches = 0
    if n_verify and polys:
        garr = np.asarray(polys, dtype=object)
        tree = shapely.STRtree(garr)
        vx, vy = xs[:n_verify], ys[:n_verify]
        p_i, g_i = tree.query(shapely.points(vx, vy), predicate="intersects")
        rank = np.empty(len(keys), dtype=np.int64)
        rank[np.argsort(np.asarray(keys))] = np.arange(len(keys))
        best = np.full(len(vx), -1, dtype=np.int64)
        if len(p_i):
            o = np.lexsort((rank[g_i], p_i))
            p_s, g_s = p_i[o], g_i[o]
            first = np.r_[True, p_s[1:] != p_s[:-1]]
            best[p_s[first]] = g_s[first]
        mismatches = int(np.count_nonzero(best != res[:n_verify]))

    return {
        "n_grids": len(polys),
        "n_grids_requested": n_grids,
        "lattice_hint": use_lattice,
        "synthetic_seconds": synth_s,
        "build_seconds": build_s,
        "n_points": n_points,
        "bulk_seconds": bulk_s,
        "bulk_points_per_s": n_points / bulk_s if bulk_s > 0 else float("inf"),
        "n_single": n_single,
        "timer_overhead_ns": overhead,
        "single_p50_us": float(np.percentile(lat_us, 50)) if n_single else 0.0,
        "single_p99_us": float(np.percentile(lat_us, 99)) if n_single else 0.0,
        "single_mean_us": float(lat_us.mean()) if n_single else 0.0,
        "outside_share": outside,
        "single_agrees_with_bulk": agree,
        "verified_points": min(n_verify, n_points),
        "mismatches": mismatches,
        "index_mb": loc.nbytes / 1e6,
        "build_rss_increase_mb": max(rss1 - rss0, 0) / 1024.0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "stats": dict(loc.stats),
    }


def format_bench(result: dict) -> list[str]:
    """Human-readable lines for a :func:`bench_locate` result."""
    r = result
    st = r.get("stats", {})
    lines = [
        f"bulk: {r['bulk_points_per_s']:,.0f} points/s ({r['n_points']:,} points, best of 3)",
        f"single: p50 {r['single_p50_us']:.1f} µs, p99 {r['single_p99_us']:.1f} µs"
        f" (mean {r['single_mean_us']:.2f} µs, {r['n_single']:,} lookups,"
        f" timer overhead {r['timer_overhead_ns']:.0f} ns subtracted)",
        f"build: {r['build_seconds']:.1f} s for {r['n_grids']:,} grids"
        f" (lattice hint: {'yes' if r['lattice_hint'] else 'no'};"
        f" synthetic layer generated in {r['synthetic_seconds']:.1f} s)",
        f"outside: {100 * r['outside_share']:.1f} % of random points",
        f"memory: index {r['index_mb']:.0f} MB, peak RSS {r['peak_rss_mb']:.0f} MB",
    ]
    if st:
        lines.append(
            f"index: {st.get('buckets', 0):,} buckets, {100 * st.get('pure_share', 0):.1f} % pure,"
            f" {100 * st.get('empty_share', 0):.1f} % empty, {100 * st.get('mixed_share', 0):.1f} % mixed"
            f" (avg {st.get('avg_candidates', 0):.2f} candidates)"
        )
    ok = r["mismatches"] == 0 and r["single_agrees_with_bulk"]
    lines.append(
        f"check: {r['verified_points']:,} points vs STRtree reference, {r['mismatches']} mismatches;"
        f" single == bulk: {'yes' if r['single_agrees_with_bulk'] else 'NO'}" + ("" if ok else "  <-- ERROR")
    )
    return lines
