"""Duty API (值班与应急), mounted at /api/v1/duty: 应急预案 and their activations, the 值班 roster, who is on duty
now, 交班记录, the 值班日报 (JSON and .xlsx) and 日产日清. Parse → call a service → serialise."""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gridgov.accounts.scope import require
from gridgov.dashboard.kpi import percent
from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import presenting, services
from .logic.plans import limit_label
from .models import Activation, EmergencyPlan

router = Router(tags=["值班与应急"])

Centre = Annotated[str | None, Field(max_length=12, title="值班中心（区或街道代码）")]


class StepOut(Schema):
    order: int
    title: str
    responsible: str
    limit: str


class DutyPlanOut(Schema):
    code: str
    name: str
    matter_codes: list[str]
    majors: list[str]
    notify_posts: list[str]
    notify_departments: list[str]
    notify_on_duty: bool
    active: bool
    steps: list[StepOut]


def _plan(p: EmergencyPlan) -> dict:
    return {"code": p.code, "name": p.name, "matter_codes": p.matter_codes, "majors": p.majors,
            "notify_posts": p.notify_posts, "notify_departments": p.notify_departments,
            "notify_on_duty": p.notify_on_duty, "active": p.active,
            "steps": [{"order": s.order, "title": s.title, "responsible": s.responsible,
                       "limit": limit_label(s.minutes)} for s in p.steps.all()]}


@router.get("/plans", response=answers(page_of(DutyPlanOut), 403, 422), summary="应急预案（适用事项、步骤、通知对象）")
def plan_list(request, page: Query[PageIn]):
    require(request.user, services.VIEW)
    return paginate(EmergencyPlan.objects.prefetch_related("steps").order_by("code"), page, _plan)


class ActivationStepOut(Schema):
    order: int
    title: str
    responsible: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str
    note: str


class ActivationOut(Schema):
    id: int
    plan: str
    plan_name: str
    case: str
    status: str
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    told: list[str]
    steps: list[ActivationStepOut]


def _activation(a: Activation) -> dict:
    return {"id": a.pk, "plan": a.plan.code, "plan_name": a.plan.name, "case": a.case.number, "status": a.status,
            "trigger": a.trigger, "started_at": a.started_at, "finished_at": a.finished_at, "told": a.told,
            "steps": [{"order": s.order, "title": s.title, "responsible": s.responsible, "due_at": s.due_at,
                       "done_at": s.done_at, "done_by": str(s.done_by) if s.done_by_id else "", "note": s.note}
                      for s in a.steps.select_related("done_by")]}


class ActivationFilter(Schema):
    status: Annotated[str | None, Field(max_length=10, title="状态（active 处置中 / finished 已完成）")] = None
    case: Annotated[str | None, Field(max_length=32, title="案件编号")] = None


@router.get("/activations", response=answers(page_of(ActivationOut), 403, 422),
            summary="预案启动记录（管辖范围内，最新在前）")
def activation_list(request, page: Query[PageIn], filters: Query[ActivationFilter]):
    qs = services.activations(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.case:
        qs = qs.filter(case__number=filters.case)
    return paginate(qs, page, _activation)


@router.get("/activations/{pk}", response=answers(ActivationOut, 403, 404, 422), summary="一次预案启动及其步骤")
def activation_get(request, pk: Id):
    return _activation(services.activation(request.user, pk))


class StartIn(Schema):
    case: str = Field(max_length=32, title="案件编号")
    plan: str = Field(max_length=30, title="预案代码")


@router.post("/activations", response=answers(ActivationOut, 400, 403, 404, 409, 422, status=201),
             summary="值班人员为案件启动预案（紧急案件上报时已自动启动的不必再启动）")
def activation_start(request, payload: StartIn):
    a = services.start_manual(request.user, payload.case, payload.plan)
    return Status(201, _activation(a))


class TickIn(Schema):
    note: str = Field("", max_length=500, title="情况说明")


@router.post("/activations/{pk}/steps/{order}/tick", response=answers(ActivationOut, 400, 403, 404, 409, 422),
             summary="勾选预案的一个步骤（谁、何时、情况说明）；最后一步完成后预案结束")
def activation_tick(request, pk: Id, order: Annotated[int, Field(ge=1, le=32767)], payload: TickIn):
    return _activation(services.tick(request.user, pk, order, payload.note))


class MemberIn(Schema):
    username: str = Field(max_length=150, title="账号")
    duty_role: str = Field(max_length=10, title="值班职责（leader 带班领导 / chief 值班长 / officer 值班员）")


class DutyMemberOut(Schema):
    username: str
    name: str
    duty_role: str
    duty_role_label: str


class ShiftIn(Schema):
    centre: str = Field(max_length=12, title="值班中心（区或街道代码）")
    date: dt.date = Field(title="值班日期")
    starts_at: dt.datetime = Field(title="开始时间")
    ends_at: dt.datetime = Field(title="结束时间")
    members: list[MemberIn] = Field(max_length=30, title="值班人员")
    note: str = Field("", max_length=200, title="备注")


class DutyShiftOut(Schema):
    id: int
    centre: str
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str
    members: list[DutyMemberOut]


def _shift(s) -> dict:
    return {"id": s.pk, "centre": s.centre, "date": s.date, "starts_at": s.starts_at, "ends_at": s.ends_at,
            "note": s.note, "members": [_member(m) for m in s.members.all()]}


def _member(m) -> dict:
    return {"username": m.user.username, "name": m.user.display_name or m.user.username, "duty_role": m.duty_role,
            "duty_role_label": m.get_duty_role_display()}


def _save(request, payload: ShiftIn, pk=None):
    return services.save_shift(request.user, centre=payload.centre, date=payload.date, starts_at=payload.starts_at,
                               ends_at=payload.ends_at, note=payload.note, pk=pk,
                               members=[(m.username, m.duty_role) for m in payload.members])


@router.post("/shifts", response=answers(DutyShiftOut, 400, 403, 404, 409, 422, status=201),
             summary="排班：新增一个班次（同一人不能同时值两个班）")
def shift_create(request, payload: ShiftIn):
    return Status(201, _shift(_save(request, payload)))


@router.put("/shifts/{pk}", response=answers(DutyShiftOut, 400, 403, 404, 409, 422), summary="修改一个班次")
def shift_update(request, pk: Id, payload: ShiftIn):
    return _shift(_save(request, payload, pk))


class DeletedOut(Schema):
    deleted: int


@router.delete("/shifts/{pk}", response=answers(DeletedOut, 403, 404, 422), summary="删除一个班次")
def shift_delete(request, pk: Id):
    services.delete_shift(request.user, pk)
    return {"deleted": pk}


class DutyDayOut(Schema):
    date: dt.date
    covered: bool
    gaps: list[list[dt.datetime]]
    doubled: list[list[dt.datetime]]
    shifts: list[DutyShiftOut]


class RosterOut(Schema):
    centre: str
    centre_name: str
    year: int
    month: int
    uncovered: list[dt.date]
    days: list[DutyDayOut]


def _utc(span) -> list[dt.datetime]:
    return [t.astimezone(dt.UTC) for t in span]  # as every other time of the API


@router.get("/roster", response=answers(RosterOut, 400, 403, 404, 422),
            summary="一个月的值班表：每天的班次，未排满 24 小时的日子标出空档")
def roster(request, year: Annotated[int, Field(ge=2000, le=2100)], month: Annotated[int, Field(ge=1, le=12)],
           centre: Centre = None):
    r = services.month(request.user, centre, year, month)
    return {"centre": r["centre"].code, "centre_name": r["centre"].name, "year": r["year"], "month": r["month"],
            "uncovered": r["uncovered"],
            "days": [{"date": d["date"], "covered": d["covered"], "gaps": [_utc(g) for g in d["gaps"]],
                      "doubled": [_utc(g) for g in d["doubled"]], "shifts": [_shift(s) for s in d["shifts"]]}
                     for d in r["days"]]}


class OnDutyMemberOut(Schema):
    shift: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    username: str
    name: str
    duty_role: str
    duty_role_label: str


class OnDutyOut(Schema):
    centre: str
    centre_name: str
    at: dt.datetime
    members: list[OnDutyMemberOut]


@router.get("/now", response=answers(OnDutyOut, 403, 404, 422), summary="此刻在班的人员")
def now(request, centre: Centre = None):
    require(request.user, services.VIEW)
    j = services.centre_of(request.user, centre)
    at = timezone.now()
    return {"centre": j.code, "centre_name": j.name, "at": at, "members": [
        {"shift": m.shift_id, "starts_at": m.shift.starts_at, "ends_at": m.shift.ends_at, **_member(m)}
        for m in services.on_duty([j.code], at)]}


class HandoverIn(Schema):
    text: str = Field(max_length=5000, title="交班内容")
    centre: Centre = None


class HandoverOut(Schema):
    id: int
    centre: str
    day: dt.date
    text: str
    written_by: str
    written_at: dt.datetime


def _handover(h) -> dict:
    return {"id": h.pk, "centre": h.centre, "day": h.day, "text": h.text, "written_by": str(h.written_by or ""),
            "written_at": h.written_at}


@router.post("/handovers", response=answers(HandoverOut, 400, 403, 404, 422, status=201),
             summary="写交班记录（交班班次写给接班班次，记入当日值班日报）")
def handover(request, payload: HandoverIn):
    return Status(201, _handover(services.write_handover(request.user, payload.text, payload.centre)))


class DutyItemOut(Schema):
    item: str
    value: str


class SectionOut(Schema):
    title: str
    items: list[DutyItemOut]


class DutyReportOut(Schema):
    centre: str
    centre_name: str
    day: dt.date
    incoming: int
    cleared: int
    clear_rate: str
    handled: int
    closed: int
    overdue: int
    urgent: list[str]
    activations: list[int]
    by_source: dict[str, int]
    by_class: dict[str, int]
    handovers: list[HandoverOut]
    sections: list[SectionOut]


@router.get("/reports/{day}", response=answers(DutyReportOut, 400, 403, 404, 422),
            summary="值班日报：当日来件（按来源、类别）、日清、处置、结案、紧急案件、预案启动、超期、交班记录")
def report(request, day: dt.date, centre: Centre = None):
    rep = services.daily_report(request.user, day, centre)
    f = rep["figures"]
    return {"centre": rep["centre"].code, "centre_name": rep["centre"].name, "day": day, "incoming": f.incoming,
            "cleared": f.cleared, "clear_rate": percent(f.rate), "handled": f.handled, "closed": f.closed,
            "overdue": rep["overdue"], "urgent": f.urgent, "activations": [a.pk for a in rep["activations"]],
            "by_source": f.by_source, "by_class": f.by_class,
            "handovers": [_handover(h) for h in rep["handovers"]],
            "sections": [{"title": t, "items": [{"item": i, "value": v} for i, v in items]}
                         for t, items in presenting.report_sections(rep)]}


@router.get("/reports/{day}/export", response=answers(None, 400, 403, 404, 422),
            openapi_extra=binary("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                 description="值班日报（.xlsx）"),
            summary="值班日报导出为 Excel")
def report_export(request, day: dt.date, centre: Centre = None):
    content, ctype, name = presenting.report_file(services.daily_report(request.user, day, centre))
    resp = HttpResponse(content, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


class ClearRowOut(Schema):
    group: str
    name: str
    incoming: int
    cleared: int
    rate: str


class ClearCaseOut(Schema):
    number: str
    reported_at: dt.datetime
    street: str
    department: str
    cleared: bool


class ClearDayOut(Schema):
    day: dt.date
    incoming: int
    cleared: int
    rate: str


class ClearanceOut(Schema):
    centre: str
    day: dt.date
    incoming: int
    cleared: int
    rate: str
    by_street: list[ClearRowOut]
    by_department: list[ClearRowOut]
    cases: list[ClearCaseOut]
    days: list[ClearDayOut]


@router.get("/clearance", response=answers(ClearanceOut, 400, 403, 404, 422),
            summary="日产日清：当日来件逐件是否当日处置或结案，按街道、部门的日清率，及近几天的日清率")
def clearance(request, day: dt.date, centre: Centre = None, days: Annotated[int, Field(ge=1, le=31)] = 7):
    c = services.clearance(request.user, day, centre, days)
    f = c["figures"]
    return {"centre": c["centre"].code, "day": day, "incoming": f.incoming, "cleared": f.cleared,
            "rate": percent(f.rate),
            "by_street": [{"group": r.group, "name": c["street_names"].get(r.group, r.group), "incoming": r.incoming,
                           "cleared": r.cleared, "rate": percent(r.rate)} for r in f.by_street],
            "by_department": [{"group": r.group, "name": r.group or "未派遣", "incoming": r.incoming,
                               "cleared": r.cleared, "rate": percent(r.rate)} for r in f.by_department],
            "cases": [{"number": x.number, "reported_at": x.reported_at, "street": x.street,
                       "department": x.department, "cleared": ok} for x, ok in c["cases"]],
            "days": [{"day": s.day, "incoming": s.incoming, "cleared": s.cleared, "rate": percent(s.rate)}
                     for s in c["series"]]}
