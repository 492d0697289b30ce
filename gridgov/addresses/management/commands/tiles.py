"""gridgov tiles info FILE             what an MBTiles / PMTiles archive holds (format, zooms, bounds, tiles)
gridgov tiles build OUT [--zoom 12-15] [--node CODE]
                                    a small PNG archive drawn from our own data (boundaries, grids, buildings)
                                    of the district (or one node); OUT ends in .mbtiles or .pmtiles. Put it in
                                    the tiles folder (GRIDGOV_TILES_DIR, default DATA_DIR/tiles) to serve it."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from gridgov.geo.basemap_tiles import ArchiveError, open_archive, write_mbtiles, write_pmtiles


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["info", "build"])
        parser.add_argument("file")
        parser.add_argument("--zoom", default="12-15", help="级别范围，如 12-15")
        parser.add_argument("--node", default="", help="辖区代码（默认：有网格的区）")
        parser.add_argument("--max-tiles", type=int, default=5000)

    def handle(self, action, file, zoom, node, max_tiles, **opts):
        if action == "info":
            try:
                info = open_archive(file).info()
            except ArchiveError as e:
                raise CommandError(str(e)) from None
            for line in info.lines():
                self.stdout.write(line)
            return
        if not file.endswith((".mbtiles", ".pmtiles")):
            raise CommandError("输出文件名应以 .mbtiles 或 .pmtiles 结尾")
        try:
            lo, hi = (int(v) for v in zoom.split("-")) if "-" in zoom else (int(zoom), int(zoom))
        except ValueError:
            raise CommandError("--zoom 应为 级别 或 最小-最大，如 12-15") from None
        if not 0 <= lo <= hi <= 20:
            raise CommandError("--zoom 应在 0～20 之间")
        started = time.perf_counter()
        tiles, bounds = build_tiles(node, lo, hi, max_tiles)
        meta = {"name": f"gridgov {node or '辖区'}", "format": "png", "type": "baselayer", "version": "1",
                "description": "gridgov 本系统数据绘制的示意底图", "minzoom": lo, "maxzoom": hi,
                "bounds": ",".join(f"{v:.6f}" for v in bounds), "attribution": "gridgov 辖区数据（示意）"}
        if file.endswith(".mbtiles"):
            write_mbtiles(file, tiles, meta)
        else:
            write_pmtiles(file, tiles, meta, bounds)
        self.stdout.write(f"已写入 {file}：{len(tiles)} 张瓦片，级别 {lo}～{hi}，"
                          f"用时 {time.perf_counter() - started:.1f} 秒")


def build_tiles(node: str, lo: int, hi: int, max_tiles: int):
    from django.db.models import Max, Min
    from shapely.geometry import shape

    from gridgov.basedata.models import Building
    from gridgov.geo.basemap_render import render_tile, tile_bounds, tiles_covering
    from gridgov.geo.models import Grid, Jurisdiction

    if not node:
        node = Grid.objects.filter(layer__code="unit").values_list("community__code", flat=True).first() or ""
        node = node[:6]
    qs = Jurisdiction.objects.filter(code__startswith=node).exclude(geometry="") if node else \
        Jurisdiction.objects.none()
    b = qs.aggregate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat"))
    if b["a"] is None:
        raise CommandError(f"辖区「{node or '（无）'}」没有边界，无法绘制")
    bounds = (b["a"], b["b"], b["c"], b["d"])
    feats = [(j.level, json.loads(j.geometry)) for j in qs.filter(level__in=["district", "street",
                                                                                          "community"])]
    grids = [("grid", json.loads(g)) for g in Grid.objects.filter(
        layer__code="management", community__code__startswith=node).exclude(geometry="")
        .values_list("geometry", flat=True)]
    buildings = [("building", {"type": "Point", "coordinates": [lon, lat]}) for lon, lat in
                 Building.objects.filter(community_code__startswith=node).values_list("lon", "lat")]
    boxes = {}  # each feature's bounds, so a tile draws only what touches it

    def extent(geometry):
        key = id(geometry)
        if key not in boxes:
            boxes[key] = shape(geometry).bounds
        return boxes[key]

    tiles = {}
    for z in range(lo, hi + 1):
        layer = feats + (grids if z >= 14 else []) + (buildings if z >= 15 else [])
        for x, y in tiles_covering(bounds, z):
            if len(tiles) >= max_tiles:
                raise CommandError(f"超过 {max_tiles} 张瓦片，请缩小级别范围（--zoom）或加 --max-tiles")
            w, s, e, n = tile_bounds(z, x, y)
            near = [(k, g) for k, g in layer if _touches(extent(g), (w, s, e, n))]
            tiles[(z, x, y)] = render_tile(z, x, y, near)
    return tiles, bounds


def _touches(a, b) -> bool:
    pad = (b[2] - b[0]) * 0.02  # a point's square and a line's width reach a little past the feature
    return a[0] <= b[2] + pad and a[2] >= b[0] - pad and a[1] <= b[3] + pad and a[3] >= b[1] - pad
