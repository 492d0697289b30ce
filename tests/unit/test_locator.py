"""Exactness tests for gridgov.geo.logic.locator (no database, no timing assertions)."""

import math

import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Point, Polygon, box

from gridgov.geo.logic.locator import Locator
from gridgov.geo.logic.synthetic import format_bench, synthetic_layer


def brute(polys, keys, x, y):
    """Reference: smallest key among polygons whose closed area contains the point."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return -1
    pt = Point(x, y)
    hits = [i for i, p in enumerate(polys) if p is not None and p.intersects(pt)]
    return min(hits, key=keys.__getitem__) if hits else -1


def reference_many(polys, keys, xs, ys):
    """Vectorised brute force via STRtree (same predicate: intersects)."""
    garr = np.asarray(polys, dtype=object)
    tree = shapely.STRtree(garr)
    pi, gi = tree.query(shapely.points(xs, ys), predicate="intersects")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.argsort(np.asarray(keys))] = np.arange(len(keys))
    best = np.full(len(xs), -1, dtype=np.int64)
    if len(pi):
        o = np.lexsort((rank[gi], pi))
        pi, gi = pi[o], gi[o]
        first = np.r_[True, pi[1:] != pi[:-1]]
        best[pi[first]] = gi[first]
    return best


def check_all(loc, polys, keys, xs, ys):
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    ref = reference_many(polys, keys, xs, ys)
    many = loc.locate_many(xs, ys)
    assert many.dtype == np.int64
    bad = np.flatnonzero(many != ref)
    assert len(bad) == 0, f"{len(bad)} bulk mismatches, e.g. {[(xs[k], ys[k], many[k], ref[k]) for k in bad[:3]]}"
    single = np.array([loc.locate(a, b) for a, b in zip(xs.tolist(), ys.tolist(), strict=True)])
    bad = np.flatnonzero(single != ref)
    assert len(bad) == 0, f"{len(bad)} single mismatches, e.g. {[(xs[k], ys[k], single[k], ref[k]) for k in bad[:3]]}"
    return ref


@pytest.fixture(scope="module")
def layer():
    return synthetic_layer(2_500, seed=3)


def test_synthetic_layer_shape(layer):
    polys, keys, lattice = layer
    assert abs(len(polys) - 2_500) <= 0.05 * 2_500
    assert len(set(keys)) == len(keys)
    assert all(len(k) == 15 and k.isdigit() for k in keys)
    garr = np.asarray(polys, dtype=object)
    assert shapely.is_valid(garr).all()
    assert (shapely.get_type_id(garr) == 3).all()
    # non-overlapping: the sum of the areas equals the area of the union
    assert math.isclose(shapely.area(garr).sum(), shapely.union_all(garr).area, rel_tol=1e-9)
    again = synthetic_layer(2_500, seed=3)
    assert again[1] == keys and again[2] == lattice


def _probe_points(polys, lattice, seed=1, n=20_000):
    garr = np.asarray(polys, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(garr)
    rng = np.random.default_rng(seed)
    w, h = maxx - minx, maxy - miny
    xs = [rng.uniform(minx - 0.1 * w, maxx + 0.1 * w, n)]
    ys = [rng.uniform(miny - 0.1 * h, maxy + 0.1 * h, n)]
    # every vertex (shared vertices: 4 lattice cells, community boundary x lattice line)
    coords = shapely.get_coordinates(garr)
    xs.append(coords[:, 0])
    ys.append(coords[:, 1])
    # midpoints of edges (exactly on shared axis-aligned edges)
    rings = shapely.get_exterior_ring(garr)
    for r in rings[:800]:
        c = np.asarray(r.coords)
        xs.append((c[:-1, 0] + c[1:, 0]) / 2)
        ys.append((c[:-1, 1] + c[1:, 1]) / 2)
    # points on lattice lines
    ox, oy, sx, sy = lattice
    k = rng.integers(0, int(w / sx) + 2, 3000)
    xs.append(ox + k * sx)
    ys.append(rng.uniform(miny, maxy, 3000))
    return np.concatenate(xs), np.concatenate(ys)


@pytest.mark.parametrize("hint", [True, False])
def test_agrees_with_brute_force_on_synthetic_layer(layer, hint):
    polys, keys, lattice = layer
    loc = Locator(polys, keys, lattice=lattice if hint else None)
    assert len(loc) == len(polys)
    xs, ys = _probe_points(polys, lattice)
    ref = check_all(loc, polys, keys, xs, ys)
    assert (ref == -1).sum() > 2_000  # plenty of outside points
    assert loc.stats["pure_share"] > (0.4 if hint else 0.1)


def test_brute_force_reference_spot_check(layer):
    polys, keys, lattice = layer
    loc = Locator(polys, keys, lattice=lattice)
    xs, ys = _probe_points(polys, lattice, seed=7, n=100)
    pick = np.random.default_rng(0).choice(len(xs), 300, replace=False)
    for k in pick.tolist():
        assert loc.locate(xs[k], ys[k]) == brute(polys, keys, xs[k], ys[k])


def test_wrong_lattice_hint_is_still_exact(layer):
    polys, keys, lattice = layer
    ox, oy, sx, sy = lattice
    loc = Locator(polys, keys, lattice=(ox + 0.37 * sx, oy - 0.61 * sy, sx * 0.7, sy * 1.3))
    xs, ys = _probe_points(polys, lattice, seed=2, n=5_000)
    check_all(loc, polys, keys, xs, ys)


def _two_by_two():
    # lattice cells with keys deliberately not in index order
    polys = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    keys = ["c", "a", "d", "b"]
    return polys, keys


@pytest.mark.parametrize("lattice", [(0.0, 0.0, 1.0, 1.0), None])
def test_shared_edges_vertices_and_outer_boundary(lattice):
    polys, keys = _two_by_two()
    loc = Locator(polys, keys, lattice=lattice)
    cases = {
        (0.5, 0.5): 0,  # inside "c"
        (1.5, 1.5): 3,
        (1.0, 0.5): 1,  # edge c|a -> "a"
        (0.5, 1.0): 0,  # edge c|d -> "c"
        (1.5, 1.0): 1,  # edge a|b -> "a"
        (1.0, 1.0): 1,  # vertex of all four -> "a"
        (1.0, 1.7): 3,  # edge d|b -> "b"
        (0.0, 0.0): 0,  # outer corner
        (2.0, 2.0): 3,
        (0.0, 1.0): 0,  # outer boundary, vertex of c and d
        (2.0, 0.3): 1,  # outer edge
        (1.0, 0.0): 1,
        (2.0 + 1e-12, 1.0): -1,
        (-1e-300, 0.5): -1,
        (50.0, 50.0): -1,
        (-1e9, 3.0): -1,
    }
    for (x, y), want in cases.items():
        assert loc.locate(x, y) == want, (x, y)
        assert brute(polys, keys, x, y) == want, (x, y)
    xs = [p[0] for p in cases]
    ys = [p[1] for p in cases]
    assert loc.locate_many(xs, ys).tolist() == list(cases.values())


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_give_minus_one(value):
    polys, keys = _two_by_two()
    loc = Locator(polys, keys, lattice=(0.0, 0.0, 1.0, 1.0))
    assert loc.locate(value, 0.5) == -1
    assert loc.locate(0.5, value) == -1
    assert loc.locate_many([value, 0.5, 0.5], [0.5, value, 0.5]).tolist() == [-1, -1, 0]


def test_hole_and_island():
    outer = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    ring = Polygon([(20, 0), (30, 0), (30, 10), (20, 10)], [[(23, 3), (27, 3), (27, 7), (23, 7)]])
    island = box(23, 3, 27, 7)  # fills the second hole; its key sorts after the ring's
    polys = [outer, ring, island]
    keys = ["k1", "k2", "k3"]
    for lattice in [(0.0, 0.0, 1.0, 1.0), None]:
        loc = Locator(polys, keys, lattice=lattice)
        assert loc.locate(5, 5) == -1  # in the hole
        assert loc.locate(4.1, 6.3) == -1
        assert loc.locate(3, 5) == 0  # on the hole's boundary
        assert loc.locate(1, 1) == 0
        assert loc.locate(25, 5) == 2  # island
        assert loc.locate(23, 5) == 1  # island edge = hole edge -> smaller key "k2"
        assert loc.locate(27, 7) == 1
        xs = np.random.default_rng(0).uniform(-1, 31, 5000)
        ys = np.random.default_rng(1).uniform(-1, 11, 5000)
        check_all(loc, polys, keys, xs, ys)


def test_concave_notch():
    u_shape = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    polys = [u_shape]
    loc = Locator(polys, ["u"], lattice=(0.0, 0.0, 3.0, 3.0))
    assert loc.locate(1.5, 2.0) == -1  # in the notch
    assert loc.locate(1.5, 2.9999999) == -1
    assert loc.locate(1.5, 1.0) == 0  # bottom of the notch
    assert loc.locate(1.0, 2.0) == 0  # side of the notch
    assert loc.locate(0.5, 2.0) == 0
    xs = np.random.default_rng(0).uniform(-0.5, 3.5, 5000)
    ys = np.random.default_rng(1).uniform(-0.5, 3.5, 5000)
    check_all(loc, polys, ["u"], xs, ys)


def test_community_boundary_meets_lattice():
    # two lattice cells cut by a diagonal community boundary into four pieces
    left = box(0, 0, 1, 1)
    right = box(1, 0, 2, 1)
    cut = Polygon([(-1, -1), (3, 2), (3, -1)])  # boundary y = 0.75 (x + 1) - 1
    polys = [left.intersection(cut), left.difference(cut), right.intersection(cut), right.difference(cut)]
    keys = ["p4", "p2", "p3", "p1"]
    loc = Locator(polys, keys, lattice=(0.0, 0.0, 1.0, 1.0))
    y_at_1 = 0.75 * 2 - 1  # where the boundary crosses the lattice line x = 1
    want = brute(polys, keys, 1.0, y_at_1)
    assert want == 3  # all four pieces touch the point: smallest key "p1"
    assert loc.locate(1.0, y_at_1) == want
    xs = np.random.default_rng(0).uniform(-0.2, 2.2, 8000)
    ys = np.random.default_rng(1).uniform(-0.2, 1.2, 8000)
    coords = shapely.get_coordinates(np.asarray(polys, dtype=object))
    check_all(loc, polys, keys, np.r_[xs, coords[:, 0]], np.r_[ys, coords[:, 1]])


def test_irregular_layer_and_multipolygon():
    rng = np.random.default_rng(4)
    pts = shapely.multipoints(rng.uniform(0, 10, (40, 2)))
    region = Polygon([(0, 0), (10, 0), (10, 10), (5, 6), (0, 10)])  # concave
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=region))
    polys = [c.intersection(region) for c in cells]
    polys = [p for p in polys if not p.is_empty]
    polys.append(MultiPolygon([box(12, 0, 13, 1), box(14, 0, 15, 1)]))
    polys.append(box(13, 0, 14, 1))  # between the two parts of the MultiPolygon
    keys = [f"z{i:03d}" for i in range(len(polys))][::-1]
    loc = Locator(polys, keys)
    assert loc.locate(12.5, 0.5) == len(polys) - 2
    assert loc.locate(14.5, 0.5) == len(polys) - 2
    assert loc.locate(14.0, 0.5) == len(polys) - 1  # shared edge: key of the box sorts first
    assert loc.locate(11.0, 0.5) == -1
    xs = rng.uniform(-1, 16, 20_000)
    ys = rng.uniform(-1, 11, 20_000)
    coords = shapely.get_coordinates(np.asarray(polys, dtype=object))
    check_all(loc, polys, keys, np.r_[xs, coords[:, 0]], np.r_[ys, coords[:, 1]])


def test_single_huge_polygon_and_tiny_neighbours():
    big = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(50, 50), (50.001, 50), (50.001, 50.001), (50, 50.001)]])
    tiny = box(50, 50, 50.001, 50.001)
    polys = [big, tiny]
    keys = ["b", "a"]
    loc = Locator(polys, keys)
    assert loc.locate(50.0005, 50.0005) == 1
    assert loc.locate(50.0, 50.0005) == 1
    assert loc.locate(10, 10) == 0
    rng = np.random.default_rng(3)
    xs = np.r_[rng.uniform(49.999, 50.002, 5000), rng.uniform(-5, 105, 5000)]
    ys = np.r_[rng.uniform(49.999, 50.002, 5000), rng.uniform(-5, 105, 5000)]
    check_all(loc, polys, keys, xs, ys)


def test_empty_layer_and_empty_geometries():
    loc = Locator([], [])
    assert len(loc) == 0
    assert loc.locate(116.4, 39.9) == -1
    assert loc.locate(math.nan, 0) == -1
    out = loc.locate_many([1.0, 2.0], [3.0, 4.0])
    assert out.dtype == np.int64 and out.tolist() == [-1, -1]
    loc = Locator([Polygon(), None], ["a", "b"])
    assert loc.locate(0, 0) == -1
    loc = Locator([Polygon(), box(0, 0, 1, 1)], ["a", "b"])
    assert loc.locate(0.5, 0.5) == 1
    assert loc.locate_many([0.5, 2], [0.5, 2]).tolist() == [1, -1]


def test_locate_many_inputs():
    polys, keys = _two_by_two()
    loc = Locator(polys, keys, lattice=(0.0, 0.0, 1.0, 1.0))
    assert loc.locate_many([], []).tolist() == []
    out = loc.locate_many(np.array([[0.5, 1.5], [0.5, 9.0]]), np.array([[0.5, 0.5], [1.5, 9.0]]))
    assert out.shape == (2, 2) and out.tolist() == [[0, 1], [2, -1]]
    assert loc.locate_many((0.5,), (0.5,)).tolist() == [0]
    assert isinstance(loc.locate(1, 1), int)


def test_bad_input():
    with pytest.raises(ValueError):
        Locator([box(0, 0, 1, 1)], ["a", "b"])
    with pytest.raises(TypeError):
        Locator([Point(0, 0)], ["a"])
    with pytest.raises(ValueError):
        Locator([box(0, 0, 1, 1)], ["a"], lattice=(0, 0, 0, 1))


def test_format_bench_lines():
    result = {
        "n_grids": 100_000,
        "lattice_hint": True,
        "synthetic_seconds": 2.0,
        "build_seconds": 4.2,
        "n_points": 1_000_000,
        "bulk_points_per_s": 2_400_000.0,
        "n_single": 200_000,
        "timer_overhead_ns": 50.0,
        "single_p50_us": 0.9,
        "single_p99_us": 3.1,
        "single_mean_us": 1.0,
        "outside_share": 0.2,
        "single_agrees_with_bulk": True,
        "verified_points": 20_000,
        "mismatches": 0,
        "index_mb": 30.0,
        "peak_rss_mb": 400.0,
        "stats": {},
    }
    lines = format_bench(result)
    assert lines[0].startswith("bulk: 2,400,000 points/s")
    assert lines[1].startswith("single: p50 0.9 µs, p99 3.1 µs")
    assert lines[2].startswith("build: 4.2 s for 100,000 grids")
