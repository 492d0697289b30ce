"""Cases API under /api/v1/cases: intake, lists with filters, a case, its timeline, actions, duplicates, photos.

Parse → call a service → serialise. Reads go through the scoping primitive; writes through services.
"""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.accounts import roles
from gridgov.accounts.scope import require, scoped
from gridgov.basedata.logic.ids import mask_name
from gridgov.errors import DomainError, Forbidden
from gridgov.kpi.logic.indicators import day_range
from gridgov.limits import ACTION_TEXT_MAX, Id, Text, field
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services
from .logic.levels import DEPARTMENT, level_of
from .logic.lifecycle import ACTION_LABELS, STAGE_LABELS, STATE_LABELS, Action, Stage, State
from .models import Case, CasePhoto, CaseReport, Source
from .schemas import (
    BatchOut,
    BulkOut,
    CaseDetail,
    CaseSummary,
    DuplicateOut,
    IntakeOut,
    PhotosOut,
    ScanOut,
    SettledOut,
    TimelineEntry,
)
from .services.lights import ORDERS, light, ordered, overdue_q
from .storage import photo_store

router = Router(tags=["案件"])
Number = Annotated[str, Field(max_length=32, title="案件编号")]


def case_summary(c: Case, now=None) -> dict:
    return {
        "number": c.number, "status": c.status, "status_label": STATE_LABELS[State(c.status)], "version": c.version,
        "source": c.source, "source_label": Source(c.source).label, "urgency": c.urgency,
        "matter": {"code": c.matter.code, "name": c.matter.name} if c.matter_id else None,
        "description": c.description, "address": c.address, "lon": c.lon, "lat": c.lat,
        "unit_grid": c.unit_grid.code if c.unit_grid_id else None,
        "community": {"code": c.community.code, "name": c.community.name} if c.community_id else None,
        "assignee_department": c.assignee_department.name if c.assignee_department_id else None,
        "assignee_node": c.assignee_node,
        "level": DEPARTMENT if c.assignee_department_id else level_of(c.assignee_node),
        "settled_level": c.settled_level,
        "stage": c.stage, "stage_label": STAGE_LABELS.get(Stage(c.stage), "") if c.stage else "",
        "stage_due_at": c.stage_due_at, "light": light(c, now), "reported_at": c.reported_at,
    }


def grid_history(number: str) -> list[dict[str, str]]:
    """gridchange: the case's rows of the 历史案件对照表 (its grids before and after each grid change)."""
    from gridgov.geo.gridchanges import case_history

    return [{"change": str(m.change_id), "applied_at": m.change.applied_at.isoformat() if m.change.applied_at else "",
             "old_management_grid": m.old_management_grid, "old_unit_grid": m.old_unit_grid,
             "new_management_grid": m.new_management_grid, "new_unit_grid": m.new_unit_grid}
            for m in case_history(number)]


def case_detail(c: Case, user) -> dict:
    from .services.routing import suggest

    reports = list(c.reports.all())
    s = suggest(c) if c.status in (State.REGISTERED, State.VERIFIED, State.REPORTED) else None
    return {
        **case_summary(c),
        "management_grid": c.management_grid.code if c.management_grid_id else None,
        "grid_history": grid_history(c.number),  # gridchange
        "area_class": c.area_class, "pending_request": c.pending_request,
        "pending_amount": str(c.pending_amount) if c.pending_amount is not None else None,
        "verified": c.verified, "followed_up": c.followed_up, "satisfaction": c.satisfaction,
        "counts": {"rework": c.rework_count, "return": c.return_count, "reopen": c.reopen_count,
                   "extension": c.extension_count, "urge": c.urge_count},
        "times": {k: getattr(c, f"{k}_at") for k in ("reported", "verified", "registered", "dispatched", "accepted",
                                                        "handled", "inspected", "closed", "archived")},
        "handle_due_at": c.handle_due_at,
        "first_contact": str(c.first_contact) if c.first_contact_id else None,
        "assist": [a.department.name for a in c.assists.select_related("department")],
        "merged_into": c.merged_into.number if c.merged_into_id else None,
        "reports": [{"source": r.source, "description": r.description, "reporter_name": mask_name(r.reporter_name), "reporter_phone": r.reporter_phone_masked,
                     "created_at": r.created_at} for r in reports],
        "photos": [{"id": p.id, "kind": p.kind, "url": f"/api/v1/cases/{c.number}/photos/{p.id}",
                    "exif_lon": p.exif_lon, "exif_lat": p.exif_lat} for p in c.photos.all()],
        "routing_suggestion": {"department_id": s.department_id, "department": s.department_name, "node": s.node,
                               "label": s.label} if s else None,
        "actions": [{"action": a, "label": ACTION_LABELS[Action(a)]} for a in services.available_actions(user, c)],
    }


DETAIL_RELATED = ("matter", "unit_grid", "management_grid", "community", "assignee_department", "first_contact",
                  "merged_into")


class IntakeIn(Schema):
    source: str = field(Case, "source")
    lon: float = field(Case, "lon")
    lat: float = field(Case, "lat")
    description: str = field(Case, "description")
    matter: str | None = Field(None, max_length=40, title="事项")
    address: str = field(Case, "address", "")
    urgency: str = field(Case, "urgency", "normal")
    client_key: str | None = field(CaseReport, "client_key", None)
    reporter_name: str = field(CaseReport, "reporter_name", "")
    reporter_phone: str = Field("", max_length=40, title="联系电话")
    component: str | None = Field(None, max_length=40, title="部件")


def _intake_response(request, result, with_photos: bool = False):
    """The case as filed (its details and actions: GET /cases/{number}), duplicates and refused photos."""
    c = result.case  # a new case comes with its matter, grid and community attached (no query)
    if not result.created:  # the same client_key again: the case as it is now
        c = Case.objects.select_related("matter", "unit_grid", "community", "assignee_department").get(pk=c.pk)
    photos = [{"id": p.id, "kind": p.kind, "url": f"/api/v1/cases/{c.number}/photos/{p.id}"}
              for p in c.photos.all()] if with_photos else []
    body = {"created": result.created, "case": {**case_summary(c), "photos": photos},
            "duplicates": result.duplicates, "photo_errors": result.photo_errors,
            "routing_suggestion": _routing(result.routing)}
    return Status(201 if result.created else 200, body)


@router.post("", response={**answers(IntakeOut, 400, 403, 404, 422), 201: IntakeOut}, summary="上报（受理）一个问题；同一 client_key 重复提交只生成一个案件")
def intake(request, payload: IntakeIn):
    return _intake_response(request, services.intake(request.user, **payload.dict()))


@router.post("/form", response={**answers(IntakeOut, 400, 403, 404, 422), 201: IntakeOut}, summary="上报（含照片，multipart/form-data）；坏照片被拒绝并说明，其余内容照常受理")
def intake_form(request, payload: Form[IntakeIn], photos: File[list[UploadedFile]] = None):
    files = [(f.name, f.read()) for f in (photos or [])]
    return _intake_response(request, services.intake(request.user, **payload.dict(), photos=files), with_photos=True)


def _routing(s) -> dict | None:
    """Where the routing rules would send the case at 立案 (the dispatcher may choose otherwise)."""
    if s is None:
        return None
    return {"department_id": s.department_id, "department": s.department_name, "node": s.node, "label": s.label}


class BatchIn(Schema):
    reports: list[IntakeIn]  # how many: intake_many says (too_many_reports)


@router.post("/batch", response=answers(BatchOut, 400, 403, 422), summary="批量上报（系统对接：12345 热线工单、智能设备告警）；逐条校验，"
             "有误的一条返回其错误，其余照常受理；每条可带 client_key 防重")
def intake_batch(request, payload: BatchIn):
    results = services.intake_many(request.user, [r.dict() for r in payload.reports])
    items = []
    for i, r in enumerate(results):
        if isinstance(r, DomainError):
            items.append({"index": i, "error": {"code": r.code, "message": r.message}})
        else:
            items.append({"index": i, "created": r.created, "number": r.case.number, "status": r.case.status,
                          "version": r.case.version, "unit_grid": r.case.unit_grid.code if r.case.unit_grid_id else None,
                          "routing_suggestion": _routing(r.routing)})
    return {"created": sum(1 for it in items if it.get("created")),
            "failed": sum(1 for it in items if "error" in it), "results": items}


class CaseFilter(Schema):
    status: list[str] | None = None
    matter: str | None = None
    grid: str | None = None  # a tree code or grid code: the case lies in that subtree
    overdue: bool | None = None
    source: str | None = None
    urgency: str | None = None
    department: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: Text | None = None
    # levels: where the case is held — grid, community, street, district (the centre), city, department, or
    # below (at any grid, community or street)
    level: Annotated[str | None, Field(None, max_length=12)] = None
    # demo: the list's order — newest (最新上报在前, the default) or time_left (剩余时间最少在前，超期在前)
    order: Annotated[str | None, Field(None, max_length=12, description="排序：newest 最新上报在前（默认）、"
                                                                         "time_left 剩余时间最少在前（超期在前）")] = None


LEVEL_FILTERS = {
    "district": Q(assignee_node="", assignee_department__isnull=True),
    "department": Q(assignee_department__isnull=False),
    "grid": Q(assignee_node__contains="W"),
    "community": Q(assignee_node__regex=r"^[0-9]{12}$"),
    "street": Q(assignee_node__regex=r"^[0-9]{9}$"),
    "city": Q(assignee_node__regex=r"^[0-9]{4}$"),
    "below": Q(assignee_node__contains="W") | Q(assignee_node__regex=r"^[0-9]{9}([0-9]{3})?$"),
}


def filtered(user, f: CaseFilter):
    qs = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    if f.status:
        bad = set(f.status) - {s.value for s in State}
        if bad:
            raise DomainError("invalid_status", f"未知状态：{', '.join(sorted(bad))}")
        qs = qs.filter(status__in=f.status)
    if f.matter:
        qs = qs.filter(matter__code=f.matter)
    if f.grid:
        # gridchange: a retired grid code still finds the cases filed under it (历史案件对照表)
        from gridgov.geo.gridchanges import filed_under

        qs = qs.filter(Q(scope_key__startswith=f.grid) | Q(scope_key__contains=f".{f.grid}") |
                       Q(number__in=filed_under(f.grid)))
    if f.overdue is not None:
        late = overdue_q(timezone.now())
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.department:
        qs = qs.filter(assignee_department__code=f.department)
    if f.date_from:  # local days as a range of the timestamp: the index on reported_at serves it
        qs = qs.filter(reported_at__gte=day_range(f.date_from, f.date_from).start)
    if f.date_to:
        qs = qs.filter(reported_at__lt=day_range(f.date_to, f.date_to).end)
    if f.q:
        qs = qs.filter(Q(number__contains=f.q) | Q(description__contains=f.q) | Q(address__contains=f.q))
    if f.level:
        if f.level not in LEVEL_FILTERS:
            raise DomainError("invalid_level", "层级应为：grid 网格、community 社区、street 街道、district 区、city 市、"
                                               "department 专业部门、below 区以下各层级")
        qs = qs.filter(LEVEL_FILTERS[f.level])
    if f.order and f.order not in ORDERS:
        raise DomainError("invalid_order", "排序应为：newest 最新上报在前、time_left 剩余时间最少在前（超期在前）")
    return qs


@router.get("", response=answers(page_of(CaseSummary), 400, 403, 422),
            summary="案件列表（本人管辖范围内），按状态、事项、网格、超期、来源、日期筛选；最新上报在前，"
                    "或 order=time_left 按剩余时间（超期在前）")
def list_cases(request, filters: Query[CaseFilter], page: Query[PageIn]):
    qs = filtered(request.user, filters).select_related("matter", "unit_grid", "community", "assignee_department")
    now = timezone.now()
    return paginate(ordered(qs, filters.order), page, lambda c: case_summary(c, now))


@router.post("/scan", response=answers(ScanOut, 403), summary="立即扫描一次时限（管理员）；后台每分钟自动扫描")
def run_scan(request):
    require(request.user, roles.CASE_CONFIGURE)
    return services.scan()


# ---------------------------------------------------------------- levels: 「小事不出网格、大事不出社区」


class SettledIn(Schema):
    date_from: dt.date | None = Field(None, description="处置日期起（含），上海时间")
    date_to: dt.date | None = Field(None, description="处置日期止（含）")


@router.get("/levels/settled", response=answers(SettledOut, 400, 403, 422),
            summary="办结层级：期间内处置的案件在网格、社区、街道、以上各办结多少（小事不出网格、大事不出社区）")
def settled_levels(request, filters: Query[SettledIn]):
    from .services.levels import settled_figures

    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError("invalid_period", "开始日期不能晚于结束日期")
    return settled_figures(request.user, day_from=filters.date_from, day_to=filters.date_to)


@router.get("/{number}", response=answers(CaseDetail, 403, 404), summary="一个案件：详情、照片、可执行的操作、派遣建议")
def get_case(request, number: Number):
    c = services.load_case(request.user, number)
    c = Case.objects.select_related(*DETAIL_RELATED).get(pk=c.pk)
    return case_detail(c, request.user)


@router.get("/{number}/timeline", response=answers(page_of(TimelineEntry), 403, 404, 422),
            summary="案件过程（时间线），按时间先后")
def timeline(request, number: Number, page: Query[PageIn]):
    c = services.load_case(request.user, number)
    staff = roles.has_right(request.user.role, roles.CASE_VIEW) or request.user.is_superuser
    return paginate(services.timeline(c, staff=staff), page)


class ActionIn(Schema):
    version: int | None = field(Case, "version", None)
    reason: str | None = Field(None, max_length=ACTION_TEXT_MAX, title="理由")
    note: str | None = Field(None, max_length=ACTION_TEXT_MAX, title="说明")
    feedback: str | None = Field(None, max_length=ACTION_TEXT_MAX, title="处置反馈")
    department: str | None = Field(None, max_length=40, title="部门")
    assist: list[Annotated[str, Field(max_length=40)]] | None = Field(None, max_length=50, title="协办部门")
    node: str | None = field(Case, "assignee_node", None)
    into: str | None = field(Case, "number", None)
    amount: float | None = field(Case, "pending_amount", None)
    satisfaction: int | None = field(Case, "satisfaction", None)
    matter: str | None = Field(None, max_length=40, title="事项")
    urgency: str | None = field(Case, "urgency", None)


@router.post("/{number}/actions/{action}", response=answers(CaseDetail, 400, 403, 404, 409, 422),
             summary="对案件执行一个操作（状态流转）；version 不符时返回 409")
def act(request, number: Number, action: str, payload: ActionIn):
    data = payload.dict(exclude_none=True)
    version = data.pop("version", None)
    c = services.transition(request.user, number, action, data, version=version)
    c = Case.objects.select_related(*DETAIL_RELATED).get(pk=c.pk)
    return case_detail(c, request.user)


class BulkCase(Schema):
    number: str = field(Case, "number")
    version: int | None = field(Case, "version", None)


class BulkIn(ActionIn):
    cases: list[BulkCase]  # how many: transition_many says (too_many_cases)
    skip_refused: bool = False


@router.post("/bulk/{action}", response=answers(BulkOut, 400, 403, 404, 409, 422), summary="批量操作：对多个案件执行同一操作（如批量派遣、批量归档）。逐件校验、逐件留痕；"
             "有案件不能执行时默认全部不执行并列出原因，skip_refused=true 时执行其余")
def act_bulk(request, action: str, payload: BulkIn):
    data = payload.dict(exclude_none=True)
    cases, skip = data.pop("cases"), data.pop("skip_refused")
    data.pop("version", None)
    versions = {c["number"]: c["version"] for c in cases if c.get("version") is not None}
    outcomes = services.transition_many(request.user, [c["number"] for c in cases], action, data,
                                        versions=versions, skip_refused=skip)
    return {"done": [{"number": o.number, "status": o.case.status, "version": o.case.version}
                     for o in outcomes if o.error is None],
            "refused": [{"number": o.number, "code": o.error.code, "message": o.error.message}
                        for o in outcomes if o.error is not None]}


@router.get("/{number}/duplicates", response=answers(page_of(DuplicateOut), 403, 404, 422),
            summary="疑似重复案件（同一事项、相近位置与时间），最近者在前")
def duplicates(request, number: Number, page: Query[PageIn]):
    require(request.user, roles.CASE_VIEW)  # staff only: a resident sees their own report, not the cases nearby
    return paginate(services.duplicates_of(services.load_case(request.user, number)), page)


@router.post("/{number}/photos", response=answers(PhotosOut, 400, 403, 404, 422), summary="补充照片（核实、处置、核查）")
def add_photos(request, number: Number, kind: Form[str], photos: File[list[UploadedFile]]):
    from .services.photos import store_photos

    c = services.load_case(request.user, number)
    if kind not in ("verify", "feedback", "inspect", "report"):
        raise DomainError("invalid_kind", "照片类型应为 verify、feedback、inspect 或 report")
    if not services.available_actions(request.user, c) and c.reporter_id != request.user.pk:
        raise Forbidden("no_action", "您当前不能为此案件补充照片")
    stored, errors = store_photos(c, [(f.name, f.read()) for f in photos], kind, request.user)
    return {"stored": [p.id for p in stored], "photo_errors": errors}


@router.get("/{number}/photos/{photo_id}", response=answers(None, 403, 404, 422), summary="照片文件",
            openapi_extra=binary("image/jpeg", "image/png", "image/webp", description="照片"))
def photo(request, number: Number, photo_id: Id):
    c = services.load_case(request.user, number)
    p = CasePhoto.objects.filter(case=c, pk=photo_id).first()
    if p is None:
        raise DomainError("photo_not_found", "照片不存在")
    return HttpResponse(photo_store().open(p.storage_key), content_type=p.content_type)

