"""The one transition function: check the table, apply the action's effects, stamp the time, write the
timeline and the audit record, queue notifications — in one transaction, with optimistic concurrency.

``transition_many`` does one action on many cases (批量操作: a shift leader archives a day's closed cases, a
dispatcher sends a list of cases to one department): each case is checked and audited on its own, and all are
written together (one UPDATE, one timeline INSERT, one audit append). ``transition`` is the same function for one
case.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from gridgov import sqlrows
from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import NoRight, may_see, scope_prefix
from gridgov.analytics import rollup
from gridgov.audit.services import Entry, record_many
from gridgov.catalog.cache import check_active, matter_by_code, matter_by_id
from gridgov.catalog.cache import snapshot as catalog_snapshot
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.geo.models import Grid, Jurisdiction
from gridgov.hotline.services import on_transitions as hotline_on_transitions  # open311: the 12345 outbox
from gridgov.limits import ACTION_TEXT_MAX
from gridgov.notify.services import notify_many

from ..logic import levels
from ..logic.lifecycle import (
    ACTION_LABELS,
    DESCENT_MESSAGES,
    KEEP,
    OPEN_STATES,
    Action,
    Actor,
    Facts,
    Refusal,
    State,
    allowed_actions,
    check,
    descent_origin,
    descent_refusal,
)
from ..models import Case, CaseAssist, CaseEvent, CasePhoto, CaseReport, RoutingDecision
from . import clock
from .notifications import transition_message

MAX_BULK = 500  # cases in one bulk action

# the guards whose failure means "not now" (409) rather than "not you" (403)
STATE_GUARDS = {"no_pending_request", "pending_extension", "pending_suspension", "not_followed_up",
                "verified_if_public"}
CONCRETE = [f for f in Case._meta.concrete_fields if f.attname not in ("id", "number", "updated_at")]
TRACKED = ["status", "stage", "stage_due_at", "assignee_department_id", "assignee_node", "pending_request",
           "urgency", "matter_id", "satisfaction", "settled_level"]


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
    case = load_cases(user, [number]).get(number)
    if case is None:
        raise NotFound("case_not_found", f"案件 {number} 不存在或不在您的管辖范围内")
    return case


def load_cases(user, numbers: list[str]) -> dict[str, Case]:
    """The cases of ``numbers`` the user may see, by number (the others are simply absent)."""
    if not getattr(user, "is_authenticated", False):
        raise NoRight(roles.CASE_VIEW)
    # Every transition and every case page starts here. The rows are read by their unique numbers through
    # gridgov.sqlrows and then checked with the scoping primitive's one-object form (may_see: the same decision
    # as scoped(), tested against it for every post) — the ORM's compile of the scoped query and its per-column
    # work on the case's 60 columns cost more CPU than the database needs for the whole read.
    numbers = [str(n) for n in numbers]
    if len(numbers) == 1:
        found = sqlrows.fetch(Case, "number = %s", numbers)
    elif connections[Case.objects.db].vendor == "postgresql":
        found = sqlrows.fetch(Case, "number = ANY(%s)", [numbers])
    else:
        found = [c for start in range(0, len(numbers), 500) for c in sqlrows.fetch(
            Case, f"number IN ({', '.join(['%s'] * len(numbers[start:start + 500]))})", numbers[start:start + 500])]
    if roles.has_right(user.role, roles.CASE_VIEW) or user.is_superuser:
        found = [c for c in found if may_see(user, c, roles.CASE_VIEW)]
    else:
        found = [c for c in found if c.reporter_id == user.pk]  # a resident: only their own reports
    matters = catalog_snapshot().by_id
    for case in found:
        matter = matters.get(case.matter_id)
        if matter is not None:  # from the in-memory catalog: the stage clock and pages need it, without a query
            Case.matter.field.set_cached_value(case, matter)
    return {c.number: c for c in found}


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


def _department(case: Case, code_or_id, memo: dict) -> Department:
    """A department of the case's district; ``memo`` keeps it for the other cases of a bulk action (one query)."""
    key = ("department", case.district_id, code_or_id)
    if key not in memo:
        memo[key] = Department.objects.filter(district_id=case.district_id).filter(
            **({"pk": code_or_id} if isinstance(code_or_id, int) else {"code": str(code_or_id)})).first()
    dept = memo[key]
    if dept is None:
        raise NotFound("unknown_department", f"本区没有部门「{code_or_id}」")
    return dept


def _child_node(case: Case, actor: Actor, node: str) -> tuple[str, str]:
    """下派 goes down the tree: to a street, community or management grid below the current level. Returns the
    target's key and the level it is sent from ("" for the district centre)."""
    node = str(node)
    if Jurisdiction.objects.filter(code=node).exists():
        key = node
    else:
        grid = Grid.objects.filter(code=node, layer__code="management").first()
        if grid is None:
            raise NotFound("unknown_node", f"找不到下派目标「{node}」（街道、社区代码或管理网格编码）")
        key = grid.scope_key
    district = case.number[:6]
    here = descent_origin(actor, case.assignee_node, district)
    refusal = descent_refusal(here, key, case.scope_key)
    if refusal:
        raise DomainError(refusal, DESCENT_MESSAGES[refusal])
    return key, "" if here == district else here


def _city_of(case: Case, memo: dict) -> str | None:
    """levels: the city node above the case's district, if the tree has one (the city centre)."""
    key = ("city", case.district_id)
    if key not in memo:
        memo[key] = Jurisdiction.objects.filter(pk=case.district_id, parent__level="city").values_list(
            "parent__code", flat=True).first()
    return memo[key]


def _ascend(case: Case, memo: dict) -> str:
    """上报上级: exactly one level up — to the level that sent the case down where there is one (levels.ascent)."""
    stack = list(case.sent_down_from or [])
    target, refusal = levels.ascent(case.assignee_node, stack, _city_of(case, memo))
    if refusal:
        raise Conflict("no_upper_level", levels.ASCENT_MESSAGES[refusal])
    if stack:
        case.sent_down_from = stack[:-1]
    return target


@dataclass
class _Writes:
    """What a transition writes besides the case row and its timeline, collected while its effects are worked out:
    the effects themselves write nothing, so a case refused halfway through a bulk action leaves no trace."""

    routing: list = field(default_factory=list)  # RoutingDecision rows
    assists: dict = field(default_factory=dict)  # case id → its new 协办 departments (replacing the old ones)
    merges: list = field(default_factory=list)  # (case id, surviving case id)

    def add(self, other: "_Writes") -> None:
        self.routing += other.routing
        self.assists.update(other.assists)
        self.merges += other.merges

    def flush(self) -> None:
        for source, target in self.merges:  # every report and reporter moves to the surviving case
            CaseReport.objects.filter(case_id=source).update(case_id=target)
            CasePhoto.objects.filter(case_id=source).update(case_id=target)
        if self.assists:
            CaseAssist.objects.filter(case_id__in=list(self.assists)).delete()
            sqlrows.insert_many([CaseAssist(case_id=c, department=d) for c, ds in self.assists.items() for d in ds])
        if self.routing:
            sqlrows.insert_many(self.routing)


def _effects(case: Case, action: Action, actor: Actor, user, data: dict, now: dt.datetime, writes: _Writes,
             memo: dict) -> dict:
    """Apply what the action does to the case (besides its state); returns extra timeline data. Rows to write
    besides the case go to ``writes``."""
    extra: dict = {}
    if case.first_contact_id is None and actor.role in (Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.CLERK):
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
            check_active(matter_by_id(case.matter_id) or case.matter)  # a matter deactivated since the report
            if data.get("urgency") in ("normal", "urgent"):
                case.urgency = data["urgency"]
        case Action.MERGE:
            target = Case.objects.filter(number=data["into"], district_id=case.district_id).first()
            if target is None or target.pk == case.pk:
                raise NotFound("unknown_case", f"找不到要合并到的案件 {data['into']}")
            if target.status not in OPEN_STATES:
                raise Conflict("target_closed", f"案件 {target.number} 已结案或终结，不能合并进去")
            case.merged_into = target
            writes.merges.append((case.pk, target.pk))
            extra["into"] = target.number
        case Action.DISPATCH:
            dept = _department(case, data["department"], memo)
            case.assignee_department, case.assignee_node = dept, ""
            case.dispatched_at = now
            assists = [_department(case, d, memo) for d in data.get("assist") or [] if str(d) != dept.code]
            writes.assists[case.pk] = assists
            extra.update(department=dept.name, assist=[d.name for d in assists])
            writes.routing.append(_routing(case, user, now, department=dept))
        case Action.DELEGATE:
            key, sender = _child_node(case, actor, data["node"])
            case.sent_down_from = [*(case.sent_down_from or []), sender]  # levels: 上报上级 comes back here
            case.assignee_department, case.assignee_node = None, key
            case.dispatched_at = now
            extra["node"] = key
            if case.registered_at and not case.accepted_at:
                writes.routing.append(_routing(case, user, now, node=key))
        case Action.ESCALATE:
            target = _ascend(case, memo)
            case.assignee_department, case.assignee_node = None, target
            extra["to"] = target
        case Action.RETURN:
            case.return_count += 1  # a return counts against dispatch accuracy
            sender = ""
            if case.assignee_node and case.sent_down_from:  # levels: a 下派 goes back to the level that sent it
                sender, case.sent_down_from = case.sent_down_from[-1], case.sent_down_from[:-1]
            case.assignee_department, case.assignee_node = None, sender
        case Action.RECEIVE:  # levels: 受理 at the level that holds it (首接负责 there)
            case.registered_at = case.registered_at or now
            case.accepted_at = now
            if case.first_contact_id is None:
                case.first_contact_id = user.pk
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
                case.assignee_node = case.assignee_node or actor.node or case.scope_key
                clock.self_handled(case, now)  # kpi: its own 处置 budget, from the report
            else:
                clock.handled(case, now)  # kpi: 平均处理时间
            case.settled_level = levels.settled_level(case.assignee_node, case.assignee_department_id is not None)
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
                case.settled_level, case.sent_down_from = "", []
        case Action.ARCHIVE:
            case.archived_at = now
        case Action.URGE:
            case.urge_count += 1
    extra.update(_city_effects(case, action, actor, data, now, memo))  # 市→区派件, 责任争议 (below)
    for key in TEXTS:
        if data.get(key):
            extra[key] = str(data[key])  # at most ACTION_TEXT_MAX (_check_texts refused longer ones)
    return extra


TEXTS = {"reason": "理由", "feedback": "处置情况", "note": "说明"}


def _check_texts(data: dict) -> None:
    """A reason, feedback or note longer than the timeline keeps is refused, never cut (nothing is written)."""
    for key, label in TEXTS.items():
        n = len(str(data.get(key) or ""))
        if n > ACTION_TEXT_MAX:
            raise DomainError(f"{key}_too_long", f"{label}最多 {ACTION_TEXT_MAX} 字，收到 {n:,} 字：请精简后再提交")


# ---------------------------------------------------------------- the city helper's block: 市→区派件 and 责任争议
# (the rules are in logic/lifecycle.py's city block; the 派件 record and the rulings' figures in gridgov/oversight)

CITY_MESSAGES = {"not_a_district": "只能派件到本市下属的区（县）",
                 "not_containing": "案件不在该区（县）内：请派件到案件所在的区（县）",
                 "same_department": "改派的部门须不同于提出争议的部门",
                 "use_city_dispatch": "市级派件请在「市区督办」页面（或 POST /api/v1/oversight/dispatches）办理，并定办结时限"}


def _city_effects(case: Case, action: Action, actor: Actor, data: dict, now: dt.datetime, memo: dict) -> dict:
    extra: dict = {}
    match action:
        case Action.CITY_DISPATCH:
            if not data.get("due_at"):  # the 派件 record (its 办结时限) is written by gridgov/oversight with the move
                raise DomainError("use_city_dispatch", CITY_MESSAGES["use_city_dispatch"])
            node = str(data["node"])
            target = Jurisdiction.objects.filter(code=node).values_list("level", "parent__code").first()
            if target is None or target[0] != "district" or target[1] != actor.node:
                raise DomainError("not_a_district", CITY_MESSAGES["not_a_district"])
            if not case.scope_key.startswith(node):
                raise DomainError("not_containing", CITY_MESSAGES["not_containing"])
            case.assignee_department, case.assignee_node = None, node
            case.dispatched_at = now
            extra["node"] = node
        case Action.CONTEST:
            extra["department"] = case.assignee_department.name
            clock.pause(case, now)  # the 签收 clock stands while the centre rules
        case Action.RULE_UPHOLD:
            dept = _department(case, data["department"], memo)
            if dept.pk == case.assignee_department_id:
                raise DomainError("same_department", CITY_MESSAGES["same_department"])
            extra.update(result="upheld", contested_by=case.assignee_department.name, department=dept.name)
            case.assignee_department, case.assignee_node = dept, ""
            case.dispatched_at = now  # a fresh 签收 clock starts (the rule's stage)
        case Action.RULE_REJECT:
            extra.update(result="rejected", department=case.assignee_department.name)
            clock.resume(case, now)  # the department's 签收 clock goes on with the time it had left
    return extra


def _routing(case: Case, user, now, department=None, node: str = "") -> RoutingDecision:
    from .routing import suggest

    s = suggest(case)
    overridden = (s.department_id or None) != (department.pk if department else None) or (s.node or "") != node
    return RoutingDecision(
        case=case, at=now, rule_id=s.rule_id, suggested_department_id=s.department_id, suggested_node=s.node,
        chosen_department=department, chosen_node=node, overridden=overridden, actor=user,
    )


def transition(user, number: str, action: str, data: dict | None = None, *, version: int | None = None,
               now: dt.datetime | None = None) -> Case:
    """Do ``action`` on case ``number`` as ``user``. Raises (and writes nothing) when it may not happen.

    ``version`` is the case version the client saw: if someone else changed the case since, 409.
    """
    versions = {str(number): version} if version is not None else None
    try:
        [outcome] = transition_many(user, [number], action, data, versions=versions, now=now)
    except BulkRefused as e:
        raise e.refusals[0].error from None
    return outcome.case


@dataclass
class Outcome:
    """What a bulk action did to one case: the case as written, or why it was refused."""

    number: str
    case: Case | None = None
    error: DomainError | None = None


class BulkRefused(DomainError):
    """Some cases of a bulk action may not take it: nothing was written (``skip_refused`` does the others)."""

    def __init__(self, action: str, refusals: list[Outcome]):
        statuses = {o.error.status for o in refusals}
        self.status = statuses.pop() if len(statuses) == 1 else 409
        self.refusals = refusals
        label = ACTION_LABELS[Action(action)] if action in {a.value for a in Action} else action
        super().__init__("bulk_refused", f"{len(refusals)} 个案件不能「{label}」，全部未执行",
                         refused=[{"number": o.number, "code": o.error.code, "message": o.error.message}
                                  for o in refusals])


@dataclass
class _Plan:
    case: Case
    seen_version: int
    changed: dict
    event: CaseEvent
    message: tuple | None
    entry: Entry


def transition_many(user, numbers: list[str], action: str, data: dict | None = None, *,
                    versions: dict[str, int] | None = None, now: dt.datetime | None = None,
                    skip_refused: bool = False) -> list[Outcome]:
    """Do ``action`` (with the same ``data``) on each case of ``numbers`` as ``user``, in one transaction.

    Each case is checked as ``transition`` checks one (scope, version seen in ``versions``, role, state, data)
    and gets its own timeline row, notifications and audit record. If any case is refused, BulkRefused lists
    them and nothing is written — unless ``skip_refused``: then the others are done and the refused ones come
    back with their error. A case changed by someone else between the read and the write fails the whole
    call with 409 (nothing written).
    """
    numbers = list(dict.fromkeys(str(n) for n in numbers))
    if not numbers:
        raise DomainError("no_cases", "请至少选择一个案件")
    if len(numbers) > MAX_BULK:
        raise DomainError("too_many_cases", f"一次最多操作 {MAX_BULK} 个案件")
    data = dict(data or {})
    _check_texts(data)
    now = now or timezone.now()
    versions = versions or {}
    outcomes = [Outcome(n) for n in numbers]
    with transaction.atomic():
        found = load_cases(user, numbers)
        plans, writes, memo = [], _Writes(), {}
        for outcome in outcomes:
            case = found.get(outcome.number)
            mine = _Writes()
            try:
                if case is None:
                    raise NotFound("case_not_found", f"案件 {outcome.number} 不存在或不在您的管辖范围内")
                plans.append(_plan(user, case, action, data, versions.get(outcome.number), now, mine, memo))
            except DomainError as e:
                outcome.error = e
                continue
            writes.add(mine)
            outcome.case = case
        refused = [o for o in outcomes if o.error is not None]
        if refused and not skip_refused:
            raise BulkRefused(action, refused)
        if plans:
            _write(user, plans, writes)
    return outcomes


def _plan(user, case: Case, action: str, data: dict, version, now: dt.datetime, writes: _Writes, memo: dict) -> _Plan:
    """Check one case and work out, in memory, everything its transition writes (``memo``: what the cases of one
    call share — departments, notification recipients — read once)."""
    if version is not None and int(version) != case.version:
        raise Conflict("version_conflict", f"案件 {case.number} 已被他人更新（当前版本 {case.version}），请刷新后重试")
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
    extra = _effects(case, action, actor, user, data, now, writes, memo)
    case.status = rule.to
    if rule.stage != KEEP:
        clock.start_stage(case, rule.stage, now)
    case.version = seen_version + 1
    changed = {f.attname: getattr(case, f.attname) for f in CONCRETE
               if getattr(case, f.attname) != original[f.attname]}
    changed["updated_at"] = now
    event = CaseEvent(case=case, action=action, from_state=from_state, to_state=case.status, actor=user,
                      actor_name=str(user), role=user.role, at=now, data=extra)
    after = {f: _plain(getattr(case, f)) for f in TRACKED}
    changed_before = {k: v for k, v in before.items() if after[k] != v}
    entry = Entry(str(action), "case", case.number, before=changed_before,
                  after={k: after[k] for k in changed_before} | ({"data": extra} if extra else {}))
    return _Plan(case, seen_version, changed, event, transition_message(case, action, user, extra, memo), entry)


def _write(user, plans: list[_Plan], writes: _Writes) -> None:
    """Write the planned transitions: the case rows (each only if still at the version read — the optimistic
    lock), their timeline rows, the other rows, notifications, and the audit records last (the audit append
    locks the chain's head until the commit, so the lock is held briefly)."""
    rollup.changing([(p.case, p.changed) for p in plans], [p.event for p in plans])  # analytics: per-day counts
    if len(plans) == 1:  # plain SQL (gridgov.sqlrows): on PostgreSQL the UPDATE and the timeline row in one round trip
        p = plans[0]
        written = sqlrows.update_with_children(Case, p.changed, [p.event], "case", pk=p.case.pk, version=p.seen_version)
    else:
        written = sqlrows.update_many(Case, [({"pk": p.case.pk, "version": p.seen_version}, p.changed) for p in plans])
        if written == len(plans):
            sqlrows.insert_many([p.event for p in plans])
    if written != len(plans):
        which = f"案件 {plans[0].case.number} " if len(plans) == 1 else "其中有案件"
        raise Conflict("version_conflict", f"{which}已被他人同时更新，请刷新后重试")
    writes.flush()
    hotline_on_transitions([p.event for p in plans])  # open311: 12345 cases' changes to the outbox, same transaction
    notify_many([p.message for p in plans if p.message])
    record_many(user, [p.entry for p in plans], role=user.role)


def refusal_error(r: Refusal) -> DomainError:
    """403 when it is not for this person, 409 when not in this state, 400 when data is missing."""
    if r.code == "guard_failed" and r.details.get("guard") == "below_top":  # levels: 上报上级 from the top
        return Conflict("no_upper_level", r.message)
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
    """督办 by the deadline scan (no user): a timeline entry, one more urge on the case and its audit record
    (actor None: 系统). Runs inside the scan's transaction for the case."""
    number, urges = Case.objects.filter(pk=case_id).values_list("number", "urge_count").get()
    Case.objects.filter(pk=case_id).update(urge_count=F("urge_count") + 1)
    data = {"reason": "时限预警：已过黄灯时间" if level == "yellow" else "已超期：系统自动督办", "level": level}
    CaseEvent.objects.create(case_id=case_id, action=Action.URGE, from_state="", to_state="", actor=None,
                             actor_name="系统", role="", at=now, data=data)
    record_many(None, [Entry(str(Action.URGE), "case", number, before={"urge_count": urges},
                             after={"urge_count": urges + 1, **data})])

