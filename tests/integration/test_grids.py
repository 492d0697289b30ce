"""Generated grids: GB/T 30428.1 codes, exact tiling of every community, management grids of ~300 households."""

import re
from collections import defaultdict

import pytest
from shapely import STRtree, union_all

from gridgov.geo import services
from gridgov.geo.errors import GeoError
from gridgov.geo.models import Grid, Jurisdiction, Level

pytestmark = pytest.mark.django_db


def layer(code, district="110101"):
    return list(Grid.objects.filter(layer__code=code, community__code__startswith=district).select_related("community"))


def test_unit_grid_codes_have_15_digits_are_unique_and_nest():
    grids = layer("unit")
    assert 3500 < len(grids) < 6000  # 东城区: 41.8 km² of ≈ 10,000 m² cells, clipped at community edges
    codes = [g.code for g in grids]
    assert all(re.fullmatch(r"\d{15}", c) for c in codes)
    assert len(set(codes)) == len(codes)
    for g in grids:
        assert g.code[:12] == g.community.code and g.code[:6] == "110101"
    by_community = defaultdict(list)
    for g in grids:
        by_community[g.community.code].append(int(g.code[12:]))
    for serials in by_community.values():
        assert sorted(serials) == list(range(1, len(serials) + 1)), "serials run 001, 002, … without gaps"


def test_serials_run_west_to_east_then_north_to_south():
    from gridgov.geo.logic.gridgen import Lattice

    district = Jurisdiction.objects.get(code="110101")
    lattice = Lattice(*district.lattice)
    for community in Jurisdiction.objects.filter(code__startswith="1101010010", level=Level.COMMUNITY):
        grids = sorted(Grid.objects.filter(layer__code="unit", community=community), key=lambda g: g.code)
        # a full lattice cell's position is its centroid's cell; rows go north→south, within a row west→east
        cells = [lattice.cell_of(g.shape.centroid.x, g.shape.centroid.y) for g in grids if g.area_m2 > 9900]
        assert cells == sorted(cells, key=lambda rc: (-rc[0], rc[1]))


@pytest.mark.parametrize("layer_code", ["unit", "management"])
def test_grids_of_a_layer_tile_each_community(layer_code):
    grids = layer(layer_code)
    by_community = defaultdict(list)
    for g in grids:
        by_community[g.community_id].append(g)
    communities = Jurisdiction.objects.filter(code__startswith="110101", level=Level.COMMUNITY)
    assert set(by_community) == {c.id for c in communities}, "every community has grids"
    for c in communities:
        mine = by_community[c.id]
        total = sum(g.area_m2 for g in mine)
        assert abs(total - c.area_m2) / c.area_m2 < 1e-3, (c.code, total, c.area_m2)
    shapes = [g.shape for g in grids]
    assert all(s.is_valid for s in shapes)
    tree = STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    overlap = sum(shapes[i].intersection(shapes[j]).area for i, j in zip(left, right, strict=True) if i < j)
    assert overlap < 1e-9 * sum(s.area for s in shapes), "no overlaps"
    district = Jurisdiction.objects.get(code="110101").shape
    assert union_all(shapes).symmetric_difference(district).area < 1e-6 * district.area, "no gaps"


def test_management_grids_group_about_300_households_of_adjacent_unit_grids():
    mgmt = layer("management")
    units = layer("unit")
    assert all(re.fullmatch(r"\d{12}W\d{3}", m.code) for m in mgmt)
    children = defaultdict(list)
    for u in units:
        children[u.parent_id].append(u)
        assert u.scope_key.startswith(u.community.code)
    assert set(children) == {m.id for m in mgmt}, "every unit grid belongs to exactly one management grid"
    sizes = [m.households for m in mgmt]
    median = sorted(sizes)[len(sizes) // 2]
    assert 200 <= median <= 450
    for m in mgmt:
        assert all(u.community_id == m.community_id for u in children[m.id])
        assert abs(sum(u.area_m2 for u in children[m.id]) - m.area_m2) / m.area_m2 < 1e-6


def test_thematic_layer_is_created_by_import():
    env = Grid.objects.filter(layer__code="env")
    assert env.count() == Jurisdiction.objects.filter(code__startswith="110101", level=Level.COMMUNITY).count()
    assert env.first().layer.kind == "thematic"


def test_thematic_import_reports_every_bad_feature_and_writes_nothing():
    import json

    good = Grid.objects.filter(layer__code="env").first()
    feature = {"type": "Feature", "geometry": json.loads(good.geometry), "properties": {"code": "X1"}}
    bad_coords = {"type": "Feature", "properties": {"code": "X2"},
                  "geometry": {"type": "Polygon", "coordinates": [[[300, 1], [301, 1], [301, 2], [300, 1]]]}}
    no_code = {"type": "Feature", "properties": {}, "geometry": feature["geometry"]}
    body = json.dumps({"type": "FeatureCollection", "features": [feature, bad_coords, no_code]})
    with pytest.raises(GeoError) as e:
        services.import_grids(None, "fire", "消防网格", body)
    assert "共 2 个要素有误" in e.value.message and "X2" in e.value.message
    assert not Grid.objects.filter(layer__code="fire").exists()
    from gridgov.geo.models import GridLayer

    assert not GridLayer.objects.filter(code="fire").exists()


def test_generate_grids_errors_are_clear_and_write_nothing():
    before = Grid.objects.count()
    with pytest.raises(GeoError) as e:
        services.generate_grids("110105")
    assert e.value.code == "unknown_district" and "init-district 110105" in e.value.message
    with pytest.raises(GeoError) as e:
        services.generate_grids("110101", cell_m=5)
    assert e.value.code == "invalid_cell"
    services.init_district("110105")
    with pytest.raises(GeoError) as e:
        services.generate_grids("110105")
    assert e.value.code == "no_boundary" and "import-boundary" in e.value.message
    assert Grid.objects.count() == before


def test_regenerating_is_deterministic():
    before = sorted((g.code, g.geometry) for g in layer("unit", "110102"))
    services.generate_grids("110102")
    after = sorted((g.code, g.geometry) for g in layer("unit", "110102"))
    assert before == after
