"""Inspection API (检查), mounted at /api/v1/inspection: templates, plans and targets, what is due, inspections
(JSON, or multipart with photos), results and their export, 回头看, 门前三包 agreements and 履约率.

Parse → call a service → serialise.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov import limits
from gridgov.errors import DomainError
from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, binary, page_of, paginate
from gridgov.spreadsheets import XLSX_TYPE

from . import reports, services
from .models import FrontageAgreement, Inspection, Plan, Target

router = Router(tags=["检查（监督检查、回头看、门前三包）"])

Code = limits.Text
Frequency = Literal["weekly", "monthly", "quarterly", "half_yearly", "yearly"]
Kind = Literal["organisation", "building", "grid", "component"]
AnswerValue = Literal["pass", "fail", "na"]
Month = limits.Text


# ---------------------------------------------------------------- templates


class InspectionItemOut(Schema):
    code: str
    text: str
    matter_code: str
    photo_required: bool


class InspectionTemplateOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    active: bool
    items: list[InspectionItemOut]


def _template(t) -> dict:
    return {"code": t.code, "name": t.name, "kind": t.kind, "kind_label": t.get_kind_display(), "active": t.active,
            "items": [{"code": i.code, "text": i.text, "matter_code": i.matter_code,
                       "photo_required": i.photo_required} for i in t.items.all() if i.active]}


@router.get("/templates", response=answers(page_of(InspectionTemplateOut), 403, 422), summary="检查表模板及其检查项")
def templates(request, page: Query[PageIn]):
    return paginate(reports.templates(request.user), page, _template)


# ---------------------------------------------------------------- plans and targets


class InspectionTargetIn(Schema):
    kind: Kind = Field(title="对象类型")
    ref: str = Field(max_length=40, title="对象", description="单位或楼栋的编号、网格编码或部件标识码")


class InspectionPlanIn(Schema):
    name: str = limits.field(Plan, "name")
    template: str = Field(max_length=20, title="检查表模板")
    frequency: Frequency = Field("monthly", title="检查频次")
    start_on: dt.date = Field(title="开始日期")
    node: str | None = Field(None, max_length=40, title="计划范围", description="街道或社区代码；默认为本人的范围")
    inspector: str | None = Field(None, max_length=150, title="检查人（用户名）")
    inspector_role: str = Field("", max_length=20, title="检查岗位")
    targets: list[InspectionTargetIn] = Field([], max_length=500, title="检查对象")


class InspectionTargetOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    lon: float
    lat: float
    start_on: dt.date
    last_inspected_on: dt.date | None
    scope_key: str


class InspectionPlanOut(Schema):
    id: int
    name: str
    template: str
    template_name: str
    frequency: str
    frequency_label: str
    inspector: str
    inspector_role: str
    start_on: dt.date
    active: bool
    scope_key: str
    targets: list[InspectionTargetOut]


def _target(t: Target) -> dict:
    return {"id": t.pk, "kind": t.kind, "name": t.name, "address": t.address, "lon": t.lon, "lat": t.lat,
            "start_on": t.start_on, "last_inspected_on": t.last_inspected_on, "scope_key": t.scope_key}


def _plan(p: Plan) -> dict:
    return {"id": p.pk, "name": p.name, "template": p.template.code, "template_name": p.template.name,
            "frequency": p.frequency, "frequency_label": p.get_frequency_display(),
            "inspector": p.inspector.username if p.inspector_id else "", "inspector_role": p.inspector_role,
            "start_on": p.start_on, "active": p.active, "scope_key": p.scope_key,
            "targets": [_target(t) for t in p.targets.all()]}


@router.get("/plans", response=answers(page_of(InspectionPlanOut), 403, 422), summary="监督检查计划（本人范围内）")
def plans(request, page: Query[PageIn]):
    return paginate(reports.plans(request.user), page, _plan)


@router.post("/plans", response={**answers(InspectionPlanOut, 400, 403, 404, 422), 201: InspectionPlanOut},
             summary="制定监督检查计划（检查表、频次、检查人或岗位、检查对象）")
def create_plan(request, payload: InspectionPlanIn):
    data = payload.dict()
    targets = [(t["kind"], t["ref"]) for t in data.pop("targets")]
    plan = services.create_plan(request.user, **data, targets=targets)
    return Status(201, _plan(reports.plans(request.user).get(pk=plan.pk)))


class InspectionAddTargetIn(InspectionTargetIn):
    start_on: dt.date | None = Field(None, title="纳入日期")


@router.post("/plans/{plan_id}/targets", response={**answers(InspectionTargetOut, 400, 403, 404, 422), 201: InspectionTargetOut},
             summary="向计划添加检查对象")
def add_target(request, plan_id: Id, payload: InspectionAddTargetIn):
    t = services.add_target(request.user, plan_id, payload.kind, payload.ref, payload.start_on)
    return Status(201, _target(t))


class InspectionDueOut(Schema):
    kind: str = Field(description="target（计划的检查对象）或 agreement（门前三包责任书）")
    id: int
    name: str
    address: str
    template: str
    template_name: str
    plan: str
    frequency: str
    due_on: dt.date
    state: str = Field(description="overdue 已超期 · due 本期待检 · done 本期已检")
    state_label: str
    days_overdue: int
    last_inspected_on: dt.date | None


def _due(r) -> dict:
    return {"kind": r.kind, "id": r.id, "name": r.name, "address": r.address, "template": r.template,
            "template_name": r.template_name, "plan": r.plan, "frequency": r.frequency, "due_on": r.due_on,
            "state": r.state, "state_label": r.state_label, "days_overdue": r.days_overdue,
            "last_inspected_on": r.last_inspected_on}


@router.get("/due", response=answers(page_of(InspectionDueOut), 403, 422),
            summary="待检查：本人的（mine=true）或范围内全部的检查对象，超期的在前")
def due(request, page: Query[PageIn], mine: bool = True, include_done: bool = False, date: dt.date | None = None):
    today = date or services.local_day(timezone.now())
    return paginate(services.due(request.user, today, mine=mine, include_done=include_done), page, _due)


# ---------------------------------------------------------------- inspections


class InspectionAnswerIn(Schema):
    item: str = Field(max_length=10, title="检查项")
    answer: AnswerValue = Field(title="结果")
    note: str = Field("", max_length=500, title="说明")


class InspectionSubmitIn(Schema):
    target: Id | None = Field(None, title="检查对象")
    agreement: Id | None = Field(None, title="门前三包责任书")
    answers: list[InspectionAnswerIn] = Field(max_length=100, title="检查结果")
    lon: float | None = limits.field(Inspection, "lon", None)
    lat: float | None = limits.field(Inspection, "lat", None)
    note: str = Field("", max_length=2000, title="备注")
    client_key: str | None = Field(None, max_length=64, title="客户端幂等键")


class InspectionSubmitFormIn(Schema):
    target: Id | None = Field(None, title="检查对象")
    agreement: Id | None = Field(None, title="门前三包责任书")
    answers: str = Field(max_length=20_000, title="检查结果",
                         description='JSON 数组：[{"item": "F01", "answer": "pass|fail|na", "note": ""}]')
    photo_items: str = Field("", max_length=400, title="照片所属检查项",
                             description="逗号分隔，与 photos 一一对应，如 F02,F02,F04")
    lon: float | None = limits.field(Inspection, "lon", None)
    lat: float | None = limits.field(Inspection, "lat", None)
    note: str = Field("", max_length=2000, title="备注")
    client_key: str | None = Field(None, max_length=64, title="客户端幂等键")


class InspectionAnswerOut(Schema):
    item: str
    text: str
    answer: str
    answer_label: str
    note: str
    case: str | None
    photos: int


class InspectionOut(Schema):
    id: int
    template: str
    template_name: str
    target: int | None
    agreement: int | None
    place: str
    inspector: str
    inspected_at: dt.datetime
    outcome: str
    outcome_label: str
    failed_count: int
    lon: float
    lat: float
    note: str
    scope_key: str
    answers: list[InspectionAnswerOut]


class InspectionSubmitOut(Schema):
    created: bool
    inspection: InspectionOut
    cases: list[str] = Field(description="不合格项上报的案件编号")


def _inspection(i: Inspection) -> dict:
    rows = i.answers.select_related("item", "case").all()
    return {"id": i.pk, "template": i.template.code, "template_name": i.template.name, "target": i.target_id,
            "agreement": i.agreement_id, "place": i.place, "inspector": i.inspector_name,
            "inspected_at": i.inspected_at, "outcome": i.outcome, "outcome_label": i.get_outcome_display(),
            "failed_count": i.failed_count, "lon": i.lon, "lat": i.lat, "note": i.note, "scope_key": i.scope_key,
            "answers": [{"item": a.item.code, "text": a.item.text, "answer": a.answer,
                         "answer_label": a.get_answer_display(), "note": a.note,
                         "case": a.case.number if a.case_id else None, "photos": a.photos.count()} for a in rows]}


def _submitted(result) -> Status:
    body = {"created": result.created, "inspection": _inspection(result.inspection), "cases": result.cases}
    return Status(201 if result.created else 200, body)


@router.post("/inspections", response={**answers(InspectionSubmitOut, 400, 403, 404, 409, 422), 201: InspectionSubmitOut},
             summary="提交一次检查（逐项合格/不合格/不适用）；每个不合格项上报一个案件；同一 client_key 重复提交不重复上报")
def submit(request, payload: InspectionSubmitIn):
    data = payload.dict()
    result = services.submit(request.user, answers=data["answers"], target_id=data["target"],
                             agreement_id=data["agreement"], lon=data["lon"], lat=data["lat"], note=data["note"],
                             client_key=data["client_key"])
    return _submitted(result)


@router.post("/inspections/form", response={**answers(InspectionSubmitOut, 400, 403, 404, 409, 422), 201: InspectionSubmitOut},
             summary="提交一次检查（multipart/form-data，含各检查项的照片）")
def submit_form(request, payload: Form[InspectionSubmitFormIn], photos: File[list[UploadedFile]] = None):
    try:
        given = json.loads(payload.answers)
    except ValueError:
        raise DomainError("invalid_answers", "检查结果应为 JSON 数组") from None
    if not isinstance(given, list) or not all(isinstance(a, dict) for a in given) or limits.has_nul(given):
        raise DomainError("invalid_answers", "检查结果应为 JSON 数组，每项含 item 和 answer")
    files = list(photos or [])
    codes = [c.strip() for c in payload.photo_items.split(",") if c.strip()]
    if len(codes) != len(files):
        raise DomainError("photo_items_mismatch", f"照片 {len(files)} 张，但 photo_items 列出了 {len(codes)} 个检查项")
    by_item: dict[str, list] = {}
    for code, f in zip(codes, files, strict=True):
        by_item.setdefault(code, []).append((f.name, f.read()))
    result = services.submit(request.user, answers=given, target_id=payload.target, agreement_id=payload.agreement,
                             lon=payload.lon, lat=payload.lat, note=payload.note, client_key=payload.client_key,
                             photos=by_item)
    return _submitted(result)


class InspectionResultsIn(Schema):
    template: str | None = Field(None, max_length=20, title="检查表模板")
    outcome: Literal["passed", "failed", "empty"] | None = Field(None, title="结果")
    street: str | None = Field(None, max_length=12, title="街道")
    date_from: dt.date | None = Field(None, title="起始日期")
    date_to: dt.date | None = Field(None, title="截止日期")


@router.get("/inspections", response=answers(page_of(InspectionOut), 403, 422), summary="检查结果（范围内，最新在前）")
def results(request, page: Query[PageIn], filters: Query[InspectionResultsIn]):
    return paginate(reports.results(request.user, **filters.dict()), page, _inspection)


@router.get("/inspections/export", response=answers(None, 400, 403, 422), summary="导出检查结果（xlsx 或 csv，每个检查项一行）",
            openapi_extra=binary("text/csv", XLSX_TYPE, description="检查结果"))
def export(request, filters: Query[InspectionResultsIn], format: Literal["xlsx", "csv"] = "xlsx"):
    data, ctype = reports.export(request.user, format, **filters.dict())
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="inspections.{format}"'
    return resp


@router.get("/inspections/{inspection_id}", response=answers(InspectionOut, 403, 404, 422), summary="一次检查的结果")
def inspection(request, inspection_id: Id):
    return _inspection(services.get_inspection(request.user, inspection_id))


# ---------------------------------------------------------------- 回头看


class InspectionCandidateOut(Schema):
    number: str
    matter: str
    description: str
    address: str
    community: str
    closed_at: dt.datetime | None
    lon: float
    lat: float


@router.get("/revisits/due", response=answers(page_of(InspectionCandidateOut), 400, 403, 422),
            summary="回头看清单：某月（默认本月）已结案、尚未回头看的案件（可按街道）")
def revisit_due(request, page: Query[PageIn], month: Month | None = None,
                street: str | None = Query(None, max_length=12)):
    month = month or services.local_day(timezone.now()).strftime("%Y-%m")
    return paginate(services.revisit_candidates(request.user, month, street), page, lambda c: {
        "number": c.number, "matter": c.matter.name if c.matter_id else "未分类", "description": c.description[:200],
        "address": c.address, "community": c.community.name if c.community_id else "", "closed_at": c.closed_at,
        "lon": c.lon, "lat": c.lat})


class InspectionRevisitIn(Schema):
    case: str = Field(max_length=32, title="案件编号")
    recurred: bool = Field(title="问题复发")
    note: str = Field("", max_length=500, title="说明")
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, title="纬度")
    client_key: str | None = Field(None, max_length=64, title="客户端幂等键")


class InspectionRevisitOut(Schema):
    created: bool
    id: int
    case: str
    recurred: bool
    new_case: str | None
    visited_at: dt.datetime


@router.post("/revisits", response={**answers(InspectionRevisitOut, 400, 403, 404, 409, 422), 201: InspectionRevisitOut},
             summary="记录回头看：问题是否复发；复发则上报新案件")
def revisit(request, payload: InspectionRevisitIn):
    r = services.record_revisit(request.user, case_number=payload.case, recurred=payload.recurred,
                                note=payload.note, lon=payload.lon, lat=payload.lat, client_key=payload.client_key)
    v = r.revisit
    body = {"created": r.created, "id": v.pk, "case": v.case.number, "recurred": v.recurred,
            "new_case": v.new_case.number if v.new_case_id else None, "visited_at": v.visited_at}
    return Status(201 if r.created else 200, body)


# ---------------------------------------------------------------- 门前三包


class InspectionAgreementIn(Schema):
    organisation: Id = Field(title="责任单位")
    frontage: str = limits.field(FrontageAgreement, "frontage")
    signed_on: dt.date = Field(title="签订日期")
    expires_on: dt.date | None = Field(None, title="到期日期")
    clean: bool = Field(True, title="包市容整洁")
    orderly: bool = Field(True, title="包秩序")
    green: bool = Field(True, title="包绿化")


class InspectionAgreementOut(Schema):
    id: int
    organisation: int
    name: str
    frontage: str
    clean: bool
    orderly: bool
    green: bool
    signed_on: dt.date
    expires_on: dt.date | None
    last_inspected_on: dt.date | None
    scope_key: str


def _agreement(a: FrontageAgreement) -> dict:
    return {"id": a.pk, "organisation": a.organisation_id, "name": a.name, "frontage": a.frontage, "clean": a.clean,
            "orderly": a.orderly, "green": a.green, "signed_on": a.signed_on, "expires_on": a.expires_on,
            "last_inspected_on": a.last_inspected_on, "scope_key": a.scope_key}


@router.get("/frontage/agreements", response=answers(page_of(InspectionAgreementOut), 403, 422), summary="门前三包责任书")
def agreements(request, page: Query[PageIn]):
    return paginate(reports.agreements(request.user), page, _agreement)


@router.post("/frontage/agreements", response={**answers(InspectionAgreementOut, 400, 403, 404, 409, 422), 201: InspectionAgreementOut},
             summary="登记门前三包责任书")
def add_agreement(request, payload: InspectionAgreementIn):
    data = payload.dict()
    a = services.save_agreement(request.user, organisation_id=data.pop("organisation"), **data)
    return Status(201, _agreement(a))


class InspectionRateOut(Schema):
    street: str
    name: str
    passed: int
    counted: int
    rate: Decimal | None = Field(description="履约率（%，一位小数）；没有可计的检查时为空")


@router.get("/frontage/rates", response=answers(page_of(InspectionRateOut), 400, 403, 422),
            summary="门前三包履约率（按街道）：期间内（默认本月）合格的检查 / 可判定的检查")
def rates(request, page: Query[PageIn], date_from: dt.date | None = None, date_to: dt.date | None = None,
          street: str | None = Query(None, max_length=12)):
    today = services.local_day(timezone.now())
    date_from, date_to = date_from or today.replace(day=1), date_to or today
    if date_to < date_from:
        raise DomainError("invalid_period", "截止日期不能早于起始日期")
    return paginate([r.__dict__ for r in services.fulfilment(request.user, date_from, date_to, street)], page)
