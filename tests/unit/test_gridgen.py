"""Tests for gridgov.geo.logic.gridgen (unit grids and management grids)."""

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gridgov.geo.logic.boundary import clean_geometry, read_features
from gridgov.geo.logic.gridgen import Lattice, make_lattice, management_grids, unit_grids
from gridgov.geo.logic.partition import partition
from gridgov.geo.logic.projection import LocalProjection

DATA = Path(__file__).resolve().parents[2] / "gridgov" / "geo" / "data" / "boundaries"
COMMUNITY = "110101001001"


def square_lattice():
    return make_lattice((116.40, 39.90, 116.45, 39.95), cell_m=100.0)


def cells_polygon(lattice: Lattice, row0, col0, nrows, ncols):
    x0, y0, _, _ = lattice.cell_bounds(row0, col0)
    _, _, x1, y1 = lattice.cell_bounds(row0 + nrows - 1, col0 + ncols - 1)
    return box(x0, y0, x1, y1)


def assert_tiles(units, communities):
    """Unit grids of each community tile it: areas add up, no overlaps."""
    by_code = {}
    for u in units:
        by_code.setdefault(u.community_code, []).append(u)
    for code, geom in communities:
        proj = LocalProjection.for_geometry(geom)
        grids = by_code[code]
        total = proj.area_m2(geom)
        assert sum(proj.area_m2(u.geometry) for u in grids) == pytest.approx(total, rel=1e-6)
        assert sum(u.area_m2 for u in grids) == pytest.approx(total, rel=1e-3)
    geoms = [u.geometry for u in units]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    mask = left < right
    overlap = shapely.area(shapely.intersection(np.take(geoms, left[mask]), np.take(geoms, right[mask])))
    assert overlap.max(initial=0.0) < 1e-12


def assert_codes(units):
    codes = [u.code for u in units]
    assert len(set(codes)) == len(codes)
    for u in units:
        assert len(u.code) == 15 and u.code.isdigit()
        assert u.code == f"{u.community_code}{u.serial:03d}"
        assert isinstance(u.geometry, Polygon) and u.geometry.is_valid
    by_code = {}
    for u in units:
        by_code.setdefault(u.community_code, []).append(u)
    for grids in by_code.values():
        assert [u.serial for u in grids] == list(range(1, len(grids) + 1))
        keys = [(-u.row, u.col) for u in grids]
        assert keys == sorted(keys)


def test_lattice_cell_size_and_snapping():
    lattice = square_lattice()
    proj = LocalProjection(116.425, 39.925)
    assert proj.area_m2(box(*lattice.cell_bounds(27, 10))) == pytest.approx(10_000, rel=1e-3)
    assert lattice.origin_lon <= 116.40 and lattice.origin_lat <= 39.90
    assert lattice.origin_lon / lattice.step_lon == pytest.approx(round(lattice.origin_lon / lattice.step_lon))
    x0, y0, x1, y1 = lattice.cell_bounds(3, 7)
    assert lattice.cell_of((x0 + x1) / 2, (y0 + y1) / 2) == (3, 7)


def test_three_by_three_square_is_numbered_from_north_west():
    lattice = square_lattice()
    square = cells_polygon(lattice, 10, 20, 3, 3)
    units = unit_grids([(COMMUNITY, square)], lattice)
    assert [u.code for u in units] == [f"{COMMUNITY}{i:03d}" for i in range(1, 10)]
    assert [(u.row, u.col) for u in units] == [(r, c) for r in (12, 11, 10) for c in (20, 21, 22)]
    first, last = units[0].geometry.centroid, units[-1].geometry.centroid
    assert first.x < last.x and first.y > last.y  # 001 north-west, 009 south-east
    assert all(u.area_m2 == pytest.approx(10_000, rel=2e-3) for u in units)
    assert_codes(units)
    assert_tiles(units, [(COMMUNITY, square)])


def test_small_edge_pieces_are_merged():
    lattice = square_lattice()
    x0, y0, x1, y1 = cells_polygon(lattice, 10, 20, 3, 3).bounds
    # stick out 10 % of a cell to the east and 60 % to the north
    geom = box(x0, y0, x1 + 0.1 * lattice.step_lon, y1 + 0.6 * lattice.step_lat)
    units = unit_grids([(COMMUNITY, geom)], lattice)
    assert len(units) == 12  # 9 full cells + 3 northern 60 % pieces; the eastern strip is merged
    assert_codes(units)
    assert_tiles(units, [(COMMUNITY, geom)])
    # the corner sliver joins the northern piece, each eastern sliver its western neighbour
    assert max(u.area_m2 for u in units) == pytest.approx(11_000, rel=3e-3)


def test_irregular_multipolygon_community():
    lattice = square_lattice()
    blob = shapely.Point(116.42, 39.92).buffer(0.006, quad_segs=32)
    island = shapely.Point(116.435, 39.92).buffer(0.0004)  # tiny separate part
    geom = MultiPolygon([blob, island])
    communities = [(COMMUNITY, geom), ("110101001002", box(116.43, 39.91, 116.44, 39.915))]
    units = unit_grids(communities, lattice)
    assert_codes(units)
    assert_tiles(units, communities)
    assert min(u.area_m2 for u in units) > 0


def test_too_many_grids_raises():
    lattice = square_lattice()
    big = cells_polygon(lattice, 0, 0, 40, 30)  # 1,200 cells
    with pytest.raises(ValueError, match="999"):
        unit_grids([(COMMUNITY, big)], lattice)
    medium = cells_polygon(lattice, 0, 0, 30, 30)  # 900 cells is fine
    assert len(unit_grids([(COMMUNITY, medium)], lattice)) == 900


def test_bad_community_code():
    lattice = square_lattice()
    with pytest.raises(ValueError):
        unit_grids([("1101", cells_polygon(lattice, 0, 0, 2, 2))], lattice)


def test_management_grids_partition_units():
    lattice = square_lattice()
    geom = cells_polygon(lattice, 0, 0, 12, 15)  # 180 cells = 1.8 km²
    units = unit_grids([(COMMUNITY, geom)], lattice)
    density = 3000.0  # households / km² → 30 per cell, 5,400 total
    groups = management_grids(units, density, target_households=300)
    assert_management(units, groups, 300)
    assert 14 <= len(groups) <= 22
    assert sum(g.households for g in groups) == pytest.approx(5400, rel=0.01)


def assert_management(units, groups, target):
    all_codes = [c for g in groups for c in g.unit_codes]
    assert sorted(all_codes) == sorted(u.code for u in units)
    by_code = {u.code: u for u in units}
    per_community = {}
    for g in groups:
        assert len(g.code) == 15 and g.code == f"{g.community_code}{g.serial:03d}"
        assert all(by_code[c].community_code == g.community_code for c in g.unit_codes)
        union = shapely.union_all([by_code[c].geometry for c in g.unit_codes])
        assert g.geometry.symmetric_difference(union).area < 1e-12
        assert isinstance(g.geometry, Polygon)
        per_community.setdefault(g.community_code, []).append(g)
    for code, gs in per_community.items():
        assert [g.serial for g in gs] == list(range(1, len(gs) + 1))
        if len(gs) > 1:
            assert all(g.households >= target / 2 for g in gs), code
            assert all(g.households <= target * 2.5 for g in gs), code


def test_small_community_is_one_management_grid():
    lattice = square_lattice()
    units = unit_grids([(COMMUNITY, cells_polygon(lattice, 0, 0, 3, 3))], lattice)
    groups = management_grids(units, 1000.0, target_households=300)  # 90 households
    assert len(groups) == 1 and groups[0].households == 90
    assert groups[0].code == f"{COMMUNITY}001" and len(groups[0].unit_codes) == 9


def test_dongcheng_end_to_end():
    features = read_features((DATA / "beijing-districts.geojson").read_bytes())
    feature = next(f for f in features if f["properties"]["name"] == "东城区")
    district = clean_geometry(feature["geometry"], "东城区").geometry

    streets = partition(district, [1] * 17)
    communities = []
    for i, street in enumerate(streets, start=1):
        for j, community in enumerate(partition(street, [1] * 8), start=1):
            communities.append((f"110101{i:03d}{j:03d}", community))
    units = unit_grids(communities, make_lattice(district.bounds, 100.0))
    groups = management_grids(units, households_per_km2=8000, target_households=300)

    assert len(communities) == 136
    # 41.8 km² ≈ 4,200 full cells; community edges add partial cells
    assert 3_500 <= len(units) <= 6_000
    assert_codes(units)
    assert_tiles(units, communities)
    assert min(u.area_m2 for u in units) > 0.25 * 10_000 * 0.99
    assert_management(units, groups, 300)
    # how long these steps take is measured by `gridgov bench grids`, not asserted here (a busy machine is slow)
