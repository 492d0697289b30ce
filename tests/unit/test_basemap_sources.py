"""Base map sources as configuration (gridgov/geo/basemap.py): 天地图 URLs, XYZ/WMTS checks, tile addresses."""

import pytest

from gridgov.geo.basemap import (
    SourceError,
    check_tile_address,
    client_config,
    csp_origins,
    normalise,
    tianditu,
    tms_row,
    wmts_template,
)


def test_tianditu_vector_and_imagery_with_their_annotation_layers():
    vec = tianditu("vec", "abcdef0123456789")
    assert vec["url"] == ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                          "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                          "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abcdef0123456789")
    assert "/cva_w/wmts?" in vec["overlay_url"] and "LAYER=cva" in vec["overlay_url"]
    assert vec["subdomains"] == "01234567" and vec["label"] == "天地图矢量"
    img = tianditu("img", "abcdef0123456789")
    assert "/img_w/wmts?" in img["url"] and "LAYER=cia" in img["overlay_url"] and img["label"] == "天地图影像"


def test_tianditu_needs_a_key_and_a_known_layer():
    with pytest.raises(SourceError, match="密钥"):
        tianditu("vec", "")
    with pytest.raises(SourceError, match="vec（矢量）或 img（影像）"):
        tianditu("ter", "abcdef0123456789")


def test_a_settings_tianditu_source_takes_the_key_from_settings():
    src = normalise({"name": "tdt", "kind": "tianditu", "layer": "img"}, tianditu_key="k1234567")
    assert src["name"] == "tdt" and src["url"].endswith("&tk=k1234567")


def test_xyz_source_defaults_and_checks():
    src = normalise({"name": "gaode", "label": "高德", "url": "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}",
                     "subdomains": "1234", "crs": "gcj02", "max_zoom": 18})
    assert src["kind"] == "xyz" and src["crs"] == "gcj02" and src["min_zoom"] == 0 and src["max_zoom"] == 18
    with pytest.raises(SourceError, match="子域名"):
        normalise({"name": "a", "url": "https://{s}.tile.example/{z}/{x}/{y}.png"})
    with pytest.raises(SourceError, match=r"\{z\}、\{x\}、\{y\}"):
        normalise({"name": "a", "url": "https://tile.example/tiles.png"})
    with pytest.raises(SourceError, match="wgs84 或 gcj02"):
        normalise({"name": "a", "url": "https://t.example/{z}/{x}/{y}.png", "crs": "bd09"})
    with pytest.raises(SourceError, match="最小级别大于最大级别"):
        normalise({"name": "a", "url": "https://t.example/{z}/{x}/{y}.png", "min_zoom": 15, "max_zoom": 3})
    with pytest.raises(SourceError, match="名称"):
        normalise({"name": "../etc", "url": "https://t.example/{z}/{x}/{y}.png"})


def test_wmts_kvp_template():
    assert wmts_template("https://gis.example/wmts", "base", "EPSG:3857", "default", "image/png") == (
        "https://gis.example/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=base&STYLE=default"
        "&TILEMATRIXSET=EPSG%3A3857&FORMAT=image%2Fpng&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    with pytest.raises(SourceError, match="图层名"):
        normalise({"name": "w", "kind": "wmts", "url": "https://gis.example/wmts"})


def test_nothing_configured_is_the_own_data_base_and_it_is_always_offered():
    assert [b["kind"] for b in client_config([])["bases"]] == ["own"]
    cfg = client_config([normalise({"name": "x", "url": "https://t.example/{z}/{x}/{y}.png"})])
    assert [b["name"] for b in cfg["bases"]] == ["x", "own"]


def test_an_archive_is_served_by_us_and_its_file_never_reaches_the_browser():
    src = normalise({"name": "offline", "kind": "archive", "file": "city.mbtiles"})
    src["ext"] = "png"
    b = client_config([src])["bases"][0]
    assert b["url"] == "/tiles/offline/{z}/{x}/{y}.png" and "file" not in b


def test_tile_addresses():
    assert check_tile_address("demo-offline", "3", "7", "0", "PNG") == ("demo-offline", 3, 7, 0, "png")
    for bad in [("..", 1, 0, 0, "png"), ("a/b", 1, 0, 0, "png"), ("a", 1, 2, 0, "png"), ("a", 25, 0, 0, "png"),
                ("a", 1, 0, 0, "exe"), ("a", -1, 0, 0, "png")]:
        with pytest.raises(ValueError):
            check_tile_address(*bad)


def test_mbtiles_rows_are_bottom_up():
    assert tms_row(0, 0) == 0
    assert tms_row(1, 0) == 1
    assert tms_row(3, 2) == 5


def test_csp_origins_of_tile_servers():
    srcs = [tianditu("vec", "abcdef0123456789"), {"url": "https://gis.example:8443/wmts?x={x}"},
            {"url": "/tiles/a/{z}/{x}/{y}.png"}]
    assert csp_origins(srcs) == ["https://*.tianditu.gov.cn", "https://gis.example:8443"]
