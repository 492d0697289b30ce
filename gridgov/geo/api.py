"""Geo API: the jurisdiction tree, grids as GeoJSON, locate (single, bulk, CSV), boundary and layer import.

Parse → call a service → serialise. Every read goes through ``scoped``; writes live in ``services``.
"""

import json
from typing import Any

from ninja import Field, Query, Router, Schema

from gridgov import spreadsheets
from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix, scoped
from gridgov.limits import field
from gridgov.schemas import Feature, FeatureCollection, PageIn, answers, binary, page_of, paginate

from . import locating, services
from .errors import GeoError, NotFound
from .models import Grid, GridDuty, GridLayer, Jurisdiction

router = Router(tags=["辖区与网格"])

MAX_FEATURES = 20000
MAX_POINTS = 100000


class NodeOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    boundary_source: str
    area_km2: float | None


def _node(j: Jurisdiction, parent_code=None) -> dict:
    return {
        "code": j.code, "name": j.name, "level": j.level, "level_label": j.get_level_display(),
        "parent_code": parent_code if parent_code is not None else (j.parent.code if j.parent_id else None),
        "boundary_source": j.boundary_source, "area_km2": round(j.area_m2 / 1e6, 4) if j.area_m2 else None,
    }


@router.get("/tree", response=answers(page_of(NodeOut), 403, 422),
            summary="辖区树（本人管辖范围内，按编码排序；上级路径在前）")
def tree(request, page: Query[PageIn], root: str | None = None):
    qs = scoped(Jurisdiction.objects.select_related("parent"), request.user, roles.VIEW)
    if root:
        qs = qs.filter(code__startswith=root)
    nodes = list(qs.order_by("code"))
    prefix = scope_prefix(request.user) or ""
    # the path above one's own node is shown for orientation (names only)
    ancestors = [prefix[:n] for n in (4, 6, 9, 12) if len(prefix) > n]
    seen = {n.code for n in nodes}
    above = [a for a in Jurisdiction.objects.select_related("parent").filter(code__in=ancestors) if a.code not in seen]
    return paginate([_node(j) for j in above + nodes], page)


class NodeDetail(NodeOut):
    boundary: dict[str, Any] | None = Field(description="边界（GeoJSON geometry，WGS84）")
    boundary_note: str
    children: list[NodeOut] = Field(description="下级节点（本人管辖范围内）")
    grid_counts: dict[str, int] = Field(description="各图层的网格数")


@router.get("/tree/{code}", response=answers(NodeDetail, 403, 404), summary="一个辖区节点：边界与下级")
def tree_node(request, code: str):
    from django.db.models import Count

    from gridgov.accounts.scope import get_scoped

    node = get_scoped(Jurisdiction.objects.select_related("parent"), request.user, roles.VIEW, code=code)
    children = scoped(node.children.all(), request.user, roles.VIEW)
    counts = (
        Grid.objects.filter(community__code__startswith=node.code)
        .values("layer__code").annotate(n=Count("id"))
    )
    return {
        **_node(node), "boundary": json.loads(node.geometry) if node.geometry else None,
        "boundary_note": node.boundary_note, "children": [_node(c, node.code) for c in children],
        "grid_counts": {c["layer__code"]: c["n"] for c in counts},
    }


class LayerOut(Schema):
    code: str
    name: str
    kind: str
    description: str
    grid_count: int


@router.get("/layers", response=answers(page_of(LayerOut), 403, 422), summary="网格图层")
def layers(request, page: Query[PageIn]):
    from django.db.models import Count, Q

    prefix = scope_prefix(request.user)
    require(request.user, roles.VIEW)
    flt = Q(grids__scope_key__startswith=prefix) if prefix else Q()
    qs = GridLayer.objects.annotate(grid_count=Count("grids", filter=flt)).order_by("id")
    return paginate(qs, page, lambda x: {"code": x.code, "name": x.name, "kind": x.kind,
                                         "description": x.description, "grid_count": x.grid_count})


class GridFilter(Schema):
    layer: str = "unit"
    community: str | None = None
    street: str | None = None
    bbox: str | None = None  # min_lon,min_lat,max_lon,max_lat


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(x) for x in text.split(",")]
    except ValueError:
        raise GeoError("invalid_bbox", "bbox 应为 最小经度,最小纬度,最大经度,最大纬度 四个数字") from None
    if len(parts) != 4:
        raise GeoError("invalid_bbox", "bbox 应为 最小经度,最小纬度,最大经度,最大纬度 四个数字")
    locating.check_point(parts[0], parts[1], "bbox 西南角")
    locating.check_point(parts[2], parts[3], "bbox 东北角")
    if parts[0] > parts[2] or parts[1] > parts[3]:
        raise GeoError("invalid_bbox", "bbox 的最小值大于最大值")
    return tuple(parts)


class GridProperties(Schema):
    code: str = Field(description="网格编码")
    name: str
    layer: str = Field(description="图层编码（unit 单元网格、management 管理网格 …）")
    community_code: str
    community: str
    grid_class: str = Field(description="网格类别 1/2/3（一类、二类、三类）")
    grid_class_label: str
    grid_type: str
    grid_type_label: str
    households: int | None = Field(description="户数")
    area_m2: float = Field(description="面积（平方米）")


class GridFeature(Feature):
    properties: GridProperties


class GridCollection(FeatureCollection):
    features: list[GridFeature]


@router.get("/grids", response=answers(GridCollection, 400, 403, 404, 422),
            summary="网格（GeoJSON FeatureCollection，最多 20000 个），按图层、社区、街道或范围筛选")
def grids(request, filters: Query[GridFilter]):
    if not GridLayer.objects.filter(code=filters.layer).exists():
        raise NotFound("unknown_layer", f"没有编码为「{filters.layer}」的网格图层")
    qs = scoped(Grid.objects.select_related("layer", "community"), request.user, roles.VIEW).filter(
        layer__code=filters.layer
    )
    if filters.community:
        qs = qs.filter(community__code=filters.community)
    if filters.street:
        qs = qs.filter(community__code__startswith=filters.street)
    if filters.bbox:
        x0, y0, x1, y1 = _parse_bbox(filters.bbox)
        qs = qs.filter(min_lon__lte=x1, max_lon__gte=x0, min_lat__lte=y1, max_lat__gte=y0)
    rows = list(qs.order_by("code")[: MAX_FEATURES + 1])
    if len(rows) > MAX_FEATURES:
        raise GeoError("too_many_features", f"结果超过 {MAX_FEATURES} 个网格，请缩小范围（bbox、社区或街道）")
    return {"type": "FeatureCollection", "features": [services.grid_geojson_feature(g) for g in rows]}


class DutyOut(Schema):
    username: str
    person: str
    post: str
    post_label: str
    duty_hours: str
    standard: str


def _duties(grid: Grid) -> list[dict]:
    # a unit grid's people are those of its management grid
    ids = [grid.id] + ([grid.parent_id] if grid.parent_id else [])
    return [
        {"username": d.person.username, "person": str(d.person), "post": d.post, "post_label": d.get_post_display(),
         "duty_hours": d.duty_hours, "standard": d.standard}
        for d in GridDuty.objects.filter(grid_id__in=ids).select_related("person")
    ]


class GridDetailProperties(GridProperties):
    street: str
    parent: str | None = Field(description="上级网格编码（单元网格所属的管理网格）")
    duties: list[DutyOut] = Field(description="五定人员")


class GridDetailFeature(Feature):
    properties: GridDetailProperties


@router.get("/grids/{layer}/{code}", response=answers(GridDetailFeature, 403, 404), summary="一个网格（GeoJSON Feature），含五定人员")
def grid_detail(request, layer: str, code: str):
    grid = services.grid_lookup(request.user, layer, code)
    feature = services.grid_geojson_feature(grid)
    feature["properties"].update({
        "street": grid.community.parent.name if grid.community.parent_id else "",
        "parent": grid.parent.code if grid.parent_id else None,
        "duties": _duties(grid),
    })
    return feature


class GridPatch(Schema):
    name: str | None = field(Grid, "name", None)
    grid_class: str | None = field(Grid, "grid_class", None)
    grid_type: str | None = field(Grid, "grid_type", None)
    households: int | None = field(Grid, "households", None)
    community_code: str | None = field(Jurisdiction, "code", None)


@router.patch("/grids/{layer}/{code}", response=answers(GridFeature, 400, 403, 404, 409, 422), summary="修改网格属性，或把网格调整到另一个社区")
def grid_update(request, layer: str, code: str, payload: GridPatch):
    grid = services.update_grid(request.user, layer, code, payload.dict(exclude_none=True))
    return services.grid_geojson_feature(grid)


class DutyIn(Schema):
    username: str = Field(max_length=150, title="账号")
    post: str = field(GridDuty, "post")
    duty_hours: str = field(GridDuty, "duty_hours", "")
    standard: str = field(GridDuty, "standard", "")


@router.put("/grids/{layer}/{code}/duties", response=answers(list[DutyOut], 400, 403, 404, 422), summary="设置网格五定（定人、定岗、定区域、定时间、定标准）")
def grid_duties(request, layer: str, code: str, payload: list[DutyIn]):
    services.set_duties(request.user, layer, code, [d.dict() for d in payload])
    return _duties(services.grid_lookup(request.user, layer, code))


class PlaceOut(Schema):
    code: str
    name: str


class LocateOut(Schema):
    lon: float
    lat: float
    inside: bool = Field(description="是否在已建网格的辖区内")
    message: str
    unit_grid: str | None = Field(description="单元网格编码")
    management_grid: str | None = Field(description="管理网格编码")
    community: PlaceOut | None
    street: PlaceOut | None
    district: PlaceOut | None


@router.get("/locate", response=answers(LocateOut, 400, 403, 422), summary="定位一个点（WGS84 经纬度）")
def locate(request, lon: float, lat: float):
    require(request.user, roles.LOCATE)
    lon, lat = locating.check_point(lon, lat)
    return {"lon": lon, "lat": lat, **locating.locate(lon, lat)}


class PointsIn(Schema):
    points: list[tuple[float, float]]


def _validated_points(points) -> tuple[list[float], list[float]]:
    if len(points) > MAX_POINTS:
        raise GeoError("too_many_points", f"一次最多定位 {MAX_POINTS} 个点，收到 {len(points)} 个")
    lons, lats = [], []
    for i, (lon, lat) in enumerate(points):
        lon, lat = locating.check_point(lon, lat, f"第 {i + 1} 个点：")
        lons.append(lon)
        lats.append(lat)
    return lons, lats


@router.post("/locate", response=answers(list[LocateOut], 400, 403, 422), summary="批量定位：{\"points\": [[经度, 纬度], …]}")
def locate_bulk(request, payload: PointsIn):
    require(request.user, roles.LOCATE)
    lons, lats = _validated_points(payload.points)
    return [{"lon": x, "lat": y, **r} for x, y, r in zip(lons, lats, locating.locate_many(lons, lats), strict=True)]


@router.post(
    "/locate/csv", summary="批量定位 CSV：请求体为含 lon,lat 列的 CSV，返回附加定位结果列的 CSV",
    response=answers(None, 400, 403),
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True},
                   **binary("text/csv", description="附加定位结果列的 CSV")},
)
def locate_csv(request):
    from django.http import HttpResponse

    require(request.user, roles.LOCATE)
    text = request.body.decode("utf-8-sig", errors="replace")
    rows, lons, lats = locating.read_points_csv(text, max_rows=MAX_POINTS)
    results = locating.locate_many(lons, lats)
    head = list(rows[0].keys()) + locating.CSV_RESULT_COLUMNS if rows else ["lon", "lat"]
    body = spreadsheets.csv_text(head, (list(row.values()) + locating.csv_result(r)
                                        for row, r in zip(rows, results, strict=True)))
    return HttpResponse(body, content_type=spreadsheets.CSV_TYPE)


class RefusedFeature(Schema):
    feature: str = Field(description="要素（名称、编号或序号）")
    code: str
    message: str


class ImportOut(Schema):
    imported: list[str] = Field(description="导入的边界（说明）")
    repaired: list[str] = Field(description="修复之处（说明）")
    refused: list[RefusedFeature] = Field(description="被拒绝的要素及原因")


@router.post("/boundaries", response=answers(ImportOut, 400, 403, 404, 422), summary="导入 GeoJSON 边界（区、街道或社区；按编码或名称匹配）")
def import_boundaries(request, name: str | None = None, code: str | None = None):
    report = services.import_boundary(request.body, name=name, code=code, user=request.user)
    if not report.imported and report.refused:
        label, err, message = report.refused[0]
        raise GeoError(err, message)
    return {
        "imported": report.imported, "repaired": report.repaired,
        "refused": [{"feature": f, "code": c, "message": m} for f, c, m in report.refused],
    }


class LayerImportOut(Schema):
    layer: str = Field(description="图层编码")
    name: str
    grids: int = Field(description="导入的网格数")


@router.post("/layers/{code}/grids", response=answers(LayerImportOut, 400, 403, 422), summary="导入专题网格图层（GeoJSON；要素属性 code、name，可选 grid_class、grid_type、parent）")
def import_layer(request, code: str, name: str | None = None):
    report = services.import_grids(request.user, code, name, request.body)
    return report
