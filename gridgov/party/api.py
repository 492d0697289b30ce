"""Party building API (mounted at /api/v1/party): 网格党组织, 党员 (restricted), 党员报到, 承诺, 入户, 帮扶对子.

Parse → call a service → serialise. Reads need ``party.view`` (403 for every other post: the attribute's existence is
never revealed) and are written to the access log; writes need ``party.manage``. Names masked for posts without
``basedata.unmask``, phones and ID numbers always masked.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import HomeVisit, Member, Pair, PairVisit, PartyOrg, Pledge, Registration

router = Router(tags=["党建引领"])


class PartyPersonOut(Schema):
    resident_id: int
    name: str = Field(description="姓名（无 basedata.unmask 权限时脱敏）")
    phone: str = Field(description="手机号（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")


class PartyOrgRow(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community: str
    parent_name: str
    members: int
    leader: PartyPersonOut | None


def org_row(user, o: PartyOrg, n_members: int | None = None) -> dict:
    return {"id": o.pk, "name": o.name, "kind": o.kind, "kind_label": o.get_kind_display(),
            "community": o.community.name, "parent_name": o.parent_name,
            "members": o.n_members if n_members is None else n_members,
            "leader": services.person(user, o.leader.resident) if o.leader_id else None}


class PartyMemberRow(Schema):
    id: int
    person: PartyPersonOut
    org_id: int | None
    org: str
    status: str
    status_label: str
    joined_on: dt.date | None
    in_service: bool
    employer: str
    pledges: int = Field(description="所选年度的承诺数")
    visits: int = Field(description="所选年度的入户次数")


def member_row(user, m: Member) -> dict:
    return {"id": m.pk, "person": services.person(user, m.resident), "org_id": m.org_id,
            "org": m.org.name if m.org_id else "", "status": m.status, "status_label": m.get_status_display(),
            "joined_on": m.joined_on, "in_service": m.in_service, "employer": m.employer,
            "pledges": getattr(m, "n_pledges", 0), "visits": getattr(m, "n_visits", 0)}


class PartyOrgOut(PartyOrgRow):
    grids: list[str]
    members_list: list[PartyMemberRow]


@router.get("/orgs", response=answers(page_of(PartyOrgRow), 403, 422), summary="网格党组织（本人管辖范围内）")
def org_list(request, page: Query[PageIn]):
    return paginate(services.org_list(request.user), page, lambda o: org_row(request.user, o))


@router.get("/orgs/{org_id}", response=answers(PartyOrgOut, 403, 404, 422), summary="一个网格党组织及其党员")
def org_detail(request, org_id: Id):
    org, members = services.get_org(request.user, org_id)
    return {**org_row(request.user, org, len(members)), "grids": sorted(g.code for g in org.grids.all()),
            "members_list": [member_row(request.user, m) for m in members]}


class PartyOrgIn(Schema):
    name: str = field(PartyOrg, "name")
    kind: str = Field("group", max_length=10, description="branch 网格党支部 / group 网格党小组")
    grids: list[str] = Field(..., min_length=1, max_length=20, description="所设管理网格的编码（同一社区）")
    parent_name: str = field(PartyOrg, "parent_name", "")


@router.post("/orgs", response=answers(PartyOrgRow, 400, 403, 404, 422, status=201), summary="设立网格党支部/党小组")
def org_create(request, payload: PartyOrgIn):
    o = services.create_org(request.user, payload.name, payload.kind, [g[:40] for g in payload.grids],
                            payload.parent_name)
    return Status(201, org_row(request.user, o, 0))


class PartyLeaderIn(Schema):
    member_id: Id


@router.post("/orgs/{org_id}/leader", response=answers(PartyOrgRow, 400, 403, 404, 422),
             summary="设定网格党组织负责人（须为本组织党员）")
def org_leader(request, org_id: Id, payload: PartyLeaderIn):
    services.set_leader(request.user, org_id, payload.member_id)
    org, members = services.get_org(request.user, org_id)
    return org_row(request.user, org, len(members))


class PartyMemberFilter(Schema):
    org_id: Id | None = None
    year: int | None = Field(None, ge=1921, le=2100, description="承诺与入户计数的年度（默认今年）")


@router.get("/members", response=answers(page_of(PartyMemberRow), 403, 422), summary="党员名册（查看即记入访问日志）")
def member_list(request, filters: Query[PartyMemberFilter], page: Query[PageIn]):
    rows = services.members(request.user, filters.org_id, filters.year)
    return paginate(rows, page, lambda m: member_row(request.user, m))


class PartyYearOut(Schema):
    year: int
    pledges: int
    visits: int


class PartyPledgeOut(Schema):
    id: int
    year: int
    content: str


class PartyHomeVisitOut(Schema):
    id: int
    household: str
    visited_on: dt.date
    content: str


class PartyMemberOut(PartyMemberRow):
    years: list[PartyYearOut]
    pledges_list: list[PartyPledgeOut]
    visits_list: list[PartyHomeVisitOut]
    registration: str = Field(description="报到状态：空（未报到）、待确认、已确认、未通过")


def member_out(user, m: Member) -> dict:
    reg = m.registrations.order_by("-id").first()
    return {**member_row(user, m), "years": services.yearly(m),
            "pledges_list": [{"id": p.pk, "year": p.year, "content": p.content} for p in m.pledges.all()],
            "visits_list": [{"id": v.pk, "household": v.household.number, "visited_on": v.visited_on,
                             "content": v.content} for v in m.home_visits.select_related("household")],
            "registration": reg.get_status_display() if reg else ""}


@router.get("/members/{member_id}", response=answers(PartyMemberOut, 403, 404, 422), summary="一名党员：承诺、入户、逐年计数")
def member_detail(request, member_id: Id):
    return member_out(request.user, services.get_member(request.user, member_id))


class PartyMemberIn(Schema):
    resident_id: Id
    org_id: Id | None = None
    status: str = Field("full", max_length=14, description="full 正式党员 / probationary 预备党员")
    joined_on: dt.date | None = None
    in_service: bool = False
    employer: str = field(Member, "employer", "")


@router.post("/members", response=answers(PartyMemberRow, 400, 403, 404, 409, 422, status=201),
             summary="登记一名居民的党员信息")
def member_create(request, payload: PartyMemberIn):
    m = services.add_member(request.user, payload.resident_id, payload.org_id, payload.status, payload.joined_on,
                            payload.in_service, payload.employer)
    return Status(201, member_row(request.user, m))


class PartyAttributeOut(Schema):
    resident_id: int
    member: bool
    member_id: int | None
    org: str
    status_label: str


@router.get("/residents/{resident_id}", response=answers(PartyAttributeOut, 403, 404, 422),
            summary="一名居民的政治面貌（党员与否；查看即记入访问日志）")
def resident_attribute(request, resident_id: Id):
    m = services.resident_attribute(request.user, resident_id)
    return {"resident_id": resident_id, "member": m is not None, "member_id": m.pk if m else None,
            "org": m.org.name if m and m.org_id else "", "status_label": m.get_status_display() if m else ""}


class PartyPledgeIn(Schema):
    year: int | None = Field(None, ge=1921, le=2100)
    content: str = field(Pledge, "content")


@router.post("/members/{member_id}/pledges", response=answers(PartyPledgeOut, 400, 403, 404, 422, status=201),
             summary="登记党员承诺（年度、内容）")
def pledge_create(request, member_id: Id, payload: PartyPledgeIn):
    p = services.add_pledge(request.user, member_id, payload.year, payload.content)
    return Status(201, {"id": p.pk, "year": p.year, "content": p.content})


class PartyHomeVisitIn(Schema):
    household_id: Id
    visited_on: dt.date | None = None
    content: str = field(HomeVisit, "content")


@router.post("/members/{member_id}/visits", response=answers(PartyHomeVisitOut, 400, 403, 404, 422, status=201),
             summary="登记党员入户（户、日期、内容）")
def home_visit_create(request, member_id: Id, payload: PartyHomeVisitIn):
    v = services.add_home_visit(request.user, member_id, payload.household_id, payload.visited_on, payload.content)
    return Status(201, {"id": v.pk, "household": v.household.number, "visited_on": v.visited_on, "content": v.content})


class PartyRegistrationOut(Schema):
    id: int
    member_id: int
    person: PartyPersonOut
    community: str
    employer: str
    registered_on: dt.date
    status: str
    status_label: str


def registration_out(user, r: Registration) -> dict:
    return {"id": r.pk, "member_id": r.member_id, "person": services.person(user, r.member.resident),
            "community": r.community.name, "employer": r.employer, "registered_on": r.registered_on,
            "status": r.status, "status_label": r.get_status_display()}


class PartyRegistrationFilter(Schema):
    status: str | None = Field(None, max_length=10, description="pending 待确认 / confirmed 已确认 / declined 未通过")


@router.get("/registrations", response=answers(page_of(PartyRegistrationOut), 403, 422), summary="党员报到登记")
def registration_list(request, filters: Query[PartyRegistrationFilter], page: Query[PageIn]):
    return paginate(services.registrations(request.user, filters.status), page,
                    lambda r: registration_out(request.user, r))


class PartyRegistrationIn(Schema):
    member_id: Id
    employer: str = field(Registration, "employer", "")
    registered_on: dt.date | None = None


@router.post("/registrations", response=answers(PartyRegistrationOut, 400, 403, 404, 409, 422, status=201),
             summary="在职党员到居住社区报到（待社区确认）")
def registration_create(request, payload: PartyRegistrationIn):
    r = services.register(request.user, payload.member_id, payload.employer, payload.registered_on)
    return Status(201, registration_out(request.user, r))


class PartyDecisionIn(Schema):
    confirm: bool = Field(True, description="true 确认 / false 不予通过")


@router.post("/registrations/{registration_id}/confirm", response=answers(PartyRegistrationOut, 403, 404, 409, 422),
             summary="社区确认（或不予通过）党员报到")
def registration_confirm(request, registration_id: Id, payload: PartyDecisionIn):
    r = services.decide_registration(request.user, registration_id, payload.confirm)
    return registration_out(request.user, r)


class PartyPairRow(Schema):
    id: int
    helper_id: int
    helper: PartyPersonOut
    household_id: int
    household: str
    need: str
    started_on: dt.date
    visits: int
    last_visit: dt.date | None
    days_since: int = Field(description="距上次走访（无走访时距结对）的天数")
    overdue: bool = Field(description="超过 days 天未走访")


def pair_row(user, p: Pair) -> dict:
    return {"id": p.pk, "helper_id": p.helper_id, "helper": services.person(user, p.helper.resident),
            "household_id": p.household_id, "household": p.household.number, "need": p.need,
            "started_on": p.started_on, "visits": p.n_visits, "last_visit": p.last_visit,
            "days_since": p.days_since, "overdue": p.overdue}


class PartyPairFilter(Schema):
    days: int | None = Field(None, ge=1, le=3650, description="超期未走访的天数（默认 90，可配置）")
    overdue: bool = Field(False, description="只列出超期未走访的")


@router.get("/pairs", response=answers(page_of(PartyPairRow), 400, 403, 422), summary="帮扶对子（带超期未走访标记）")
def pair_list(request, filters: Query[PartyPairFilter], page: Query[PageIn]):
    rows = services.pairs(request.user, services.pair_days(filters.days), filters.overdue)
    return paginate(rows, page, lambda p: pair_row(request.user, p))


class PartyPairVisitOut(Schema):
    id: int
    visited_on: dt.date
    content: str
    result: str


class PartyPairOut(PartyPairRow):
    visits_list: list[PartyPairVisitOut]


class PartyDaysIn(Schema):
    days: int | None = Field(None, ge=1, le=3650)


@router.get("/pairs/{pair_id}", response=answers(PartyPairOut, 400, 403, 404, 422), summary="一个帮扶对子及其走访")
def pair_detail(request, pair_id: Id, filters: Query[PartyDaysIn]):
    p = services.get_pair(request.user, pair_id, services.pair_days(filters.days))
    return {**pair_row(request.user, p), "visits_list": [
        {"id": v.pk, "visited_on": v.visited_on, "content": v.content, "result": v.result} for v in p.visits.all()]}


class PartyPairIn(Schema):
    helper_id: Id
    household_id: Id
    need: str = field(Pair, "need")
    started_on: dt.date | None = None


@router.post("/pairs", response=answers(PartyPairRow, 400, 403, 404, 409, 422, status=201), summary="结成帮扶对子")
def pair_create(request, payload: PartyPairIn):
    p = services.create_pair(request.user, payload.helper_id, payload.household_id, payload.need, payload.started_on)
    return Status(201, pair_row(request.user, services.get_pair(request.user, p.pk, services.pair_days())))


class PartyPairVisitIn(Schema):
    visited_on: dt.date | None = None
    content: str = field(PairVisit, "content")
    result: str = field(PairVisit, "result", "")


@router.post("/pairs/{pair_id}/visits", response=answers(PartyPairVisitOut, 400, 403, 404, 409, 422, status=201),
             summary="登记帮扶走访（日期、内容、结果）")
def pair_visit_create(request, pair_id: Id, payload: PartyPairVisitIn):
    v = services.add_pair_visit(request.user, pair_id, payload.visited_on, payload.content, payload.result)
    return Status(201, {"id": v.pk, "visited_on": v.visited_on, "content": v.content, "result": v.result})
