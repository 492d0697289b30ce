"""Grid changes API (网格调整): plans with their impact, applying them, the old → new mapping (历史案件对照表).

Parse → call a service (``gridchanges``) → serialise. Reads go through ``scoped`` (a plan's scope is its node).
"""

from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema, Status

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, get_scoped, scoped
from gridgov.limits import Id
from gridgov.schemas import FeatureCollection, PageIn, answers, page_of, paginate

from . import gridchanges
from .errors import NotFound
from .logic.workload import LoadWeights
from .models import GridChange, GridMapping, RowMapping

router = Router(tags=["网格调整"])

GridCode = Annotated[str, Field(max_length=40, title="网格编码")]


class ChangeIn(Schema):
    node: str = Field(max_length=40, title="调整范围", description="区、街道、社区代码或管理网格编码")
    kind: Literal["regenerate", "merge", "split", "redraw", "workload"] = Field(
        title="调整类型", description="regenerate 重新生成、merge 合并、split 拆分、redraw 重新划定、workload 按工作量划分")
    parts: int | None = Field(None, ge=-1_000_000, le=1_000_000, title="人数（划分为几个网格）")
    months: int = Field(3, ge=1, le=gridchanges.MAX_MONTHS, title="统计最近几个月的案件")
    grids: list[GridCode] = Field([], max_length=200, title="要合并的管理网格")
    groups: list[list[GridCode]] = Field([], max_length=999, title="新网格的单元网格分组")
    cell_m: float | None = Field(None, ge=10, le=1000, title="单元网格边长（米，仅整个区县）")
    per_case: float = Field(1.0, ge=0, le=1000, title="每件案件折算工作量")
    per_patrol_km: float = Field(10.0, ge=0, le=1000, title="每公里巡查折算工作量")
    per_place: float = Field(0.5, ge=0, le=1000, title="每个检查对象折算工作量")


class ChangeOut(Schema):
    id: int
    node_code: str
    node_name: str
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    created_at: str
    applied_at: str | None
    retire: int = Field(description="停用的管理网格数")
    create: int = Field(description="新建的管理网格数")


class ChangeDetail(ChangeOut):
    parameters: dict[str, Any]
    impact: dict[str, Any] = Field(description="影响分析：old/new 各网格的五定、户数、迁移的案件（在办/已办结）、部件、基础数据；flows 迁移明细")
    counts: dict[str, Any] = Field(description="实施结果（已实施时）")
    summary: list[str] = Field(description="影响分析（文字）")


def _out(c: GridChange) -> dict:
    return {"id": c.pk, "node_code": c.node_code, "node_name": c.node_name, "kind": c.kind,
            "kind_label": c.get_kind_display(), "title": c.title, "status": c.status,
            "status_label": c.get_status_display(), "created_at": c.created_at.isoformat(),
            "applied_at": c.applied_at.isoformat() if c.applied_at else None,
            "retire": len(c.impact.get("old", [])), "create": len(c.impact.get("new", []))}


def _detail(c: GridChange) -> dict:
    return {**_out(c), "parameters": c.parameters, "impact": c.impact, "counts": c.counts,
            "summary": gridchanges.impact_lines(c)}


def _change(request, change_id: int) -> GridChange:
    try:
        return get_scoped(GridChange.objects.all(), request.user, roles.VIEW, pk=change_id)
    except OutOfScope:
        raise NotFound("change_not_found", f"网格调整方案 {change_id} 不存在或不在您的管辖范围内") from None


@router.get("/grid-changes", response=answers(page_of(ChangeOut), 403, 422), summary="网格调整方案（新的在前）")
def changes(request, page: Query[PageIn], status: Literal["planned", "applied"] | None = None):
    qs = scoped(GridChange.objects.all(), request.user, roles.VIEW).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, page, _out)


@router.post("/grid-changes", response=answers(ChangeDetail, 400, 403, 404, 409, 422, status=201),
             summary="编制网格调整方案（不实施）：重新生成、合并、拆分、重新划定或按工作量划分，附影响分析")
def change_create(request, payload: ChangeIn):
    c = gridchanges.plan(
        request.user, node=payload.node, kind=payload.kind, parts=payload.parts, months=payload.months,
        grids=payload.grids or None, groups=payload.groups or None, cell_m=payload.cell_m,
        weights=LoadWeights(payload.per_case, payload.per_patrol_km, payload.per_place))
    return Status(201, _detail(c))


@router.get("/grid-changes/{change_id}", response=answers(ChangeDetail, 403, 404, 422),
            summary="一个网格调整方案：影响分析与实施结果")
def change_detail(request, change_id: Id):
    return _detail(_change(request, change_id))


@router.post("/grid-changes/{change_id}/apply", response=answers(ChangeDetail, 403, 404, 409, 422),
             summary="实施方案：停用旧网格、启用新网格，五定与案件随迁，保留新旧对照（一次事务，一条审计记录）")
def change_apply(request, change_id: Id):
    return _detail(gridchanges.apply(request.user, change_id))


class GridMappingOut(Schema):
    layer: str
    old_code: str
    new_code: str
    share: float = Field(description="原网格面积中划入新网格的比例（0～1）")


@router.get("/grid-changes/{change_id}/grid-mapping", response=answers(page_of(GridMappingOut), 403, 404, 422),
            summary="新旧网格对照：原网格的面积划入了哪些新网格（实施后）")
def grid_mapping(request, change_id: Id, page: Query[PageIn]):
    c = _change(request, change_id)
    qs = GridMapping.objects.filter(change=c).order_by("layer", "old_code", "-share")
    return paginate(qs, page, lambda m: {"layer": m.layer, "old_code": m.old_code, "new_code": m.new_code,
                                         "share": m.share})


class CaseMappingOut(Schema):
    number: str = Field(description="案件编号")
    state: str = Field(description="调整时的状态")
    old_management_grid: str
    old_unit_grid: str
    new_management_grid: str
    new_unit_grid: str


@router.get("/grid-changes/{change_id}/case-mapping", response=answers(page_of(CaseMappingOut), 403, 404, 422),
            summary="历史案件对照表：每件案件调整前后的单元网格与管理网格（实施后）")
def case_mapping(request, change_id: Id, page: Query[PageIn], grid: GridCode | None = None):
    c = _change(request, change_id)
    qs = RowMapping.objects.filter(change=c, model="cases.Case").order_by("label")
    if grid:
        qs = qs.filter(old_management_grid=grid) | qs.filter(new_management_grid=grid) | \
            qs.filter(old_unit_grid=grid) | qs.filter(new_unit_grid=grid)
    return paginate(qs, page, lambda r: {
        "number": r.label, "state": r.state, "old_management_grid": r.old_management_grid,
        "old_unit_grid": r.old_unit_grid, "new_management_grid": r.new_management_grid,
        "new_unit_grid": r.new_unit_grid})


@router.get("/grid-changes/{change_id}/map", response=answers(FeatureCollection, 403, 404, 422),
            summary="方案地图：原管理网格（side=old）与新管理网格（side=new，含工作量 load）的 GeoJSON")
def change_map(request, change_id: Id):
    c = _change(request, change_id)
    return {"type": "FeatureCollection", "features": gridchanges.map_features(c)}
