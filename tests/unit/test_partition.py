"""Tests for gridgov.geo.logic.partition."""

import math
from pathlib import Path

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gridgov.geo.logic.boundary import clean_geometry, read_features
from gridgov.geo.logic.partition import partition, partition_with_report
from gridgov.geo.logic.projection import LocalProjection

DATA = Path(__file__).resolve().parents[2] / "gridgov" / "geo" / "data" / "boundaries"


@pytest.fixture(scope="module")
def dongcheng():
    features = read_features((DATA / "beijing-districts.geojson").read_bytes())
    feature = next(f for f in features if f["properties"]["name"] == "东城区")
    return clean_geometry(feature["geometry"], "东城区").geometry


@pytest.fixture(scope="module")
def chaoyang():
    features = read_features((DATA / "beijing-districts.geojson").read_bytes())
    feature = next(f for f in features if f["properties"]["name"] == "朝阳区")
    return clean_geometry(feature["geometry"], "朝阳区").geometry


def u_shape():
    """A concave U (opening north), ~3 km x 3 km near Beijing."""
    x, y, d = 116.40, 39.90, 0.012
    return Polygon([(x, y), (x + 3 * d, y), (x + 3 * d, y + 3 * d), (x + 2 * d, y + 3 * d),
                    (x + 2 * d, y + d), (x + d, y + d), (x + d, y + 3 * d), (x, y + 3 * d)])


def l_shape():
    x, y, d = 121.40, 31.20, 0.01
    return Polygon([(x, y), (x + 4 * d, y), (x + 4 * d, y + d), (x + d, y + d), (x + d, y + 4 * d), (x, y + 4 * d)])


def check_partition(polygon, weights, pieces, rtol=0.02):
    """Assert properties (a)-(c) and return the max relative area error."""
    proj = LocalProjection.for_geometry(polygon)
    total = proj.area_m2(polygon)
    assert len(pieces) == len(weights)
    areas = [proj.area_m2(p) for p in pieces]
    for p in pieces:
        assert p.is_valid and not p.is_empty
        assert isinstance(p, Polygon | MultiPolygon)
    # (a) union equals input, no overlaps
    assert sum(areas) == pytest.approx(total, rel=1e-6)
    union = shapely.union_all(pieces)
    assert union.symmetric_difference(polygon).area <= 1e-9 * polygon.area
    tree = shapely.STRtree(pieces)
    left, right = tree.query(pieces, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert pieces[i].intersection(pieces[j]).area <= 1e-9 * polygon.area
    # (b) areas proportional to weights
    wsum = sum(weights)
    errors = [abs(a / (total * w / wsum) - 1) for a, w in zip(areas, weights, strict=True)]
    assert max(errors) < rtol
    # (c) contiguous pieces for a single polygon
    if isinstance(polygon, Polygon):
        assert all(isinstance(p, Polygon) for p in pieces)
    return max(errors)


def compactness(poly, proj):
    """Polsby-Popper 4πA/P² in metres (1 for a disc, ~0.785 for a square)."""
    metric = proj.to_metres(poly)
    return 4 * math.pi * metric.area / metric.length**2


def test_dongcheng_17_equal(dongcheng):
    weights = [1.0] * 17
    pieces = partition(dongcheng, weights)
    assert check_partition(dongcheng, weights, pieces) < 1e-6
    proj = LocalProjection.for_geometry(dongcheng)
    # the coarse district outline itself only scores ~0.24
    assert min(compactness(p, proj) for p in pieces) > 0.2


def test_dongcheng_unequal_weights(dongcheng):
    weights = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    report = partition_with_report(dongcheng, weights)
    assert check_partition(dongcheng, weights, report.pieces) < 1e-6
    assert report.max_area_error < 1e-6 and report.fragment_fixes == 0


def test_deterministic(dongcheng):
    a = partition(dongcheng, [1] * 9)
    b = partition(dongcheng, [1] * 9)
    assert [p.wkb for p in a] == [p.wkb for p in b]


@pytest.mark.parametrize("shape", [u_shape, l_shape])
@pytest.mark.parametrize("weights", [[1] * 2, [1] * 5, [1] * 12, [5, 1, 1, 3, 2, 8, 1]])
def test_concave_shapes(shape, weights):
    polygon = shape()
    report = partition_with_report(polygon, weights)
    err = check_partition(polygon, weights, report.pieces, rtol=0.02 if report.fragment_fixes else 1e-6)
    assert err == pytest.approx(report.max_area_error, abs=1e-9)


def test_multipolygon_input(chaoyang):
    assert isinstance(chaoyang, MultiPolygon)
    weights = [1] * 6
    pieces = partition(chaoyang, weights)
    check_partition(chaoyang, weights, pieces, rtol=1e-6)


def test_single_weight_returns_input(dongcheng):
    assert partition(dongcheng, [2.5]) == [dongcheng]


@pytest.mark.parametrize("weights", [[], [1, 0], [1, -2], [1, float("nan")]])
def test_bad_weights(dongcheng, weights):
    with pytest.raises(ValueError):
        partition(dongcheng, weights)


def test_bad_polygon():
    with pytest.raises(ValueError):
        partition(Polygon(), [1, 1])
    with pytest.raises(ValueError):
        partition(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), [1, 1])


def test_order_runs_from_north_west(dongcheng):
    pieces = partition(dongcheng, [1, 1])
    a, b = (p.centroid for p in pieces)
    assert (b.x - a.x) - (b.y - a.y) > 0  # second piece lies further south-east


def test_streets_and_communities(dongcheng):
    """17 streets of 10 communities each: 170 polygons tiling the district (its speed: `gridgov bench grids`)."""
    streets = partition(dongcheng, [1] * 17)
    communities = [c for s in streets for c in partition(s, [1] * 10)]
    assert len(communities) == 170
    assert all(isinstance(c, Polygon) and not c.is_empty for c in communities)
    assert sum(c.area for c in communities) == pytest.approx(dongcheng.area, rel=1e-9)
