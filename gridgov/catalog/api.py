"""Catalog API (mounted at /api/v1/catalog): the GB/T 47678.5 catalog, deadline rules and component instances.

Parse → call a service → serialise. The catalog and the deadline rules are reference data open to every signed-in
account; components are scoped (``roles.VIEW`` to read, ``roles.EDIT`` to write, via ``services``).
"""

from datetime import datetime

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from gridgov.errors import DomainError, NotFound
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
    origin: str  # national (GB/T 47678.5, majors 01–49) or local (本地, majors 50–99)
    origin_label: str
    restricted_right: str  # "" = every post; else the right a post needs to read the class's cases


def _item(i: CatalogItem) -> dict:
    return {"kind": i.kind, "kind_label": i.get_kind_display(), "code": i.code, "major_code": i.major_code,
            "major_name": i.major_name, "minor_code": i.minor_code, "name": i.name,
            "default_department": i.default_department, "active": i.active,
            "origin": "local" if i.is_local else "national", "origin_label": "本地" if i.is_local else "国家标准",
            "restricted_right": i.restricted_right}


class ItemFilter(Schema):
    kind: str | None = None
    q: str | None = None
    major: str | None = None
    origin: str | None = Field(None, max_length=10)  # national / local


@router.get("/items", response=answers(page_of(ItemOut), 400, 422),
            summary="部件与事项分类（按类型、大类、名称或代码、国家标准/本地筛选）")
def items(request, filters: Query[ItemFilter], page: Query[PageIn]):
    qs = services.search_items(filters.kind, filters.q, filters.major)
    if filters.origin:
        if filters.origin not in ("national", "local"):
            raise DomainError("invalid_origin", f"来源应为 national（国家标准）或 local（本地），收到「{filters.origin}」")
        local = Q(major_code__gte="50")
        qs = qs.filter(local) if filters.origin == "local" else qs.exclude(local)
    return paginate(qs, page, _item)




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


# ---- matters: the open catalog (local classes in majors 50–99) ----
class DeadlineIn(Schema):
    stage: str = field(DeadlineRule, "stage")
    amount: float = field(DeadlineRule, "amount", ge=0.01)
    unit: str = field(DeadlineRule, "unit")
    urgency: str = field(DeadlineRule, "urgency", "")
    area_class: str = field(DeadlineRule, "area_class", "")
    note: str = field(DeadlineRule, "note", "")


class LocalItemIn(Schema):
    kind: str = Field("matter", max_length=10)
    code: str = Field(..., max_length=5)
    name: str = field(CatalogItem, "name")
    major_name: str = field(CatalogItem, "major_name", "")
    default_department: str = field(CatalogItem, "default_department", "")
    register_condition: str = Field("", max_length=2000)
    close_condition: str = Field("", max_length=2000)
    restricted_right: str = field(CatalogItem, "restricted_right", "")
    deadlines: list[DeadlineIn] = Field(default_factory=list, max_length=50)
    routing_department: str | None = Field(None, max_length=50)  # a department code: the item's routing rule (区级派遣)


class LocalItemDetail(ItemOut):
    deadline_rules: list[RuleOut]
    routing_department: str | None


def _local_detail(item: CatalogItem, routing_department: str | None = None) -> dict:
    return {**_item(item), "deadline_rules": [_rule(r) for r in item.deadline_rules.select_related("matter")],
            "routing_department": routing_department}


@router.post("/items", response=answers(LocalItemDetail, 400, 403, 404, 409, 422, status=201),
             summary="新增本地分类（大类 50–99，不与 GB/T 47678.5 冲突），含时限规则与派遣部门")
def item_create(request, payload: LocalItemIn):
    from django.db import transaction

    data = payload.dict(exclude={"deadlines", "routing_department"})
    with transaction.atomic():
        item = services.create_local_item(request.user, data, [d.dict() for d in payload.deadlines])
        if payload.routing_department:
            _routing_rule(request.user, item, payload.routing_department)
    return Status(201, _local_detail(item, payload.routing_department))


def _routing_rule(user, item, department_code: str) -> None:
    """The local matter's routing rule (cases.RoutingRule, written by its own service)."""
    from gridgov.accounts.models import Department
    from gridgov.accounts.scope import scope_prefix
    from gridgov.cases.services import routing

    prefix = scope_prefix(user) or ""
    depts = Department.objects.filter(code=department_code)
    if prefix:
        depts = depts.filter(district__code=prefix[:6])
    dept = depts.first()
    if dept is None:
        raise NotFound("department_not_found", f"没有代码为「{department_code}」的部门")
    routing.save_rule(user, {"matter": item, "level": "district", "area_class": "", "department": dept,
                             "target_level": "", "priority": 10, "active": True})


class LocalItemPatch(Schema):
    name: str | None = field(CatalogItem, "name", None)
    major_name: str | None = field(CatalogItem, "major_name", None)
    default_department: str | None = field(CatalogItem, "default_department", None)
    register_condition: str | None = Field(None, max_length=2000)
    close_condition: str | None = Field(None, max_length=2000)
    restricted_right: str | None = field(CatalogItem, "restricted_right", None)
    active: bool | None = None


@router.patch("/items/{kind}/{code}", response=answers(ItemOut, 400, 403, 404, 422),
              summary="修改分类：本地分类的名称、大类名称；任何分类的主管部门、立结案条件、启用、可见权限")
def item_update(request, kind: str, code: str, payload: LocalItemPatch):
    return _item(services.update_local_item(request.user, kind, code, payload.dict(exclude_none=True)))
# ---- end matters ----
