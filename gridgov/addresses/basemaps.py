"""The base maps in force: what every map page shows (``sources``) and the archive files ``/tiles/`` serves.

Gathered, in this order (the first is the one a map opens with; the layer switcher offers the rest):
1. the sources an administrator keeps (``BaseMapSource``, admin 「底图」, enabled, by position);
2. ``GRIDGOV["BASEMAPS"]`` (settings / ``GRIDGOV_BASEMAPS`` JSON);
3. 天地图矢量 and 天地图影像 when ``GRIDGOV["TIANDITU_KEY"]`` is set and no source above is 天地图 already;
4. every ``*.mbtiles`` / ``*.pmtiles`` in the tiles folder not named above (named by its file name without suffix).
The own-data base (streets, communities, grids, buildings drawn by the browser) is always offered last, and is the
only base when nothing is configured. A source that does not check out is left out and logged (never a blank map).
"""

import json
import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

from gridgov.geo import basemap
from gridgov.geo.basemap_tiles import ArchiveError, open_archive

log = logging.getLogger("gridgov.basemap")
ARCHIVE_SUFFIXES = (".mbtiles", ".pmtiles")


def tiles_dir() -> Path:
    return Path(settings.GRIDGOV.get("TILES_DIR") or settings.DATA_DIR / "tiles")


def _archive_file(name: str) -> Path | None:
    """A file inside the tiles folder (a bare file name; anything with a folder part is refused)."""
    if not name or Path(name).name != name or not name.endswith(ARCHIVE_SUFFIXES):
        return None
    path = tiles_dir() / name
    return path if path.is_file() else None


def _configured() -> list[dict]:
    from .models import BaseMapSource

    raws = [row.as_source() for row in BaseMapSource.objects.filter(enabled=True)]
    raws += list(settings.GRIDGOV.get("BASEMAPS") or [])
    key = settings.GRIDGOV.get("TIANDITU_KEY") or ""
    if key and not any((r.get("kind") == "tianditu") for r in raws if isinstance(r, dict)):
        raws += [{"name": "tianditu-vec", "kind": "tianditu", "layer": "vec"},
                 {"name": "tianditu-img", "kind": "tianditu", "layer": "img"}]
    return raws


_cache: dict = {}
_lock = threading.Lock()


def sources() -> list[dict]:
    """The checked sources in force (archive sources carry their ``path`` and tile ``ext``); kept a few seconds,
    since every tile request asks (see ``archive``)."""
    key = (str(tiles_dir()), json.dumps(settings.GRIDGOV.get("BASEMAPS") or [], sort_keys=True, default=str),
           settings.GRIDGOV.get("TIANDITU_KEY") or "")
    with _lock:
        hit = _cache.get(key)
        # kept as long as the other in-memory tables (GRIDGOV["FRESH_CHECK_S"], default 1 s; the tests: 0)
        if hit and time.monotonic() - hit[0] < float(settings.GRIDGOV.get("FRESH_CHECK_S", 1)):
            return hit[1]
    found = _gather()
    with _lock:
        _cache.clear()
        _cache[key] = (time.monotonic(), found)
    return found


def forget() -> None:
    """Drop the kept sources (after a source is saved here, so this process shows it at once)."""
    with _lock:
        _cache.clear()


def _gather() -> list[dict]:
    out, names, files = [], set(), set()
    for raw in _configured():
        try:
            src = basemap.normalise(raw, tianditu_key=settings.GRIDGOV.get("TIANDITU_KEY") or "")
        except basemap.SourceError as e:
            log.warning("base map left out: %s", e)
            continue
        if src["name"] in names:
            continue
        if src["kind"] == "archive" and not _with_archive(src, src["file"]):
            continue
        names.add(src["name"])
        files.add(src.get("file"))
        out.append(src)
    folder = tiles_dir()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix not in ARCHIVE_SUFFIXES or path.name in files or path.stem in names:
                continue
            if not basemap.NAME_RE.match(path.stem):
                continue
            src = {"name": path.stem, "label": f"离线底图 {path.stem}", "kind": "archive", "crs": "wgs84",
                   "attribution": "", "min_zoom": 0, "max_zoom": 18, "subdomains": "", "file": path.name}
            if _with_archive(src, path.name):
                names.add(src["name"])
                out.append(src)
    return out


def _with_archive(src: dict, file_name: str) -> bool:
    path = _archive_file(file_name)
    if path is None:
        log.warning("base map %s left out: no file %s in %s", src["name"], file_name, tiles_dir())
        return False
    try:
        info = open_archive(path).info(count=False)
    except ArchiveError as e:
        log.warning("base map %s left out: %s", src["name"], e)
        return False
    src["path"] = path
    src["ext"] = {"jpeg": "jpg"}.get(info.tile_format, info.tile_format)
    if info.max_zoom:  # the archive's own zoom range, within what was configured
        src["min_zoom"] = max(src.get("min_zoom", 0), info.min_zoom)
        src["max_native_zoom"] = info.max_zoom
    if info.bounds:
        src["bounds"] = list(info.bounds)
    return True


def archive(name: str) -> dict | None:
    """The archive source called ``name`` (never a path built from the request)."""
    return next((s for s in sources() if s["kind"] == "archive" and s["name"] == name), None)


def client_json(request=None) -> str:
    """The configuration basemap.js reads (a data attribute of its script element), HTML-escaped; the tile
    servers' origins are noted on ``request`` for the page's CSP (``middleware.BasemapCSPMiddleware``)."""
    srcs = sources()
    if request is not None:
        request._basemap_origins = basemap.csp_origins(srcs)
    cfg = basemap.client_config(srcs)
    for b, s in zip(cfg["bases"], srcs, strict=False):
        for k in ("max_native_zoom", "bounds"):
            if k in s:
                b[k] = s[k]
    cfg["nearest_m"] = settings.GRIDGOV.get("ADDRESS_NEAREST_M", 150)
    return escape(json.dumps(cfg, ensure_ascii=False, separators=(",", ":")))
