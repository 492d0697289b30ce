"""Boundary import: every real file imported or refused clearly; generated partitions tile; bad input writes nothing."""

import json
from pathlib import Path

import pytest
from shapely import union_all
from shapely.geometry import mapping

from gridgov.geo import divisions, services
from gridgov.geo.errors import GeoError
from gridgov.geo.models import BoundarySource, Jurisdiction, Level

FILES = sorted((Path(services.__file__).parent / "data" / "boundaries").glob("*.geojson"))


def snapshot():
    return list(Jurisdiction.objects.order_by("code").values_list("code", "geometry", "boundary_source"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_feature_of_every_city_file_is_imported_or_refused(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    city = divisions.guess_city([f["properties"]["name"] for f in data["features"]])
    assert city, "the city of the file is recognised from its district names"
    for f in data["features"]:
        match = divisions.areas_named(f["properties"]["name"], city)
        if match and not Jurisdiction.objects.filter(code=match[0].code).exists():
            Jurisdiction.objects.filter(code__startswith=match[0].code).exists() or _init_tree_only(match[0].code)
    report = services.import_boundary(path.read_bytes())
    assert len(report.imported) + len(report.refused) == len(data["features"])
    for label, code, message in report.refused:
        assert code and label in message  # names the feature
    for node in report.nodes:
        node.refresh_from_db()
        assert node.boundary_source == BoundarySource.IMPORTED and node.shape.is_valid and node.area_m2 > 1e6


def _init_tree_only(code):
    """The district with its streets (communities are not needed here and make the test slow)."""
    area = divisions.areas()[code]
    city = divisions.city_of(area)
    parent, _ = Jurisdiction.objects.get_or_create(code=city.code, defaults={"name": city.name, "level": Level.CITY})
    district = Jurisdiction.objects.create(code=code, name=area.name, level=Level.DISTRICT, parent=parent)
    Jurisdiction.objects.bulk_create([
        Jurisdiction(code=s.code, name=s.name, level=Level.STREET, parent=district)
        for s in divisions.streets_by_area().get(code, [])
    ])


@pytest.mark.django_db
def test_dongcheng_self_intersection_is_repaired_and_said():
    report = services.import_boundary(FILES[0].read_bytes(), name="东城区")
    assert report.imported and not report.refused
    assert any("自相交" in line for line in report.repaired)
    node = Jurisdiction.objects.get(code="110101")
    assert node.shape.is_valid and "自相交" in node.boundary_note
    assert 41e6 < node.area_m2 < 43e6  # 东城区 is 41.84 km²


@pytest.mark.django_db
def test_generated_partition_tiles_the_district_in_proportion():
    district = Jurisdiction.objects.get(code="110101")
    streets = list(district.children.order_by("code"))
    assert len(streets) == 17 and all(s.boundary_source == BoundarySource.GENERATED for s in streets)
    total = sum(s.area_m2 for s in streets)
    assert abs(total - district.area_m2) / district.area_m2 < 1e-3
    shapes = [s.shape for s in streets]
    assert all(s.geom_type == "Polygon" for s in shapes), "each generated street is contiguous"
    overlap = sum(a.intersection(b).area for i, a in enumerate(shapes) for b in shapes[i + 1:])
    assert overlap < 1e-9 * district.shape.area
    assert union_all(shapes).symmetric_difference(district.shape).area < 1e-6 * district.shape.area
    weights = [s.children.count() for s in streets]
    for s, w in zip(streets, weights, strict=True):
        assert abs(s.area_m2 / district.area_m2 - w / sum(weights)) < 0.01
    for s in streets:  # communities tile their street
        kids = list(s.children.all())
        assert abs(sum(k.area_m2 for k in kids) - s.area_m2) / s.area_m2 < 1e-3


@pytest.mark.django_db
def test_a_real_street_boundary_replaces_the_generated_one():
    street = Jurisdiction.objects.get(code="110101005")
    district = Jurisdiction.objects.get(code="110101")
    # a "real" boundary: a small square near the district's centre, inside it
    c = district.shape.representative_point()
    square = c.buffer(0.006, cap_style="square").intersection(district.shape)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": street.name, "code": street.code}, "geometry": mapping(square)}]}
    report = services.import_boundary(json.dumps(fc), code=street.code)
    assert report.imported
    street.refresh_from_db()
    assert street.boundary_source == BoundarySource.IMPORTED
    assert street.shape.symmetric_difference(square).area < 1e-9
    others = [s.shape for s in district.children.exclude(pk=street.pk)]
    assert all(o.intersection(street.shape).area < 1e-12 for o in others), "the others were re-partitioned around it"
    assert abs(sum(s.area_m2 for s in district.children.all()) - district.area_m2) / district.area_m2 < 1e-3


BAD = [
    (b"{not json", "malformed_geojson"),
    (json.dumps({"type": "FeatureCollection", "features": "nope"}).encode(), "malformed_geojson"),
    (json.dumps({"type": "Feature", "properties": {"name": "东城区"},
                 "geometry": {"type": "Polygon", "coordinates": [[[200, 39], [201, 39], [201, 40], [200, 39]]]}}).encode(),
     "coordinates_out_of_range"),
    (json.dumps({"type": "Feature", "properties": {"name": "东城区"},
                 "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}).encode(), "not_polygonal"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("body,code", BAD)
def test_bad_geojson_is_refused_by_the_api_and_writes_nothing(body, code, client_for):
    before = snapshot()
    r = client_for("admin").post("/api/v1/boundaries?name=东城区", data=body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert snapshot() == before


@pytest.mark.django_db
def test_unknown_feature_and_unknown_district():
    before = snapshot()
    with pytest.raises(GeoError) as e:
        services.import_boundary(FILES[0].read_bytes(), name="不存在区")
    assert e.value.code == "feature_not_found" and "不存在区" in e.value.message
    with pytest.raises(GeoError) as e:
        services.import_boundary(FILES[0].read_bytes(), name="朝阳区")  # not initialised in this world
    assert e.value.code == "unknown_jurisdiction" and "init-district 110105" in e.value.message
    assert snapshot() == before


@pytest.mark.django_db
def test_boundary_import_needs_the_right(client_for):
    body = FILES[0].read_bytes()
    assert client_for("leader").post("/api/v1/boundaries?name=东城区", data=body,
                                     content_type="application/json").status_code == 403
    assert client_for(None).post("/api/v1/boundaries?name=东城区", data=body,
                                 content_type="application/json").status_code == 401
