"""便民服务 API, mounted at /api/v1/services: the grid's service team, volunteer teams with activities and hours,
facilities within 15 minutes' walk, service pledges (public) and the elderly service catalogue with residents'
requests (each a case of the loop). Parse → call a service → serialise.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import Activity, Facility, Pledge, ServiceRequest, TeamMember, VolunteerTeam

router = Router(tags=["便民服务（组团服务、志愿者、服务站、服务承诺、居家养老）"])

GridCode = Annotated[str, Field(max_length=40, title="管理网格编码")]
Community = Annotated[str, Field(min_length=12, max_length=12, title="社区代码（12 位）")]


# ---------------------------------------------------------------- 组团服务


class TeamMemberOut(Schema):
    id: int
    role: str
    role_label: str
    name: str = Field(description="无 basedata.unmask 权限的岗位看到的是脱敏姓名")
    phone: str = Field(description="脱敏电话；完整号码用 POST /services/members/{id}/phone（记入访问日志）")
    unit: str
    duty: str


def member_out(user, m: TeamMember) -> dict:
    return {"id": m.pk, "role": m.role, "role_label": m.get_role_display(), "name": services.shown_name(user, m.name),
            "phone": m.phone_masked, "unit": m.unit, "duty": m.duty}


class GridTeamOut(Schema):
    grid: str
    community: str
    members: list[TeamMemberOut]


@router.get("/grids/{code}/team", response=answers(GridTeamOut, 403, 404, 422), summary="一个管理网格的组团服务团队")
def grid_team(request, code: GridCode):
    grid, members = services.grid_team(request.user, code)
    return {"grid": grid.code, "community": grid.community.name, "members": [member_out(request.user, m) for m in members]}


class TeamMemberIn(Schema):
    role: str = Field(max_length=16, description="grid_leader 网格长、party 党小组长、police 民警、doctor 医生、lawyer 律师、"
                                                 "property 物业、social_worker 社工、building 楼宇长、utilities 水电暖、"
                                                 "housekeeping 家政、teacher 教师")
    name: str = Field(max_length=50)
    phone: str = Field("", max_length=20)
    unit: str = Field("", max_length=100)
    duty: str = Field("", max_length=200)


@router.post("/grids/{code}/team", response=answers(TeamMemberOut, 400, 403, 404, 422, status=201),
             summary="添加组团服务成员")
def add_member(request, payload: TeamMemberIn, code: GridCode):
    m = services.add_member(request.user, code, **payload.dict())
    return Status(201, member_out(request.user, m))


class RevealIn(Schema):
    reason: str = Field(max_length=200, description="事由（记入个人信息访问日志）")


class TeamPhoneOut(Schema):
    id: int
    phone: str


@router.post("/members/{member_id}/phone", response=answers(TeamPhoneOut, 400, 403, 404, 422),
             summary="查看组团服务成员的完整电话（需 basedata.unmask，记入访问日志）")
def reveal_phone(request, member_id: Id, payload: RevealIn):
    return {"id": member_id, "phone": services.reveal_phone(request.user, member_id, payload.reason)}


# ---------------------------------------------------------------- 志愿者


class VolunteerTeamOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    community: str
    community_name: str
    members: int


def team_out(t: VolunteerTeam) -> dict:
    return {"id": t.pk, "kind": t.kind, "kind_label": t.get_kind_display(), "name": t.name, "community": t.scope_key,
            "community_name": t.unit_name, "members": getattr(t, "members", None) or t.volunteers.count()}


@router.get("/volunteer-teams", response=answers(page_of(VolunteerTeamOut), 403, 422), summary="志愿者队伍")
def volunteer_teams(request, page: Query[PageIn]):
    return paginate(services.volunteer_teams(request.user), page, team_out)


class VolunteerIn(Schema):
    name: str = Field(max_length=50)
    phone: str = Field("", max_length=20)
    joined_on: dt.date | None = None


class VolunteerOut(Schema):
    id: int
    name: str
    phone: str


@router.post("/volunteer-teams/{team_id}/volunteers", response=answers(VolunteerOut, 400, 403, 404, 422, status=201),
             summary="登记志愿者")
def add_volunteer(request, team_id: Id, payload: VolunteerIn):
    v = services.add_volunteer(request.user, team_id, **payload.dict())
    return Status(201, {"id": v.pk, "name": services.shown_name(request.user, v.name), "phone": v.phone_masked})


class ParticipantIn(Schema):
    volunteer_id: Id
    hours: Decimal = Field(ge=Decimal("0"), le=Decimal("99"), max_digits=4, decimal_places=1, description="服务时长（小时，以半小时计）")


class ActivityIn(Schema):
    held_on: dt.date
    place: str = Field(max_length=200)
    content: str = Field(max_length=500)
    participants: list[ParticipantIn] = Field(max_length=500)


class ParticipantOut(Schema):
    volunteer_id: int
    name: str
    hours: float


class ActivityOut(Schema):
    id: int
    team_id: int
    held_on: dt.date
    place: str
    content: str
    participants: list[ParticipantOut]
    hours: float = Field(description="本次活动的服务时长合计")


def activity_out(user, a: Activity) -> dict:
    parts = [{"volunteer_id": p.volunteer_id, "name": services.shown_name(user, p.volunteer.name),
              "hours": float(p.hours)} for p in a.participants.all()]
    return {"id": a.pk, "team_id": a.team_id, "held_on": a.held_on, "place": a.place, "content": a.content,
            "participants": parts, "hours": sum(p["hours"] for p in parts)}


@router.get("/volunteer-teams/{team_id}/activities", response=answers(page_of(ActivityOut), 403, 404, 422),
            summary="一支队伍的志愿服务活动（最近的在前）")
def activities(request, team_id: Id, page: Query[PageIn]):
    team = services.team_of(request.user, team_id)
    qs = team.activities.prefetch_related("participants__volunteer")
    return paginate(qs, page, lambda a: activity_out(request.user, a))


@router.post("/volunteer-teams/{team_id}/activities", response=answers(ActivityOut, 400, 403, 404, 422, status=201),
             summary="登记志愿服务活动及参加者的服务时长")
def record_activity(request, team_id: Id, payload: ActivityIn):
    a = services.record_activity(request.user, team_id, held_on=payload.held_on, place=payload.place,
                                 content=payload.content,
                                 participants=[(p.volunteer_id, p.hours) for p in payload.participants])
    return Status(201, activity_out(request.user, a))


class HoursIn(Schema):
    year: int = Field(ge=2000, le=2099)
    month: int | None = Field(None, ge=1, le=12, description="不填为全年")


class HoursOut(Schema):
    rank: int
    volunteer_id: int
    name: str
    hours: float
    activities: int


class HoursRankingOut(Schema):
    year: int
    month: int | None = Field(description="空：全年")
    rows: list[HoursOut]


@router.get("/volunteer-teams/{team_id}/hours", response=answers(HoursRankingOut, 400, 403, 404, 422),
            summary="志愿服务时长排行（按月或按年）")
def hours(request, team_id: Id, q: Query[HoursIn]):
    rows = services.hours_ranking(request.user, team_id, q.year, q.month)
    return {"year": q.year, "month": q.month, "rows": [{**r, "hours": float(r["hours"])} for r in rows]}


# ---------------------------------------------------------------- 便民服务站


class NearbyIn(Schema):
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    address: str = Field("", max_length=200, description="标准地址（不给经纬度时）")
    kind: str = Field("", max_length=10)


class FacilityOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    address: str
    lon: float
    lat: float
    hours: str
    phone: str
    services: str


def facility_out(f: Facility) -> dict:
    return {"id": f.pk, "kind": f.kind, "kind_label": f.get_kind_display(), "name": f.name, "address": f.address,
            "lon": f.lon, "lat": f.lat, "hours": f.hours, "phone": f.phone, "services": f.services}


class NearbyItemOut(FacilityOut):
    distance_m: int = Field(description="直线距离（米）")
    minutes: int = Field(description="步行约几分钟（按 5 公里/小时、绕行系数 1.25）")


class NearbyOut(Schema):
    place: str
    lon: float
    lat: float
    radius_m: float = Field(description="15 分钟步行圈的直线半径（米）")
    items: list[NearbyItemOut]


@router.get("/facilities/nearby", response=answers(NearbyOut, 400, 403, 404, 422),
            summary="15 分钟步行范围内的便民服务站与设施（由近到远）")
def nearby(request, q: Query[NearbyIn]):
    found = services.nearby(request.user, lon=q.lon, lat=q.lat, address=q.address, kind=q.kind)
    return {**found, "items": [{**facility_out(i["facility"]), "distance_m": i["distance_m"], "minutes": i["minutes"]}
                               for i in found["items"]]}


class FacilityIn(Schema):
    kind: str = Field(max_length=10)
    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    hours: str = Field(max_length=100)
    phone: str = Field("", max_length=20)
    services: str = Field("", max_length=300)


@router.post("/facilities", response=answers(FacilityOut, 400, 403, 404, 422, status=201), summary="登记便民服务站或设施")
def add_facility(request, payload: FacilityIn):
    return Status(201, facility_out(services.save_facility(request.user, **payload.dict())))


# ---------------------------------------------------------------- 服务承诺


class PledgeOut(Schema):
    id: int
    post: str
    text: str
    time_limit: str


def pledge_out(p: Pledge) -> dict:
    return {"id": p.pk, "post": p.post, "text": p.text, "time_limit": p.time_limit}


class PledgesOut(Schema):
    community: str
    name: str
    pledges: list[PledgeOut]


@router.get("/pledges/{community}", auth=None, response=answers(PledgesOut, 404, 422, auth=False),
            summary="社区的服务承诺（公开，无需登录）")
def pledges(request, community: Community):
    j, rows = services.public_pledges(community)
    return {"community": j.code, "name": j.name, "pledges": [pledge_out(p) for p in rows]}


class PledgeIn(Schema):
    post: str = Field(max_length=20)
    text: str = Field(max_length=500)
    time_limit: str = Field(max_length=100)


@router.post("/pledges/{community}", response=answers(PledgeOut, 400, 403, 404, 422, status=201), summary="公示一项服务承诺")
def add_pledge(request, payload: PledgeIn, community: Community):
    return Status(201, pledge_out(services.save_pledge(request.user, community, **payload.dict())))


# ---------------------------------------------------------------- 居家养老


class ElderlyItemOut(Schema):
    code: str = Field(description="对应的事项代码（本地大类 60 居家养老服务类）")
    class_no: int
    class_name: str
    name: str
    description: str
    time_limit: str = Field(description="办结时限（该事项的处置时限规则）")


class ElderlyCatalogueOut(Schema):
    items: list[ElderlyItemOut] = Field(description="按大类、项目排列的 27 项")


@router.get("/elderly-items", response=answers(ElderlyCatalogueOut, 403), summary="居家养老服务目录（9 大类 27 项）")
def elderly_items(request):
    services.require_reader(request.user)
    return {"items": [{"code": r["code"], "class_no": r["item"].class_no, "class_name": r["item"].class_name,
             "name": r["item"].name, "description": r["item"].description, "time_limit": r["limit"]}
            for r in services.catalogue()]}


class RequestIn(Schema):
    item: str = Field(min_length=5, max_length=5, description="服务项目的事项代码")
    name: str = Field(max_length=50, description="申请人（老人）姓名")
    phone: str = Field(max_length=20)
    address: str = Field("", max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    note: str = Field("", max_length=500)


class RequestOut(Schema):
    id: int
    item: str
    item_name: str
    name: str
    phone: str
    address: str
    case: str
    status: str
    status_label: str
    due_at: dt.datetime | None = Field(description="当前环节的到期时间")
    created_at: dt.datetime


def request_out(user, r: ServiceRequest) -> dict:
    c = r.case
    return {"id": r.pk, "item": r.item.matter.code, "item_name": r.item.name, "name": services.shown_name(user, r.name),
            "phone": r.phone_masked, "address": r.address if services.may_read(user) or r.requested_by_id == user.pk
            else "", "case": c.number, "status": c.status, "status_label": c.get_status_display(),
            "due_at": c.stage_due_at, "created_at": r.created_at}


@router.post("/requests", response=answers(RequestOut, 400, 403, 404, 422, status=201),
             summary="申请一项居家养老服务（成为一个案件，按该项目的时限办结）")
def request_service(request, payload: RequestIn):
    r = services.request_service(request.user, **payload.dict())
    return Status(201, request_out(request.user, services.request_of(request.user, r.pk)))


@router.get("/requests", response=answers(page_of(RequestOut), 403, 422),
            summary="居家养老服务申请（工作人员：管辖范围内；居民：本人提交的）")
def requests(request, page: Query[PageIn]):
    return paginate(services.requests(request.user).select_related("item__matter"), page,
                    lambda r: request_out(request.user, r))


@router.get("/requests/{request_id}", response=answers(RequestOut, 403, 404, 422), summary="一项服务申请及其办理状态")
def request_detail(request, request_id: Id):
    return request_out(request.user, services.request_of(request.user, request_id))
