"""Catalog API (mounted at /api/v1/catalog): the GB/T 47678.5 catalog, deadline rules and component instances.

Parse → call a service → serialise. The catalog and the deadline rules are reference data open to every signed-in
account; components are scoped (``roles.VIEW`` to read, ``roles.EDIT`` to write, via ``services``).
"""

from datetime import datetime

from ninja import Query, Router, Schema, Status

from gridgov.errors import DomainError
from gridgov.limits import field
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import CatalogItem, Component, DeadlineRule, Kind, Stage

router = Router(tags=["部件与事项目录"])


class ItemOut(Schema):
    kind: str
    kind_label: str
    code: str
    major_code: str
    major_name: str
    minor_code: str
    name: str
    default_department: str
    active: bool


def _item(i: CatalogItem) -> dict:
    return {"kind": i.kind, "kind_label": i.get_kind_display(), "code": i.code, "major_code": i.major_code,
            "major_name": i.major_name, "minor_code": i.minor_code, "name": i.name,
            "default_department": i.default_department, "active": i.active}


class ItemFilter(Schema):
    kind: str | None = None
    q: str | None = None
    major: str | None = None


@router.get("/items", response=answers(page_of(ItemOut), 400, 422), summary="部件与事项分类（按类型、大类、名称或代码筛选）")
def items(request, filters: Query[ItemFilter], page: Query[PageIn]):
    return paginate(services.search_items(filters.kind, filters.q, filters.major), page, _item)


class RuleOut(Schema):
    id: int
    matter_code: str | None
    matter_name: str | None
    urgency: str
    urgency_label: str
    area_class: str
    stage: str
    stage_label: str
    amount: float
    unit: str
    unit_label: str
    note: str


def _rule(r: DeadlineRule) -> dict:
    return {
        "id": r.id, "matter_code": r.matter.code if r.matter_id else None,
        "matter_name": r.matter.name if r.matter_id else None, "urgency": r.urgency,
        "urgency_label": r.get_urgency_display(), "area_class": r.area_class, "stage": r.stage,
        "stage_label": r.get_stage_display(), "amount": float(r.amount), "unit": r.unit,
        "unit_label": r.get_unit_display(), "note": r.note,
    }


class LegacyOut(Schema):
    scheme: str
    code: str
    name: str
    method: str


class ItemDetail(ItemOut):
    register_condition: str
    close_condition: str
    legacy_codes: list[LegacyOut]
    deadline_rules: list[RuleOut]


@router.get("/items/{kind}/{code}", response=answers(ItemDetail, 404), summary="一个分类：立案/结案条件、旧代码、时限规则")
def item_detail(request, kind: str, code: str):
    item = services.get_item(kind, code)
    rules = item.deadline_rules.select_related("matter") if item.kind == Kind.MATTER else []
    return {
        **_item(item), "register_condition": item.register_condition, "close_condition": item.close_condition,
        "legacy_codes": [{"scheme": x.scheme, "code": x.code, "name": x.name, "method": x.method}
                         for x in item.legacy_codes.all()],
        "deadline_rules": [_rule(r) for r in rules],
    }


class RuleFilter(Schema):
    matter: str | None = None
    stage: str | None = None


@router.get("/deadlines", response=answers(page_of(RuleOut), 400, 404, 422),
            summary="时限规则；给出 matter 时为该事项可适用的规则（事项专属与通用），最具体者在前")
def deadline_rules(request, filters: Query[RuleFilter], page: Query[PageIn]):
    qs = DeadlineRule.objects.select_related("matter")
    if filters.stage:
        if filters.stage not in Stage.values:
            raise DomainError("invalid_stage", f"环节应为 {'/'.join(Stage.values)}，收到「{filters.stage}」")
        qs = qs.filter(stage=filters.stage)
    rules = list(qs)
    if filters.matter:
        item = services.get_item(Kind.MATTER, filters.matter)
        rules = [r for r in rules if r.matter_id in (None, item.id)]
        rules.sort(key=lambda r: (Stage.values.index(r.stage), r.matter_id is None, r.urgency == "", r.area_class == ""))
    else:
        rules.sort(key=lambda r: (Stage.values.index(r.stage), r.matter.code if r.matter_id else "", r.urgency,
                                  r.area_class))
    return paginate(rules, page, _rule)


class EffectiveOut(Schema):
    amount: float
    unit: str
    unit_label: str
    rule: RuleOut


@router.get("/deadlines/effective", response=answers(EffectiveOut, 400, 404, 422), summary="某事项、紧急程度、区域类别在某环节的时限（最具体的规则）")
def deadline_effective(request, stage: str, matter: str | None = None, urgency: str = "", area_class: str = ""):
    rule = services.deadline_rule_for(matter, urgency, area_class, stage)
    return {"amount": float(rule.amount), "unit": rule.unit, "unit_label": rule.get_unit_display(), "rule": _rule(rule)}


class ComponentOut(Schema):
    code: str
    item_code: str
    item_name: str
    lon: float
    lat: float
    grid: str | None
    community_code: str
    community: str
    owner: str
    maintainer: str
    status: str
    status_label: str
    note: str
    created: datetime
    updated: datetime


def _component(c: Component) -> dict:
    return {
        "code": c.code, "item_code": c.item.code, "item_name": c.item.name, "lon": c.lon, "lat": c.lat,
        "grid": c.grid.code if c.grid_id else None, "community_code": c.community.code, "community": c.community.name,
        "owner": c.owner, "maintainer": c.maintainer, "status": c.status, "status_label": c.get_status_display(),
        "note": c.note, "created": c.created, "updated": c.updated,
    }


class ComponentFilter(Schema):
    bbox: str | None = None  # min_lon,min_lat,max_lon,max_lat
    grid: str | None = None
    community: str | None = None
    status: str | None = None
    item: str | None = None


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    from gridgov.geo.locating import check_point

    message = "bbox 应为 最小经度,最小纬度,最大经度,最大纬度 四个数字"
    try:
        parts = [float(x) for x in text.split(",")]
    except ValueError:
        raise DomainError("invalid_bbox", message) from None
    if len(parts) != 4:
        raise DomainError("invalid_bbox", message)
    check_point(parts[0], parts[1], "bbox 西南角")
    check_point(parts[2], parts[3], "bbox 东北角")
    if parts[0] > parts[2] or parts[1] > parts[3]:
        raise DomainError("invalid_bbox", "bbox 的最小值大于最大值")
    return tuple(parts)


@router.get("/components", response=answers(page_of(ComponentOut), 400, 403, 404, 422),
            summary="管理部件（本人管辖范围内），按范围、网格、社区、状态、分类筛选")
def components(request, filters: Query[ComponentFilter], page: Query[PageIn]):
    bbox = _parse_bbox(filters.bbox) if filters.bbox else None
    qs = services.list_components(request.user, bbox=bbox, grid=filters.grid, community=filters.community,
                                  status=filters.status, item=filters.item)
    return paginate(qs, page, _component)


@router.get("/components/{code}", response=answers(ComponentOut, 403, 404), summary="一个管理部件")
def component_detail(request, code: str):
    return _component(services.get_component(request.user, code))


class ComponentIn(Schema):
    item_code: str = field(CatalogItem, "code")
    lon: float = field(Component, "lon")
    lat: float = field(Component, "lat")
    owner: str = field(Component, "owner", "")
    maintainer: str = field(Component, "maintainer", "")
    status: str = field(Component, "status", "intact")
    note: str = field(Component, "note", "")


@router.post("/components", response=answers(ComponentOut, 400, 403, 404, 422, status=201), summary="登记管理部件（自动定位单元网格、分配 17 位标识码）")
def component_create(request, payload: ComponentIn):
    c = services.create_component(request.user, payload.item_code, payload.lon, payload.lat, owner=payload.owner,
                                  maintainer=payload.maintainer, status=payload.status, note=payload.note)
    return Status(201, _component(c))


class ComponentPatch(Schema):
    status: str | None = field(Component, "status", None)
    owner: str | None = field(Component, "owner", None)
    maintainer: str | None = field(Component, "maintainer", None)
    note: str | None = field(Component, "note", None)
    lon: float | None = field(Component, "lon", None)
    lat: float | None = field(Component, "lat", None)


@router.patch("/components/{code}", response=answers(ComponentOut, 400, 403, 404, 422), summary="修改管理部件：状态、权属/养护单位、备注或位置")
def component_update(request, code: str, payload: ComponentPatch):
    c = services.update_component(request.user, code, payload.dict(exclude_none=True))
    return _component(c)
