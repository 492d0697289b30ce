"""人员网格 API (mounted at /api/v1/groups): organisations divided into groups, notices with confirmation, holiday
whereabouts and the return check, 例会 minutes, members' reports, dynamic groups of residents.

Parse → call a service → serialise. Reads need ``groups.view`` within the organisation's grid, writes
``groups.manage`` (a group's cadre whose account is linked confirms for the group; a member reports from it).
Names are masked for posts that only read; phones always; whereabouts' places likewise (a full reading is logged).
"""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .logic import returns as rl
from .models import KINDS

router = Router(tags=["人员网格"])


# ---------------------------------------------------------------- organisations


class PeopleOrgRow(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    scope_key: str
    groups: int
    members: int


def org_row(o) -> dict:
    return {"id": o.pk, "name": o.name, "kind": o.kind, "kind_label": KINDS[o.kind], "scope_key": o.scope_key,
            "groups": o.n_groups, "members": o.n_members}


@router.get("/orgs", response=answers(page_of(PeopleOrgRow), 403, 422), summary="人员网格单位（学校、企业、园区）")
def org_list(request, page: Query[PageIn]):
    return paginate(services.organisations(request.user), page, org_row)


class PeopleOrgIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field("school", max_length=10, description="school 学校 / company 企业 / park 园区 / other 其他")
    grid: str = Field(..., max_length=40, description="所在管理网格编码")
    address: str = Field("", max_length=200)
    head: str = Field("", max_length=50, description="负责人（班主任/负责人）")
    meeting_start: dt.date | None = Field(None, description="例会起始日期（此后每 meeting_every 天一次）")
    meeting_every: int = Field(14, ge=1, le=92)


class PeopleGroupOut(Schema):
    id: int
    name: str
    parent_id: int | None
    depth: int
    cadre: str  # the cadre's name (masked for posts that only read)
    members: int


class PeopleMemberOut(Schema):
    id: int
    name: str
    title: str
    group_id: int
    group: str
    phone: str  # always masked
    resident_id: int | None
    linked: bool


class PeopleMeetingOut(Schema):
    scheduled_for: dt.date
    held_on: dt.date | None
    missed: bool
    minutes: str
    recorder: str


class PeopleOrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    scope_key: str
    address: str
    head: str
    groups: list[PeopleGroupOut]
    members: list[PeopleMemberOut]
    meetings: list[PeopleMeetingOut]
    next_meeting: dt.date | None


def org_out(user, o) -> dict:
    plan = services.meeting_plan(o)
    meetings = []
    for day in reversed(plan.scheduled):
        m = plan.held.get(day)
        meetings.append({"scheduled_for": day, "held_on": m.held_on if m else None, "missed": day in plan.missed,
                         "minutes": m.minutes if m else "", "recorder": m.recorder if m else ""})
    return {"id": o.pk, "name": o.name, "kind": o.kind, "kind_label": KINDS[o.kind], "scope_key": o.scope_key,
            "address": o.address, "head": o.head,
            "groups": [{"id": g.pk, "name": g.name, "parent_id": g.parent_id, "depth": d, "members": g.n,
                        "cadre": services.shown_name(user, g.cadre.name) if g.cadre else ""}
                       for g, d in services.tree(o)],
            "members": [{"id": m.pk, "name": services.shown_name(user, m.name), "title": m.title, "group_id": m.group_id,
                         "group": m.group.name, "phone": m.phone_masked, "resident_id": m.resident_id,
                         "linked": m.user_id is not None} for m in services.members(o)],
            "meetings": meetings, "next_meeting": plan.next_due}


@router.post("/orgs", response=answers(PeopleOrgOut, 400, 403, 404, 422, status=201), summary="登记人员网格单位")
def org_create(request, payload: PeopleOrgIn):
    o = services.create_organisation(request.user, payload.dict())
    return Status(201, org_out(request.user, o))


@router.get("/orgs/{org_id}", response=answers(PeopleOrgOut, 403, 404, 422), summary="单位：网格树、成员、例会")
def org_detail(request, org_id: Id):
    return org_out(request.user, services.get_org(request.user, org_id))


class PeopleGroupIn(Schema):
    name: str = Field(..., max_length=50)
    parent_id: Id | None = None


@router.post("/orgs/{org_id}/groups", response=answers(PeopleOrgOut, 400, 403, 404, 409, 422, status=201),
             summary="添加网格（如 班级、寝室），可挂在上级网格下")
def group_create(request, org_id: Id, payload: PeopleGroupIn):
    services.add_group(request.user, org_id, payload.name, payload.parent_id)
    return Status(201, org_out(request.user, services.get_org(request.user, org_id)))


class PeopleMemberIn(Schema):
    group_id: Id
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    title: str = Field("", max_length=20, description="职务，如 班长、寝室长")
    resident_id: Id | None = Field(None, description="实有人口（在您的管辖范围内）；给出时姓名、电话取自基础数据")
    username: str = Field("", max_length=150, description="成员本人的账号（可打开本网格页面、上报、代表网格确认）")
    cadre: bool = Field(False, description="设为该网格负责人（班干部）")


@router.post("/orgs/{org_id}/members", response=answers(PeopleOrgOut, 400, 403, 404, 422, status=201),
             summary="添加成员（可设为网格负责人）")
def member_create(request, org_id: Id, payload: PeopleMemberIn):
    services.add_member(request.user, org_id, payload.dict())
    return Status(201, org_out(request.user, services.get_org(request.user, org_id)))


# ---------------------------------------------------------------- notices


class PeopleNoticeIn(Schema):
    title: str = Field(..., max_length=100)
    body: str = Field("", max_length=5000)
    group_ids: list[Id] = Field(default_factory=list, max_length=200, description="空：发给所有末级网格")
    confirm_by: dt.date | None = None


class PeopleReceiptOut(Schema):
    group_id: int
    group: str
    cadre: str
    confirmed_at: dt.datetime | None
    confirmed_by: str


class PeopleNoticeOut(Schema):
    id: int
    organisation_id: int
    title: str
    body: str
    confirm_by: dt.date | None
    sent_at: dt.datetime
    confirmed: list[PeopleReceiptOut]
    missing: list[PeopleReceiptOut]


def notice_out(user, n) -> dict:
    def row(r):
        who = r.member or r.group.cadre
        return {"group_id": r.group_id, "group": r.group.name,
                "cadre": services.shown_name(user, r.group.cadre.name) if r.group.cadre else "",
                "confirmed_at": r.confirmed_at, "confirmed_by": services.shown_name(user, who.name) if (
                    r.confirmed_at and who) else (str(r.confirmed_by or "") if r.confirmed_at else "")}

    confirmed, missing = services.receipts(n)
    return {"id": n.pk, "organisation_id": n.organisation_id, "title": n.title, "body": n.body,
            "confirm_by": n.confirm_by, "sent_at": n.sent_at, "confirmed": [row(r) for r in confirmed],
            "missing": [row(r) for r in missing]}


@router.post("/orgs/{org_id}/notices", response=answers(PeopleNoticeOut, 400, 403, 404, 422, status=201),
             summary="发通知（全部或部分网格），各网格负责人确认")
def notice_send(request, org_id: Id, payload: PeopleNoticeIn):
    n = services.send_notice(request.user, org_id, payload.title, payload.body, payload.group_ids, payload.confirm_by)
    return Status(201, notice_out(request.user, n))


@router.get("/notices/{notice_id}", response=answers(PeopleNoticeOut, 403, 404, 422), summary="通知：已确认与未确认的网格")
def notice_detail(request, notice_id: Id):
    return notice_out(request.user, services.get_notice(request.user, notice_id))


class PeopleConfirmIn(Schema):
    group_id: Id
    member_id: Id | None = Field(None, description="代为登记时：确认的成员（默认该网格负责人）")


@router.post("/notices/{notice_id}/confirm", response=answers(PeopleNoticeOut, 400, 403, 404, 409, 422),
             summary="确认通知（一个网格只能确认一次）")
def notice_confirm(request, notice_id: Id, payload: PeopleConfirmIn):
    r = services.confirm_notice(request.user, notice_id, payload.group_id, payload.member_id)
    n = r.notice
    if services.has(request.user, services.VIEW):
        n = services.get_notice(request.user, notice_id)
    return notice_out(request.user, n)


# ---------------------------------------------------------------- holidays


class PeopleHolidayIn(Schema):
    name: str = Field(..., max_length=50)
    starts_on: dt.date
    ends_on: dt.date
    return_due_on: dt.date | None = Field(None, description="返回截止日期（默认假期结束日期）")


class PeopleReturnRowOut(Schema):
    member_id: int
    name: str
    group: str
    plan: str | None
    plan_label: str
    place: str  # masked for posts that only read
    leave_on: dt.date | None
    back_on: dt.date | None
    returned_on: dt.date | None
    state: str
    state_label: str


class PeopleHolidayOut(Schema):
    id: int
    organisation_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    return_due_on: dt.date
    rows: list[PeopleReturnRowOut]
    counts: dict[str, int]
    overdue: list[str]


def holiday_out(user, h) -> dict:
    rows = services.return_check(user, h)
    counts = {k: sum(1 for r in rows if r.state == k) for k in rl.STATES}
    return {"id": h.pk, "organisation_id": h.organisation_id, "name": h.name, "starts_on": h.starts_on,
            "ends_on": h.ends_on, "return_due_on": h.return_due_on, "counts": counts,
            "overdue": [r.name for r in rows if r.state in ("overdue", "late")],
            "rows": [{"member_id": r.member.pk, **{k: getattr(r, k) for k in (
                "name", "group", "plan", "plan_label", "place", "leave_on", "back_on", "returned_on", "state",
                "state_label")}} for r in rows]}


@router.post("/orgs/{org_id}/holidays", response=answers(PeopleHolidayOut, 400, 403, 404, 422, status=201),
             summary="登记假期（返回截止日期）")
def holiday_create(request, org_id: Id, payload: PeopleHolidayIn):
    h = services.create_holiday(request.user, org_id, payload.name, payload.starts_on, payload.ends_on,
                                payload.return_due_on)
    return Status(201, holiday_out(request.user, h))


@router.get("/holidays/{holiday_id}", response=answers(PeopleHolidayOut, 403, 404, 422),
            summary="假期去向与返回核查（逾期返回、逾期未返回）")
def holiday_detail(request, holiday_id: Id):
    return holiday_out(request.user, services.get_holiday(request.user, holiday_id))


class PeopleWhereaboutsIn(Schema):
    member_id: Id
    plan: str = Field(..., max_length=10, description="stay 留校/留守 / home 回家 / travel 外出旅行 / other 其他")
    place: str = Field("", max_length=100)
    leave_on: dt.date | None = None
    back_on: dt.date | None = Field(None, description="计划返回日期")


@router.post("/holidays/{holiday_id}/whereabouts", response=answers(PeopleHolidayOut, 400, 403, 404, 409, 422),
             summary="登记成员假期去向")
def whereabouts_record(request, holiday_id: Id, payload: PeopleWhereaboutsIn):
    services.record_whereabouts(request.user, holiday_id, payload.member_id, payload.plan, payload.place,
                                payload.leave_on, payload.back_on)
    return holiday_out(request.user, services.get_holiday(request.user, holiday_id))


class PeopleReturnIn(Schema):
    member_id: Id
    returned_on: dt.date | None = Field(None, description="默认今天")


@router.post("/holidays/{holiday_id}/returns", response=answers(PeopleHolidayOut, 400, 403, 404, 409, 422),
             summary="登记成员返回")
def return_record(request, holiday_id: Id, payload: PeopleReturnIn):
    services.record_return(request.user, holiday_id, payload.member_id, payload.returned_on)
    return holiday_out(request.user, services.get_holiday(request.user, holiday_id))


# ---------------------------------------------------------------- meetings


class PeopleMeetingIn(Schema):
    scheduled_for: dt.date
    held_on: dt.date
    minutes: str = Field(..., max_length=10000)
    recorder: str = Field("", max_length=50)
    attendees: int = Field(0, ge=0, le=1000)


@router.post("/orgs/{org_id}/meetings", response=answers(PeopleOrgOut, 400, 403, 404, 409, 422, status=201),
             summary="登记例会纪要（每两周一次）")
def meeting_record(request, org_id: Id, payload: PeopleMeetingIn):
    services.record_meeting(request.user, org_id, payload.scheduled_for, payload.held_on, payload.minutes,
                            payload.recorder, payload.attendees)
    return Status(201, org_out(request.user, services.get_org(request.user, org_id)))


# ---------------------------------------------------------------- reports


class PeopleReportIn(Schema):
    description: str = Field(..., max_length=1900)
    member_id: Id | None = Field(None, description="反映问题的成员（成员本人上报时可不填）")
    matter: str | None = Field(None, max_length=10, description="事项编码（可不填，由受理员归类）")


class PeopleReportOut(Schema):
    case_number: str
    group_id: int
    group: str
    organisation: str
    status: str


@router.post("/groups/{group_id}/reports", response=answers(PeopleReportOut, 400, 403, 404, 422, status=201),
             summary="成员或负责人从网格页面反映问题：进入案件受理（来源记为该单位与网格）")
def report_create(request, group_id: Id, payload: PeopleReportIn):
    r = services.report(request.user, group_id, payload.description, payload.member_id, payload.matter)
    return Status(201, {"case_number": r.case.number, "group_id": r.group_id, "group": r.group.name,
                        "organisation": r.group.organisation.name, "status": r.case.status})


# ---------------------------------------------------------------- dynamic groups


class PeopleCondition(Schema):
    field: str = Field(..., max_length=20, description="age / gender / reg_type / living_alone / tag")
    op: str = Field("eq", max_length=4, description="gte ≥ / lte ≤ / eq 为")
    value: Any = Field(..., description="整数（年龄）、true/false（独居）、M/F、类别或人口类型编码")


class PeopleDynamicIn(Schema):
    name: str = Field(..., max_length=50)
    place: str = Field(..., max_length=100, description="社区或街道代码，或管理网格编码")
    conditions: list[PeopleCondition] = Field(..., max_length=8)
    responsible: str = Field(..., max_length=50)
    responsible_username: str = Field("", max_length=150)


class PeopleDynamicRow(Schema):
    id: int
    name: str
    place: str
    conditions: str
    responsible: str


def dynamic_row(d) -> dict:
    return {"id": d.pk, "name": d.name, "place": d.scope_key, "conditions": services.describe(d),
            "responsible": d.responsible}


class PeopleResidentOut(Schema):
    id: int
    name: str
    age: int
    gender: str
    phone: str


class PeopleDynamicOut(PeopleDynamicRow):
    members: list[PeopleResidentOut]
    count: int


def dynamic_out(user, d) -> dict:
    people = list(services.dynamic_members(user, d)[:500])
    return {**dynamic_row(d), "count": len(people),
            "members": [{"id": r.pk, "name": services.shown_name(user, r.name), "age": services.age(r.birth_date),
                         "gender": r.gender, "phone": r.phone_masked} for r in people]}


@router.get("/dynamic", response=answers(page_of(PeopleDynamicRow), 403, 422), summary="动态人群网格（按条件）")
def dynamic_list(request, page: Query[PageIn]):
    return paginate(services.dynamic_groups(request.user), page, dynamic_row)


@router.post("/dynamic", response=answers(PeopleDynamicOut, 400, 403, 404, 422, status=201),
             summary="新建动态人群网格（条件存为数据，成员随时重新计算）")
def dynamic_create(request, payload: PeopleDynamicIn):
    d = services.create_dynamic(request.user, payload.name, payload.place, [c.dict() for c in payload.conditions],
                                payload.responsible, payload.responsible_username)
    return Status(201, dynamic_out(request.user, d))


@router.get("/dynamic/{dynamic_id}", response=answers(PeopleDynamicOut, 403, 404, 422), summary="动态人群网格：当前成员")
def dynamic_detail(request, dynamic_id: Id):
    return dynamic_out(request.user, services.get_dynamic(request.user, dynamic_id))
