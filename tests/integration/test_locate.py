"""Locate: right on edges, vertices and outside; single, bulk and CSV agree; rebuilt when grids change."""

import json
import random

import pytest
from shapely.geometry import Point

from gridgov.geo import locating
from gridgov.geo.models import Grid, Jurisdiction

pytestmark = pytest.mark.django_db


def brute(lon, lat):
    """Reference: the smallest code among unit grids whose closed area contains the point."""
    p = Point(lon, lat)
    hits = [g.code for g in Grid.objects.filter(layer__code="unit", min_lon__lte=lon, max_lon__gte=lon,
                                                min_lat__lte=lat, max_lat__gte=lat) if g.shape.intersects(p)]
    return min(hits) if hits else None


def full_cells():
    return [g for g in Grid.objects.filter(layer__code="unit", community__code__startswith="110101001")
            if g.area_m2 > 9990 and len(g.shape.exterior.coords) == 5]


def test_random_points_match_the_reference():
    district = Jurisdiction.objects.get(code="110101").shape
    x0, y0, x1, y1 = district.bounds
    rng = random.Random(7)
    pts = [(rng.uniform(x0 - 0.01, x1 + 0.01), rng.uniform(y0 - 0.01, y1 + 0.01)) for _ in range(400)]
    results = locating.locate_many([p[0] for p in pts], [p[1] for p in pts])
    for (lon, lat), r in zip(pts, results, strict=True):
        assert r["unit_grid"] == brute(lon, lat), (lon, lat)
        assert locating.locate(lon, lat) == r
        if r["inside"]:
            assert r["community"]["code"] == r["unit_grid"][:12] and r["street"]["code"] == r["unit_grid"][:9]
            assert r["district"] == {"code": "110101", "name": "东城区"} or r["district"]["code"] == "110102"
            assert r["management_grid"].startswith(r["community"]["code"] + "W")


def test_shared_edges_and_vertices_get_one_deterministic_answer():
    checked = 0
    for g in full_cells()[:40]:
        (ax, ay), (bx, by) = list(g.shape.exterior.coords)[:2]
        for lon, lat in [((ax + bx) / 2, (ay + by) / 2), (ax, ay), (bx, by)]:
            want = brute(lon, lat)
            assert want is not None
            assert locating.locate(lon, lat)["unit_grid"] == want
            assert locating.locate_many([lon], [lat])[0]["unit_grid"] == want
            checked += 1
    assert checked >= 60


def test_outside_is_said_clearly_never_guessed():
    r = locating.locate(116.0, 39.5)
    assert r["inside"] is False and r["unit_grid"] is None and r["community"] is None and r["message"] == "不在辖区范围内"
    district = Jurisdiction.objects.get(code="110101").shape
    # just outside the boundary, 1 m away
    b = district.exterior.interpolate(0.3, normalized=True)
    out = Point(b.x, b.y).buffer(1e-5).difference(district.buffer(0)).representative_point()
    assert brute(out.x, out.y) is None or brute(out.x, out.y)[:6] == "110102"
    assert locating.locate(out.x, out.y)["unit_grid"] == brute(out.x, out.y)


def test_api_single_bulk_and_csv(client_for):
    c = client_for("gridworker")
    g = full_cells()[0]
    p = g.shape.centroid
    one = c.get(f"/api/v1/locate?lon={p.x}&lat={p.y}").json()
    assert one["unit_grid"] == g.code and one["inside"]
    bulk = c.post("/api/v1/locate", data=json.dumps({"points": [[p.x, p.y], [116.0, 39.5]]}),
                  content_type="application/json").json()
    assert [b["unit_grid"] for b in bulk] == [g.code, None] and bulk[1]["message"] == "不在辖区范围内"
    csv_text = f"id,lon,lat\na,{p.x},{p.y}\nb,116.0,39.5\n"
    r = c.post("/api/v1/locate/csv", data=csv_text, content_type="text/csv")
    assert r.status_code == 200
    lines = r.content.decode().strip().splitlines()
    assert lines[0].startswith("id,lon,lat,inside,unit_grid")
    assert lines[1].split(",")[3:5] == ["1", g.code] and lines[2].split(",")[3] == "0"


@pytest.mark.parametrize("query,code", [
    ("lon=116.4&lat=95", "coordinates_out_of_range"),
    ("lon=200&lat=39.9", "coordinates_out_of_range"),
    ("lon=nan&lat=39.9", "invalid_coordinates"),
])
def test_api_bad_coordinates(query, code, client_for):
    r = client_for("gridworker").get(f"/api/v1/locate?{query}")
    assert r.status_code == 400 and r.json()["code"] == code and "坐标" in r.json()["message"]


def test_api_bad_bulk_input(client_for):
    c = client_for("gridworker")
    r = c.post("/api/v1/locate", data=json.dumps({"points": [[116.4, 39.9], [116.4, 99]]}),
               content_type="application/json")
    assert r.status_code == 400 and "第 2 个点" in r.json()["message"]
    r = c.post("/api/v1/locate", data=json.dumps({"points": "x"}), content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = c.get("/api/v1/locate?lon=abc&lat=1")
    assert r.status_code == 422 and "lon" in r.json()["message"]
    r = c.post("/api/v1/locate/csv", data="id,lon,lat\na,116.4,39.9\nb,x,39.9\nc,116.4,91\n", content_type="text/csv")
    assert r.status_code == 400 and "第 3 行" in r.json()["message"] and "第 4 行" in r.json()["message"]
    r = c.post("/api/v1/locate/csv", data="a,b\n1,2\n", content_type="text/csv")
    assert r.status_code == 400 and r.json()["code"] == "csv_columns"
    r = c.get("/api/v1/grids?layer=unit&bbox=1,2,3")
    assert r.status_code == 400 and r.json()["code"] == "invalid_bbox"
    r = c.get("/api/v1/grids?layer=nope")
    assert r.status_code == 404 and r.json()["code"] == "unknown_layer"


def test_grids_by_bbox(client_for):
    g = full_cells()[0]
    x0, y0, x1, y1 = g.shape.bounds
    fc = client_for("leader").get(f"/api/v1/grids?layer=unit&bbox={x0 + 1e-6},{y0 + 1e-6},{x1 - 1e-6},{y1 - 1e-6}").json()
    assert [f["properties"]["code"] for f in fc["features"]] == [g.code]
    assert fc["features"][0]["geometry"]["type"] == "Polygon"


def test_locator_is_rebuilt_when_grids_change(client_for):
    g = full_cells()[0]
    p = g.shape.centroid
    assert locating.locate(p.x, p.y)["unit_grid"] == g.code
    r = client_for("admin").patch(f"/api/v1/grids/unit/{g.code}", data=json.dumps({"community_code": "110101001002"}),
                                  content_type="application/json")
    assert r.status_code == 200
    new_code = r.json()["properties"]["code"]
    assert locating.locate(p.x, p.y)["unit_grid"] == new_code != g.code
