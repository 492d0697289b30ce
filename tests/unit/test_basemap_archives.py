"""Offline archives: a tiny MBTiles and PMTiles written and read back; the MBTiles row flip; bad files named."""

import sqlite3

import pytest

from gridgov.geo.basemap_render import lonlat_to_pixel, render_tile, tile_bounds, tiles_covering
from gridgov.geo.basemap_tiles import ArchiveError, open_archive, write_mbtiles, write_pmtiles

TILES = {(0, 0, 0): b"\x89PNG-zero", (1, 0, 0): b"\x89PNG-north-west", (1, 1, 1): b"\x89PNG-south-east"}


def test_mbtiles_written_and_read(tmp_path):
    path = tmp_path / "t.mbtiles"
    write_mbtiles(path, TILES, {"name": "t", "format": "png", "bounds": "116.3,39.8,116.5,40.0"})
    a = open_archive(path)
    assert a.get(1, 0, 0).data == b"\x89PNG-north-west" and a.get(1, 1, 1).data == b"\x89PNG-south-east"
    assert a.get(1, 1, 0) is None and a.get(5, 3, 3) is None
    # the XYZ row 0 (north) of zoom 1 is stored as TMS row 1
    con = sqlite3.connect(path)
    assert con.execute("SELECT tile_row FROM tiles WHERE zoom_level=1 AND tile_column=0").fetchone() == (1,)
    con.close()
    info = a.info()
    assert (info.format, info.tile_format, info.min_zoom, info.max_zoom, info.tiles) == ("mbtiles", "png", 0, 1, 3)
    assert info.bounds == (116.3, 39.8, 116.5, 40.0)


def test_pmtiles_written_and_read(tmp_path):
    path = tmp_path / "t.pmtiles"
    write_pmtiles(path, TILES, {"name": "t"}, (116.3, 39.8, 116.5, 40.0))
    a = open_archive(path)
    assert a.format == "pmtiles"
    assert a.get(1, 0, 0).data == b"\x89PNG-north-west" and a.get(0, 0, 0).data == b"\x89PNG-zero"
    assert a.get(1, 0, 1) is None
    info = a.info()
    assert (info.tile_format, info.min_zoom, info.max_zoom, info.tiles) == ("png", 0, 1, 3)
    assert info.bounds == pytest.approx((116.3, 39.8, 116.5, 40.0))
    assert info.metadata["name"] == "t"


def test_not_an_archive(tmp_path):
    bad = tmp_path / "x.mbtiles"
    bad.write_bytes(b"hello")
    with pytest.raises(ArchiveError, match="不是 MBTiles 或 PMTiles"):
        open_archive(bad)
    with pytest.raises(ArchiveError, match="找不到文件"):
        open_archive(tmp_path / "none.pmtiles")


def test_web_mercator_pixels_and_covering_tiles():
    assert lonlat_to_pixel(0, 0, 0) == pytest.approx((128, 128))
    assert lonlat_to_pixel(-180, 85.05112878, 1) == pytest.approx((0, 0), abs=1e-6)
    # 天安门 (116.3975, 39.9087) lies in the z=10 tile x=843, y=388
    assert tiles_covering((116.3975, 39.9087, 116.3976, 39.9088), 10) == [(843, 388)]


def test_render_tile_is_a_png():
    square = {"type": "Polygon", "coordinates": [[[116.39, 39.90], [116.40, 39.90], [116.40, 39.91],
                                                  [116.39, 39.91], [116.39, 39.90]]]}
    png = render_tile(10, 843, 388, [("street", square), ("building", {"type": "Point", "coordinates": [116.395, 39.905]})])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_tile_bounds():
    assert tile_bounds(0, 0, 0) == pytest.approx((-180, -85.0511287798, 180, 85.0511287798))
    assert tile_bounds(1, 1, 0) == pytest.approx((0, 0, 180, 85.0511287798))
