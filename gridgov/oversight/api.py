"""Oversight API under /api/v1/oversight: 市级派件, 督办通知书 and 整改, 责任争议, the city leader's view.

Parse → call a service → serialise. Reads go through the scoping primitive; writes through ``services``.
The 派件's case moves through the one case engine (``POST /cases/{number}/actions/…`` for 签收, 派遣 …); the
责任争议 itself is a case action too (``contest``, ``rule_uphold``, ``rule_reject``), listed here with its figures.
"""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.cases.models import Case
from gridgov.limits import LONG_TEXT_MAX, Id, field
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import queries, services
from .logic.states import NOTICE_LABELS, notice_state
from .models import CityDispatch, Notice

router = Router(tags=["市区联动与督办"])


# ---------------------------------------------------------------- 市级派件


class DispatchIn(Schema):
    case: str = field(Case, "number")
    district: str = Field(max_length=12, title="接收的区（县）代码")
    due_at: dt.datetime = Field(title="办结时限")
    note: str = Field("", max_length=LONG_TEXT_MAX, title="派件要求")


class DispatchOut(Schema):
    id: int
    case: str
    case_status: str
    case_status_label: str
    description: str
    district: str
    district_name: str
    note: str
    due_at: dt.datetime
    dispatched_at: dt.datetime
    dispatched_by: str
    state: str = Field(description="waiting 待签收 / signed 已签收 / answered 已答复 / returned 已退回")
    state_label: str
    answer: str
    answered_at: dt.datetime | None
    answered_by: str
    on_time: bool | None = Field(description="答复是否在办结时限内（未答复为 null）")
    overdue: bool
    closed: bool


class AnswerIn(Schema):
    text: str = field(CityDispatch, "answer")


@router.get("/dispatches", response=answers(page_of(DispatchOut), 403, 422),
            summary="市级派件：市看全部，区看派给本区的（最新在前）")
def list_dispatches(request, page: Query[PageIn]):
    qs = services.dispatches(request.user)
    return paginate(qs, page, lambda d: services.dispatch_rows([d])[0])


@router.post("/dispatches", response=answers(DispatchOut, 400, 403, 404, 409, 422, status=201),
             summary="市→区派件：把已立案的案件派到其所在的区，并定办结时限（市级指挥中心）")
def create_dispatch(request, payload: DispatchIn):
    d = services.dispatch_to_district(request.user, payload.case, payload.district, payload.due_at, payload.note)
    return Status(201, services.dispatch_rows([d])[0])


@router.get("/dispatches/{pk}", response=answers(DispatchOut, 403, 404, 422), summary="一件市级派件")
def get_dispatch(request, pk: Id):
    return services.dispatch_rows([services.get_dispatch(request.user, pk)])[0]


@router.post("/dispatches/{pk}/answer", response=answers(DispatchOut, 400, 403, 404, 409, 422),
             summary="区级答复市级派件（须先签收）")
def answer_dispatch(request, pk: Id, payload: AnswerIn):
    return services.dispatch_rows([services.answer_dispatch(request.user, pk, payload.text)])[0]


# ---------------------------------------------------------------- 督办通知书


class NoticeIn(Schema):
    title: str = field(Notice, "title")
    text: str = field(Notice, "text")
    due_at: dt.datetime = Field(title="整改期限")
    node: str = Field("", max_length=12, title="督办对象：区（县）或街道代码")
    department: str = Field("", max_length=32, title="督办对象：部门编码")
    cases: list[str] = Field(default_factory=list, max_length=services.MAX_NOTICE_CASES, title="涉及的案件编号")


class ReplyOut(Schema):
    id: int
    text: str
    replied_by: str
    replied_at: dt.datetime
    outcome: str
    review_note: str
    reviewed_by: str
    reviewed_at: dt.datetime | None


class NoticeOut(Schema):
    id: int
    number: str = Field(description="文号")
    title: str
    text: str
    issuer_node: str
    issued_by: str
    issued_at: dt.datetime
    due_at: dt.datetime
    addressee: str
    addressee_node: str
    addressee_department: str | None
    state: str = Field(description="issued 已下发 / rectifying 整改中 / replied 已回复 / closed 已办结 / overdue 逾期")
    state_label: str
    cases: list[str]
    replies: list[ReplyOut]
    closed_at: dt.datetime | None


class ReplyIn(Schema):
    text: str = field(Notice, "text")


class ReviewIn(Schema):
    accept: bool = Field(title="通过（办结）或退回")
    note: str = Field("", max_length=LONG_TEXT_MAX, title="审核意见（退回时必填）")


def notice_out(n: Notice, now=None) -> dict:
    state = notice_state(n.status, n.due_at, now or timezone.now())
    return {
        "id": n.pk, "number": n.number, "title": n.title, "text": n.text, "issuer_node": n.issuer_node,
        "issued_by": str(n.issued_by) if n.issued_by_id else "", "issued_at": n.issued_at, "due_at": n.due_at,
        "addressee": n.addressee_name, "addressee_node": n.addressee_node,
        "addressee_department": n.addressee_department.code if n.addressee_department_id else None,
        "state": state, "state_label": NOTICE_LABELS[state], "closed_at": n.closed_at,
        "cases": sorted(c.number for c in n.cases.all()),
        "replies": [{"id": r.pk, "text": r.text, "replied_by": str(r.replied_by) if r.replied_by_id else "",
                     "replied_at": r.replied_at, "outcome": r.outcome, "review_note": r.review_note,
                     "reviewed_by": str(r.reviewed_by) if r.reviewed_by_id else "", "reviewed_at": r.reviewed_at}
                    for r in n.replies.select_related("replied_by", "reviewed_by")],
    }


@router.get("/notices", response=answers(page_of(NoticeOut), 403, 422),
            summary="督办通知书：box=inbox 只看发给本单位的，box=issued 只看本级下发的，默认管辖范围内全部")
def list_notices(request, page: Query[PageIn], box: Literal["all", "inbox", "issued"] = "all"):
    qs = services.inbox(request.user) if box == "inbox" else services.notices(request.user)
    if box == "issued":
        qs = qs.filter(issuer_node=request.user.node_key or "-")
    return paginate(qs.prefetch_related("cases"), page, notice_out)


@router.post("/notices", response=answers(NoticeOut, 400, 403, 404, 422, status=201),
             summary="下发督办通知书（市或区的值班长）：督办对象为本级以下的区、街道或部门，定整改期限")
def create_notice(request, payload: NoticeIn):
    n = services.issue_notice(request.user, title=payload.title, text=payload.text, due_at=payload.due_at,
                              node=payload.node, department=payload.department, cases=payload.cases)
    return Status(201, notice_out(n))


@router.get("/notices/{pk}", response=answers(NoticeOut, 403, 404, 422), summary="一份督办通知书及其整改报告")
def get_notice(request, pk: Id):
    return notice_out(services.get_notice(request.user, pk))


@router.post("/notices/{pk}/replies", response=answers(NoticeOut, 400, 403, 404, 409, 422, status=201),
             summary="被督办单位回复整改情况")
def reply_notice(request, pk: Id, payload: ReplyIn):
    r = services.reply_notice(request.user, pk, payload.text)
    return Status(201, notice_out(r.notice))


@router.post("/notices/{pk}/review", response=answers(NoticeOut, 400, 403, 404, 409, 422),
             summary="发文单位审核整改：通过（办结）或退回（继续整改）")
def review_notice(request, pk: Id, payload: ReviewIn):
    return notice_out(services.review_notice(request.user, pk, payload.accept, payload.note))


# ---------------------------------------------------------------- 责任争议 and the city leader's view


class DisputeOut(Schema):
    id: int
    case: str
    action: str = Field(description="contest 提出争议 / rule_uphold 争议成立 / rule_reject 争议不成立")
    action_label: str
    at: dt.datetime
    by: str
    reason: str
    result: str
    department: str
    contested_by: str
    waiting: bool = Field(description="争议仍待裁定")


@router.get("/disputes", response=answers(page_of(DisputeOut), 403, 422),
            summary="责任争议与裁定记录（谁、何时、理由、结果），最新在前")
def list_disputes(request, page: Query[PageIn]):
    return paginate(queries.disputes(request.user), page, queries.dispute_row)


class DistrictOut(Schema):
    code: str
    name: str
    open: int
    overdue: int
    closed: int = Field(description="本月结案")
    on_time_rate: float | None = Field(description="本月按期结案率")
    dispatches: int = Field(description="本月派遣次数")
    overturned: int = Field(description="本月被裁定改派的次数")
    accuracy: float | None = Field(description="本月派遣准确率")
    city_dispatches: int = Field(description="市级派件数")
    city_in_progress: int = Field(description="市级派件未答复数")
    timely_rate: float | None = Field(description="市级派件及时率")
    closed_rate: float | None = Field(description="市级派件结案率")
    score: float | None = Field(description="及时率 × 结案率")
    notices_open: int = Field(description="未办结的督办通知书")


class TotalOut(Schema):
    open: int
    overdue: int
    closed: int
    on_time_rate: float | None
    dispatches: int
    overturned: int
    accuracy: float | None
    city_dispatches: int
    city_in_progress: int
    timely_rate: float | None
    closed_rate: float | None
    score: float | None
    notices_open: int


class OverviewOut(Schema):
    now: dt.datetime
    districts: list[DistrictOut]
    total: TotalOut


@router.get("/overview", response=answers(OverviewOut, 403), summary="全市概览：各区在办、超期、本月结案、按期结案率、"
            "派遣准确率、市级派件与督办（只读）")
def overview(request):
    require(request.user, roles.CASE_VIEW)
    return queries.overview(request.user)



