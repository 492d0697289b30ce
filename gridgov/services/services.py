"""The only writer of 便民服务. Each public function owns its transaction, checks everything before its first write
and appends to the audit chain (personal data as field names, never values).

- 组团服务: ``grid_team`` (a management grid's members), ``add_member``, ``reveal_phone`` (the full phone, for a post
  with ``basedata.unmask``, with a reason, in the access log)
- 志愿者: ``volunteer_teams``, ``add_volunteer``, ``record_activity`` (date, place, content, participants with
  their hours), ``hours_ranking`` (per volunteer for a year or a month, most hours first)
- 便民服务站: ``save_facility``, ``nearby`` (within 15 minutes' walk of a point or an address: ``logic.walk``)
- 服务承诺: ``save_pledge``, ``public_pledges`` (no sign-in)
- 居家养老: ``catalogue`` (the 9 classes, 27 items with their time limits), ``request_service`` (the request becomes a
  case of the item's matter through the cases' intake, so it is registered, dispatched, handled, verified and closed
  like any case; the item's time limit is the matter's 处置 deadline), ``requests`` / ``request_of``

Rights: ``services.view`` to read within one's scope, ``services.manage`` to write, ``services.request`` to request
(a resident sees their own requests). Outside one's scope: NotFound (404).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import require, scope_prefix, scoped
from gridgov.audit import services as audit
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.geo.models import Grid, Jurisdiction, Level

from .logic.walk import WALK_RADIUS_M, walk_minutes, within_walk
from .models import (
    Activity,
    ElderlyItem,
    Facility,
    FacilityKind,
    MemberRole,
    Participation,
    Pledge,
    ServiceRequest,
    TeamKind,
    TeamMember,
    Volunteer,
    VolunteerTeam,
)

VIEW, MANAGE, REQUEST = roles.SERVICES_VIEW, roles.SERVICES_MANAGE, roles.SERVICES_REQUEST
FIRST_DAY = dt.date(2000, 1, 1)
MAX_HOURS = Decimal("24")  # one activity, one volunteer: at most a day
# the source a request's case is reported with: a resident's own, the grid's people's, or the centre's desk
REQUEST_SOURCE = {Role.RESIDENT: "resident", Role.GRID_WORKER: "grid_worker", Role.GRID_LEADER: "grid_worker"}


# ---------------------------------------------------------------- helpers


def _text(value, label: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}")
    if len(text) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字")
    return text


def may_unmask(user) -> bool:
    return user.is_superuser or roles.has_right(user.role, roles.BD_UNMASK)


def shown_name(user, name: str) -> str:
    from gridgov.basedata.logic.ids import mask_name

    return name if may_unmask(user) else mask_name(name)


def _phone(value, required: bool = False) -> dict:
    from gridgov.basedata.services import clean_phone, phone_fields

    phone = clean_phone(value, required=required)
    return phone_fields(phone) if phone else {}


# A community's own rows (its volunteer teams, pledges, stations: scope_key = the 12-digit community code) are the
# community's as a whole: besides the subtree rule of accounts.scope, the people of its grids (网格员 and 网格长 of a
# management grid of the community) read and keep them too.
def reaches(user, key: str) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and (key.startswith(prefix) or (len(key) == 12 and prefix.startswith(key)))


def _community_rows(qs, user, right: str):
    """``qs`` (rows keyed by a community code) as the user may read them: ``scoped`` plus their own community's."""
    require(user, right)
    prefix = scope_prefix(user)
    if prefix and len(prefix) > 12:
        return qs.filter(Q(scope_key__startswith=prefix) | Q(scope_key=prefix[:12]))
    return scoped(qs, user, right)


def _community(user, code: str, right: str) -> Jurisdiction:
    code = (code or "").strip()
    j = Jurisdiction.objects.filter(code=code, level=Level.COMMUNITY).first()
    if j is None or not reaches(user, code):
        raise NotFound("unknown_community", f"社区「{code}」不存在或不在您的管辖范围内")
    return j


# ---------------------------------------------------------------- 组团服务


def grid_of(user, code: str, right: str = VIEW) -> Grid:
    """An active management grid within the user's scope (404 otherwise)."""
    require(user, right)
    grid = scoped(Grid.objects.filter(layer__code="management", code=(code or "").strip()), user, right
                  ).select_related("community").first()
    if grid is None:
        raise NotFound("unknown_grid", f"管理网格「{code}」不存在或不在您的管辖范围内")
    return grid


def grid_team(user, code: str) -> tuple[Grid, list[TeamMember]]:
    grid = grid_of(user, code)
    return grid, list(TeamMember.objects.filter(grid=grid))


@transaction.atomic
def add_member(user, code: str, *, role: str, name: str, phone: str = "", unit: str = "", duty: str = ""
               ) -> TeamMember:
    grid = grid_of(user, code, MANAGE)
    if role not in MemberRole.values:
        raise DomainError("invalid_role", f"角色应为：{'、'.join(MemberRole.labels)}")
    m = TeamMember(grid=grid, scope_key=grid.scope_key, role=role, name=_text(name, "姓名", 50),
                   unit=_text(unit, "单位", 100, False), duty=_text(duty, "服务内容", 200, False), **_phone(phone))
    m.save()
    audit.record(user, "create", "service_member", m.pk,
                 after={"grid": grid.code, "role": role, "unit": m.unit, **audit.names(["name", "phone"])})
    return m


@transaction.atomic
def reveal_phone(user, member_id: int, reason: str) -> str:
    """A team member's full phone, for a post with ``basedata.unmask`` within scope; recorded in the access log."""
    from gridgov.basedata.models import AccessAction
    from gridgov.basedata.services import PHONE_FIELD, log_access
    from gridgov.crypto import cipher

    require(user, VIEW)
    if not may_unmask(user):
        raise Forbidden("forbidden", "您的岗位无权查看完整电话")
    m = scoped(TeamMember.objects.all(), user, VIEW).filter(pk=member_id).first()
    if m is None:
        raise NotFound("unknown_member", "成员不存在或不在您的管辖范围内")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "查看完整电话须填写事由")
    log_access(user, AccessAction.UNMASK, "service_member", m.pk, "phone", 1, reason, m.scope_key)
    return cipher().decrypt(m.phone_cipher, PHONE_FIELD) if m.phone_cipher else ""


# ---------------------------------------------------------------- 志愿者


def volunteer_teams(user):
    return _community_rows(VolunteerTeam.objects.all(), user, VIEW).annotate(members=Count("volunteers", distinct=True))


def team_of(user, team_id, right: str = VIEW) -> VolunteerTeam:
    require(user, right)
    try:
        pk = int(team_id)
    except (TypeError, ValueError):
        pk = 0
    team = _community_rows(VolunteerTeam.objects.all(), user, right).filter(pk=pk).first()
    if team is None:
        raise NotFound("unknown_team", "志愿者队伍不存在或不在您的管辖范围内")
    return team


@transaction.atomic
def create_team(user, community: str, kind: str, name: str) -> VolunteerTeam:
    require(user, MANAGE)
    c = _community(user, community, MANAGE)
    if kind not in TeamKind.values:
        raise DomainError("invalid_kind", f"队伍类型应为：{'、'.join(TeamKind.labels)}")
    name = _text(name, "队伍名称", 100)
    if VolunteerTeam.objects.filter(scope_key=c.code, name=name).exists():
        raise DomainError("duplicate_team", f"{c.name}已有「{name}」")
    team = VolunteerTeam(scope_key=c.code, unit_name=c.name, kind=kind, name=name)
    audit.save_row(user, team, ("scope_key", "kind", "name"), "volunteer_team")
    return team


@transaction.atomic
def add_volunteer(user, team_id, *, name: str, phone: str = "", joined_on: dt.date | None = None) -> Volunteer:
    team = team_of(user, team_id, MANAGE)
    v = Volunteer(team=team, scope_key=team.scope_key, name=_text(name, "姓名", 50), joined_on=joined_on,
                  **_phone(phone))
    v.save()
    audit.record(user, "create", "volunteer", v.pk, after={"team": team.pk, **audit.names(["name", "phone"])})
    return v


def _hours(value) -> Decimal:
    try:
        h = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        h = None
    if h is None or not h.is_finite() or h <= 0 or h > MAX_HOURS or (h * 2) % 1 != 0:
        raise DomainError("invalid_hours", f"服务时长应为 0.5～{MAX_HOURS:.0f} 小时，以半小时计")
    return h.quantize(Decimal("0.1"))


@transaction.atomic
def record_activity(user, team_id, *, held_on: dt.date | None, place: str, content: str,
                    participants: list[tuple[int, object]]) -> Activity:
    """A volunteer activity and each participant's hours (at least one participant, each once, of this team)."""
    team = team_of(user, team_id, MANAGE)
    if held_on is None or not isinstance(held_on, dt.date):
        raise DomainError("invalid_date", "请填写活动日期")
    if not FIRST_DAY <= held_on <= timezone.localdate():
        raise DomainError("invalid_date", "活动日期不能晚于今天，也不能早于 2000 年")
    place, content = _text(place, "活动地点", 200), _text(content, "活动内容", 500)
    if not participants:
        raise DomainError("participants_required", "请至少选择一名参加的志愿者并填写服务时长")
    members = {v.pk: v for v in Volunteer.objects.filter(team=team, active=True)}
    rows, seen = [], set()
    for volunteer_id, hours in participants:
        v = members.get(volunteer_id)
        if v is None:
            raise DomainError("unknown_volunteer", "参加者须是本队在队的志愿者")
        if volunteer_id in seen:
            raise DomainError("duplicate_participant", "同一名志愿者在一次活动中只能登记一次")
        seen.add(volunteer_id)
        rows.append((v, _hours(hours)))
    a = Activity.objects.create(team=team, scope_key=team.scope_key, held_on=held_on, place=place, content=content,
                                recorded_by=user)
    Participation.objects.bulk_create([Participation(activity=a, volunteer=v, hours=h) for v, h in rows])
    audit.record(user, "create", "volunteer_activity", a.pk,
                 after={"team": team.pk, "held_on": held_on.isoformat(), "place": place, "content": content,
                        "participants": len(rows), "hours": str(sum((h for _, h in rows), Decimal("0")))})
    return a


def activities(team: VolunteerTeam, limit: int = 100):
    return team.activities.prefetch_related("participants__volunteer")[:limit]


def hours_ranking(user, team_id, year: int, month: int | None = None) -> list[dict]:
    """Each volunteer of the team with their hours and activities in the year (or the month), most hours first
    (then in the order they were registered; equal hours share a rank); volunteers without hours are listed with 0."""
    team = team_of(user, team_id)
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise DomainError("invalid_period", "年份应在 2000—2099 之间")
    if month is not None and not (isinstance(month, int) and 1 <= month <= 12):
        raise DomainError("invalid_period", "月份应为 1—12")
    period = {"activity__held_on__year": year} | ({"activity__held_on__month": month} if month else {})
    sums = {r["volunteer"]: r for r in Participation.objects.filter(volunteer__team=team, **period)
            .values("volunteer").annotate(total=Sum("hours"), n=Count("activity"))}
    out = []
    for v in team.volunteers.all():
        r = sums.get(v.pk, {})
        out.append({"volunteer_id": v.pk, "name": shown_name(user, v.name), "active": v.active,
                    "hours": Decimal(r.get("total") or 0).quantize(Decimal("0.1")), "activities": r.get("n", 0)})
    out.sort(key=lambda r: (-r["hours"], r["volunteer_id"]))
    rank, last = 0, None
    for i, r in enumerate(out, start=1):
        if r["hours"] != last:
            rank, last = i, r["hours"]
        r["rank"] = rank
    return out


# ---------------------------------------------------------------- 便民服务站与设施


def _located(lon, lat) -> dict:
    from gridgov.geo import locating

    lon, lat = locating.check_point(lon, lat)
    where = locating.locate(lon, lat, with_ids=True)
    if not where["inside"]:
        raise DomainError("outside_jurisdiction", f"位置（{lon:.6f}, {lat:.6f}）不在辖区范围内")
    return where


@transaction.atomic
def save_facility(user, *, kind: str, name: str, address: str, lon, lat, hours: str, phone: str = "",
                  services: str = "") -> Facility:
    require(user, MANAGE)
    if kind not in FacilityKind.values:
        raise DomainError("invalid_kind", f"设施类型应为：{'、'.join(FacilityKind.labels)}")
    where = _located(lon, lat)
    community = where["community"]["code"]
    if not reaches(user, community):
        raise NotFound("outside_scope", "该位置不在您的管辖范围内")
    f = Facility(kind=kind, name=_text(name, "名称", 100), address=_text(address, "地址", 200),
                 lon=float(lon), lat=float(lat), hours=_text(hours, "开放时间", 100), phone=_text(phone, "服务电话", 20, False),
                 services=_text(services, "服务项目", 300, False), scope_key=community)
    audit.save_row(user, f, ("kind", "name", "address", "lon", "lat", "hours", "phone", "services", "scope_key"),
                   "service_facility")
    return f


def place_of(user, *, lon=None, lat=None, address: str = "") -> tuple[float, float, str]:
    """The point searched from: a point, or the first match of an address of the address register."""
    from gridgov.addresses.search import search, visible
    from gridgov.geo import locating

    if lon is not None and lat is not None:
        lon, lat = locating.check_point(lon, lat)
        return lon, lat, f"（{lon:.6f}, {lat:.6f}）"
    address = (address or "").strip()
    if not address:
        raise DomainError("place_required", "请填写地址，或给出经纬度")
    if len(address) > 200:
        raise DomainError("too_long", "地址最多 200 个字")
    a = search(visible(user), address).first()
    if a is None:
        raise NotFound("address_not_found", f"标准地址中没有找到「{address}」，请换个写法或在地图上选点")
    return a.lon, a.lat, a.text


def nearby(user, *, lon=None, lat=None, address: str = "", kind: str = "") -> dict:
    """Facilities within 15 minutes' walk (logic.walk: 1,000 m straight line) of the place, nearest first."""
    require_reader(user)
    if kind and kind not in FacilityKind.values:
        raise DomainError("invalid_kind", f"设施类型应为：{'、'.join(FacilityKind.labels)}")
    x, y, label = place_of(user, lon=lon, lat=lat, address=address)
    from gridgov.addresses.logic import box

    x0, y0, x1, y1 = box(x, y, WALK_RADIUS_M)
    qs = Facility.objects.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)
    if kind:
        qs = qs.filter(kind=kind)
    found = within_walk(x, y, list(qs), WALK_RADIUS_M)
    return {"lon": x, "lat": y, "place": label, "radius_m": WALK_RADIUS_M,
            "items": [{"facility": f, "distance_m": round(d), "minutes": walk_minutes(d)} for f, d in found]}


# ---------------------------------------------------------------- 服务承诺


@transaction.atomic
def save_pledge(user, community: str, *, post: str, text: str, time_limit: str) -> Pledge:
    require(user, MANAGE)
    c = _community(user, community, MANAGE)
    p = Pledge(scope_key=c.code, unit_name=c.name, post=_text(post, "岗位", 20), text=_text(text, "承诺内容", 500),
               time_limit=_text(time_limit, "时限", 100))
    audit.save_row(user, p, ("scope_key", "post", "text", "time_limit"), "service_pledge")
    return p


def public_pledges(community: str) -> tuple[Jurisdiction, list[Pledge]]:
    """A community's pledges as shown to everyone (no sign-in)."""
    j = Jurisdiction.objects.filter(code=(community or "").strip(), level=Level.COMMUNITY).first()
    if j is None:
        raise NotFound("unknown_community", f"社区「{community}」不存在")
    return j, list(Pledge.objects.filter(scope_key=j.code, active=True))


# ---------------------------------------------------------------- 居家养老服务目录与申请


def time_limit(item: ElderlyItem) -> tuple[Decimal, str, str]:
    """The item's time limit: its matter's 处置 deadline rule (amount, unit, label)."""
    from gridgov.catalog.services import deadline_for
    from gridgov.worktime.logic.sla import UNIT_LABELS

    amount, unit = deadline_for(item.matter, "normal", "", "handle")
    return amount, unit, f"{amount.normalize():f} {UNIT_LABELS.get(unit, unit)}"


def catalogue() -> list[dict]:
    items = ElderlyItem.objects.select_related("matter")
    return [{"item": i, "code": i.matter.code, "limit": time_limit(i)[2]} for i in items]


def item_of(code: str) -> ElderlyItem:
    item = ElderlyItem.objects.select_related("matter").filter(matter__code=(code or "").strip()).first()
    if item is None or not item.matter.active:
        raise NotFound("unknown_item", f"居家养老服务项目「{code}」不存在或已停用")
    return item


@transaction.atomic
def request_service(user, *, item: str, name: str, phone: str, address: str, lon=None, lat=None, note: str = ""
                    ) -> ServiceRequest:
    """A resident's request (or staff's on a resident's behalf): a case of the item's matter through the intake."""
    from gridgov.basedata.services import clean_phone, phone_fields
    from gridgov.cases.services.intake import intake

    require(user, REQUEST)
    it = item_of(item)
    name = _text(name, "申请人姓名", 50)
    phone = clean_phone(phone, required=True)
    note = _text(note, "需求说明", 500, False)
    x, y, found = place_of(user, lon=lon, lat=lat, address=address)
    address = _text(address, "服务地址", 200, False) or found
    source = "resident" if user.role == Role.RESIDENT else REQUEST_SOURCE.get(Role(user.role), "hotline")
    description = f"【居家养老·{it.class_name}】{it.name}" + (f"：{note}" if note else "")
    result = intake(user, source=source, lon=x, lat=y, description=description, matter=it.matter.code,
                    address=address, reporter_name=name, reporter_phone=phone, find_duplicates=False)
    r = ServiceRequest.objects.create(item=it, case=result.case, scope_key=result.case.scope_key, name=name,
                                      address=address, note=note, requested_by=user,
                                      on_behalf=user.role != Role.RESIDENT, **phone_fields(phone))
    audit.record(user, "create", "service_request", r.pk,
                 after={"item": it.matter.code, "case": result.case.number, "on_behalf": r.on_behalf,
                        **audit.names(["name", "phone", "address"])})
    return r


def requests(user):
    """Requests the user may read: staff within their scope; a resident (and anyone) those they submitted."""
    qs = ServiceRequest.objects.select_related("item", "case")
    if user.is_superuser or roles.has_right(user.role, VIEW):
        return scoped(qs, user, VIEW)
    require(user, REQUEST)
    return qs.filter(requested_by=user)


def request_of(user, pk) -> ServiceRequest:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    r = requests(user).filter(pk=pk).first()
    if r is None:
        raise NotFound("unknown_request", "服务申请不存在或不在您的管辖范围内")
    return r


def own_community(user) -> str:
    """The community code of the user's scope, when it is within one (for the pages' defaults)."""
    prefix = scope_prefix(user) or ""
    return prefix[:12] if len(prefix) >= 12 else ""


def may_read(user) -> bool:
    return user.is_superuser or roles.has_right(user.role, VIEW)


def require_reader(user) -> None:
    """The catalogue and the facilities are read by staff (``services.view``) and by those who request."""
    if not may_read(user):
        require(user, REQUEST)
