"""Point → unit grid, management grid, community, street, district — served from memory.

One in-process index per layer (see ``logic.locator.Locator``), rebuilt when the layer's revision changes
(every grid write changes it; see ``gridgov.fresh`` for how often other processes' writes are looked for).
Communities are indexed too, so a point inside the district where no unit grid exists yet still gets its
community; a point inside nothing is "outside jurisdiction", never a guess.
"""

import math
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Sum
from shapely import from_geojson

from gridgov.fresh import Fresh

from .errors import GeoError
from .logic.locator import Locator
from .models import Grid, GridLayer, Jurisdiction, Level


@dataclass
class _Index:
    locator: Locator
    codes: list[str]
    extra: list  # per polygon: a dict of what a caller needs besides the code (ids, community, parent…)


def _layer_fingerprint(code: str):
    return lambda: GridLayer.objects.filter(code=code).values_list("revision", flat=True).first()


def _build_layer(code: str):
    def build(revision) -> _Index:
        rows = list(
            Grid.objects.filter(layer__code=code).exclude(geometry="")
            .values_list("code", "geometry", "community__code", "parent__code", "community__parent__parent__lattice",
                         "id", "parent_id", "community_id", "scope_key", "area_class")
        )
        shapes = [from_geojson(r[1]) for r in rows]
        lattices = {tuple(r[4]) for r in rows if r[4]}
        hint = next(iter(lattices)) if len(lattices) == 1 else None
        extra = [{"community": r[2], "parent": r[3], "id": r[5], "parent_id": r[6], "community_id": r[7],
                  "scope_key": r[8], "area_class": r[9]} for r in rows]
        return _Index(Locator(shapes, [r[0] for r in rows], hint), [r[0] for r in rows], extra)

    return build


def _community_fingerprint():
    """Changes whenever a community boundary is added, removed or changed."""
    agg = Jurisdiction.objects.filter(level=Level.COMMUNITY).exclude(geometry="").aggregate(
        n=Count("id"), m=Max("id"), a=Sum("area_m2"), x=Sum("min_lon"), y=Sum("max_lat")
    )
    return tuple(agg.values())


def _build_communities(_key) -> _Index:
    rows = list(Jurisdiction.objects.filter(level=Level.COMMUNITY).exclude(geometry="")
                .values_list("code", "geometry", "id"))
    return _Index(Locator([from_geojson(r[1]) for r in rows], [r[0] for r in rows]), [r[0] for r in rows],
                  [{"community": r[0], "community_id": r[2]} for r in rows])


_indexes: dict[str, Fresh[_Index]] = {}
_names: Fresh[dict] = Fresh(
    lambda: tuple(Jurisdiction.objects.aggregate(n=Count("id"), m=Max("id")).values()),
    lambda _key: {code: (pk, name) for code, pk, name in Jurisdiction.objects.values_list("code", "id", "name")},
)


def index_for(layer_code: str) -> _Index:
    """The current index of a layer ("communities" for the community boundaries)."""
    fresh = _indexes.get(layer_code)
    if fresh is None:
        if layer_code == "communities":
            fresh = Fresh(_community_fingerprint, _build_communities)
        else:
            if not GridLayer.objects.filter(code=layer_code).exists():
                raise GeoError("unknown_layer", f"没有编码为「{layer_code}」的网格图层")
            fresh = Fresh(_layer_fingerprint(layer_code), _build_layer(layer_code))
        fresh = _indexes.setdefault(layer_code, fresh)
    return fresh.get()


def invalidate(*layer_codes: str) -> None:
    """Called by the services that change grids or boundaries, so this process sees the change at once."""
    for code in layer_codes or list(_indexes):
        if code in _indexes:
            _indexes[code].invalidate()
    _names.invalidate()


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


OUTSIDE = {"inside": False, "message": "不在辖区范围内", "unit_grid": None, "management_grid": None,
           "community": None, "street": None, "district": None}


def _result(unit_code, extra, names) -> dict:
    community = extra["community"]

    def node(code):
        return {"code": code, "name": names.get(code, (None, ""))[1]}

    return {
        "inside": True, "message": "",
        "unit_grid": unit_code, "management_grid": extra.get("parent"),
        "community": node(community), "street": node(community[:9]), "district": node(community[:6]),
    }


def locate_many(lons, lats, *, with_ids: bool = False) -> list[dict]:
    """Locate many points at once (validated by the caller). ``with_ids`` adds the row ids services need."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    try:
        unit = index_for("unit")
    except GeoError:
        unit = None
    names = _names.get()
    hits = unit.locator.locate_many(lons, lats) if unit and unit.codes else np.full(len(lons), -1)
    missing = np.flatnonzero(hits < 0)
    chits = np.full(len(lons), -1)
    comm = index_for("communities") if len(missing) else None
    if comm is not None and comm.codes:
        chits[missing] = comm.locator.locate_many(lons[missing], lats[missing])
    out = []
    for i in range(len(lons)):
        if hits[i] >= 0:
            extra = unit.extra[hits[i]]
            r = _result(unit.codes[hits[i]], extra, names)
        elif chits[i] >= 0:
            extra = comm.extra[chits[i]]
            r = _result(None, extra, names)
        else:
            out.append(dict(OUTSIDE))
            continue
        if with_ids:
            r["ids"] = {**extra, "district_id": names[extra["community"][:6]][0]}
        out.append(r)
    return out


def locate(lon, lat, *, with_ids: bool = False) -> dict:
    lon, lat = check_point(lon, lat)
    return locate_many([lon], [lat], with_ids=with_ids)[0]


LON_NAMES = ("lon", "lng", "longitude", "经度", "x")
LAT_NAMES = ("lat", "latitude", "纬度", "y")
CSV_RESULT_COLUMNS = ["inside", "unit_grid", "management_grid", "community_code", "community", "street", "district"]


def read_points_csv(text: str, max_rows: int | None = None) -> tuple[list[dict], list[float], list[float]]:
    """Read a CSV with a header naming a longitude and a latitude column; every bad row is reported."""
    import csv
    import io

    # newline="": the csv module splits the lines itself (CRLF, LF, a bare CR, line breaks inside quotes)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _read_points(reader, max_rows)
    except csv.Error as e:
        raise GeoError("csv_format", f"CSV 第 {reader.line_num} 行格式有误：{e}") from None


def _read_points(reader, max_rows: int | None) -> tuple[list[dict], list[float], list[float]]:
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
