"""Demo: the address register of the demo district from the demo buildings (``services.sync_buildings``, which
only reads buildings — their names are the ``demo`` helper's), a few places (POIs) by each community's centre, and
at demo scale a small offline tile archive drawn from our own data (DATA_DIR/tiles/demo-offline.mbtiles: the
layer switcher offers it next to the own-data base). Synthetic and deterministic."""

import time

from gridgov.geo.models import Jurisdiction, Level

from . import services

POI_KINDS = [("社区卫生服务站", "医疗"), ("社区党群服务中心", "政务"), ("便民菜店", "商业")]


def build(stdout=print, scale: str = "demo") -> None:
    t0 = time.perf_counter()
    counts = services.sync_buildings(None)
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY).exclude(geometry="").order_by("code")
    communities = communities[:2] if scale == "test" else communities
    pois = 0
    for c in communities:
        centre = c.shape.representative_point()
        for i, (label, kind) in enumerate(POI_KINDS):
            try:
                services.save_address(None, {
                    "code": f"P{c.code}{i:02d}", "kind": "poi", "name": f"{c.name.removesuffix('社区居委会')}{label}",
                    "poi_kind": kind, "lon": round(centre.x + 0.0004 * i, 6), "lat": round(centre.y, 6)},
                    source="manual")
                pois += 1
            except Exception:  # a point outside every grid (a concave community): that place is left out
                continue
    stdout(f"地址：楼栋地址新增 {counts['created']:,}、更新 {counts['updated']:,}；兴趣点 {pois:,} 个"
           f"（{time.perf_counter() - t0:.1f} 秒）")
    if scale == "demo":
        _offline_archive(stdout)


def _offline_archive(stdout) -> None:
    from gridgov.geo.basemap_tiles import write_mbtiles

    from .basemaps import tiles_dir
    from .management.commands.tiles import build_tiles

    t0 = time.perf_counter()
    folder = tiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tiles, bounds = build_tiles("", 12, 15, 5000)
    write_mbtiles(folder / "demo-offline.mbtiles", tiles, {
        "name": "demo-offline", "format": "png", "type": "baselayer", "minzoom": 12, "maxzoom": 15,
        "bounds": ",".join(f"{v:.6f}" for v in bounds), "description": "本系统数据绘制的示意离线底图"})
    stdout(f"离线底图：{folder / 'demo-offline.mbtiles'}，{len(tiles):,} 张瓦片（{time.perf_counter() - t0:.1f} 秒）")
