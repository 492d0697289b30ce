"""Pages and page JSON of 底图与地址.

- ``/tiles/<name>/<z>/<x>/<y>.<ext>``: a tile of an offline archive (MBTiles/PMTiles) that gridgov serves itself —
  for staff and the residents' pages alike (no sign-in), cached by browsers for a day; a tile the archive lacks is
  204 (nothing to draw), an unknown archive or a bad address 404. The name picks a configured archive; no path is
  ever built from the request.
- ``/basemap/own.json?bbox=&z=``: the own-data base (streets, communities, management grids, buildings with
  their names) for the view, lighter the further out one zooms; grids only for signed-in staff.
- ``/addresses/search.json?q=`` and ``/addresses/nearest.json?lon=&lat=``: the residents' pages' search and nearest
  address (the whole register: addresses are public); staff maps use the API (their scope).
"""

import hashlib
import json
import math
from email.utils import formatdate

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods
from shapely import from_geojson
from shapely.geometry import mapping

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.geo import basemap
from gridgov.geo.basemap_tiles import ArchiveError, open_archive
from gridgov.pages import page, render_page

from . import basemaps, search, services

TILE_MAX_AGE = 86400


@require_GET
def tile(request, name: str, z: int, x: int, y: int, ext: str):
    try:
        name, z, x, y, ext = basemap.check_tile_address(name, z, x, y, ext)
    except ValueError:
        return HttpResponse(status=404)
    src = basemaps.archive(name)
    if src is None:
        return HttpResponse(status=404)
    try:
        found = open_archive(src["path"]).get(z, x, y)
    except ArchiveError:
        return HttpResponse(status=404)
    if found is None:
        resp = HttpResponse(status=204)
    else:
        resp = HttpResponse(found.data, content_type=basemap.TILE_EXTS[ext])
        if found.encoding:
            resp["Content-Encoding"] = found.encoding
    resp["Cache-Control"] = f"public, max-age={TILE_MAX_AGE}"
    resp["Last-Modified"] = formatdate(src["path"].stat().st_mtime, usegmt=True)
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


# ---------------------------------------------------------------- the own-data base


def _bbox(text: str):
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except (ValueError, AttributeError):
        return None
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        return None
    return x0, y0, x1, y1


def own_features(bbox, z: int, with_grids: bool) -> list[dict]:
    from gridgov.basedata.models import Building
    from gridgov.geo.models import Grid, Jurisdiction

    x0, y0, x1, y1 = bbox
    tolerance = 360 / (256 * 2 ** z) * 1.5  # about 1.5 pixels at this zoom
    out = []

    def add(kind, code, name, geometry):
        shape = from_geojson(geometry).simplify(tolerance, preserve_topology=True)
        if not shape.is_empty:
            out.append({"type": "Feature", "geometry": mapping(shape),
                        "properties": {"kind": kind, "code": code, "name": name}})

    levels = ["district", "street"] + (["community"] if z >= 13 else [])
    for j in Jurisdiction.objects.filter(level__in=levels, min_lon__lte=x1, max_lon__gte=x0, min_lat__lte=y1,
                                         max_lat__gte=y0).exclude(geometry="").only("code", "name", "level",
                                                                                      "geometry"):
        add(j.level, j.code, j.name, j.geometry)
    if with_grids and z >= 15:
        for g in Grid.objects.filter(layer__code="management", min_lon__lte=x1, max_lon__gte=x0, min_lat__lte=y1,
                                     max_lat__gte=y0).exclude(geometry="").only("code", "name", "geometry")[:3000]:
            add("grid", g.code, g.name or g.code, g.geometry)
    if z >= 16:
        for b in Building.objects.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1).only(
                "code", "name", "address", "lon", "lat")[:3000]:
            out.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
                        "properties": {"kind": "building", "code": b.code, "name": b.name or b.address}})
    return out


@require_GET
def own(request):
    bbox = _bbox(request.GET.get("bbox", ""))
    try:
        z = max(0, min(22, int(request.GET.get("z", "14"))))
    except ValueError:
        z = 14
    if bbox is None:
        return JsonResponse({"code": "invalid_bbox", "message": "bbox 应为 最小经度,最小纬度,最大经度,最大纬度 四个数字"},
                            status=400)
    signed_in = request.user.is_authenticated
    # the view widened to a grid of coarse steps, so neighbouring requests share one cached answer
    step = 360 / 2 ** max(z - 1, 0)
    snapped = (math.floor(bbox[0] / step) * step, math.floor(bbox[1] / step) * step,
               math.ceil(bbox[2] / step) * step, math.ceil(bbox[3] / step) * step)
    snapped = (max(snapped[0], -180), max(snapped[1], -90), min(snapped[2], 180), min(snapped[3], 90))
    key = "gridgov:basemap:own:" + hashlib.sha1(f"{int(signed_in)}:{z}:{snapped}".encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = json.dumps({"type": "FeatureCollection", "features": own_features(snapped, z, signed_in)},
                          ensure_ascii=False, separators=(",", ":"))
        cache.set(key, body, 60)
    resp = HttpResponse(body, content_type="application/json")
    resp["Cache-Control"] = "private, max-age=60"
    return resp


# ---------------------------------------------------------------- residents' pages: search and nearest


@require_GET
def public_search(request):
    q = (request.GET.get("q") or "")[:100]
    items = [search.as_item(a) for a in search.search(search.visible(None), q)[:10]]
    return JsonResponse({"items": items, "count": len(items), "limit": 10, "offset": 0})


@require_GET
def public_nearest(request):
    try:
        a, d = search.nearest(search.visible(None), request.GET.get("lon"), request.GET.get("lat"))
    except DomainError as e:
        return JsonResponse({"code": e.code, "message": e.message}, status=e.status)
    return JsonResponse(search.as_item(a, d))


# ---------------------------------------------------------------- the register's page


@require_http_methods(["GET", "POST"])
@page(roles.LOCATE)
def home(request):
    """标准地址: find an address; the administrator imports a file or lets the buildings feed the register."""
    from gridgov.pages import has

    ctx = {"q": (request.GET.get("q") or "")[:100], "may_import": has(request.user, roles.IMPORT)}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "import":
                from gridgov.basedata.importing import read_upload

                data, name = read_upload(request)
                ctx["report"] = services.import_addresses(request.user, data, name)
                status = 400 if ctx["report"].errors else 200
            elif action == "sync":
                counts = services.sync_buildings(request.user)
                ctx["report"] = {"errors": [], **counts}
        except DomainError as e:
            ctx["error"], status = e.message, e.status
    qs = search.visible(request.user)
    ctx["total"] = qs.count()
    ctx["found"] = list(search.search(qs, ctx["q"])[:50]) if ctx["q"] else []
    return render_page(request, "addresses/home.html", ctx, status=status)


urls = [
    path("", home, name="home"),
    path("search.json", public_search, name="search"),
    path("nearest.json", public_nearest, name="nearest"),
]
tile_urls = [
    path("<str:name>/<int:z>/<int:x>/<int:y>.<str:ext>", tile, name="tile"),
]
basemap_urls = [
    path("own.json", own, name="own"),
]
