"""满意度回访与双向评价 API, mounted at /api/v1/evaluation: the 待回访 queue, the reporter's phone (logged), a phone
survey or a call that did not get through, the surveys and figures per street and department, the rating dimensions,
the two-way ratings, the results' Excel export and the monthly notices to departments.

Parse → call a service → serialise.
"""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from gridgov.schemas import PageIn, answers, binary, page_of, paginate
from gridgov.spreadsheets import XLSX_TYPE

from . import reports, services

router = Router(tags=["满意度回访与双向评价"])

Period = Query(None, pattern=r"^20\d\d-(0[1-9]|1[0-2])$", title="月份（YYYY-MM）")
Number = Field(max_length=32)


class EvaluationQueueOut(Schema):
    number: str
    matter: str
    description: str
    address: str
    source: str
    source_label: str
    department: str = Field(description="主办部门（层级办结的为空）")
    closed_at: dt.datetime
    phone: str = Field(description="上报人联系电话（脱敏）")
    calls: int = Field(description="本次结案已拨打未接通的次数")


@router.get("/queue", response=answers(page_of(EvaluationQueueOut), 403, 422),
            summary="待回访：已结案、尚未回访的案件（结案最早的在前；电话脱敏）")
def queue(request, page: Query[PageIn]):
    data = paginate(services.queue(request.user), page)
    data["items"] = services.queue_rows(data["items"])
    return data


class EvaluationReasonIn(Schema):
    reason: str = Field(max_length=200, title="事由")


class EvaluationPhoneOut(Schema):
    number: str
    phone: str
    name: str


@router.post("/queue/{number}/phone", response=answers(EvaluationPhoneOut, 400, 403, 404, 422),
             summary="查看上报人联系电话明文（回访岗位，须填写事由；记录访问日志）")
def phone(request, number: str, payload: EvaluationReasonIn):
    return services.reveal_phone(request.user, number, payload.reason)


class EvaluationSurveyIn(Schema):
    attitude: int = Field(title="态度（1～5）")
    efficiency: int = Field(title="效率（1～5）")
    result: int = Field(title="结果（1～5；即案件的满意度）")
    resolved: bool = Field(title="问题是否已解决（否：重新办理）")
    remark: str = Field("", max_length=500, title="意见")


class EvaluationSurveyOut(Schema):
    id: int
    number: str
    outcome: str
    outcome_label: str
    channel: str
    attitude: int | None
    efficiency: int | None
    result: int | None
    resolved: bool | None
    remark: str
    attempts: int
    department: str
    street: str
    closed_at: dt.datetime
    at: dt.datetime


def _survey(s) -> dict:
    return {"id": s.pk, "number": s.case.number, "outcome": s.outcome, "outcome_label": s.get_outcome_display(),
            "channel": s.channel, "attitude": s.attitude, "efficiency": s.efficiency, "result": s.result,
            "resolved": s.resolved, "remark": s.remark, "attempts": s.attempts,
            "department": s.department.name if s.department_id else "", "street": s.street_code,
            "closed_at": s.closed_at, "at": s.at}


@router.post("/queue/{number}/survey",
             response={**answers(EvaluationSurveyOut, 400, 403, 404, 409, 422), 201: EvaluationSurveyOut},
             summary="电话回访：态度、效率、结果（1～5）、问题是否解决、意见；未解决则重新办理")
def survey(request, number: str, payload: EvaluationSurveyIn):
    s = services.phone_survey(request.user, number, **payload.dict())
    return Status(201, _survey(s))


class EvaluationCallIn(Schema):
    note: str = Field("", max_length=200, title="说明（如：无人接听）")


class EvaluationCallOut(Schema):
    number: str
    calls: int
    unreachable: bool = Field(description="达到次数，记为无法联系")


@router.post("/queue/{number}/calls", response={**answers(EvaluationCallOut, 400, 403, 404, 409, 422),
                                                 201: EvaluationCallOut},
             summary="记录一次未接通（第 3 次记为无法联系，保留各次记录）")
def call(request, number: str, payload: EvaluationCallIn):
    return Status(201, services.record_call(request.user, number, payload.note))


@router.get("/surveys", response=answers(page_of(EvaluationSurveyOut), 400, 403, 422),
            summary="回访记录（中心看全区；部门看本部门案件的；街道看本街道的），可按结案月份")
def surveys(request, page: Query[PageIn], period: str | None = Period):
    qs = services.visible_surveys(request.user)
    if period:
        start, end = services.period_bounds(period)
        qs = qs.filter(closed_at__gte=start, closed_at__lt=end)
    return paginate(qs, page, _survey)


class EvaluationSatisfactionOut(Schema):
    closed: int
    surveyed: int
    unreachable: int
    follow_up_rate: float | None
    means: dict[str, float | None]
    satisfied_share: float | None
    resolved_share: float | None


class EvaluationRatingsOut(Schema):
    raters: int
    means: dict[str, float | None]
    overall: float | None
    remarks: list[str]


class EvaluationStreetOut(Schema):
    name: str
    satisfaction: EvaluationSatisfactionOut


class EvaluationDepartmentOut(Schema):
    name: str
    satisfaction: EvaluationSatisfactionOut
    ratings: EvaluationRatingsOut | None


class EvaluationCentreOut(Schema):
    ratings: EvaluationRatingsOut | None


class EvaluationFiguresOut(Schema):
    period: str
    district: str
    streets: dict[str, EvaluationStreetOut]
    departments: dict[str, EvaluationDepartmentOut]
    centre: EvaluationCentreOut


@router.get("/figures", response=answers(EvaluationFiguresOut, 400, 403, 422),
            summary="某月满意度（各维度均分、满意率、回访数、回访率）与双向评价结果，按街道、部门；单位只看本单位")
def figures(request, period: str | None = Period):
    return services.figures_for(request.user, period or services.current_period())


class EvaluationDimensionOut(Schema):
    ratee_kind: str
    key: str
    name: str
    order: int


@router.get("/dimensions", response=answers(page_of(EvaluationDimensionOut), 403, 422),
            summary="双向评价的维度（department：街道评部门；centre：部门评区指挥中心）")
def dimension_list(request, page: Query[PageIn]):
    services.require(request.user, services.VIEW)
    rows = [d for kind in ("department", "centre") for d in services.dimensions(kind)]
    return paginate(rows, page, lambda d: {"ratee_kind": d.ratee_kind, "key": d.key, "name": d.name,
                                           "order": d.order})


class EvaluationRatingIn(Schema):
    period: str = Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$", title="月份（YYYY-MM）")
    ratee: str | None = Field(None, max_length=32, title="被评部门编码（部门评中心时留空）")
    scores: dict[str, int] = Field(title="各维度分（1～5）")
    remark: str = Field("", max_length=500, title="意见")


class EvaluationRatingOut(Schema):
    id: int
    period: str
    rater_code: str
    ratee_kind: str
    ratee_code: str
    scores: dict[str, int]
    remark: str
    revision: int
    at: dt.datetime


def _rating(r) -> dict:
    return {"id": r.pk, "period": r.period, "rater_code": r.rater_code, "ratee_kind": r.ratee_kind,
            "ratee_code": r.ratee_code, "scores": r.scores, "remark": r.remark, "revision": r.revision, "at": r.at}


@router.post("/ratings", response={**answers(EvaluationRatingOut, 400, 403, 404, 409, 422), 201: EvaluationRatingOut},
             summary="条块双向评价：街道评部门、部门评区指挥中心（每月每对象一次，截止次月第 5 个工作日前可修改）")
def rate(request, payload: EvaluationRatingIn):
    r = services.rate(request.user, payload.period, payload.ratee, payload.scores, payload.remark)
    return Status(201 if r.revision == 0 else 200, _rating(r))


@router.get("/ratings", response=answers(page_of(EvaluationRatingOut), 400, 403, 422),
            summary="某月的评价：评价单位看本单位给出的；区指挥中心、领导、管理员看全区的")
def ratings(request, page: Query[PageIn], period: str | None = Period):
    return paginate(services.visible_ratings(request.user, period or services.current_period()), page, _rating)


@router.get("/results/export", response=answers(None, 400, 403, 422),
            summary="导出某月满意度与双向评价结果（xlsx；单位只含本单位）",
            openapi_extra=binary(XLSX_TYPE, description="满意度与双向评价结果"))
def export(request, period: str | None = Period, format: Literal["xlsx"] = "xlsx"):
    period = period or services.current_period()
    data, ctype = reports.export(request.user, period)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{period}.xlsx"'
    return resp


class EvaluationNoticeIn(Schema):
    period: str = Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$", title="月份（YYYY-MM）")


class EvaluationNoticeOut(Schema):
    departments: int


@router.post("/notices", response=answers(EvaluationNoticeOut, 400, 403, 422),
             summary="把某月的满意度与评价结果发送给各部门（站内消息）")
def notices(request, payload: EvaluationNoticeIn):
    return {"departments": services.send_notices(request.user, payload.period)}
