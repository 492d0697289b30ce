"""Parse and repair real-world (messy) GeoJSON district boundaries.

Public API:

* :class:`BoundaryError` – the only exception raised here; has a stable
  English ``code`` and a Chinese, user-facing message naming the feature.
* :func:`read_features` – JSON text/bytes/dict → list of GeoJSON Features.
* :func:`feature_label` – a human label for a feature (name, id or index).
* :func:`clean_geometry` – GeoJSON geometry dict → :class:`CleanPolygon`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from .projection import LocalProjection

GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection",
}
#: Polygonal parts smaller than this (m²) are treated as zero-area slivers.
SLIVER_M2 = 1.0

_TYPE_NAMES = {
    "Point": "点", "MultiPoint": "多点", "LineString": "线", "MultiLineString": "多线",
    "GeometryCollection": "几何集合",
}


class BoundaryError(ValueError):
    """A boundary that cannot be used.

    ``code`` is a stable English identifier (``malformed_geojson``,
    ``not_polygonal``, ``invalid_coordinates``, ``coordinates_out_of_range``,
    ``degenerate_ring``, ``empty_geometry``, ``unrepairable``);
    ``message`` (also ``str(err)``) is a Chinese explanation for users.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _fail(code: str, label: str | None, detail: str) -> BoundaryError:
    prefix = f"要素「{label}」：" if label else ""
    return BoundaryError(code, prefix + detail)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def read_features(data: str | bytes | dict) -> list[dict]:
    """Return the GeoJSON Features contained in ``data``.

    ``data`` may be JSON text (str or bytes, UTF-8, optional BOM) or an
    already-parsed dict holding a FeatureCollection, a single Feature or a bare
    geometry (wrapped into a Feature with empty properties).  Geometries are
    *not* validated here; use :func:`clean_geometry` per feature.
    """
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail("malformed_geojson", None, f"文件不是 UTF-8 编码的文本（第 {exc.start} 字节）") from None
    if isinstance(data, str):
        if "\x00" in data or "\\u0000" in data:  # raw or escaped: no NUL reaches a name or a database
            raise _fail("malformed_geojson", None, "文件含有不允许的控制字符（NUL）")
        try:
            data = json.loads(data.lstrip("\ufeff"))
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f"第 {exc.lineno} 行第 {exc.colno} 列：" if isinstance(exc, json.JSONDecodeError) else ""
            raise _fail("malformed_geojson", None, f"不是合法的 JSON（{where}{exc}）") from None
    if not isinstance(data, dict):
        raise _fail("malformed_geojson", None, "GeoJSON 顶层必须是对象（FeatureCollection、Feature 或几何对象）")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise _fail("malformed_geojson", None, "FeatureCollection 缺少 features 数组")
        for i, feature in enumerate(features, start=1):
            if not isinstance(feature, dict) or "geometry" not in feature:
                raise _fail("malformed_geojson", None, f"第 {i} 个要素不是带 geometry 的 Feature 对象")
        return list(features)
    if kind == "Feature":
        if "geometry" not in data:
            raise _fail("malformed_geojson", None, "Feature 缺少 geometry 字段")
        return [data]
    if kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": data}]
    raise _fail("malformed_geojson", None, f"无法识别的 GeoJSON 类型：{kind!r}")


def feature_label(feature: dict, index: int | None = None) -> str:
    """Human label for a feature: its name, else its id, else its position."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    if isinstance(props, dict):
        for key in ("name", "NAME", "名称"):
            if isinstance(props.get(key), str) and props[key].strip():
                return props[key].strip()
    if isinstance(feature, dict) and feature.get("id") not in (None, ""):
        return str(feature["id"])
    return f"第 {index} 个要素" if index is not None else "未命名要素"


# ---------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------
@dataclass
class CleanPolygon:
    """A valid polygonal boundary in lon/lat plus what was repaired."""

    geometry: Polygon | MultiPolygon
    repaired: bool = False
    notes: list[str] = field(default_factory=list)


def _ring_array(ring: Any, label: str) -> np.ndarray:
    """Validate one GeoJSON ring and return it as an (N, 2) float array."""
    if not isinstance(ring, list | tuple):
        raise _fail("malformed_geojson", label, "坐标嵌套层级不正确（环必须是坐标点数组）")
    pts = []
    for pos in ring:
        if not isinstance(pos, list | tuple) or len(pos) < 2:
            raise _fail("malformed_geojson", label, f"坐标嵌套层级不正确（{_short(pos)} 不是 [经度, 纬度] 坐标点）")
        lon, lat = pos[0], pos[1]
        for v in (lon, lat):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise _fail("invalid_coordinates", label, f"坐标值 {_short(v)} 不是数字")
            if not math.isfinite(v):
                raise _fail("invalid_coordinates", label, f"坐标值 {v} 不是有限数")
        if not -180.0 <= lon <= 180.0:
            raise _fail("coordinates_out_of_range", label, f"坐标超出范围（经度 {float(lon)} 不在 -180～180 之间）")
        if not -90.0 <= lat <= 90.0:
            raise _fail("coordinates_out_of_range", label, f"坐标超出范围（纬度 {float(lat)} 不在 -90～90 之间）")
        pts.append((float(lon), float(lat)))
    return np.array(pts, dtype=float).reshape(-1, 2)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _tidy_ring(arr: np.ndarray, label: str, counts: dict[str, int]) -> np.ndarray | None:
    """Drop consecutive duplicates and close the ring; None if degenerate."""
    if len(arr) == 0:
        return None
    if len(arr) > 1:
        keep = np.ones(len(arr), dtype=bool)
        keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)
        counts["duplicates"] += int((~keep).sum())
        arr = arr[keep]
    if len(arr) > 1 and np.all(arr[0] == arr[-1]):
        body = arr[:-1]
    else:
        body = arr
        if len(arr) > 1:
            counts["unclosed"] += 1
    if len(np.unique(body, axis=0)) < 3:
        return None
    return np.vstack([body, body[:1]])


def _polygon_coords(coords: Any, label: str) -> list[list]:
    """Normalise Polygon/MultiPolygon coordinates to a list of ring lists."""
    if not isinstance(coords, list | tuple):
        raise _fail("malformed_geojson", label, "coordinates 必须是数组")
    return list(coords)


_REASON_RE = re.compile(r"^(?P<kind>[^\[]+?)\s*\[(?P<x>[-0-9.eE+]+)\s+(?P<y>[-0-9.eE+]+)\]")
_REASON_ZH = {
    "Self-intersection": "自相交",
    "Ring Self-intersection": "环自相交",
    "Hole lies outside shell": "内环位于外环之外",
    "Holes are nested": "内环相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环相互嵌套",
    "Too few points": "点数过少",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


def describe_invalidity(geom) -> str:
    """Chinese description of why ``geom`` is invalid, with its location."""
    reason = shapely.is_valid_reason(geom) or "未知原因"
    m = _REASON_RE.match(reason)
    if not m:
        return f"几何无效（{reason}）"
    kind = m.group("kind").strip()
    what = _REASON_ZH.get(kind, f"几何无效（{kind}）")
    return f"{what}（{float(m.group('x')):.4f}, {float(m.group('y')):.4f} 附近）"


def _polygonal_parts(geom) -> list[Polygon]:
    """All non-empty Polygons inside ``geom`` (any geometry type)."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygonal_parts(g)]
    return []


def clean_geometry(geometry: Any, label: str) -> CleanPolygon:
    """Validate and repair one GeoJSON geometry dict.

    Only Polygon and MultiPolygon are accepted.  Repairs (each reported in
    ``notes``): consecutive duplicate points, unclosed rings, degenerate holes,
    self-intersections and other invalidity (``shapely.make_valid``, keeping
    only polygonal parts), overlapping parts and zero-area slivers.  The
    returned geometry is always valid and has positive area.  Raises only
    :class:`BoundaryError`.
    """
    try:
        return _clean(geometry, label)
    except BoundaryError:
        raise
    except Exception as exc:  # contract: nothing but BoundaryError escapes
        raise _fail("unrepairable", label, f"几何无法处理（{type(exc).__name__}: {exc}）") from exc


def _clean(geometry: Any, label: str) -> CleanPolygon:
    if geometry is None:
        raise _fail("empty_geometry", label, "没有几何数据（geometry 为空）")
    if not isinstance(geometry, dict):
        raise _fail("malformed_geojson", label, "geometry 必须是 GeoJSON 几何对象")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        if kind in _TYPE_NAMES:
            raise _fail("not_polygonal", label, f"几何类型为 {kind}（{_TYPE_NAMES[kind]}），边界必须是面（Polygon 或 MultiPolygon）")
        raise _fail("malformed_geojson", label, f"无法识别的几何类型：{_short(kind)}")
    coords = _polygon_coords(geometry.get("coordinates"), label)
    polys_raw = [coords] if kind == "Polygon" else coords
    if not polys_raw or all(isinstance(p, list | tuple) and len(p) == 0 for p in polys_raw):
        raise _fail("empty_geometry", label, "几何没有任何坐标")

    counts = {"duplicates": 0, "unclosed": 0, "holes_dropped": 0}
    polygons: list[Polygon] = []
    for poly in polys_raw:
        if not isinstance(poly, list | tuple):
            raise _fail("malformed_geojson", label, "坐标嵌套层级不正确（多边形必须是环的数组）")
        if len(poly) == 0:
            continue
        rings = [_ring_array(r, label) for r in poly]
        shell = _tidy_ring(rings[0], label, counts)
        if shell is None:
            raise _fail("degenerate_ring", label, "外环的不同坐标点少于 3 个，无法构成面")
        holes = []
        for hole in rings[1:]:
            tidy = _tidy_ring(hole, label, counts)
            if tidy is None:
                counts["holes_dropped"] += 1
            else:
                holes.append(tidy)
        polygons.append(Polygon(shell, holes))
    if not polygons:
        raise _fail("empty_geometry", label, "几何没有任何坐标")

    notes: list[str] = []
    if counts["unclosed"]:
        notes.append(f"{counts['unclosed']} 个环未闭合，已自动闭合")
    if counts["duplicates"]:
        notes.append(f"删除了 {counts['duplicates']} 个重复的连续坐标点")
    if counts["holes_dropped"]:
        notes.append(f"删除了 {counts['holes_dropped']} 个不足 3 个点的内环")

    fixed: list[Polygon] = []
    for poly in polygons:
        if poly.is_valid:
            fixed.append(poly)
            continue
        notes.append(describe_invalidity(poly) + "，已修复")
        fixed.extend(_polygonal_parts(shapely.make_valid(poly)))
    geom = shapely.union_all(fixed) if len(fixed) > 1 else (fixed[0] if fixed else Polygon())
    if len(fixed) > 1:
        total = sum(p.area for p in fixed)
        if geom.area < total * (1 - 1e-9):
            notes.append("多个部分相互重叠，已合并")
    parts = _polygonal_parts(geom)
    if not parts:
        raise _fail("empty_geometry", label, "修复后几何为空（面积为零）")

    proj = LocalProjection.for_geometry(MultiPolygon(parts))
    areas = proj.area_m2(np.array(parts, dtype=object))
    kept = [p for p, a in zip(parts, areas, strict=True) if a >= SLIVER_M2]
    if len(kept) < len(parts):
        notes.append(f"删除了 {len(parts) - len(kept)} 个面积接近零的碎片")
    if not kept:
        raise _fail("empty_geometry", label, "几何面积为零")
    result = kept[0] if len(kept) == 1 else MultiPolygon(kept)
    if not result.is_valid:
        result = shapely.make_valid(result)
        parts = _polygonal_parts(result)
        result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if result.is_empty or not result.is_valid:
        raise _fail("unrepairable", label, describe_invalidity(result) + "，无法自动修复")
    result = shapely.orient_polygons(result)
    assert result.is_valid
    return CleanPolygon(geometry=result, repaired=bool(notes), notes=notes)
