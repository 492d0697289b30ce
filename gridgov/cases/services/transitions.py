"""The one transition function: check the table, apply the action's effects, stamp the time, write the
timeline and the audit record, queue notifications — in one transaction, with optimistic concurrency."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gridgov import sqlrows
from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import NoRight, may_see, scope_prefix
from gridgov.audit.services import record as audit
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.geo.models import Grid, Jurisdiction

from ..logic.lifecycle import KEEP, OPEN_STATES, Action, Actor, Facts, Refusal, State, allowed_actions, check
from ..models import Case, CaseAssist, CaseEvent, RoutingDecision
from . import clock
from .intake import matter_by_code, matter_by_id
from .notifications import notify_transition

# the guards whose failure means "not now" (409) rather than "not you" (403)
STATE_GUARDS = {"no_pending_request", "pending_extension", "pending_suspension", "not_followed_up",
                "verified_if_public"}
CONCRETE = [f for f in Case._meta.concrete_fields if f.attname not in ("id", "number", "updated_at")]
TRACKED = ["status", "stage", "stage_due_at", "assignee_department_id", "assignee_node", "pending_request",
           "urgency", "matter_id", "satisfaction"]


def actor_of(user) -> Actor:
    return Actor(id=user.pk, role=Role(user.role), department_id=user.department_id, node=scope_prefix(user))


def facts_of(case: Case) -> Facts:
    return Facts(
        state=State(case.status), source=case.source, urgency=case.urgency, verified=case.verified,
        reporter_id=case.reporter_id, handler_ids=frozenset(case.handler_ids), pending=case.pending_request,
        assignee_department_id=case.assignee_department_id, assignee_node=case.assignee_node,
        followed_up=case.followed_up,
    )


def load_case(user, number: str) -> Case:
    """A case the user may see: within scope (or sent to their department), or their own report (residents)."""
    if not getattr(user, "is_authenticated", False):
        raise NoRight(roles.CASE_VIEW)
    # Every transition and every case page starts here. The row is read by its unique number through
    # gridgov.sqlrows and then checked with the scoping primitive's one-object form (may_see: the same decision
    # as scoped(), tested against it for every post) — the ORM's compile of the scoped query and its per-column
    # work on the case's 60 columns cost more CPU than the database needs for the whole read.
    found = sqlrows.fetch(Case, "number = %s", [number])
    if roles.has_right(user.role, roles.CASE_VIEW) or user.is_superuser:
        found = [c for c in found if may_see(user, c, roles.CASE_VIEW)]
    else:
        found = [c for c in found if c.reporter_id == user.pk]  # a resident: only their own reports
    if not found:
        raise NotFound("case_not_found", f"案件 {number} 不存在或不在您的管辖范围内")
    case = found[0]
    matter = matter_by_id(case.matter_id)
    if matter is not None:  # from the in-memory catalog: the stage clock and pages need it, without a query
        Case.matter.field.set_cached_value(case, matter)
    return case


def available_actions(user, case: Case) -> list[str]:
    if user.is_superuser or user.role not in Role:
        return []
    return [str(a) for a in allowed_actions(facts_of(case), actor_of(user))]


def _decimal(value, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_input", f"{what}应为数字") from None
    if not d.is_finite() or d <= 0 or d > 1000:
        raise DomainError("invalid_input", f"{what}应为 0～1000 之间的正数")
    return d


def _department(case: Case, code_or_id) -> Department:
    dept = Department.objects.filter(district_id=case.district_id).filter(
        **({"pk": code_or_id} if isinstance(code_or_id, int) else {"code": str(code_or_id)})).first()
    if dept is None:
        raise NotFound("unknown_department", f"本区没有部门「{code_or_id}」")
    return dept


def _child_node(case: Case, actor: Actor, node: str) -> str:
    """下派 goes down the tree: to a street, community or management grid below the current level."""
    node = str(node)
    if Jurisdiction.objects.filter(code=node).exists():
        key = node
    else:
        grid = Grid.objects.filter(code=node, layer__code="management").first()
        if grid is None:
            raise NotFound("unknown_node", f"找不到下派目标「{node}」（街道、社区代码或管理网格编码）")
        key = grid.scope_key
    here = case.assignee_node or case.number[:6]
    if actor.role != Role.SHIFT_LEADER and actor.role != Role.DISPATCHER:
        here = actor.node or here
    if not (key.startswith(here) and len(key) > len(here)):
        raise DomainError("not_below", "只能下派到本级以下的街道、社区或网格")
    if not case.scope_key.startswith(key):
        raise DomainError("not_containing", "下派目标须包含案件所在位置")
    return key


def _effects(case: Case, action: Action, actor: Actor, user, data: dict, now: dt.datetime) -> dict:
    """Apply what the action does to the case (besides its state); returns extra timeline data."""
    extra: dict = {}
    if case.first_contact_id is None and actor.role in (Role.INTAKE_CLERK, Role.SHIFT_LEADER):
        case.first_contact_id = user.pk  # 首接负责: the first person in the centre who received it
    match action:
        case Action.CONFIRM:
            case.verified, case.verified_at = True, now
        case Action.REGISTER:
            case.registered_at = now
            if data.get("matter"):
                case.matter = matter_by_code(data["matter"])
            if case.matter_id is None:
                raise DomainError("matter_required", "立案前须选择事项类别")
            if data.get("urgency") in ("normal", "urgent"):
                case.urgency = data["urgency"]
        case Action.MERGE:
            target = Case.objects.filter(number=data["into"], district_id=case.district_id).first()
            if target is None or target.pk == case.pk:
                raise NotFound("unknown_case", f"找不到要合并到的案件 {data['into']}")
            if target.status not in OPEN_STATES:
                raise Conflict("target_closed", f"案件 {target.number} 已结案或终结，不能合并进去")
            case.merged_into = target
            case.reports.update(case=target)  # every report and reporter moves to the surviving case
            case.photos.update(case=target)
            extra["into"] = target.number
        case Action.DISPATCH:
            dept = _department(case, data["department"])
            case.assignee_department, case.assignee_node = dept, ""
            case.dispatched_at = now
            assists = [_department(case, d) for d in data.get("assist") or [] if str(d) != dept.code]
            CaseAssist.objects.filter(case=case).delete()
            CaseAssist.objects.bulk_create([CaseAssist(case=case, department=d) for d in assists])
            extra.update(department=dept.name, assist=[d.name for d in assists])
            _record_routing(case, user, now, department=dept)
        case Action.DELEGATE:
            key = _child_node(case, actor, data["node"])
            case.assignee_department, case.assignee_node = None, key
            case.dispatched_at = now
            extra["node"] = key
            if case.registered_at and not case.accepted_at:
                _record_routing(case, user, now, node=key)
        case Action.ESCALATE | Action.RETURN:
            if action == Action.RETURN:
                case.return_count += 1  # a return counts against dispatch accuracy
            case.assignee_department, case.assignee_node = None, ""
        case Action.ACCEPT:
            case.accepted_at = now
        case Action.REQUEST_EXTENSION:
            case.pending_request, case.pending_amount = "extension", _decimal(data["amount"], "延期时长")
            extra["amount"] = str(case.pending_amount)
        case Action.APPROVE_EXTENSION:
            extra["amount"] = str(case.pending_amount)
            clock.extend(case, case.pending_amount)
            case.extension_count += 1
            case.pending_request, case.pending_amount = "", None
        case Action.REFUSE_EXTENSION | Action.REFUSE_SUSPENSION:
            case.pending_request, case.pending_amount = "", None
        case Action.REQUEST_SUSPENSION:
            case.pending_request = "suspension"
        case Action.APPROVE_SUSPENSION:
            case.pending_request = ""
            clock.pause(case, now)
        case Action.RESUME:
            clock.resume(case, now)
        case Action.HANDLE | Action.SELF_HANDLE:
            case.handled_at = now
            case.handler_ids = sorted({*case.handler_ids, user.pk})
            if action == Action.SELF_HANDLE:
                case.registered_at = case.registered_at or now
                case.assignee_node = actor.node or case.scope_key
        case Action.INSPECT_PASS:
            case.inspected_at = now
        case Action.INSPECT_FAIL:
            case.rework_count += 1
            case.handled_at = None
        case Action.CLOSE:
            case.closed_at = now
        case Action.FOLLOW_UP | Action.REOPEN:
            if data.get("satisfaction") not in (None, ""):
                try:
                    score = int(data["satisfaction"])
                except (TypeError, ValueError):
                    score = 0
                if not 1 <= score <= 5:
                    raise DomainError("invalid_satisfaction", "满意度应为 1～5 的整数")
                case.satisfaction = score
            case.followed_up = True
            if action == Action.REOPEN:
                case.reopen_count += 1
                case.closed_at = case.inspected_at = case.handled_at = None
                case.followed_up = False
                case.assignee_department, case.assignee_node = None, ""  # back to the dispatcher to send again
        case Action.ARCHIVE:
            case.archived_at = now
        case Action.URGE:
            case.urge_count += 1
    for key in ("reason", "feedback", "note"):
        if data.get(key):
            extra[key] = str(data[key])[:2000]
    return extra


def _record_routing(case: Case, user, now, department=None, node: str = "") -> None:
    from .routing import suggest

    s = suggest(case)
    overridden = (s.department_id or None) != (department.pk if department else None) or (s.node or "") != node
    RoutingDecision.objects.create(
        case=case, at=now, rule_id=s.rule_id, suggested_department_id=s.department_id, suggested_node=s.node,
        chosen_department=department, chosen_node=node, overridden=overridden, actor=user,
    )


def transition(user, number: str, action: str, data: dict | None = None, *, version: int | None = None,
               now: dt.datetime | None = None) -> Case:
    """Do ``action`` on case ``number`` as ``user``. Raises (and writes nothing) when it may not happen.

    ``version`` is the case version the client saw: if someone else changed the case since, 409.
    """
    data = dict(data or {})
    now = now or timezone.now()
    with transaction.atomic():
        case = load_case(user, number)
        if version is not None and int(version) != case.version:
            raise Conflict("version_conflict", f"案件 {number} 已被他人更新（当前版本 {case.version}），请刷新后重试")
        try:
            if user.role not in Role:
                raise Refusal("role_not_allowed", "您的账号没有岗位，不能办理案件")
            actor = actor_of(user)
            rule = check(facts_of(case), action, actor, data)
        except Refusal as r:
            raise refusal_error(r) from None
        action = Action(action)
        original = {f.attname: getattr(case, f.attname) for f in CONCRETE}
        before = {f: _plain(original[f]) for f in TRACKED}
        from_state = case.status
        seen_version = case.version
        extra = _effects(case, action, actor, user, data, now)
        case.status = rule.to
        if rule.stage != KEEP:
            clock.start_stage(case, rule.stage, now)
        case.version = seen_version + 1
        changed = {f.attname: getattr(case, f.attname) for f in CONCRETE
                   if getattr(case, f.attname) != original[f.attname]}
        changed["updated_at"] = now
        # plain SQL (gridgov.sqlrows): the same UPDATE … WHERE id AND version the ORM would send (the version
        # condition is the optimistic lock) and the timeline row, in one round trip on PostgreSQL
        event = CaseEvent(case=case, action=action, from_state=from_state, to_state=case.status, actor=user,
                          actor_name=str(user), role=user.role, at=now, data=extra)
        if sqlrows.update_with_children(Case, changed, [event], "case", pk=case.pk, version=seen_version) != 1:
            raise Conflict("version_conflict", f"案件 {number} 已被他人同时更新，请刷新后重试")
        notify_transition(case, action, user, extra)
        after = {f: _plain(getattr(case, f)) for f in TRACKED}
        changed_before = {k: v for k, v in before.items() if after[k] != v}
        # the audit record last: it locks the chain's head until the commit, so the lock is held briefly
        audit(user, str(action), "case", case.number,
              before=changed_before, after={k: after[k] for k in changed_before} | ({"data": extra} if extra else {}),
              role=user.role)
    return case


class Forbidden(DomainError):
    status = 403


def refusal_error(r: Refusal) -> DomainError:
    """403 when it is not for this person, 409 when not in this state, 400 when data is missing."""
    if r.code == "role_not_allowed" or (r.code == "guard_failed" and r.details.get("guard") not in STATE_GUARDS):
        return Forbidden(r.code, r.message)
    if r.code == "missing_data":
        return DomainError(r.code, r.message)
    if r.code == "unknown_action":
        return NotFound(r.code, r.message)
    return Conflict(r.code, r.message)


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def system_urge(case_id: int, level: str, now: dt.datetime) -> None:
    """督办 by the deadline scan (no user): a timeline entry and one more urge on the case."""
    Case.objects.filter(pk=case_id).update(urge_count=F("urge_count") + 1)
    CaseEvent.objects.create(case_id=case_id, action=Action.URGE, from_state="", to_state="", actor=None,
                             actor_name="系统", role="", at=now,
                             data={"reason": "时限预警：已过黄灯时间" if level == "yellow" else "已超期：系统自动督办",
                                   "level": level})

