"""Raster tiles drawn from our own shapes (Pillow): what ``gridgov tiles build`` puts into a small offline archive
(the demo's, the tests'). Pure: shapes in, PNG bytes out; no Django import, no font needed (no labels — the
labels of the own-data base are drawn by the browser).
"""

import io
import math

from PIL import Image, ImageDraw

SIZE = 256
PAPER = (245, 243, 238, 255)
STYLES = {  # kind → (outline, fill, width)
    "district": ((11, 79, 138, 255), None, 3),
    "street": ((107, 139, 176, 255), (232, 236, 242, 255), 2),
    "community": ((150, 160, 175, 255), None, 1),
    "grid": ((200, 200, 200, 255), None, 1),
    "building": ((180, 140, 110, 255), (222, 200, 180, 255), 1),
}
ORDER = ("street", "community", "grid", "district", "building")


def lonlat_to_pixel(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Web Mercator: a WGS-84 point in global pixels at zoom z (256-pixel tiles)."""
    n = SIZE * (1 << z)
    x = (lon + 180.0) / 360.0 * n
    s = math.sin(math.radians(max(min(lat, 85.05112878), -85.05112878)))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the XYZ tile z/x/y."""
    n = 1 << z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tiles_covering(bounds: tuple[float, float, float, float], z: int) -> list[tuple[int, int]]:
    x0, y0 = lonlat_to_pixel(bounds[0], bounds[3], z)
    x1, y1 = lonlat_to_pixel(bounds[2], bounds[1], z)
    last = (1 << z) - 1
    return [(x, y) for x in range(max(0, int(x0 // SIZE)), min(last, int(x1 // SIZE)) + 1)
            for y in range(max(0, int(y0 // SIZE)), min(last, int(y1 // SIZE)) + 1)]


def _rings(geometry: dict):
    t, c = geometry.get("type"), geometry.get("coordinates") or []
    if t == "Polygon":
        yield from c
    elif t == "MultiPolygon":
        for poly in c:
            yield from poly


def render_tile(z: int, x: int, y: int, features: list[tuple[str, dict]]) -> bytes:
    """One 256×256 PNG of (kind, GeoJSON geometry) features; points are drawn as small squares."""
    img = Image.new("RGBA", (SIZE, SIZE), PAPER)
    draw = ImageDraw.Draw(img)
    ox, oy = x * SIZE, y * SIZE
    for kind in ORDER:
        outline, fill, width = STYLES[kind]
        for k, geometry in features:
            if k != kind:
                continue
            if geometry.get("type") == "Point":
                px, py = lonlat_to_pixel(*geometry["coordinates"][:2], z)
                r = max(1, z - 14)
                draw.rectangle([px - ox - r, py - oy - r, px - ox + r, py - oy + r], fill=fill, outline=outline)
                continue
            for ring in _rings(geometry):
                pts = [tuple(a - b for a, b in zip(lonlat_to_pixel(lon, lat, z), (ox, oy), strict=True))
                       for lon, lat, *_ in ring]
                if len(pts) >= 3:
                    if fill:
                        draw.polygon(pts, fill=fill)
                    draw.line(pts + [pts[0]], fill=outline, width=width)
    out = io.BytesIO()
    img.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()
