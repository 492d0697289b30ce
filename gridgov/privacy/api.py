"""Personal-information API (个人信息保护), mounted at /api/v1/privacy: a person's file (查询 masked, 复制 as a
download), corrections (更正) and erasure on request (删除), and the retention periods (保存期限) with their purge.

Parse → call a service → serialise. The ID number or phone a person is looked up by travels in the request
body (POST), never in the URL, so it does not land in web-server logs.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from gridgov.accounts.scope import require
from gridgov.basedata import personal
from gridgov.limits import Id
from gridgov.schemas import ErrorOut, PageIn, page_of, paginate

from . import services

router = Router(tags=["个人信息保护"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


Short = Annotated[str, Field(max_length=40)]
Reason = Annotated[str, Field(max_length=500, title="事由")]


class PersonQuery(Schema):
    id_number: str | None = Field(None, max_length=18, title="身份证号")
    phone: str | None = Field(None, max_length=20, title="手机号")
    reason: Reason


class QueryOut(Schema):
    by: str
    value: str


class HistoryOut(Schema):
    kind: str
    date: dt.date
    reason: str
    actor: str
    at: dt.datetime


class CorrectionOut(Schema):
    field: str
    old: str
    new: str
    reason: str
    actor: str
    at: dt.datetime


class PersonTagOut(Schema):
    category: str
    name: str
    since: dt.date
    until: dt.date | None
    note: str


class PersonVisitOut(Schema):
    about: str
    visited_at: dt.datetime
    place: str
    issues: str
    follow_up: str
    case_number: str
    worker: str


class PersonResidentOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    gender: str
    birth_date: dt.date
    reg_type: str
    status: str
    moved_in: dt.date | None
    dwelling: str
    household: str
    relation: str
    scope_key: str
    history: list[HistoryOut]
    corrections: list[CorrectionOut]
    key_population: list[PersonTagOut]
    visits: list[PersonVisitOut]


class CaseReportOut(Schema):
    case_number: str
    case_status: str
    source: str
    reporter_name: str
    phone: str
    description: str
    address: str
    reported_at: dt.datetime


class PersonFileOut(Schema):
    query: QueryOut
    generated_at: dt.datetime
    masked: bool
    residents: list[PersonResidentOut]
    case_reports: list[CaseReportOut]


@router.post("/search", response={200: PersonFileOut, **ERRORS},
             summary="查询一个人的个人信息（按身份证号或手机号；脱敏；须填写事由，记录日志）")
def search(request, payload: PersonQuery):
    return services.person_file(request.user, id_number=payload.id_number, phone=payload.phone,
                                reason=payload.reason)


@router.post("/export", response={200: PersonFileOut, **ERRORS},
             summary="复制：导出一个人的全部个人信息（JSON 文件，明文，交本人；须填写事由，记录日志）")
def export(request, payload: PersonQuery, response: HttpResponse):
    out = services.person_file(request.user, id_number=payload.id_number, phone=payload.phone,
                               reason=payload.reason, export=True)
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    response["Cache-Control"] = "no-store"
    return out


class CorrectionIn(Schema):
    field: Short
    value: str = Field(max_length=100, title="新值")
    reason: Reason


@router.post("/residents/{pk}/corrections", response={201: CorrectionOut, **ERRORS},
             summary="更正人员信息（姓名、手机号、身份证号）：记录字段、原值和新值（脱敏）、原因、经办人")
def correct(request, pk: Id, payload: CorrectionIn):
    e = personal.correct_resident(request.user, pk, payload.field, payload.value, payload.reason)
    return Status(201, {"field": e.field_name, "old": e.old_masked, "new": e.new_masked, "reason": e.reason,
                        "actor": request.user.username, "at": e.created_at})


class EraseIn(Schema):
    reason: Reason


class ErasedOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    status: str


@router.post("/residents/{pk}/erase", response={200: ErasedOut, **ERRORS},
             summary="应本人请求删除个人信息（仅限已迁出或注销的人员；在住人员的登记依法保留）")
def erase(request, pk: Id, payload: EraseIn):
    r = personal.erase_resident(request.user, pk, payload.reason, services.REQUEST_MARK)
    return {"id": r.pk, "name": r.name, "id_number": r.id_masked, "phone": r.phone_masked, "status": r.status}


class PolicyOut(Schema):
    kind: str
    label: str
    days: int | None
    counted_from: str
    default_days: int | None
    min_days: int
    note: str
    purged_by: str


class PolicyIn(Schema):
    days: int | None = Field(title="保存天数")
    note: str = Field("", max_length=500, title="说明")


@router.get("/retention", response={200: page_of(PolicyOut), **ERRORS}, summary="个人信息保存期限（每类数据）")
def retention(request, page: Query[PageIn]):
    require(request.user, services.CONFIGURE)
    return paginate(services.policy_rows(), page)


@router.put("/retention/{kind}", response={200: list[PolicyOut], **ERRORS},
            summary="设定一类个人信息的保存期限（天；null 为长期保存；记入审计）")
def retention_set(request, kind: Short, payload: PolicyIn):
    services.set_policy(request.user, kind, payload.days, payload.note)
    return services.policy_rows()


class PurgeOut(Schema):
    erased: dict[str, int]


@router.post("/purge", response={200: PurgeOut, **ERRORS},
             summary="立即删除超过保存期限的个人信息（服务每天自动运行一次；可重复运行）")
def purge(request):
    require(request.user, services.CONFIGURE)
    return {"erased": services.purge(actor=request.user)}
