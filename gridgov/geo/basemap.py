"""Base maps (底图) as configuration — the pure part: what a source is, its URL template, the check of a tile address.

Every map page asks one place for its bases: ``gridgov.geo.basemap_config.sources()`` gathers them (天地图 from a key,
the sources in settings ``GRIDGOV["BASEMAPS"]``, those an administrator keeps in the database, the offline archives
found in the tiles folder) and ``client_config`` turns them into what ``basemap.js`` reads. With none configured the
pages draw a base from our own data (streets, communities, grids, buildings) — ``OWN`` below.

A source is a dict (settings, database row and archive alike)::

    {"name": "gaode", "label": "高德地图", "kind": "xyz",
     "url": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
     "subdomains": "1234", "attribution": "© 高德", "min_zoom": 3, "max_zoom": 18, "crs": "gcj02"}

kinds: ``tianditu`` (``layer`` vec or img; key from settings), ``xyz`` (a URL template), ``wmts`` (a KVP endpoint +
layer/matrix set/style/format, turned into a GetTile template), ``archive`` (an MBTiles or PMTiles file that gridgov
serves itself at ``/tiles/<name>/<z>/<x>/<y>.<ext>``). ``crs`` is ``wgs84`` (also CGCS2000, 天地图) or ``gcj02``
(高德/腾讯): the browser then shifts our WGS-84 overlays onto the tiles (``basemap_gcj``).

No Django import: unit-tested without a database.
"""

import re
from urllib.parse import urlencode

KINDS = ("tianditu", "xyz", "wmts", "archive")
CRS = ("wgs84", "gcj02")
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
TILE_EXTS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
             "pbf": "application/x-protobuf", "mvt": "application/vnd.mapbox-vector-tile"}
MAX_ZOOM = 24

# 天地图 (National Platform for Common GeoSpatial Information Services): Web Mercator ("_w") WMTS, 8 hosts t0–t7.
# vec 矢量底图 + cva 矢量注记, img 影像底图 + cia 影像注记. The key (tk) is the deployment's own (console.tianditu.gov.cn).
TIANDITU_LAYERS = {"vec": ("天地图矢量", "cva"), "img": ("天地图影像", "cia")}
TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s")
TIANDITU_ATTRIBUTION = "© 天地图 国家地理信息公共服务平台"

# the base drawn from our own data when nothing else is configured (basemap.js draws it with Leaflet vector layers)
OWN = {"name": "own", "label": "辖区底图（本系统数据）", "kind": "own", "crs": "wgs84", "min_zoom": 10, "max_zoom": 20,
       "attribution": "gridgov 辖区数据（示意）"}


class SourceError(ValueError):
    """A source that cannot be used; the message is Chinese and names the source and the field."""


def tianditu(layer: str, key: str) -> dict:
    """The 天地图 base ``vec`` or ``img`` with its annotation layer, as a source dict."""
    if layer not in TIANDITU_LAYERS:
        raise SourceError(f"天地图图层应为 vec（矢量）或 img（影像），不是「{layer}」")
    if not key or not re.fullmatch(r"[A-Za-z0-9]{8,64}", key):
        raise SourceError("天地图密钥（tk）应为 8～64 位字母或数字")
    label, note = TIANDITU_LAYERS[layer]
    return {"name": f"tianditu-{layer}", "label": label, "kind": "tianditu", "layer": layer,
            "url": TIANDITU_URL % {"layer": layer, "key": key},
            "overlay_url": TIANDITU_URL % {"layer": note, "key": key},
            "subdomains": "01234567", "attribution": TIANDITU_ATTRIBUTION, "min_zoom": 1, "max_zoom": 18,
            "crs": "wgs84"}


def wmts_template(endpoint: str, layer: str, matrix_set: str = "GoogleMapsCompatible", style: str = "default",
                  fmt: str = "image/png") -> str:
    """A KVP WMTS GetTile URL as a Leaflet template ({z} → TILEMATRIX, {y} → TILEROW, {x} → TILECOL)."""
    query = urlencode({"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": layer, "STYLE": style,
                       "TILEMATRIXSET": matrix_set, "FORMAT": fmt})
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}{query}&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}"


def _zoom(value, what: str, name: str) -> int:
    try:
        z = int(value)
    except (TypeError, ValueError):
        raise SourceError(f"底图「{name}」的{what}应为 0～{MAX_ZOOM} 的整数") from None
    if not 0 <= z <= MAX_ZOOM:
        raise SourceError(f"底图「{name}」的{what}应为 0～{MAX_ZOOM} 的整数")
    return z


def normalise(raw: dict, *, tianditu_key: str = "") -> dict:
    """A checked source dict (defaults filled in) from settings or a database row; raises SourceError."""
    if not isinstance(raw, dict):
        raise SourceError("底图配置应为对象（name、label、kind …）")
    name = str(raw.get("name") or "")
    if not NAME_RE.match(name):
        raise SourceError(f"底图名称「{name}」应为 1～40 位字母、数字、- 或 _")
    kind = raw.get("kind") or "xyz"
    if kind not in KINDS:
        raise SourceError(f"底图「{name}」的类型应为 {'、'.join(KINDS)} 之一，不是「{kind}」")
    crs = raw.get("crs") or "wgs84"
    if crs not in CRS:
        raise SourceError(f"底图「{name}」的坐标系应为 wgs84 或 gcj02，不是「{crs}」")
    if kind == "tianditu":
        src = tianditu(raw.get("layer") or "vec", raw.get("key") or tianditu_key)
        src.update(name=name, label=raw.get("label") or src["label"])
        return src
    src = {"name": name, "label": str(raw.get("label") or name), "kind": kind, "crs": crs,
           "attribution": str(raw.get("attribution") or ""),
           "min_zoom": _zoom(raw.get("min_zoom", 0), "最小级别", name),
           "max_zoom": _zoom(raw.get("max_zoom", 18), "最大级别", name),
           "subdomains": str(raw.get("subdomains") or "")}
    if src["min_zoom"] > src["max_zoom"]:
        raise SourceError(f"底图「{name}」的最小级别大于最大级别")
    if kind == "archive":
        src["file"] = str(raw.get("file") or "")
        if not src["file"]:
            raise SourceError(f"离线底图「{name}」缺少文件（file：tiles 目录下的 .mbtiles 或 .pmtiles）")
        return src
    if kind == "wmts":
        endpoint = str(raw.get("url") or "")
        if not endpoint.startswith(("http://", "https://", "/")):
            raise SourceError(f"底图「{name}」的地址应以 http://、https:// 或 / 开头")
        src["url"] = wmts_template(endpoint, str(raw.get("layer") or ""), str(raw.get("matrix_set") or
                                   "GoogleMapsCompatible"), str(raw.get("style") or "default"),
                                   str(raw.get("format") or "image/png"))
        if not raw.get("layer"):
            raise SourceError(f"WMTS 底图「{name}」缺少图层名（layer）")
    else:
        url = str(raw.get("url") or "")
        if not url.startswith(("http://", "https://", "/")):
            raise SourceError(f"底图「{name}」的地址应以 http://、https:// 或 / 开头")
        if not all(t in url for t in ("{z}", "{x}")) or not ("{y}" in url or "{-y}" in url):
            raise SourceError(f"底图「{name}」的地址模板应含 {{z}}、{{x}}、{{y}}")
        if "{s}" in url and not src["subdomains"]:
            raise SourceError(f"底图「{name}」的地址含 {{s}}，请填写子域名（subdomains，如 abc 或 1234）")
        src["url"] = url
    if raw.get("overlay_url"):
        src["overlay_url"] = str(raw["overlay_url"])
    return src


def client_config(sources: list[dict]) -> dict:
    """What the browser gets: the bases in order (the first is shown), never a file path."""
    bases = []
    for s in sources or [OWN]:
        b = {k: s[k] for k in ("name", "label", "kind", "crs", "attribution", "min_zoom", "max_zoom") if k in s}
        if s["kind"] == "archive":
            b["url"] = f"/tiles/{s['name']}/{{z}}/{{x}}/{{y}}.{s.get('ext', 'png')}"
        elif s["kind"] != "own":
            b["url"] = s["url"]
            if s.get("subdomains"):
                b["subdomains"] = s["subdomains"]
            if s.get("overlay_url"):
                b["overlay_url"] = s["overlay_url"]
        bases.append(b)
    if sources and not any(s["kind"] == "own" for s in sources):
        bases.append(dict(OWN))  # always offered last: our own data as a base of its own
    return {"bases": bases}


def check_tile_address(name: str, z, x, y, ext: str) -> tuple[str, int, int, int, str]:
    """A tile request's parts, checked (a name of the allowed characters only, so no path is ever built from the
    request; z within 0…24; x, y within the zoom's 2^z tiles; a known extension). Raises ValueError."""
    if not NAME_RE.match(name or ""):
        raise ValueError("bad name")
    ext = (ext or "").lower()
    if ext not in TILE_EXTS:
        raise ValueError("bad extension")
    z, x, y = int(z), int(x), int(y)
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise ValueError("bad tile")
    return name, z, x, y, ext


def tms_row(z: int, y: int) -> int:
    """MBTiles keep rows bottom-up (TMS): the XYZ row y of zoom z is row 2^z − 1 − y."""
    return (1 << z) - 1 - y


def csp_origins(sources: list[dict]) -> list[str]:
    """The origins the pages must allow images from (CSP img-src) to draw these bases: scheme://host of each
    tile URL; a host with {s} becomes a wildcard of its first label (t{s}.tianditu.gov.cn → *.tianditu.gov.cn).
    Same-origin URLs (/tiles/…, a path) need nothing."""
    out = []
    for s in sources:
        for url in (s.get("url"), s.get("overlay_url")):
            if not url or not url.startswith(("http://", "https://")):
                continue
            scheme, rest = url.split("://", 1)
            host = rest.split("/", 1)[0].split("?", 1)[0]
            if "{" in host:
                labels = host.split(".")
                host = ".".join(["*"] + [lb for lb in labels[1:] if "{" not in lb])
            origin = f"{scheme}://{host}"
            if origin not in out:
                out.append(origin)
    return out
