"""Point → unit grid, management grid, community, street, district — served from memory.

One in-process index per layer (see ``logic.locator.Locator``), rebuilt when the layer's version changes
(every grid write bumps it). Communities are indexed too, so a point inside the district where no unit grid
exists yet still gets its community; a point inside nothing is "outside jurisdiction", never a guess.
"""

import math
import threading
from dataclasses import dataclass

import numpy as np

from .errors import GeoError
from .logic.locator import Locator
from .models import Grid, GridLayer, Jurisdiction, Level

_lock = threading.Lock()
_cache: dict[str, "_Index"] = {}


@dataclass
class _Index:
    version: object
    locator: Locator
    codes: list[str]
    extra: list  # per polygon: (community_code, parent_code) for grids


def _community_version():
    """A fingerprint that changes whenever a community boundary is added, removed or changed."""
    from django.db.models import Count, Max, Sum

    agg = Jurisdiction.objects.filter(level=Level.COMMUNITY).exclude(geometry="").aggregate(
        n=Count("id"), m=Max("id"), a=Sum("area_m2"), x=Sum("min_lon"), y=Sum("max_lat")
    )
    return tuple(agg.values())


def _build_layer(layer: GridLayer) -> _Index:
    rows = list(
        Grid.objects.filter(layer=layer).exclude(geometry="")
        .values_list("code", "geometry", "community__code", "parent__code", "community__parent__parent__lattice")
    )
    from shapely import from_geojson

    shapes = [from_geojson(r[1]) for r in rows] if rows else []
    lattices = {tuple(r[4]) for r in rows if r[4]} if layer.kind == "unit" else set()
    hint = next(iter(lattices)) if len(lattices) == 1 else None
    return _Index(layer.revision, Locator(shapes, [r[0] for r in rows], hint), [r[0] for r in rows],
                  [(r[2], r[3]) for r in rows])


def _build_communities(version) -> _Index:
    from shapely import from_geojson

    rows = list(Jurisdiction.objects.filter(level=Level.COMMUNITY).exclude(geometry="").values_list("code", "geometry"))
    shapes = [from_geojson(r[1]) for r in rows]
    return _Index(version, Locator(shapes, [r[0] for r in rows]), [r[0] for r in rows], [None] * len(rows))


def index_for(layer_code: str) -> _Index:
    """The current index of a layer ("communities" for the community boundaries)."""
    if layer_code == "communities":
        version = _community_version()
        builder = lambda: _build_communities(version)  # noqa: E731
    else:
        layer = GridLayer.objects.filter(code=layer_code).first()
        if layer is None:
            raise GeoError("unknown_layer", f"没有编码为「{layer_code}」的网格图层")
        version = layer.revision
        builder = lambda: _build_layer(layer)  # noqa: E731
    idx = _cache.get(layer_code)
    if idx is None or idx.version != version:
        with _lock:
            idx = _cache.get(layer_code)
            if idx is None or idx.version != version:
                idx = builder()
                _cache[layer_code] = idx
    return idx


def check_point(lon, lat, where: str = "") -> tuple[float, float]:
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeoError("invalid_coordinates", f"{where}坐标不是数字") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeoError("invalid_coordinates", f"{where}坐标不是有限数值")
    if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
        raise GeoError("coordinates_out_of_range", f"{where}坐标超出范围：经度应在 -180～180、纬度应在 -90～90 之间（收到 {lon}, {lat}）")
    return lon, lat


def _names() -> dict[str, str]:
    return dict(Jurisdiction.objects.values_list("code", "name"))


def _result(unit_code, mgmt_code, community_code, names) -> dict:
    if community_code is None:
        return {"inside": False, "message": "不在辖区范围内", "unit_grid": None, "management_grid": None,
                "community": None, "street": None, "district": None}

    def node(code):
        return {"code": code, "name": names.get(code, "")}

    return {
        "inside": True, "message": "",
        "unit_grid": unit_code, "management_grid": mgmt_code,
        "community": node(community_code), "street": node(community_code[:9]), "district": node(community_code[:6]),
    }


def locate_many(lons, lats) -> list[dict]:
    """Locate many points at once (validated by the caller)."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    unit = index_for("unit") if GridLayer.objects.filter(code="unit").exists() else None
    comm = index_for("communities")
    names = _names()
    hits = unit.locator.locate_many(lons, lats) if unit and len(unit.codes) else np.full(len(lons), -1)
    missing = np.flatnonzero(hits < 0)
    chits = np.full(len(lons), -1)
    if len(missing) and len(comm.codes):
        chits[missing] = comm.locator.locate_many(lons[missing], lats[missing])
    out = []
    for i in range(len(lons)):
        h = hits[i]
        if h >= 0:
            community, parent = unit.extra[h]
            out.append(_result(unit.codes[h], parent, community, names))
        elif chits[i] >= 0:
            out.append(_result(None, None, comm.codes[chits[i]], names))
        else:
            out.append(_result(None, None, None, names))
    return out


def locate(lon, lat) -> dict:
    lon, lat = check_point(lon, lat)
    return locate_many([lon], [lat])[0]


LON_NAMES = ("lon", "lng", "longitude", "经度", "x")
LAT_NAMES = ("lat", "latitude", "纬度", "y")
CSV_RESULT_COLUMNS = ["inside", "unit_grid", "management_grid", "community_code", "community", "street", "district"]


def read_points_csv(text: str, max_rows: int | None = None) -> tuple[list[dict], list[float], list[float]]:
    """Read a CSV with a header naming a longitude and a latitude column; every bad row is reported."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    lon_col = next((reader.fieldnames[i] for i, f in enumerate(fields) if f in LON_NAMES), None)
    lat_col = next((reader.fieldnames[i] for i, f in enumerate(fields) if f in LAT_NAMES), None)
    if lon_col is None or lat_col is None:
        raise GeoError("csv_columns", "CSV 第 1 行应为表头，并包含经度列（lon/经度）和纬度列（lat/纬度）")
    rows, lons, lats, errors = [], [], [], []
    for n, row in enumerate(reader, start=2):
        if max_rows is not None and len(rows) >= max_rows:
            raise GeoError("too_many_points", f"一次最多定位 {max_rows} 个点")
        try:
            lon, lat = check_point(row.get(lon_col), row.get(lat_col))
        except GeoError as e:
            errors.append(f"第 {n} 行：{e.message}")
            continue
        rows.append(row)
        lons.append(lon)
        lats.append(lat)
    if errors:
        more = f"，另有 {len(errors) - 20} 行" if len(errors) > 20 else ""
        raise GeoError("csv_rows", f"CSV 中有 {len(errors)} 行坐标无效：" + "；".join(errors[:20]) + more)
    return rows, lons, lats


def csv_result(r: dict) -> list:
    if not r["inside"]:
        return ["0", "", "", "", "", "", ""]
    return ["1", r["unit_grid"] or "", r["management_grid"] or "", r["community"]["code"], r["community"]["name"],
            r["street"]["name"], r["district"]["name"]]
