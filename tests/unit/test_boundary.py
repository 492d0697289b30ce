"""Tests for gridgov.geo.logic.boundary (and the projection it relies on)."""

import json
import math
import random
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LinearRing, Polygon, box, shape

from gridgov.geo.logic.boundary import (
    BoundaryError,
    CleanPolygon,
    clean_geometry,
    feature_label,
    read_features,
)
from gridgov.geo.logic.projection import LocalProjection

DATA = Path(__file__).resolve().parents[2] / "gridgov" / "geo" / "data" / "boundaries"
FILES = sorted(DATA.glob("*.geojson"))


def _square(x=116.4, y=39.9, d=0.01):
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


# -- projection ---------------------------------------------------------------
def test_projection_area_matches_ellipsoid_zone_formula():
    a, e2 = 6378137.0, 0.0066943799901413165
    e = math.sqrt(e2)

    def q(lat):
        s = math.sin(math.radians(lat))
        return (1 - e2) * (s / (1 - e2 * s * s) - math.log((1 - e * s) / (1 + e * s)) / (2 * e))

    exact = a * a / 2 * math.radians(0.4) * (q(40.05) - q(39.75))
    cell = box(116.2, 39.75, 116.6, 40.05)  # ~34 km x 33 km
    proj = LocalProjection.for_geometry(cell)
    assert proj.area_m2(cell) == pytest.approx(exact, rel=1e-6)
    assert shapely.area(proj.to_metres(shapely.segmentize(cell, 0.001))) == pytest.approx(exact, rel=1e-5)


def test_projection_round_trip_and_distances():
    proj = LocalProjection(116.4, 39.9)
    geom = shapely.segmentize(box(116.25, 39.78, 116.55, 40.02), 0.01)
    back = proj.to_lonlat(proj.to_metres(geom))
    assert shapely.get_coordinates(back) == pytest.approx(shapely.get_coordinates(geom), abs=1e-11)
    # 0.1 degree of latitude through the centre ~ 11.1 km
    line = proj.to_metres(shapely.LineString([(116.4, 39.85), (116.4, 39.95)]))
    assert line.length == pytest.approx(11_103, rel=1e-3)


# -- read_features --------------------------------------------------------------
def test_read_features_variants():
    geom = {"type": "Polygon", "coordinates": [_square()]}
    feature = {"type": "Feature", "id": "1", "properties": {"name": "甲"}, "geometry": geom}
    fc = {"type": "FeatureCollection", "features": [feature, feature]}
    assert len(read_features(fc)) == 2
    assert len(read_features(json.dumps(fc))) == 2
    assert len(read_features(json.dumps(fc, ensure_ascii=False).encode("utf-8-sig"))) == 2
    assert read_features(feature) == [feature]
    assert read_features(geom)[0]["geometry"] == geom
    assert feature_label(feature) == "甲"
    assert feature_label({"id": 7, "properties": None}) == "7"
    assert feature_label({"properties": {}}, 3) == "第 3 个要素"


@pytest.mark.parametrize("data", [
    "{not json", b"\xff\xfe\x00", "[]", "42", {"type": "Foo"}, {"type": "FeatureCollection"},
    {"type": "FeatureCollection", "features": [1]}, {"type": "Feature"}, None, 3.5,
])
def test_read_features_rejects_malformed(data):
    with pytest.raises(BoundaryError) as err:
        read_features(data)
    assert err.value.code == "malformed_geojson"
    assert str(err.value)


# -- clean_geometry -------------------------------------------------------------
def test_clean_valid_polygon_untouched():
    result = clean_geometry({"type": "Polygon", "coordinates": [_square()]}, "甲")
    assert isinstance(result, CleanPolygon)
    assert result.geometry.is_valid and not result.repaired and result.notes == []


def test_unclosed_ring_and_duplicates_repaired():
    ring = _square()[:-1]
    ring.insert(1, ring[0])
    result = clean_geometry({"type": "Polygon", "coordinates": [ring]}, "乙")
    assert result.repaired
    assert any("闭合" in n for n in result.notes)
    assert any("重复" in n for n in result.notes)
    assert result.geometry.area == pytest.approx(1e-4)


def test_bowtie_repaired_with_location_note():
    bowtie = [[116.0, 39.0], [116.02, 39.02], [116.02, 39.0], [116.0, 39.02], [116.0, 39.0]]
    result = clean_geometry({"type": "Polygon", "coordinates": [bowtie]}, "丙")
    assert result.repaired and result.geometry.is_valid
    assert result.geometry.area == pytest.approx(2e-4, rel=1e-9)
    assert any("自相交" in n and "116.0100, 39.0100" in n for n in result.notes)


def test_overlapping_multipolygon_parts_are_merged():
    geom = {"type": "MultiPolygon", "coordinates": [[_square(d=0.02)], [_square(116.41, 39.91, 0.02)]]}
    result = clean_geometry(geom, "丁")
    assert result.geometry.is_valid and result.repaired
    assert result.geometry.area == pytest.approx(0.0004 * 2 - 0.0001)


@pytest.mark.parametrize(("geometry", "code", "fragment"), [
    ({"type": "Polygon", "coordinates": [[[200.0, 39], [201, 39], [201, 40], [200.0, 39]]]},
     "coordinates_out_of_range", "经度 200.0 不在 -180～180 之间"),
    ({"type": "Polygon", "coordinates": [[[116, 95], [117, 95], [117, 96], [116, 95]]]},
     "coordinates_out_of_range", "纬度"),
    ({"type": "Point", "coordinates": [116, 39]}, "not_polygonal", "Point"),
    ({"type": "LineString", "coordinates": [[116, 39], [117, 40]]}, "not_polygonal", "LineString"),
    ({"type": "Polygon", "coordinates": []}, "empty_geometry", ""),
    ({"type": "MultiPolygon", "coordinates": [[], []]}, "empty_geometry", ""),
    (None, "empty_geometry", ""),
    ({"type": "Polygon", "coordinates": [[[116, 39], [117, 39], [116, 39], [116, 39]]]}, "degenerate_ring", ""),
    ({"type": "Polygon", "coordinates": [[[116, 39], [117, 39], [118, 39], [116, 39]]]}, "empty_geometry", ""),
    ({"type": "Polygon", "coordinates": [[["116", 39], [117, 39], [117, 40], ["116", 39]]]},
     "invalid_coordinates", "不是数字"),
    ({"type": "Polygon", "coordinates": [[[float("nan"), 39], [117, 39], [117, 40], [116, 39]]]},
     "invalid_coordinates", ""),
    ({"type": "Polygon", "coordinates": [[116, 39], [117, 39], [117, 40]]}, "malformed_geojson", "嵌套"),
    ({"type": "Polygon", "coordinates": "abc"}, "malformed_geojson", ""),
    ({"type": "Nonsense"}, "malformed_geojson", ""),
])
def test_refusals(geometry, code, fragment):
    with pytest.raises(BoundaryError) as err:
        clean_geometry(geometry, "东城区")
    assert err.value.code == code
    assert str(err.value).startswith("要素「东城区」：")
    assert fragment in str(err.value)


def _junk(rng, depth=0):
    choices = [None, "x", 1, -1e308, float("inf"), True, [], {}, 116.4, 39.9, 500]
    if depth < 4:
        choices += [[_junk(rng, depth + 1) for _ in range(rng.randint(0, 5))]] * 3
        choices += [{"type": rng.choice(["Polygon", "MultiPolygon", "Point"]), "coordinates": _junk(rng, depth + 1)}]
    return rng.choice(choices)


def _random_ring(rng):
    x, y = 116 + rng.random(), 39 + rng.random()
    return [[x + rng.uniform(-0.01, 0.01), y + rng.uniform(-0.01, 0.01)] for _ in range(rng.randint(0, 8))]


def test_fuzz_only_boundary_errors():
    rng = random.Random(1234)
    outcomes = {"ok": 0, "refused": 0}
    for _ in range(1500):
        kind = rng.choice(["Polygon", "MultiPolygon", "Point", None, 3])
        if rng.random() < 0.5:
            coords = _junk(rng)
        elif kind == "MultiPolygon":
            coords = [[_random_ring(rng) for _ in range(rng.randint(1, 2))] for _ in range(rng.randint(0, 3))]
        else:
            coords = [_random_ring(rng) for _ in range(rng.randint(0, 3))]
        geometry = rng.choice([{"type": kind, "coordinates": coords}, coords, {"type": kind}])
        try:
            result = clean_geometry(geometry, "随机")
        except BoundaryError as err:
            assert err.code and str(err)
            outcomes["refused"] += 1
        else:
            assert result.geometry.is_valid and result.geometry.area > 0
            assert result.geometry.geom_type in ("Polygon", "MultiPolygon")
            outcomes["ok"] += 1
    assert outcomes["ok"] > 20 and outcomes["refused"] > 200


# -- real data ---------------------------------------------------------------------
def _raw_area_if_simple(geometry):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    total = 0.0
    for poly in polys:
        for i, ring in enumerate(poly):
            lr = LinearRing(ring)
            if not lr.is_simple:
                return None
            area = abs(Polygon(ring).area)  # shoelace
            total += area if i == 0 else -area
    return total


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_real_files_clean_or_refuse(path):
    features = read_features(path.read_bytes())
    assert features
    cleaned = 0
    for i, feature in enumerate(features, start=1):
        label = feature_label(feature, i)
        try:
            result = clean_geometry(feature["geometry"], label)
        except BoundaryError:
            continue
        cleaned += 1
        geom = result.geometry
        assert geom.is_valid and geom.area > 0
        raw = _raw_area_if_simple(feature["geometry"])
        if raw is not None and feature["geometry"]["type"] == "Polygon":
            assert geom.area == pytest.approx(raw, rel=1e-6), label
        # repaired self-intersections keep (almost) all of the area
        assert 0.5 < geom.area / shapely.area(shapely.make_valid(shape(feature["geometry"]))) < 2
    assert cleaned == len(features)  # the bundled data is all repairable


def test_dongcheng_reported_as_repaired():
    features = read_features((DATA / "beijing-districts.geojson").read_text(encoding="utf-8"))
    dongcheng = next(f for f in features if f["properties"]["name"] == "东城区")
    assert dongcheng["id"] == "110101" or str(dongcheng["id"]) == "110101"
    result = clean_geometry(dongcheng["geometry"], "东城区")
    assert result.repaired
    assert any("自相交" in n and "已修复" in n for n in result.notes)
    area_km2 = LocalProjection.for_geometry(result.geometry).area_m2(result.geometry) / 1e6
    assert area_km2 == pytest.approx(41.8, rel=0.05)
