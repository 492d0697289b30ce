"""Social-governance API (mounted at /api/v1/governance): 矛盾纠纷调解 and 信访 records beside a case.

Parse → call a service → serialise. A record is reached by its case number and read only where its case may be read
(scope, restricted classes); writes need ``governance.record``.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .logic import mediation as ml
from .logic import petitions as pl
from .models import Mediation, Party, Petition, Session

router = Router(tags=["社会治理：调解与信访"])
Number = Annotated[str, Field(max_length=32, title="案件编号")]
LongText = Annotated[str, Field(max_length=5000)]


class PartyIn(Schema):
    resident_id: Id | None = None  # a resident of the basic data (within your scope); else name and phone
    name: str = field(Party, "name", "")
    phone: str = Field("", max_length=20)
    role: str = field(Party, "role", "")


class PartyOut(Schema):
    id: int
    role: str
    resident_id: int | None
    name: str  # masked for posts without basedata.unmask
    phone: str  # always masked


class SessionOut(Schema):
    held_on: dt.date
    place: str
    mediator: str
    notes: str


class MediationOut(Schema):
    case_number: str
    matter: str
    status: str
    status_label: str
    summary: str
    accepted_on: dt.date
    parties: list[PartyOut]
    sessions: list[SessionOut]
    agreement_text: str
    agreement_signed_on: dt.date | None
    failure_reason: str
    concluded_on: dt.date | None
    visited_on: dt.date | None
    visit_result: str
    visit_satisfied: bool | None


def mediation_out(user, m: Mediation) -> dict:
    return {"case_number": m.case.number, "matter": f"{m.case.matter.code} {m.case.matter.name}" if m.case.matter else "",
            "status": m.status, "status_label": ml.STATUSES[m.status], "summary": m.summary, "accepted_on": m.accepted_on,
            "parties": [services.party_view(user, p) for p in m.parties.all()],
            "sessions": [{"held_on": s.held_on, "place": s.place, "mediator": s.mediator, "notes": s.notes}
                         for s in m.sessions.all()],
            "agreement_text": m.agreement_text, "agreement_signed_on": m.agreement_signed_on,
            "failure_reason": m.failure_reason, "concluded_on": m.concluded_on, "visited_on": m.visited_on,
            "visit_result": m.visit_result, "visit_satisfied": m.visit_satisfied}


class MediationRow(Schema):
    case_number: str
    matter: str
    community: str
    status: str
    status_label: str
    accepted_on: dt.date
    parties: int
    sessions: int
    concluded_on: dt.date | None


def mediation_row(m) -> dict:
    c = m.case
    return {"case_number": c.number, "matter": c.matter.name if c.matter_id else "",
            "community": c.community.name if c.community_id else "", "status": m.status,
            "status_label": ml.STATUSES[m.status], "accepted_on": m.accepted_on, "parties": m.n_parties,
            "sessions": m.n_sessions, "concluded_on": m.concluded_on}


class StatusFilter(Schema):
    status: str | None = Field(None, max_length=12)


@router.get("/mediations", response=answers(page_of(MediationRow), 400, 403, 422), summary="调解台账（本人可见的案件）")
def mediation_list(request, filters: Query[StatusFilter], page: Query[PageIn]):
    return paginate(services.mediations(request.user, filters.status), page, mediation_row)


@router.get("/cases/{number}/mediation", response=answers(MediationOut, 403, 404), summary="一个案件的调解记录")
def mediation_detail(request, number: Number):
    return mediation_out(request.user, services.get_mediation(request.user, number))


class MediationIn(Schema):
    summary: LongText = ""
    accepted_on: dt.date | None = None
    parties: list[PartyIn] = Field(default_factory=list, max_length=20)


@router.post("/cases/{number}/mediation", response=answers(MediationOut, 400, 403, 404, 409, 422, status=201),
             summary="受理调解（矛盾纠纷类案件），可同时登记当事人")
def mediation_open(request, number: Number, payload: MediationIn):
    m = services.open_mediation(request.user, number, payload.summary, payload.accepted_on,
                                [p.dict() for p in payload.parties])
    return Status(201, mediation_out(request.user, services.get_mediation(request.user, m.case.number)))


@router.post("/cases/{number}/mediation/parties", response=answers(MediationOut, 400, 403, 404, 409, 422, status=201),
             summary="添加当事人（实有人口或姓名、电话）")
def mediation_party(request, number: Number, payload: PartyIn):
    services.add_party(request.user, number, payload.dict())
    return Status(201, mediation_out(request.user, services.get_mediation(request.user, number)))


class SessionIn(Schema):
    held_on: dt.date | None = None
    place: str = field(Session, "place")
    mediator: str = field(Session, "mediator")
    notes: LongText = ""


@router.post("/cases/{number}/mediation/sessions", response=answers(MediationOut, 400, 403, 404, 409, 422, status=201),
             summary="登记一次调解（日期、地点、调解员、情况）")
def mediation_session(request, number: Number, payload: SessionIn):
    services.add_session(request.user, number, payload.dict())
    return Status(201, mediation_out(request.user, services.get_mediation(request.user, number)))


class OutcomeIn(Schema):
    outcome: str = Field(..., max_length=10, description="agreed 达成协议 / failed 调解不成")
    text: LongText = Field(..., description="协议内容，或调解不成的原因")
    signed_on: dt.date | None = None


@router.post("/cases/{number}/mediation/outcome", response=answers(MediationOut, 400, 403, 404, 409, 422),
             summary="调解结果：达成协议（协议内容、签订日期）或调解不成")
def mediation_outcome(request, number: Number, payload: OutcomeIn):
    services.record_outcome(request.user, number, payload.outcome, payload.text, payload.signed_on)
    return mediation_out(request.user, services.get_mediation(request.user, number))


class MediationVisitIn(Schema):
    result: LongText
    visited_on: dt.date | None = None
    satisfied: bool | None = None


@router.post("/cases/{number}/mediation/visit", response=answers(MediationOut, 400, 403, 404, 409, 422),
             summary="回访及结果")
def mediation_visit(request, number: Number, payload: MediationVisitIn):
    services.record_visit(request.user, number, payload.result, payload.visited_on, payload.satisfied)
    return mediation_out(request.user, services.get_mediation(request.user, number))


# ---------------------------------------------------------------- 信访


class PetitionOut(Schema):
    case_number: str
    matter: str
    form: str
    form_label: str
    subject: str
    received_on: dt.date
    status: str
    status_label: str
    accept_due_on: dt.date
    decision: str
    decision_label: str
    decided_on: dt.date | None
    decision_note: str
    reply_due_on: dt.date | None
    extension_days: int
    extension_count: int
    extension_reason: str
    reply_text: str
    replied_on: dt.date | None
    review_requested_on: dt.date | None
    review_request_text: str
    review_due_on: dt.date | None
    review_result: str
    reviewed_on: dt.date | None
    petitioners: list[PartyOut]


def petition_out(user, p: Petition) -> dict:
    return {"case_number": p.case.number, "matter": f"{p.case.matter.code} {p.case.matter.name}" if p.case.matter else "",
            "form": p.form, "form_label": pl.FORMS[p.form], "subject": p.subject, "received_on": p.received_on,
            "status": p.status, "status_label": pl.STATUSES[p.status], "accept_due_on": p.accept_due_on,
            "decision": p.decision, "decision_label": pl.DECISIONS.get(p.decision, ""), "decided_on": p.decided_on,
            "decision_note": p.decision_note, "reply_due_on": p.reply_due_on, "extension_days": p.extension_days,
            "extension_count": p.extension_count, "extension_reason": p.extension_reason, "reply_text": p.reply_text,
            "replied_on": p.replied_on, "review_requested_on": p.review_requested_on,
            "review_request_text": p.review_request_text, "review_due_on": p.review_due_on,
            "review_result": p.review_result, "reviewed_on": p.reviewed_on,
            "petitioners": [services.party_view(user, x) for x in p.petitioners.all()]}


class PetitionRow(Schema):
    case_number: str
    form_label: str
    subject: str
    received_on: dt.date
    status: str
    status_label: str
    accept_due_on: dt.date
    reply_due_on: dt.date | None
    petitioners: int


def petition_row(p) -> dict:
    return {"case_number": p.case.number, "form_label": pl.FORMS[p.form], "subject": p.subject,
            "received_on": p.received_on, "status": p.status, "status_label": pl.STATUSES[p.status],
            "accept_due_on": p.accept_due_on, "reply_due_on": p.reply_due_on, "petitioners": p.n_petitioners}


@router.get("/petitions", response=answers(page_of(PetitionRow), 400, 403, 422), summary="信访登记簿（本人可见的信访案件）")
def petition_list(request, filters: Query[StatusFilter], page: Query[PageIn]):
    return paginate(services.petitions(request.user, filters.status), page, petition_row)


@router.get("/cases/{number}/petition", response=answers(PetitionOut, 403, 404), summary="一个案件的信访登记")
def petition_detail(request, number: Number):
    return petition_out(request.user, services.get_petition(request.user, number))


class PetitionIn(Schema):
    form: str = Field(..., max_length=10, description="letter 来信 / visit 来访")
    subject: str = field(Petition, "subject")
    received_on: dt.date | None = None
    petitioners: list[PartyIn] = Field(..., max_length=20)


@router.post("/cases/{number}/petition", response=answers(PetitionOut, 400, 403, 404, 409, 422, status=201),
             summary="信访登记：来信/来访、信访人、事项、收到日期（受理告知期限随之算出）")
def petition_register(request, number: Number, payload: PetitionIn):
    services.register_petition(request.user, number, payload.form, payload.subject, payload.received_on,
                               [x.dict() for x in payload.petitioners])
    return Status(201, petition_out(request.user, services.get_petition(request.user, number)))


class PetitionDecisionIn(Schema):
    decision: str = Field(..., max_length=12, description="accepted 受理 / rejected 不予受理 / transferred 转送")
    decided_on: dt.date | None = None
    note: LongText = ""


@router.post("/cases/{number}/petition/decision", response=answers(PetitionOut, 400, 403, 404, 409, 422),
             summary="受理意见（收到之日起 15 日内）；受理后办结期限为 60 日")
def petition_decision(request, number: Number, payload: PetitionDecisionIn):
    services.decide_petition(request.user, number, payload.decision, payload.decided_on, payload.note)
    return petition_out(request.user, services.get_petition(request.user, number))


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=366)
    reason: LongText


@router.post("/cases/{number}/petition/extension", response=answers(PetitionOut, 400, 403, 404, 409, 422),
             summary="延长办理期限（一次，不超过 30 日）")
def petition_extension(request, number: Number, payload: ExtensionIn):
    services.extend_petition(request.user, number, payload.days, payload.reason)
    return petition_out(request.user, services.get_petition(request.user, number))


class PetitionReplyIn(Schema):
    text: LongText
    replied_on: dt.date | None = None


@router.post("/cases/{number}/petition/reply", response=answers(PetitionOut, 400, 403, 404, 409, 422),
             summary="答复（办结），须先受理")
def petition_reply(request, number: Number, payload: PetitionReplyIn):
    services.reply_petition(request.user, number, payload.text, payload.replied_on)
    return petition_out(request.user, services.get_petition(request.user, number))


class PetitionReviewIn(Schema):
    step: str = Field(..., max_length=10, description="request 复查申请 / result 复查意见")
    text: LongText
    on: dt.date | None = None


@router.post("/cases/{number}/petition/review", response=answers(PetitionOut, 400, 403, 404, 409, 422),
             summary="复查：申请（答复后 30 日内）或复查意见")
def petition_review(request, number: Number, payload: PetitionReviewIn):
    from gridgov.errors import DomainError

    if payload.step == "request":
        services.request_review(request.user, number, payload.text, payload.on)
    elif payload.step == "result":
        services.record_review(request.user, number, payload.text, payload.on)
    else:
        raise DomainError("invalid_step", "step 应为 request（复查申请）或 result（复查意见）")
    return petition_out(request.user, services.get_petition(request.user, number))
