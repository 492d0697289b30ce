"""The only reader and writer of party building (党建引领). Party membership is restricted personal data:

- every read needs ``party.view`` (a post without it gets NoRight → 403 — never an empty answer that would tell
  "not a member") and is scoped by the one primitive; every read that names members (a list, an organisation's
  members, a member, a resident's attribute, the 报到 and 帮扶对子 lists and pages) writes one line to basedata's
  access log (``log_access``: who, what, how many — never the values);
- names are shown in full only to posts that may unmask basedata (``basedata.unmask``), masked otherwise; phones
  and ID numbers always masked, as basedata does;
- every write needs ``party.manage``, owns its transaction, checks the scope of what it touches and appends one
  audit record (personal data as field names, never values). Refused writes raise DomainError with a stable code
  and write nothing.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, ensure_in_scope, get_scoped, require, scope_prefix, scoped
from gridgov.audit import services as audit
from gridgov.basedata.logic.ids import mask_name
from gridgov.basedata.models import AccessAction, Household, Resident, ResidentStatus
from gridgov.basedata.services import log_access
from gridgov.errors import Conflict, DomainError, NotFound

from .logic import pairs as pair_logic
from .models import (
    HomeVisit,
    Member,
    MemberStatus,
    OrgKind,
    Pair,
    PairVisit,
    PartyOrg,
    Pledge,
    Registration,
    RegistrationStatus,
)

VIEW, MANAGE = roles.PARTY_VIEW, roles.PARTY_MANAGE
FIRST_DAY = dt.date(1921, 7, 1)
PARTY_FIELD = "party"  # the access log's and the audit's name for the attribute (never its value)


# ---------------------------------------------------------------- input


def day(value, label: str, *, future: bool = False) -> dt.date:
    """A date from the API (a date) or a form (text); never after today unless ``future``."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError("invalid_date", f"{label}应为日期（如 2026-11-02），收到「{value}」") from None
    if value < FIRST_DAY:
        raise DomainError("invalid_date", f"{label}不能早于 {FIRST_DAY}")
    if not future and value > timezone.localdate():
        raise DomainError("future_date", f"{label}不能晚于今天（{timezone.localdate()}）")
    return value


def text(value, label: str, limit: int, required: bool = False) -> str:
    out = str(value or "").strip()
    if required and not out:
        raise DomainError("required", f"请填写{label}")
    if len(out) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字")
    return out


def _int(value, label: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("invalid_input", f"请选择{label}") from None


def pair_days(days=None) -> int:
    """The overdue period of 帮扶对子 (days): asked for, or the configured default (GRIDGOV_PARTY_PAIR_VISIT_DAYS)."""
    if days in (None, ""):
        return settings.GRIDGOV["PARTY_PAIR_VISIT_DAYS"]
    n = _int(days, "走访周期")
    problem = pair_logic.days_problem(n)
    if problem:
        raise DomainError("invalid_days", problem)
    return n


# ---------------------------------------------------------------- showing people


def may_unmask(user) -> bool:
    return user.is_superuser or roles.has_right(user.role, roles.BD_UNMASK)


def person(user, r: Resident) -> dict:
    """A resident as party pages show them: the name in full for posts that may unmask, masked otherwise; the
    phone and ID number always masked."""
    return {"resident_id": r.pk, "name": r.name if may_unmask(user) else mask_name(r.name),
            "phone": r.phone_masked, "id_number": r.id_masked}


def _log(user, action: str, target: str, object_id="", count: int = 1, reason: str = "", scope_key=None) -> None:
    if scope_key is None:
        scope_key = scope_prefix(user) or ""
    log_access(user, action, target, object_id, PARTY_FIELD, count, reason, scope_key)


# ---------------------------------------------------------------- reads


def orgs(user):
    return (scoped(PartyOrg.objects.all(), user, VIEW).select_related("community", "leader__resident")
            .annotate(n_members=Count("members")))


def org_list(user) -> list[PartyOrg]:
    """The organisations of the user's scope with their leaders (members: logged)."""
    rows = list(orgs(user))
    _log(user, AccessAction.SEARCH, "party_org", "", len(rows), "查看网格党组织")
    return rows


def get_org(user, pk: int) -> tuple[PartyOrg, list[Member]]:
    """An organisation and its members (a read of the members: logged)."""
    org = get_scoped(orgs(user), user, VIEW, pk=pk)
    members = list(scoped(Member.objects.filter(org=org), user, VIEW).select_related("resident"))
    _log(user, AccessAction.SEARCH, "party_org", org.pk, len(members), "查看网格党组织党员", org.scope_key)
    return org, members


def members(user, org_id: int | None = None, year: int | None = None) -> list[Member]:
    """党员名册 of the user's scope, each with its 承诺 and 入户 counts in ``year`` (default this year). Logged."""
    year = year or timezone.localdate().year
    qs = (scoped(Member.objects.all(), user, VIEW).select_related("resident", "org")
          .annotate(n_pledges=Count("pledges", filter=Q(pledges__year=year), distinct=True),
                    n_visits=Count("home_visits", filter=Q(home_visits__visited_on__year=year), distinct=True)))
    if org_id:
        qs = qs.filter(org_id=org_id)
    rows = list(qs)
    _log(user, AccessAction.SEARCH, "party_member", "", len(rows), "查看党员名册")
    return rows


def yearly(member: Member) -> list[dict]:
    """承诺 and 入户 counted per year, newest year first."""
    years: dict[int, dict] = {}
    for y, n in member.pledges.values_list("year").annotate(n=Count("id")):
        years.setdefault(y, {"year": y, "pledges": 0, "visits": 0})["pledges"] = n
    for d in member.home_visits.values_list("visited_on", flat=True):
        years.setdefault(d.year, {"year": d.year, "pledges": 0, "visits": 0})["visits"] += 1
    return [years[y] for y in sorted(years, reverse=True)]


def get_member(user, pk: int) -> Member:
    m = get_scoped(Member.objects.select_related("resident", "org"), user, VIEW, pk=pk)
    _log(user, AccessAction.UNMASK, "party_member", m.pk, 1, "查看党员信息", m.scope_key)
    return m


def resident_attribute(user, resident_id: int) -> Member | None:
    """The 党员 attribute of one resident of the user's scope (None: not a member). Only with ``party.view``:
    a post without it is refused before anything is looked up. Logged, member or not."""
    require(user, VIEW)
    r = get_scoped(Resident.objects.all(), user, VIEW, pk=resident_id)
    m = Member.objects.select_related("org").filter(resident=r).first()
    _log(user, AccessAction.UNMASK, "resident", r.pk, 1, "查看政治面貌", r.scope_key)
    return m


def registrations(user, status: str | None = None) -> list[Registration]:
    qs = scoped(Registration.objects.all(), user, VIEW).select_related("member__resident", "community")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs)
    _log(user, AccessAction.SEARCH, "party_registration", "", len(rows), "查看党员报到")
    return rows


def _pairs(user):
    return (scoped(Pair.objects.all(), user, VIEW).select_related("helper__resident", "household")
            .annotate(last_visit=Max("visits__visited_on"), n_visits=Count("visits")))


def with_flags(pairs: list[Pair], days: int) -> list[Pair]:
    today = timezone.localdate()
    for p in pairs:
        p.days_since = pair_logic.since(p.last_visit, p.started_on, today)
        p.overdue = p.ended_on is None and pair_logic.overdue(p.last_visit, p.started_on, today, days)
    return pairs


def pairs(user, days: int, overdue_only: bool = False) -> list[Pair]:
    """帮扶对子 of the user's scope with the 超期未走访 flag for ``days``. Logged (the helpers are party members)."""
    rows = with_flags(list(_pairs(user).filter(ended_on__isnull=True)), days)
    if overdue_only:
        rows = [p for p in rows if p.overdue]
    _log(user, AccessAction.SEARCH, "party_pair", "", len(rows), "查看帮扶对子")
    return rows


def get_pair(user, pk: int, days: int) -> Pair:
    p = get_scoped(_pairs(user), user, VIEW, pk=pk)
    with_flags([p], days)
    _log(user, AccessAction.UNMASK, "party_pair", p.pk, 1, "查看帮扶对子", p.scope_key)
    return p


def overview(user, days: int) -> dict:
    """The first screen: counts, the 报到 waiting for the community, the pairs overdue."""
    members_qs = scoped(Member.objects.all(), user, VIEW)
    return {"orgs": list(orgs(user)), "n_members": members_qs.count(),
            "n_in_service": members_qs.filter(in_service=True).count(),
            "pending": registrations(user, RegistrationStatus.PENDING), "overdue": pairs(user, days, overdue_only=True)}


# ---------------------------------------------------------------- looking things up for a write


def _resident(user, pk) -> Resident:
    try:
        return get_scoped(Resident.objects.all(), user, MANAGE, pk=int(pk))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("resident_not_found", "人员不存在或不在您的管辖范围内") from None


def resident_by_id_number(user, id_number: str) -> Resident:
    """The resident of the user's scope with this ID number (the pages' way to name a person; never in a URL)."""
    from gridgov.basedata.services import ID_FIELD, clean_id
    from gridgov.crypto import cipher

    require(user, MANAGE)
    index = cipher().index(clean_id(id_number or ""), ID_FIELD)
    r = scoped(Resident.objects.filter(id_index=index), user, MANAGE).first()
    if r is None:
        raise NotFound("resident_not_found", "人员不存在或不在您的管辖范围内")
    return r


def _household(user, pk) -> Household:
    try:
        return get_scoped(Household.objects.all(), user, MANAGE, pk=int(pk))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("household_not_found", "户不存在或不在您的管辖范围内") from None


def _member(user, pk, lock: bool = False) -> Member:
    qs = Member.objects.select_for_update() if lock else Member.objects.all()
    try:
        return get_scoped(qs.select_related("resident"), user, MANAGE, pk=int(pk))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("member_not_found", "党员不存在或不在您的管辖范围内") from None


def _org(user, pk) -> PartyOrg:
    try:
        return get_scoped(PartyOrg.objects.all(), user, MANAGE, pk=int(pk))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("org_not_found", "网格党组织不存在或不在您的管辖范围内") from None


# ---------------------------------------------------------------- writes


@transaction.atomic
def create_org(user, name: str, kind: str, grid_codes: list[str], parent_name: str = "") -> PartyOrg:
    """网格党支部/党小组 on one management grid or several grids of one community (under its 社区党委)."""
    from gridgov.geo.models import Grid

    require(user, MANAGE)
    name = text(name, "党组织名称", 100, required=True)
    if kind not in OrgKind.values:
        raise DomainError("invalid_kind", "类型应为 branch（网格党支部）或 group（网格党小组）")
    codes = sorted({str(c).strip() for c in grid_codes or [] if str(c).strip()})
    if not codes:
        raise DomainError("grids_required", "请至少选择一个网格")
    grids = list(scoped(Grid.objects.filter(layer__code="management", code__in=codes), user, MANAGE)
                 .select_related("community"))
    if len(grids) != len(codes):
        missing = sorted(set(codes) - {g.code for g in grids})
        raise NotFound("grid_not_found", f"网格 {'、'.join(missing)} 不存在或不在您的管辖范围内")
    communities = {g.community_id for g in grids}
    if len(communities) != 1:
        raise DomainError("grids_of_several_communities", "一个网格党组织只能设在同一社区的网格上")
    community = grids[0].community
    org = PartyOrg.objects.create(
        name=name, kind=kind, community=community,
        parent_name=text(parent_name, "上级党组织", 100) or f"{community.name.removesuffix('居委会')}党委",
        scope_key=grids[0].scope_key if len(grids) == 1 else community.code)
    org.grids.set(grids)
    audit.record(user, "create", "party_org", org.pk, after={"name": org.name, "kind": kind, "grids": codes})
    ensure_in_scope(org, user, MANAGE)
    return org


@transaction.atomic
def set_leader(user, org_id: int, member_id: int) -> PartyOrg:
    """The organisation's leader (书记/组长): one of its members."""
    require(user, MANAGE)
    org = _org(user, org_id)
    m = _member(user, member_id)
    if m.org_id != org.pk:
        raise DomainError("not_a_member_of_org", "负责人须是本党组织的党员")
    before = org.leader_id
    org.leader = m
    org.save(update_fields=["leader"])
    audit.record(user, "set_leader", "party_org", org.pk, before={"leader": before}, after={"leader": m.pk})
    return org


@transaction.atomic
def add_member(user, resident_id: int, org_id: int | None = None, status: str = MemberStatus.FULL,
               joined_on=None, in_service: bool = False, employer: str = "") -> Member:
    """Record the 党员 attribute of a resident living in the user's scope (in one of the org's grids)."""
    require(user, MANAGE)
    r = _resident(user, resident_id)
    if r.status != ResidentStatus.ACTIVE:
        raise DomainError("resident_not_active", "该人员已迁出或注销，不能登记为党员")
    if status not in MemberStatus.values:
        raise DomainError("invalid_status", "党员类别应为 full（正式党员）或 probationary（预备党员）")
    employer = text(employer, "工作单位", 100)
    if in_service and not employer:
        raise DomainError("employer_required", "在职党员请填写工作单位")
    org = _org(user, org_id) if org_id else None
    if org is not None and not r.scope_key.startswith(org.scope_key):
        raise DomainError("outside_org", "该人员不住在此党组织所设的网格内")
    if Member.objects.filter(resident=r).exists():
        raise Conflict("member_exists", "该人员已登记为党员")
    m = Member.objects.create(resident=r, org=org, status=status,
                              joined_on=day(joined_on, "入党日期") if joined_on else None, in_service=in_service,
                              employer=employer, created_by=user, scope_key=r.scope_key)
    audit.record(user, "create", "party_member", m.pk, after={"org": m.org_id, **audit.names([PARTY_FIELD])})
    return m


@transaction.atomic
def register(user, member_id: int, employer: str = "", registered_on=None) -> Registration:
    """党员报到: an 在职党员 registers with the community where they live (it is the resident's community);
    waits for the community's confirmation."""
    from gridgov.geo.models import Jurisdiction

    m = _member(user, member_id, lock=True)
    if not m.in_service:
        raise DomainError("not_in_service", "只有在职党员需要到居住社区报到")
    if m.registrations.exclude(status=RegistrationStatus.DECLINED).exists():
        raise Conflict("already_registered", "该党员已向居住社区报到")
    reg = Registration.objects.create(
        member=m, community=Jurisdiction.objects.get(code=m.resident.scope_key[:12]),
        employer=text(employer, "工作单位", 100) or m.employer or "—",
        registered_on=day(registered_on, "报到日期"), created_by=user, scope_key=m.scope_key)
    audit.record(user, "register", "party_member", m.pk, after={"registration": reg.pk, "on": str(reg.registered_on)})
    return reg


@transaction.atomic
def decide_registration(user, pk: int, confirm: bool = True) -> Registration:
    """The community confirms (or declines) a 报到 waiting for it."""
    require(user, MANAGE)
    try:
        reg = get_scoped(Registration.objects.select_for_update(), user, MANAGE, pk=int(pk))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("registration_not_found", "报到记录不存在或不在您的管辖范围内") from None
    if reg.status != RegistrationStatus.PENDING:
        raise Conflict("registration_decided", f"该报到的状态为「{reg.get_status_display()}」，不能再次确认")
    reg.status = RegistrationStatus.CONFIRMED if confirm else RegistrationStatus.DECLINED
    reg.decided_by, reg.decided_at = user, timezone.now()
    reg.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(user, "confirm" if confirm else "decline", "party_registration", reg.pk,
                 before={"status": RegistrationStatus.PENDING}, after={"status": reg.status})
    return reg


@transaction.atomic
def add_pledge(user, member_id: int, year, content: str) -> Pledge:
    """承诺 of a member for a year (this year, last year or next year)."""
    m = _member(user, member_id)
    this = timezone.localdate().year
    y = _int(year, "年度") if year not in (None, "") else this
    if not this - 1 <= y <= this + 1:
        raise DomainError("invalid_year", f"承诺年度应为 {this - 1}～{this + 1} 年")
    p = Pledge.objects.create(member=m, year=y, content=text(content, "承诺内容", 200, required=True),
                              created_by=user, scope_key=m.scope_key)
    audit.record(user, "pledge", "party_member", m.pk, after={"pledge": p.pk, "year": y})
    return p


@transaction.atomic
def add_home_visit(user, member_id: int, household_id: int, visited_on, content: str) -> HomeVisit:
    """党员入户: the member visited a household of the user's scope."""
    m = _member(user, member_id)
    h = _household(user, household_id)
    v = HomeVisit.objects.create(member=m, household=h, visited_on=day(visited_on, "入户日期"),
                                 content=text(content, "入户内容", 500, required=True), created_by=user,
                                 scope_key=h.scope_key)
    audit.record(user, "home_visit", "party_member", m.pk, after={"visit": v.pk, "household": h.pk,
                                                                  "on": str(v.visited_on)})
    return v


@transaction.atomic
def create_pair(user, helper_id: int, household_id: int, need: str, started_on=None) -> Pair:
    """帮扶对子: a party member of the user's scope and a household of the user's scope."""
    m = _member(user, helper_id)
    h = _household(user, household_id)
    if m.resident.household_id == h.pk:
        raise DomainError("own_household", "帮扶党员不能与自己的家庭结对")
    if Pair.objects.filter(helper=m, household=h, ended_on__isnull=True).exists():
        raise Conflict("pair_exists", "该党员已与此户结对")
    p = Pair.objects.create(helper=m, household=h, need=text(need, "帮扶事由", 200, required=True),
                            started_on=day(started_on, "结对日期"), created_by=user, scope_key=h.scope_key)
    audit.record(user, "create", "party_pair", p.pk, after={"helper": m.pk, "household": h.pk,
                                                            "started_on": str(p.started_on)})
    ensure_in_scope(p, user, MANAGE)
    return p


@transaction.atomic
def add_pair_visit(user, pair_id: int, visited_on, content: str, result: str = "") -> PairVisit:
    """A visit of the helper to the paired household: not in the future, not before the pair was formed."""
    require(user, MANAGE)
    try:
        p = get_scoped(Pair.objects.select_for_update(), user, MANAGE, pk=int(pair_id))
    except (OutOfScope, ValueError, TypeError):
        raise NotFound("pair_not_found", "帮扶对子不存在或不在您的管辖范围内") from None
    if p.ended_on is not None:
        raise Conflict("pair_ended", "该帮扶对子已解除，不能再登记走访")
    on = day(visited_on, "走访日期")
    if on < p.started_on:
        raise DomainError("before_pairing", f"走访日期不能早于结对日期（{p.started_on}）")
    v = PairVisit.objects.create(pair=p, visited_on=on, content=text(content, "帮扶内容", 500, required=True),
                                 result=text(result, "帮扶结果", 500), created_by=user, scope_key=p.scope_key)
    audit.record(user, "visit", "party_pair", p.pk, after={"visit": v.pk, "on": str(on)})
    return v

