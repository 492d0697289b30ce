"""The only writer of 人员网格 (grids of people); every public write owns its transaction, checks the right and the
scope, and appends one audit record (personal data as field names and counts, never values). Refused writes raise
DomainError with a stable code and write nothing.

Reads start from ``scoped(Organisation, …)``: an organisation is seen by whoever may see its management grid. A
member whose account is linked (``Member.user``) may open their own group's page, report from it, and — when they
are its cadre — confirm a notice for it, without any staff right.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, OutOfScope, get_scoped, in_scope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound

from .logic import conditions as cl
from .logic import meetings as ml
from .logic import returns as rl
from .models import (
    KINDS,
    DynamicGroup,
    Group,
    GroupReport,
    Holiday,
    Meeting,
    Member,
    Notice,
    Organisation,
    Receipt,
    Whereabouts,
)

VIEW, MANAGE = roles.GROUPS_VIEW, roles.GROUPS_MANAGE
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def has(user, right: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or roles.has_right(user.role, right))


def may_unmask(user) -> bool:
    """Members' and residents' names in full: the posts that manage groups (they keep these lists); others masked."""
    return has(user, MANAGE)


def shown_name(user, name: str) -> str:
    from gridgov.basedata.logic.ids import mask_name

    return name if may_unmask(user) else mask_name(name)


def mask_place(place: str) -> str:
    """A whereabouts' place for posts that only read: its first two characters, 「江苏***」."""
    return f"{place[:2]}***" if place else ""


# ---------------------------------------------------------------- input


def _text(value, label: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}")
    if len(text) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字")
    return text


def _day(value, label: str, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise DomainError("invalid_date", f"请填写{label}")
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("invalid_date", f"{label}应为日期（如 2026-11-02），收到「{value}」") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("invalid_date", f"{label}应在 {FIRST_DAY} 至 {LAST_DAY} 之间，收到 {day}")
    return day


def _int(value, label: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("invalid_id", f"{label}应为编号") from None


# ---------------------------------------------------------------- reading


def organisations(user):
    return scoped(Organisation.objects.all(), user, VIEW).annotate(
        n_groups=Count("groups", distinct=True), n_members=Count("members", distinct=True)).order_by("name", "id")


def get_org(user, pk, right: str = VIEW) -> Organisation:
    try:
        return get_scoped(Organisation.objects.all(), user, right, pk=_int(pk, "单位"))
    except OutOfScope:
        raise NotFound("organisation_not_found", "单位不存在或不在您的管辖范围内") from None


def _own_member(user, group: Group) -> Member | None:
    """The user's own membership in this group (or its cadre's), for accounts linked to a member."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(Q(group=group) | Q(leads=group), user=user).order_by("id").first()


@dataclass
class Access:
    group: Group
    staff: bool  # groups.view in scope (else: a member of this group)
    me: Member | None


def open_group(user, pk) -> Access:
    """A group's page: staff with groups.view within scope, or a member (or the cadre) of the group."""
    g = Group.objects.select_related("organisation", "parent", "cadre").filter(pk=_int(pk, "网格")).first()
    if g is None:
        raise NotFound("group_not_found", "网格不存在或不在您的管辖范围内")
    me = _own_member(user, g)
    if has(user, VIEW) and in_scope(user, g.organisation.scope_key):
        return Access(g, True, me)
    if me is not None:
        return Access(g, False, me)
    if not has(user, VIEW):
        raise NoRight(VIEW)
    raise NotFound("group_not_found", "网格不存在或不在您的管辖范围内")


def my_groups(user) -> list[tuple[Group, Member]]:
    """The groups an account belongs to as a member (its own group, and the groups it is the cadre of)."""
    out = []
    for m in Member.objects.filter(user=user).select_related("group", "group__organisation").order_by("id"):
        out.append((m.group, m))
        out += [(g, m) for g in m.leads.select_related("organisation").exclude(pk=m.group_id).order_by("id")]
    return out


def tree(org: Organisation) -> list[tuple[Group, int]]:
    """The groups of an organisation in tree order, each with its depth (0: top)."""
    groups = list(org.groups.select_related("cadre").annotate(n=Count("members")).order_by("name", "id"))
    children: dict[int | None, list[Group]] = {}
    for g in groups:
        children.setdefault(g.parent_id, []).append(g)
    out: list[tuple[Group, int]] = []

    def walk(parent, depth):
        for g in children.get(parent, []):
            out.append((g, depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return out


def leaves(org: Organisation) -> list[Group]:
    """The groups without sub-groups (寝室 of a class): a notice to 「all groups」 goes to them."""
    return list(org.groups.filter(children__isnull=True).order_by("name", "id"))


# ---------------------------------------------------------------- organisations, groups, members


def _grid(user, code: str):
    from gridgov.geo.models import Grid

    code = _text(code, "所在网格", 40, required=True)
    grid = Grid.objects.filter(layer__code="management", code=code).first()
    if grid is None or not in_scope(user, grid.scope_key):
        raise NotFound("grid_not_found", f"网格「{code}」不存在或不在您的管辖范围内")
    return grid


def _place(grid) -> tuple[float, float]:
    """Where reports of an organisation are placed: a point inside its grid's first unit grid (else the grid)."""
    from gridgov.geo.models import Grid

    unit = Grid.objects.filter(layer__code="unit", parent=grid).order_by("code").first()
    p = (unit or grid).shape.representative_point()
    return p.x, p.y


@transaction.atomic
def create_organisation(user, data: dict) -> Organisation:
    require(user, MANAGE)
    kind = data.get("kind") or "school"
    if kind not in KINDS:
        raise DomainError("invalid_kind", f"类型应为：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}")
    grid = _grid(user, data.get("grid", ""))
    lon, lat = _place(grid)
    try:
        every = int(data.get("meeting_every") or ml.INTERVAL_DAYS)
    except (TypeError, ValueError):
        raise DomainError("invalid_interval", "例会间隔应为天数（整数）") from None
    if not 1 <= every <= 92:
        raise DomainError("invalid_interval", "例会间隔应在 1 至 92 天之间")
    o = Organisation.objects.create(
        name=_text(data.get("name"), "单位名称", 100, required=True), kind=kind, scope_key=grid.scope_key,
        lon=lon, lat=lat, address=_text(data.get("address"), "地址", 200), head=_text(data.get("head"), "负责人", 50),
        meeting_start=_day(data.get("meeting_start"), "例会起始日期", required=False), meeting_every=every,
        created_by=user)
    audit.record(user, "create", "group_org", o.pk, after={"name": o.name, "kind": kind, "scope_key": o.scope_key,
                                                           "meeting_start": str(o.meeting_start or "")})
    return o


@transaction.atomic
def add_group(user, org_id, name: str, parent_id=None) -> Group:
    org = get_org(user, org_id, MANAGE)
    name = _text(name, "网格名称", 50, required=True)
    parent = None
    if parent_id not in (None, ""):
        parent = Group.objects.filter(organisation=org, pk=_int(parent_id, "上级网格")).first()
        if parent is None:
            raise DomainError("invalid_parent", "上级网格不属于该单位")
    if Group.objects.filter(organisation=org, name=name).exists():
        raise Conflict("group_exists", f"该单位已有名为「{name}」的网格")
    g = Group.objects.create(organisation=org, parent=parent, name=name)
    audit.record(user, "create", "group", g.pk, after={"organisation": org.pk, "name": name,
                                                       "parent": parent.pk if parent else None})
    return g


@transaction.atomic
def add_member(user, org_id, data: dict) -> Member:
    """A member of one group of the organisation: a name and phone, or a resident of the basic data; ``cadre`` makes
    them the group's 负责人; ``username`` links their account (they may then open their group's page)."""
    from gridgov.accounts.models import User
    from gridgov.basedata import rights
    from gridgov.basedata.models import Resident
    from gridgov.basedata.services import clean_phone, phone_fields

    org = get_org(user, org_id, MANAGE)
    group = Group.objects.filter(organisation=org, pk=_int(data.get("group_id"), "网格")).first()
    if group is None:
        raise DomainError("invalid_group", "网格不属于该单位")
    m = Member(organisation=org, group=group, title=_text(data.get("title"), "职务", 20))
    if data.get("resident_id"):
        try:
            r = rights.get_scoped(Resident.objects.all(), user, rights.VIEW, pk=int(data["resident_id"]))
        except (OutOfScope, NoRight, ValueError, TypeError):
            raise NotFound("resident_not_found", "实有人口不存在或不在您的管辖范围内") from None
        m.resident, m.name = r, r.name
        m.phone_cipher, m.phone_masked, m.phone_index = r.phone_cipher, r.phone_masked, r.phone_index
    else:
        m.name = _text(data.get("name"), "成员姓名", 50, required=True)
        phone = clean_phone(data.get("phone"))
        for k, v in (phone_fields(phone) if phone else {}).items():
            setattr(m, k, v)
    username = _text(data.get("username"), "账号", 150)
    if username:
        m.user = User.objects.filter(username=username, is_active=True).first()
        if m.user is None:
            raise DomainError("user_not_found", f"账号「{username}」不存在")
    m.save()
    if data.get("cadre"):
        group.cadre = m
        group.save(update_fields=["cadre"])
    audit.record(user, "create", "group_member", m.pk, after={
        "group": group.pk, "resident": m.resident_id, "user": m.user_id, "cadre": bool(data.get("cadre")),
        **audit.names(["name", "phone"])})
    return m


def members(org: Organisation):
    return org.members.select_related("group").order_by("group__name", "id")


# ---------------------------------------------------------------- notices with confirmation (003 篇4: 「通知时并未落实到个人」)


@transaction.atomic
def send_notice(user, org_id, title: str, body: str = "", group_ids=None, confirm_by=None) -> Notice:
    """A notice to the groups named (of this organisation), or to all its groups without sub-groups."""
    org = get_org(user, org_id, MANAGE)
    if group_ids:
        ids = {_int(x, "网格") for x in group_ids}
        targets = list(Group.objects.filter(organisation=org, pk__in=ids))
        if len(targets) != len(ids):
            raise DomainError("invalid_group", "所选网格不属于该单位")
    else:
        targets = leaves(org)
    if not targets:
        raise DomainError("no_groups", "该单位还没有网格，请先添加网格")
    n = Notice.objects.create(organisation=org, title=_text(title, "通知标题", 100, required=True),
                              body=_text(body, "通知内容", 5000),
                              confirm_by=_day(confirm_by, "确认期限", required=False), sent_by=user)
    Receipt.objects.bulk_create([Receipt(notice=n, group=g) for g in targets])
    audit.record(user, "send", "group_notice", n.pk, after={"organisation": org.pk, "groups": len(targets)})
    return n


def get_notice(user, pk) -> Notice:
    require(user, VIEW)
    n = Notice.objects.select_related("organisation").filter(pk=_int(pk, "通知")).first()
    if n is None or not in_scope(user, n.organisation.scope_key):
        raise NotFound("notice_not_found", "通知不存在或不在您的管辖范围内")
    return n


def receipts(notice: Notice) -> tuple[list[Receipt], list[Receipt]]:
    """(confirmed, missing) — the groups that confirmed, and those that have not yet."""
    rows = list(notice.receipts.select_related("group", "group__cadre", "member", "confirmed_by")
                .order_by("group__name", "id"))
    return [r for r in rows if r.confirmed_at], [r for r in rows if not r.confirmed_at]


@transaction.atomic
def confirm_notice(user, notice_id, group_id, member_id=None) -> Receipt:
    """确认: a group's cadre confirms for the group — themselves (a linked account) or recorded by staff who manage
    groups in scope. Twice is refused (409 already_confirmed)."""
    n = Notice.objects.select_related("organisation").filter(pk=_int(notice_id, "通知")).first()
    if n is None:
        raise NotFound("notice_not_found", "通知不存在或不在您的管辖范围内")
    # lock the receipt row alone (PostgreSQL refuses FOR UPDATE over the outer join to a group without a cadre)
    r = Receipt.objects.select_for_update(of=("self",)).select_related("group", "group__cadre").filter(
        notice=n, group_id=_int(group_id, "网格")).order_by("pk").first()
    in_reach = in_scope(user, n.organisation.scope_key)
    cadre = r is not None and r.group.cadre is not None and r.group.cadre.user_id == getattr(user, "pk", None)
    if not (cadre or (has(user, MANAGE) and in_reach)):
        if has(user, VIEW) and not in_reach:
            raise NotFound("notice_not_found", "通知不存在或不在您的管辖范围内")
        raise NoRight(MANAGE)
    if r is None:
        raise DomainError("not_addressed", "该网格不在这条通知的接收范围内")
    if r.confirmed_at:
        raise Conflict("already_confirmed",
                       f"「{r.group.name}」已于 {timezone.localtime(r.confirmed_at):%Y-%m-%d %H:%M} 确认，不能重复确认")
    member = r.group.cadre if cadre else None
    if member_id not in (None, ""):
        member = Member.objects.filter(pk=_int(member_id, "确认人"), group=r.group).first()
        if member is None:
            raise DomainError("invalid_member", "确认人不是该网格的成员")
    r.confirmed_at, r.confirmed_by, r.member = timezone.now(), user, member
    r.save(update_fields=["confirmed_at", "confirmed_by", "member"])
    audit.record(user, "confirm", "group_notice", n.pk, after={"group": r.group_id, "member": r.member_id})
    return r


# ---------------------------------------------------------------- holidays: whereabouts and the return check


@transaction.atomic
def create_holiday(user, org_id, name: str, starts_on, ends_on, return_due_on=None) -> Holiday:
    org = get_org(user, org_id, MANAGE)
    starts, ends = _day(starts_on, "假期开始日期"), _day(ends_on, "假期结束日期")
    due = _day(return_due_on, "返回截止日期", required=False) or ends
    if ends < starts:
        raise DomainError("invalid_dates", f"假期结束日期 {ends} 早于开始日期 {starts}")
    if due < ends:
        raise DomainError("invalid_dates", f"返回截止日期 {due} 早于假期结束日期 {ends}")
    h = Holiday.objects.create(organisation=org, name=_text(name, "假期名称", 50, required=True), starts_on=starts,
                               ends_on=ends, return_due_on=due, created_by=user)
    audit.record(user, "create", "group_holiday", h.pk, after={"organisation": org.pk, "starts_on": str(starts),
                                                               "ends_on": str(ends), "return_due_on": str(due)})
    return h


def get_holiday(user, pk, right: str = VIEW) -> Holiday:
    h = Holiday.objects.select_related("organisation").filter(pk=_int(pk, "假期")).first()
    require(user, right)
    if h is None or not in_scope(user, h.organisation.scope_key):
        raise NotFound("holiday_not_found", "假期不存在或不在您的管辖范围内")
    return h


def _member_of(org, member_id) -> Member:
    m = Member.objects.filter(organisation=org, pk=_int(member_id, "成员")).first()
    if m is None:
        raise DomainError("invalid_member", "成员不属于该单位")
    return m


@transaction.atomic
def record_whereabouts(user, holiday_id, member_id, plan: str, place: str = "", leave_on=None, back_on=None
                       ) -> Whereabouts:
    """假期去向: stay, or leave for a place with the dates (a planned return before the departure is refused).
    Recorded again before the member is back, it replaces the plan."""
    h = get_holiday(user, holiday_id, MANAGE)
    m = _member_of(h.organisation, member_id)
    place = _text(place, "去向地点", 100)
    leave, back = _day(leave_on, "离开日期", required=False), _day(back_on, "计划返回日期", required=False)
    refusal = rl.plan_refusal(plan, place, leave, back, h.starts_on, h.ends_on)
    if refusal:
        raise DomainError(*refusal)
    w = Whereabouts.objects.select_for_update().filter(holiday=h, member=m).order_by("pk").first()
    if w is not None and w.returned_on:
        raise Conflict("already_returned", f"已于 {w.returned_on} 登记返回，不能再修改去向")
    if plan == "stay":
        place, leave, back = "", None, None
    w = w or Whereabouts(holiday=h, member=m)
    w.plan, w.place, w.leave_on, w.back_on, w.recorded_by = plan, place, leave, back, user
    w.save()
    audit.record(user, "whereabouts", "group_holiday", h.pk, after={
        "member": m.pk, "plan": plan, "leave_on": str(leave or ""), "back_on": str(back or ""),
        **audit.names(["place"] if place else [])})
    return w


@transaction.atomic
def record_return(user, holiday_id, member_id, returned_on=None) -> Whereabouts:
    """返回登记: the day the member came back (a return before the departure, or twice, is refused)."""
    h = get_holiday(user, holiday_id, MANAGE)
    m = _member_of(h.organisation, member_id)
    w = Whereabouts.objects.select_for_update().filter(holiday=h, member=m).order_by("pk").first()
    if w is None:
        raise DomainError("no_whereabouts", f"「{m.name}」的假期去向尚未登记")
    day = _day(returned_on, "返回日期", required=False) or timezone.localdate()
    refusal = rl.return_refusal(w.plan, w.leave_on, day, w.returned_on)
    if refusal:
        raise (Conflict if refusal[0] == "already_returned" else DomainError)(*refusal)
    w.returned_on = day
    w.save(update_fields=["returned_on", "updated_at"])
    audit.record(user, "return", "group_holiday", h.pk, after={
        "member": m.pk, "returned_on": str(day), "state": rl.state(w.plan, day, h.return_due_on, day)})
    return w


@dataclass
class ReturnRow:
    member: Member
    name: str
    group: str
    plan: str | None
    plan_label: str
    place: str
    leave_on: dt.date | None
    back_on: dt.date | None
    returned_on: dt.date | None
    state: str
    state_label: str


def return_check(user, h: Holiday, today: dt.date | None = None) -> list[ReturnRow]:
    """Every member of the organisation with their 去向 and return state. Places are shown in full to posts that
    manage groups — that reading is written to the personal-data access log — and masked to the others."""
    from gridgov.basedata.services import log_access

    today = today or timezone.localdate()
    full = has(user, MANAGE)
    plans = {w.member_id: w for w in h.whereabouts.all()}
    rows = []
    for m in members(h.organisation):
        w = plans.get(m.pk)
        s = rl.state(w.plan if w else None, w.returned_on if w else None, h.return_due_on, today)
        rows.append(ReturnRow(m, shown_name(user, m.name), m.group.name, w.plan if w else None,
                              rl.PLANS[w.plan] if w else "未登记",
                              (w.place if full else mask_place(w.place)) if w else "", w.leave_on if w else None,
                              w.back_on if w else None, w.returned_on if w else None, s, rl.STATES[s]))
    shown = sum(1 for r in rows if r.place)
    if full and shown:
        log_access(user, "unmask", "group_whereabouts", h.pk, "place", shown, "假期去向与返回核查",
                   h.organisation.scope_key)
    return rows


# ---------------------------------------------------------------- 例会 every two weeks, minutes, missed ones


@dataclass
class MeetingPlan:
    scheduled: list[dt.date]
    held: dict[dt.date, Meeting]
    missed: list[dt.date]
    next_due: dt.date | None


def meeting_plan(org: Organisation, today: dt.date | None = None) -> MeetingPlan:
    today = today or timezone.localdate()
    held = {m.scheduled_for: m for m in org.meetings.all()}
    if org.meeting_start is None:
        return MeetingPlan([], held, [], None)
    scheduled = ml.due_dates(org.meeting_start, today, org.meeting_every)
    return MeetingPlan(scheduled, held, ml.missed(scheduled, set(held), today),
                       ml.next_due(org.meeting_start, today, org.meeting_every))


@transaction.atomic
def record_meeting(user, org_id, scheduled_for, held_on, minutes: str, recorder: str = "", attendees=0) -> Meeting:
    """例会纪要 for a scheduled day (held on it or within the interval after; not in the future)."""
    org = get_org(user, org_id, MANAGE)
    if org.meeting_start is None:
        raise DomainError("no_schedule", "该单位未设置例会起始日期")
    planned, held = _day(scheduled_for, "计划日期"), _day(held_on, "召开日期")
    if planned not in ml.due_dates(org.meeting_start, planned, org.meeting_every):
        raise DomainError("not_scheduled", f"{planned} 不是例会计划日期（每 {org.meeting_every} 天一次，自"
                                           f" {org.meeting_start} 起）")
    if held > timezone.localdate():
        raise DomainError("invalid_date", "召开日期不能晚于今天")
    if not planned - dt.timedelta(days=org.meeting_every) < held < planned + dt.timedelta(days=org.meeting_every):
        raise DomainError("invalid_date", f"召开日期应在计划日期 {planned} 前后 {org.meeting_every - 1} 天内")
    if Meeting.objects.filter(organisation=org, scheduled_for=planned).exists():
        raise Conflict("meeting_exists", f"{planned} 的例会纪要已登记")
    try:
        attendees = int(attendees or 0)
    except (TypeError, ValueError):
        raise DomainError("invalid_attendees", "到会人数应为整数") from None
    if not 0 <= attendees <= 1000:
        raise DomainError("invalid_attendees", "到会人数应在 0 至 1000 之间")
    m = Meeting.objects.create(organisation=org, scheduled_for=planned, held_on=held,
                               minutes=_text(minutes, "会议纪要", 10000, required=True),
                               recorder=_text(recorder, "记录人", 50), attendees=attendees, created_by=user)
    audit.record(user, "minutes", "group_org", org.pk, after={"scheduled_for": str(planned), "held_on": str(held),
                                                              "attendees": attendees})
    return m


# ---------------------------------------------------------------- members' reports enter the loop


@transaction.atomic
def report(user, group_id, description: str, member_id=None, matter: str | None = None) -> GroupReport:
    """A problem reported from a group's page becomes a case through the intake service, placed at the
    organisation, its text marked with the organisation and group, and this record naming them as its source."""
    from gridgov.accounts.roles import Role
    from gridgov.cases.services import intake

    a = open_group(user, group_id)
    g, org = a.group, a.group.organisation
    member = a.me
    if member_id not in (None, ""):
        member = Member.objects.filter(pk=_int(member_id, "反映人"), group=g).first()
        if member is None:
            raise DomainError("invalid_member", "反映人不是该网格的成员")
    text = _text(description, "问题描述", 1900, required=True)
    source = "resident" if user.role == Role.RESIDENT else "grid_worker"
    result = intake(user, source=source, lon=org.lon, lat=org.lat, address=org.address or org.name,
                    description=f"【人员网格·{org.name}·{g.name}】{text}", matter=matter or None,
                    find_duplicates=False)
    r = GroupReport.objects.create(group=g, member=member, case=result.case, reported_by=user)
    audit.record(user, "report", "group", g.pk, after={"case": result.case.number, "member": r.member_id})
    return r


def reports_of(group: Group):
    return group.reports.select_related("case").order_by("-created_at", "-id")


# ---------------------------------------------------------------- dynamic groups of residents by conditions


def _node(user, key: str) -> str:
    from gridgov.geo.models import Grid, Jurisdiction

    key = _text(key, "范围", 100, required=True)
    known = Jurisdiction.objects.filter(code=key).exists() or Grid.objects.filter(
        layer__code="management", scope_key=key).exists()
    if not known or not in_scope(user, key):
        raise NotFound("place_not_found", f"范围「{key}」不存在或不在您的管辖范围内")
    return key


@transaction.atomic
def create_dynamic(user, name: str, place: str, conditions, responsible: str, responsible_username: str = ""
                   ) -> DynamicGroup:
    from gridgov.accounts.models import User

    require(user, MANAGE)
    try:
        cleaned = cl.clean(conditions)
    except ValueError as e:
        raise DomainError("invalid_conditions", str(e)) from None
    owner = None
    if responsible_username:
        owner = User.objects.filter(username=responsible_username, is_active=True).first()
        if owner is None:
            raise DomainError("user_not_found", f"账号「{responsible_username}」不存在")
    d = DynamicGroup.objects.create(name=_text(name, "名称", 50, required=True), scope_key=_node(user, place),
                                    conditions=cleaned, responsible=_text(responsible, "负责人", 50, required=True),
                                    responsible_user=owner, created_by=user)
    audit.record(user, "create", "group_dynamic", d.pk, after={"name": d.name, "scope_key": d.scope_key,
                                                               "conditions": cleaned})
    return d


def dynamic_groups(user):
    return scoped(DynamicGroup.objects.all(), user, VIEW).order_by("name", "id")


def get_dynamic(user, pk) -> DynamicGroup:
    try:
        return get_scoped(DynamicGroup.objects.all(), user, VIEW, pk=_int(pk, "动态网格"))
    except OutOfScope:
        raise NotFound("dynamic_not_found", "动态人群网格不存在或不在您的管辖范围内") from None


def dynamic_members(user, d: DynamicGroup, today: dt.date | None = None):
    """The residents (active, within the group's place and the reader's scope) who meet every condition now."""
    from gridgov.basedata.models import Resident

    today = today or timezone.localdate()
    qs = scoped(Resident.objects.all(), user, VIEW).filter(scope_key__startswith=d.scope_key, status="active")
    born_by, born_after = cl.birth_bounds(d.conditions, today)
    if born_by:
        qs = qs.filter(birth_date__lte=born_by)
    if born_after:
        qs = qs.filter(birth_date__gt=born_after)
    for c in d.conditions:
        if c["field"] == "gender":
            qs = qs.filter(gender=c["value"])
        elif c["field"] == "reg_type":
            qs = qs.filter(reg_type=c["value"])
        elif c["field"] == "tag":
            qs = qs.filter(Q(tags__until__isnull=True) | Q(tags__until__gt=today), tags__category__code=c["value"])
        elif c["field"] == "living_alone":
            qs = qs.annotate(hh_size=Count("household__members", filter=Q(household__members__status="active"),
                                           distinct=True))
            qs = qs.filter(hh_size=1) if c["value"] else qs.exclude(hh_size=1)
    return qs.distinct().order_by("birth_date", "id")


def describe(d: DynamicGroup) -> str:
    from gridgov.basedata.models import KeyCategory, RegistrationType

    labels = dict(KeyCategory.objects.values_list("code", "name")) | dict(RegistrationType.choices)
    return cl.describe(d.conditions, labels)


def age(birth: dt.date, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
