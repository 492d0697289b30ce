"""API of campaigns (专项行动), tasks (专项工作), drills (演练) and meetings (例会), mounted at /api/v1/tasks.

Parse → call a service → serialise. Every list is paged; every write goes through ``services``.
"""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime

from gridgov import spreadsheets
from gridgov.accounts.scope import require
from gridgov.errors import NotFound
from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services
from .logic import late
from .models import (
    Campaign,
    Drill,
    DrillAction,
    DrillKind,
    Meeting,
    Phase,
    PhaseKind,
    Report,
    Task,
    TaskStatus,
    Unit,
)

router = Router(tags=["专项行动与任务"])

Code = Annotated[str, Field(min_length=1, max_length=40, title="单位编码")]
UserName = Annotated[str, Field(min_length=1, max_length=150, title="参会人账号")]
Month = Annotated[str, Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$", title="月份（YYYY-MM，2000—2099 年）")]
FigureName = Annotated[str, Field(max_length=40)]


# ---------------------------------------------------------------- campaigns


class PhaseIn(Schema):
    kind: PhaseKind = Field(title="阶段（deploy 动员部署 / implement 检查实施 / summary 总结 / long_term 长效监管）")
    start: dt.date = Field(title="开始日期")
    end: dt.date | None = Field(None, title="结束日期")
    reporting: bool | None = Field(None, title="本阶段按月上报进展（默认：检查实施阶段）")
    note: str = field(Phase, "note", "")


class UnitIn(Schema):
    unit: Code
    duty: str = field(Unit, "duty", "")


class CampaignIn(Schema):
    name: str = field(Campaign, "name")
    summary: str = field(Campaign, "summary", "")
    issuer: str | None = Field(None, max_length=40, title="发起单位编码（默认本人所在单位）")
    start: dt.date = Field(title="开始日期")
    end: dt.date | None = Field(None, title="结束日期")
    report_day: int = field(Campaign, "report_day", 27)
    phases: list[PhaseIn] = Field([], max_length=4, title="阶段")
    units: list[UnitIn] = Field(max_length=services.MAX_UNITS, title="责任单位")


class PhaseOut(Schema):
    kind: str
    label: str
    start: dt.date
    end: dt.date | None
    reporting: bool
    note: str


class UnitOut(Schema):
    code: str
    name: str
    duty: str


class CampaignOut(Schema):
    id: int
    name: str
    issuer_name: str
    start: dt.date
    end: dt.date | None
    report_day: int
    units: int


class CellOut(Schema):
    period: str
    unit: str
    unit_name: str
    due: dt.date
    state: str
    state_label: str
    late: bool
    submitted_at: dt.datetime | None
    text: str
    figures: dict[str, float]


class CampaignDetailOut(Schema):
    id: int
    name: str
    summary: str
    issuer_name: str
    start: dt.date
    end: dt.date | None
    report_day: int
    phases: list[PhaseOut]
    units: list[UnitOut]
    months: list[str]
    reports: list[CellOut]
    late: int
    totals: dict[str, float]


def _campaign_out(c: Campaign) -> dict:
    return {"id": c.pk, "name": c.name, "issuer_name": c.issuer_name, "start": c.start, "end": c.end,
            "report_day": c.report_day, "units": c.n_units}


def _cell_out(cell: services.Cell) -> dict:
    r = cell.report
    return {"period": f"{cell.period:%Y-%m}", "unit": cell.unit.code, "unit_name": cell.unit.name, "due": cell.due,
            "state": cell.state, "state_label": cell.label, "late": cell.late,
            "submitted_at": r.submitted_at if r else None, "text": r.text if r else "",
            "figures": r.figures if r else {}}


def _campaign_detail(c: Campaign) -> dict:
    b = services.board(c)
    return {"id": c.pk, "name": c.name, "summary": c.summary, "issuer_name": c.issuer_name, "start": c.start,
            "end": c.end, "report_day": c.report_day,
            "phases": [{"kind": p.kind, "label": p.get_kind_display(), "start": p.start, "end": p.end,
                        "reporting": p.reporting, "note": p.note} for p in c.phases.all()],
            "units": [{"code": u.code, "name": u.name, "duty": u.duty} for u in b.units],
            "months": [f"{m:%Y-%m}" for m in b.months], "reports": [_cell_out(x) for x in b.cells],
            "late": len(b.late), "totals": b.totals}


@router.get("/campaigns", response=answers(page_of(CampaignOut), 403, 422), summary="专项行动（本辖区发起的和本单位承担的）")
def campaigns(request, page: Query[PageIn]):
    qs = services.visible_campaigns(request.user).annotate(n_units=Count("units")).order_by("-start", "-id")
    return paginate(qs, page, _campaign_out)


@router.post("/campaigns", response=answers(CampaignDetailOut, 400, 403, 404, 422, status=201),
             summary="发起专项行动：阶段（部署/实施/总结/长效）、责任单位、每月上报日")
def create_campaign(request, payload: CampaignIn):
    data = payload.dict()
    data["phases"] = [p.dict() for p in payload.phases]
    data["units"] = [u.dict() for u in payload.units]
    c = services.create_campaign(request.user, data)
    return Status(201, _campaign_detail(c))


@router.get("/campaigns/{pk}", response=answers(CampaignDetailOut, 403, 404, 422),
            summary="专项行动详情：阶段、责任单位、各月进展报告（逾期的标出）和数据汇总")
def campaign(request, pk: Id):
    return _campaign_detail(services.get_campaign(request.user, pk))


class ReportIn(Schema):
    unit: Code
    period: Month
    text: str = field(Report, "text")
    figures: dict[FigureName, float] = Field({}, title="数据（名称: 数值）")


class TaskReportOut(Schema):
    id: int
    unit: str
    period: str
    submitted_at: dt.datetime
    state: str
    late: bool


@router.post("/campaigns/{pk}/reports", response=answers(TaskReportOut, 400, 403, 404, 409, 422, status=201),
             summary="责任单位上报本月进展（每月上报日及以前为按时，之后为逾期）")
def submit_report(request, pk: Id, payload: ReportIn):
    year, month = (int(x) for x in payload.period.split("-"))
    r = services.submit_report(request.user, pk, payload.unit, dt.date(year, month, 1), payload.text,
                               payload.figures)
    due = late.due_day(year, month, r.campaign.report_day)
    s = late.state(due, timezone.localdate(r.submitted_at), timezone.localdate(r.submitted_at))
    return Status(201, {"id": r.pk, "unit": r.unit.code, "period": payload.period, "submitted_at": r.submitted_at,
                        "state": s, "late": late.is_late(s)})


@router.get("/campaigns/{pk}/export", response=answers(None, 400, 403, 404, 422),
            summary="导出专项行动的进展报告（xlsx 或 csv；逾期的标「是」）",
            openapi_extra=binary("text/csv", spreadsheets.XLSX_TYPE, description="进展报告"))
def export_campaign(request, pk: Id, format: Literal["xlsx", "csv"] = "xlsx"):
    head, rows, _name = services.export_rows(request.user, pk)
    data, ctype = spreadsheets.write(format, head, rows, title="进展报告")
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="campaign-{pk}-reports.{format}"'
    return resp


# ---------------------------------------------------------------- tasks


class TaskIn(Schema):
    title: str = field(Task, "title")
    detail: str = field(Task, "detail", "")
    deadline: dt.date = Field(title="完成期限")
    units: list[Code] = Field(min_length=1, max_length=services.MAX_UNITS, title="承办单位")
    issuer: str | None = Field(None, max_length=40, title="发起单位编码（默认本人所在单位）")
    campaign: Id | None = Field(None, title="所属专项行动")


class TaskOut(Schema):
    id: int
    campaign: int | None
    title: str
    detail: str
    deadline: dt.date
    unit: str
    unit_name: str
    issuer_name: str
    issued_at: dt.datetime
    status: str
    status_label: str
    state: str
    state_label: str
    late: bool
    feedback: str
    feedback_at: dt.datetime | None
    attachment: str | None
    decision_note: str


def _task_out(t: Task) -> dict:
    s = services.task_state(t)
    return {"id": t.pk, "campaign": t.campaign_id, "title": t.title, "detail": t.detail, "deadline": t.deadline,
            "unit": t.department.code if t.department_id else t.scope_key, "unit_name": t.unit_name,
            "issuer_name": t.issuer_name, "issued_at": t.issued_at, "status": t.status,
            "status_label": t.get_status_display(), "state": s, "state_label": late.TASK_LABELS[s],
            "late": late.is_late(s), "feedback": t.feedback, "feedback_at": t.feedback_at,
            "attachment": f"/api/v1/tasks/tasks/{t.pk}/attachment" if t.attachment_key else None,
            "decision_note": t.decision_note}


@router.get("/tasks", response=answers(page_of(TaskOut), 403, 422),
            summary="任务（发给本辖区单位的和本辖区派发的）；status、campaign 筛选")
def tasks(request, page: Query[PageIn], status: TaskStatus | None = None, campaign: Id | None = None):
    require(request.user, services.VIEW)
    qs = services.visible_tasks(request.user).select_related("department")
    if status:
        qs = qs.filter(status=status)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    return paginate(qs.order_by("deadline", "id"), page, _task_out)


@router.post("/tasks", response=answers(list[TaskOut], 400, 403, 404, 422, status=201),
             summary="派发任务（专项工作）：每个承办单位一项，有完成期限；承办单位收到消息")
def assign(request, payload: TaskIn):
    return Status(201, [_task_out(t) for t in services.assign(request.user, payload.dict())])


@router.get("/tasks/{pk}", response=answers(TaskOut, 403, 404, 422), summary="一项任务")
def task(request, pk: Id):
    return _task_out(services.get_task(request.user, pk))


class FeedbackIn(Schema):
    text: str = field(Task, "feedback")


@router.post("/tasks/{pk}/feedback", response=answers(TaskOut, 400, 403, 404, 409, 422),
             summary="承办单位反馈办理情况（multipart：text 和可选的附件 attachment：图片或 PDF）")
def feedback(request, pk: Id, payload: Form[FeedbackIn], attachment: File[UploadedFile] = None):
    upload = (attachment.name, attachment.read()) if attachment is not None else None
    return _task_out(services.give_feedback(request.user, pk, payload.text, upload))


class DecisionIn(Schema):
    accept: bool = Field(title="通过（false 为退回）")
    note: str = field(Task, "decision_note", "")


@router.post("/tasks/{pk}/decision", response=answers(TaskOut, 400, 403, 404, 409, 422),
             summary="发起单位审核反馈：通过或退回（退回须说明原因）")
def decision(request, pk: Id, payload: DecisionIn):
    return _task_out(services.decide(request.user, pk, payload.accept, payload.note))


@router.get("/tasks/{pk}/attachment", response=answers(None, 403, 404, 422), summary="反馈附件",
            openapi_extra=binary("image/jpeg", "image/png", "image/webp", "application/pdf", description="附件"))
def attachment(request, pk: Id):
    from gridgov.cases.storage import photo_store

    t = services.get_task(request.user, pk)
    if not t.attachment_key:
        raise NotFound("not_found", "此任务没有附件")
    resp = HttpResponse(photo_store().open(t.attachment_key), content_type=t.attachment_type)
    resp["Content-Disposition"] = "attachment"
    return resp


class TodoCellOut(Schema):
    campaign: int
    campaign_name: str
    period: str
    unit: str
    due: dt.date
    state: str
    state_label: str
    late: bool


class MinutesDueOut(Schema):
    meeting: int
    title: str
    held_at: dt.datetime


class TodoOut(Schema):
    tasks: list[TaskOut]
    to_review: list[TaskOut]
    reports: list[TodoCellOut]
    minutes: list[MinutesDueOut]


@router.get("/todo", response=answers(TodoOut, 403), summary="本单位待办：待办理的任务、应上报的进展、待审核的反馈、待确认的会议纪要")
def todo(request):
    t = services.todo(request.user)
    return {"tasks": [_task_out(x) for x in t.tasks], "to_review": [_task_out(x) for x in t.to_review],
            "reports": [{"campaign": c.unit.campaign_id, "campaign_name": c.unit.campaign.name,
                         "period": f"{c.period:%Y-%m}", "unit": c.unit.code, "due": c.due, "state": c.state,
                         "state_label": c.label, "late": c.late} for c in t.reports],
            "minutes": [{"meeting": m.meeting_id, "title": m.meeting.title, "held_at": m.meeting.held_at}
                        for m in t.minutes]}


# ---------------------------------------------------------------- drills


class DrillIn(Schema):
    kind: DrillKind = Field(DrillKind.FIRE, title="演练类型")
    title: str = field(Drill, "title")
    planned_on: dt.date = Field(title="计划日期")
    place: str = field(Drill, "place")
    organiser_name: str = field(Drill, "organiser_name", "")
    participants: str = field(Drill, "participants", "")
    participant_count: int = field(Drill, "participant_count", 0)


class DrillPatch(Schema):
    held_on: dt.date | None = Field(None, title="实际演练日期")
    place: str | None = field(Drill, "place", None)
    participants: str | None = field(Drill, "participants", None)
    participant_count: int | None = field(Drill, "participant_count", None)
    findings: str | None = field(Drill, "findings", None)


class DrillActionOut(Schema):
    id: int
    action: str
    responsible: str
    due: dt.date | None
    done_on: dt.date | None


class DrillOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    planned_on: dt.date
    held_on: dt.date | None
    place: str
    organiser_name: str
    participants: str
    participant_count: int
    findings: str
    photos: list[str]
    actions: list[DrillActionOut]


def _drill_out(d: Drill) -> dict:
    return {"id": d.pk, "kind": d.kind, "kind_label": d.get_kind_display(), "title": d.title,
            "planned_on": d.planned_on, "held_on": d.held_on, "place": d.place, "organiser_name": d.organiser_name,
            "participants": d.participants, "participant_count": d.participant_count, "findings": d.findings,
            "photos": [f"/api/v1/tasks/drills/{d.pk}/photos/{p.pk}" for p in d.photos.all()],
            "actions": [{"id": a.pk, "action": a.action, "responsible": a.responsible, "due": a.due,
                         "done_on": a.done_on} for a in d.actions.all()]}


@router.get("/drills", response=answers(page_of(DrillOut), 403, 422), summary="应急演练")
def drills(request, page: Query[PageIn]):
    return paginate(services.visible_drills(request.user).prefetch_related("photos", "actions"), page, _drill_out)


@router.post("/drills", response=answers(DrillOut, 400, 403, 422, status=201), summary="登记演练计划")
def create_drill(request, payload: DrillIn):
    return Status(201, _drill_out(services.create_drill(request.user, payload.dict())))


@router.get("/drills/{pk}", response=answers(DrillOut, 403, 404, 422), summary="一次演练")
def drill(request, pk: Id):
    return _drill_out(services.get_drill(request.user, pk))


@router.patch("/drills/{pk}", response=answers(DrillOut, 400, 403, 404, 422),
              summary="记录演练情况：实际日期、参加人员、发现的问题")
def record_drill(request, pk: Id, payload: DrillPatch):
    return _drill_out(services.record_drill(request.user, pk, payload.dict(exclude_unset=True)))


@router.post("/drills/{pk}/photos", response=answers(DrillOut, 400, 403, 404, 413, 422), summary="上传演练照片")
def drill_photos(request, pk: Id, photos: File[list[UploadedFile]]):
    services.add_drill_photos(request.user, pk, [(f.name, f.read()) for f in photos])
    return _drill_out(services.get_drill(request.user, pk))


@router.get("/drills/{pk}/photos/{photo_id}", response=answers(None, 403, 404, 422), summary="演练照片",
            openapi_extra=binary("image/jpeg", "image/png", "image/webp", description="照片"))
def drill_photo(request, pk: Id, photo_id: Id):
    data, ctype = services.drill_photo(request.user, pk, photo_id)
    return HttpResponse(data, content_type=ctype)


class DrillActionIn(Schema):
    action: str = field(DrillAction, "action")
    responsible: str = field(DrillAction, "responsible", "")
    due: dt.date | None = Field(None, title="完成期限")


@router.post("/drills/{pk}/actions", response=answers(DrillOut, 400, 403, 404, 422, status=201),
             summary="登记整改措施")
def drill_action(request, pk: Id, payload: DrillActionIn):
    services.add_drill_action(request.user, pk, payload.action, payload.responsible, payload.due)
    return Status(201, _drill_out(services.get_drill(request.user, pk)))


class DoneIn(Schema):
    done_on: dt.date | None = Field(None, title="完成日期（默认今天）")


@router.post("/drills/{pk}/actions/{action_id}/done", response=answers(DrillOut, 400, 403, 404, 409, 422),
             summary="整改措施完成")
def drill_action_done(request, pk: Id, action_id: Id, payload: DoneIn):
    services.finish_drill_action(request.user, pk, action_id, payload.done_on)
    return _drill_out(services.get_drill(request.user, pk))


# ---------------------------------------------------------------- meetings


class MeetingIn(Schema):
    title: str = field(Meeting, "title")
    held_at: AwareDatetime = Field(title="会议时间（带时区，如 2026-07-03T15:00:00+08:00）")
    place: str = field(Meeting, "place", "")
    agenda: str = field(Meeting, "agenda", "")
    members: list[UserName] = Field(min_length=1, max_length=services.MAX_UNITS, title="参会人")


class MemberOut(Schema):
    username: str
    name: str
    sent_at: dt.datetime | None
    confirmed_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    title: str
    held_at: dt.datetime
    place: str
    agenda: str
    minutes: str
    minutes_sent_at: dt.datetime | None
    members: list[MemberOut]
    unconfirmed: list[str]


def _meeting_out(m: Meeting) -> dict:
    members = list(m.members.select_related("user"))
    return {"id": m.pk, "title": m.title, "held_at": m.held_at, "place": m.place, "agenda": m.agenda,
            "minutes": m.minutes, "minutes_sent_at": m.minutes_sent_at,
            "members": [{"username": x.user.username, "name": str(x.user), "sent_at": x.sent_at,
                         "confirmed_at": x.confirmed_at} for x in members],
            "unconfirmed": [x.user.username for x in members if x.sent_at and not x.confirmed_at]}


@router.get("/meetings", response=answers(page_of(MeetingOut), 403, 422), summary="例会（本辖区召开的和本人参加的）")
def meetings(request, page: Query[PageIn]):
    require(request.user, services.VIEW)
    return paginate(services.visible_meetings(request.user).order_by("-held_at", "-id"), page, _meeting_out)


@router.post("/meetings", response=answers(MeetingOut, 400, 403, 422, status=201), summary="登记例会和参会人")
def create_meeting(request, payload: MeetingIn):
    return Status(201, _meeting_out(services.create_meeting(request.user, payload.dict())))


@router.get("/meetings/{pk}", response=answers(MeetingOut, 403, 404, 422),
            summary="一次例会：纪要、参会人，以及谁还没有确认阅读")
def meeting(request, pk: Id):
    return _meeting_out(services.get_meeting(request.user, pk))


class MinutesIn(Schema):
    minutes: str = field(Meeting, "minutes")


@router.post("/meetings/{pk}/minutes", response=answers(MeetingOut, 400, 403, 404, 422),
             summary="填写会议纪要并发送给参会人（消息通知）")
def minutes(request, pk: Id, payload: MinutesIn):
    return _meeting_out(services.send_minutes(request.user, pk, payload.minutes))


@router.post("/meetings/{pk}/confirm", response=answers(MeetingOut, 403, 404, 422), summary="确认已阅读会议纪要")
def confirm(request, pk: Id):
    services.confirm_minutes(request.user, pk)
    return _meeting_out(services.get_meeting(request.user, pk))
