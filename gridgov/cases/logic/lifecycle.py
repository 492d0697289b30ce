"""The case lifecycle as data: one table ``(state, action) → Rule`` and one pure ``check`` — no Django here.

The table is the single source of truth for what may happen to a case, by whom, and which deadline stage
starts; the service layer (``gridgov.cases.services.transition``) applies it, stamps the time, writes the
timeline and the audit record and queues notifications. The UI shows exactly ``allowed_actions``.

Who may act is said two ways: the post (``roles``) and, for some actions, the actor's relation to the case
(``guards``): the assignee (the department or tree node the case was sent to), the reporter, someone who is
neither the handler nor the reporter (监督与处置分离), …
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from gridgov.accounts.roles import Role
from gridgov.catalog.logic.deadlines import STAGE_LABELS as STAGE_LABELS  # the stages are the deadline rules'
from gridgov.catalog.logic.deadlines import Stage as Stage


class State(StrEnum):
    REPORTED = "reported"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    REGISTERED = "registered"
    DECLINED = "declined"
    VOIDED = "voided"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    SUSPENDED = "suspended"
    HANDLED = "handled"
    INSPECTED = "inspected"
    CLOSED = "closed"
    ARCHIVED = "archived"
    CONTESTED = "contested"  # 责任争议待裁定 — the city helper's block at the end of this module


STATE_LABELS = {
    State.REPORTED: "已上报", State.VERIFYING: "核实中", State.VERIFIED: "已核实", State.REGISTERED: "已立案",
    State.DECLINED: "不予立案", State.VOIDED: "已作废", State.MERGED: "已合并", State.DISPATCHED: "已派遣",
    State.ACCEPTED: "处置中", State.SUSPENDED: "挂账中", State.HANDLED: "已处置待核查", State.INSPECTED: "核查通过",
    State.CLOSED: "已结案", State.ARCHIVED: "已归档",
}
FINAL_STATES = frozenset({State.DECLINED, State.VOIDED, State.MERGED, State.ARCHIVED})
# open = the loop is still running for it (closed cases wait for follow-up and archive, but are not "open")
OPEN_STATES = frozenset(set(State) - FINAL_STATES - {State.CLOSED})


class Action(StrEnum):
    ASSIGN_VERIFY = "assign_verify"
    CONFIRM = "confirm"
    REFUTE = "refute"
    REGISTER = "register"
    DECLINE = "decline"
    VOID = "void"
    MERGE = "merge"
    DISPATCH = "dispatch"
    DELEGATE = "delegate"
    ESCALATE = "escalate"
    RETURN = "return"
    ACCEPT = "accept"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REQUEST_SUSPENSION = "request_suspension"
    APPROVE_SUSPENSION = "approve_suspension"
    REFUSE_SUSPENSION = "refuse_suspension"
    RESUME = "resume"
    HANDLE = "handle"
    SELF_HANDLE = "self_handle"
    INSPECT_PASS = "inspect_pass"
    INSPECT_FAIL = "inspect_fail"
    CLOSE = "close"
    FOLLOW_UP = "follow_up"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    URGE = "urge"
    RECEIVE = "receive"  # levels: 受理 at the level that holds the case (网格长, 社区, 街道分中心)
    # the city helper's block at the end of this module: 市→区派件 and 责任争议裁定
    CITY_DISPATCH = "city_dispatch"
    CONTEST = "contest"
    RULE_UPHOLD = "rule_uphold"
    RULE_REJECT = "rule_reject"


ACTION_LABELS = {
    Action.ASSIGN_VERIFY: "派核实", Action.CONFIRM: "核实属实", Action.REFUTE: "核实不属实", Action.REGISTER: "立案",
    Action.DECLINE: "不予立案", Action.VOID: "作废", Action.MERGE: "合并到其他案件", Action.DISPATCH: "派遣",
    Action.DELEGATE: "下派", Action.ESCALATE: "上报上级", Action.RETURN: "退回", Action.ACCEPT: "签收",
    Action.REQUEST_EXTENSION: "申请延期", Action.APPROVE_EXTENSION: "批准延期", Action.REFUSE_EXTENSION: "驳回延期",
    Action.REQUEST_SUSPENSION: "申请挂账", Action.APPROVE_SUSPENSION: "批准挂账", Action.REFUSE_SUSPENSION: "驳回挂账",
    Action.RESUME: "恢复办理", Action.HANDLE: "处置反馈", Action.SELF_HANDLE: "自行处置", Action.INSPECT_PASS: "核查通过",
    Action.INSPECT_FAIL: "核查不通过（返工）", Action.CLOSE: "结案", Action.FOLLOW_UP: "回访",
    Action.REOPEN: "未解决，重新办理", Action.ARCHIVE: "归档", Action.URGE: "督办",
    Action.RECEIVE: "受理",
}



KEEP = "keep"  # the stage clock keeps running (an action that does not move the case to another stage)


@dataclass(frozen=True)
class Rule:
    to: State
    roles: frozenset[Role]
    guards: tuple[str, ...] = ()
    stage: Stage | None | str = KEEP  # the stage that starts (None: no clock), or KEEP
    needs: tuple[str, ...] = ()  # data fields that must be given (e.g. a reason)


C = Role  # shorthand in the table
CENTRE = frozenset({C.INTAKE_CLERK, C.SHIFT_LEADER})  # 受理 and 立案 (supervision centre)
DISPATCHERS = frozenset({C.DISPATCHER, C.SHIFT_LEADER})  # 派遣 (command centre)
# whoever a case can be sent to: a department's handler, or the staff of a tree node it was delegated to —
# levels: the 网格长 holds the grids of its community and the community; the 督导员 holds its street (分中心)
NODE_HOLDERS = frozenset({C.DISPATCHER, C.SHIFT_LEADER, C.GRID_LEADER, C.GRID_WORKER, C.GRID_SUPERVISOR})
HOLDERS = NODE_HOLDERS | {C.HANDLER}
S, A = State, Action


def _rules() -> dict[tuple[State, Action], Rule]:
    t: dict[tuple[State, Action], Rule] = {}

    def add(froms: Iterable[State], action: Action, rule: Rule) -> None:
        for f in froms:
            t[(f, action)] = rule

    # levels: the centre works the reports that enter at the centre (``at_centre``); a report that enters at a
    # level (网格长 受理第一人) or a case 上报上级'd to a level is 受理'd there (``is_assignee_node``)
    add([S.REPORTED], A.ASSIGN_VERIFY, Rule(S.VERIFYING, CENTRE | {C.CLERK}, ("at_centre",), Stage.VERIFY))
    add([S.VERIFYING], A.CONFIRM, Rule(S.VERIFIED, frozenset({C.INSPECTOR}), ("not_reporter",), Stage.REGISTER))
    add([S.VERIFYING], A.REFUTE, Rule(S.DECLINED, frozenset({C.INSPECTOR}), ("not_reporter",), None, ("reason",)))
    add([S.REPORTED], A.REGISTER,
        Rule(S.REGISTERED, CENTRE, ("at_centre", "verified_if_public"), Stage.DISPATCH))
    add([S.VERIFIED], A.REGISTER, Rule(S.REGISTERED, CENTRE, ("verified_if_public",), Stage.DISPATCH))
    add([S.REPORTED], A.DECLINE, Rule(S.DECLINED, CENTRE, ("at_centre",), None, ("reason",)))
    add([S.VERIFIED], A.DECLINE, Rule(S.DECLINED, CENTRE, (), None, ("reason",)))
    add([S.REPORTED, S.VERIFIED, S.REGISTERED], A.VOID, Rule(S.VOIDED, frozenset({C.SHIFT_LEADER}), (), None, ("reason",)))
    add([S.REPORTED, S.VERIFIED, S.REGISTERED], A.MERGE, Rule(S.MERGED, CENTRE, ("at_centre",), None, ("into",)))
    add([S.REPORTED, S.REGISTERED], A.RECEIVE, Rule(S.ACCEPTED, NODE_HOLDERS, ("is_assignee_node",), Stage.HANDLE))
    add([S.REGISTERED], A.DISPATCH, Rule(S.DISPATCHED, DISPATCHERS, ("at_centre",), Stage.ACCEPT, ("department",)))
    add([S.REGISTERED], A.DELEGATE, Rule(S.DISPATCHED, NODE_HOLDERS, ("holds_level",), Stage.ACCEPT, ("node",)))
    add([S.ACCEPTED], A.DELEGATE, Rule(S.DISPATCHED, NODE_HOLDERS, ("is_assignee_node",), Stage.ACCEPT, ("node",)))
    add([S.REGISTERED], A.ESCALATE,
        Rule(S.REGISTERED, NODE_HOLDERS, ("holds_level", "below_top"), Stage.DISPATCH, ("reason",)))
    add([S.DISPATCHED, S.ACCEPTED], A.ESCALATE,
        Rule(S.REGISTERED, NODE_HOLDERS, ("is_assignee_node", "below_top"), Stage.DISPATCH, ("reason",)))
    add([S.DISPATCHED], A.RETURN, Rule(S.REGISTERED, HOLDERS, ("is_assignee",), Stage.DISPATCH, ("reason",)))
    add([S.DISPATCHED], A.ACCEPT, Rule(S.ACCEPTED, HOLDERS, ("is_assignee",), Stage.HANDLE))
    add([S.ACCEPTED], A.REQUEST_EXTENSION,
        Rule(S.ACCEPTED, HOLDERS, ("is_assignee", "no_pending_request"), KEEP, ("reason", "amount")))
    add([S.ACCEPTED], A.APPROVE_EXTENSION, Rule(S.ACCEPTED, frozenset({C.SHIFT_LEADER}), ("pending_extension",)))
    add([S.ACCEPTED], A.REFUSE_EXTENSION,
        Rule(S.ACCEPTED, frozenset({C.SHIFT_LEADER}), ("pending_extension",), KEEP, ("reason",)))
    add([S.ACCEPTED], A.REQUEST_SUSPENSION,
        Rule(S.ACCEPTED, HOLDERS, ("is_assignee", "no_pending_request"), KEEP, ("reason",)))
    add([S.ACCEPTED], A.APPROVE_SUSPENSION, Rule(S.SUSPENDED, frozenset({C.SHIFT_LEADER}), ("pending_suspension",)))
    add([S.ACCEPTED], A.REFUSE_SUSPENSION,
        Rule(S.ACCEPTED, frozenset({C.SHIFT_LEADER}), ("pending_suspension",), KEEP, ("reason",)))
    add([S.SUSPENDED], A.RESUME, Rule(S.ACCEPTED, frozenset({C.SHIFT_LEADER}) | HOLDERS, ("assignee_or_centre",)))
    add([S.ACCEPTED], A.HANDLE, Rule(S.HANDLED, HOLDERS, ("is_assignee",), Stage.INSPECT, ("feedback",)))
    add([S.REPORTED], A.SELF_HANDLE,  # levels: the 网格长 too settles on the spot what she found herself
        Rule(S.HANDLED, frozenset({C.GRID_WORKER, C.GRID_LEADER}), ("is_reporter",), Stage.INSPECT, ("feedback",)))
    add([S.HANDLED], A.INSPECT_PASS, Rule(S.INSPECTED, frozenset({C.INSPECTOR}), ("independent",), Stage.CLOSE))
    add([S.HANDLED], A.INSPECT_FAIL,
        Rule(S.ACCEPTED, frozenset({C.INSPECTOR}), ("independent",), Stage.HANDLE, ("reason",)))
    add([S.INSPECTED], A.CLOSE, Rule(S.CLOSED, CENTRE, (), None))
    follow = CENTRE | {C.RESIDENT}
    add([S.CLOSED], A.FOLLOW_UP,
        Rule(S.CLOSED, follow, ("reporter_if_resident", "not_followed_up"), KEEP, ("satisfaction",)))
    add([S.CLOSED], A.REOPEN, Rule(S.REGISTERED, follow, ("reporter_if_resident",), Stage.DISPATCH, ("reason",)))
    add([S.CLOSED], A.ARCHIVE, Rule(S.ARCHIVED, frozenset({C.SHIFT_LEADER}), (), None))
    for state in sorted(OPEN_STATES):  # 督办 presses a case wherever it stands
        t[(state, A.URGE)] = Rule(state, frozenset({C.SHIFT_LEADER}), (), KEEP, ("reason",))
    return t


TABLE: dict[tuple[State, Action], Rule] = _rules()
# (the city helper's rules are added to TABLE at the end of this module: _city_rules)
PUBLIC_SOURCES = frozenset({"resident", "hotline", "media"})


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a case (a snapshot; no ORM object)."""

    state: State
    source: str = "grid_worker"
    urgency: str = "normal"
    verified: bool = False
    reporter_id: int | None = None
    handler_ids: frozenset[int] = frozenset()
    pending: str = ""  # "", "extension", "suspension"
    assignee_department_id: int | None = None
    assignee_node: str = ""
    followed_up: bool = False


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: Role
    department_id: int | None = None
    node: str | None = None  # the scope key prefix the account is bound to


@dataclass
class Refusal(Exception):
    """The action is not allowed now. ``code`` is stable for the API; ``message`` is Chinese for people."""

    code: str
    message: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def _is_assignee(f: Facts, a: Actor) -> bool:
    if f.assignee_department_id is not None:
        return a.role == Role.HANDLER and a.department_id == f.assignee_department_id
    return _is_assignee_node(f, a)


def _is_assignee_node(f: Facts, a: Actor) -> bool:
    """The actor holds the node the case is held at: bound to it — or, levels, a 网格长 bound to the community of
    the grid the case is held at (the grid's 受理第一人)."""
    if not f.assignee_node or f.assignee_department_id is not None or a.role not in NODE_HOLDERS or not a.node:
        return False
    if a.node == f.assignee_node:
        return True
    return (a.role == Role.GRID_LEADER and len(a.node) == 12 and "W" in f.assignee_node
            and f.assignee_node.split("W")[0] == a.node)


def _at_centre(f: Facts, a: Actor) -> bool:
    """levels: the case is held by the district's centre (no level node, no department)."""
    return not f.assignee_node and f.assignee_department_id is None


def _holds_level(f: Facts, a: Actor) -> bool:
    """levels: the actor holds the level the (registered) case waits at — the centre's shift leader and
    dispatcher at the district centre, a node's staff at their node."""
    return (_at_centre(f, a) and a.role in CENTRE_DESCENT) or _is_assignee_node(f, a)


GUARDS = {
    "not_reporter": (lambda f, a: a.id != f.reporter_id, "上报人不能核实自己上报的问题"),
    "verified_if_public": (
        lambda f, a: f.verified or f.source not in PUBLIC_SOURCES or f.urgency == "urgent",
        "居民、热线和媒体反映的问题须经监督员核实后才能立案（紧急案件除外）",
    ),
    "is_assignee": (_is_assignee, "只有接收该案件的部门或层级才能办理"),
    "is_assignee_node": (_is_assignee_node, "只有接收该案件的层级才能受理、下派或上报"),
    "at_centre": (_at_centre, "该案件在网格、社区或街道层级办理，不在区指挥中心"),
    "holds_level": (_holds_level, "只有案件所在层级才能下派或上报"),
    "below_top": (lambda f, a: not f.assignee_node or len(f.assignee_node) >= 6, "已是最高层级（市），没有可上报的上级"),
    "assignee_or_centre": (lambda f, a: a.role == Role.SHIFT_LEADER or _is_assignee(f, a), "只有值班长或办理单位才能恢复办理"),
    "no_pending_request": (lambda f, a: not f.pending, "已有待审批的延期或挂账申请"),
    "pending_extension": (lambda f, a: f.pending == "extension", "没有待审批的延期申请"),
    "pending_suspension": (lambda f, a: f.pending == "suspension", "没有待审批的挂账申请"),
    "is_reporter": (lambda f, a: a.id is not None and a.id == f.reporter_id, "只有上报的网格员或网格长本人才能自行处置"),
    "independent": (
        lambda f, a: a.id != f.reporter_id and a.id not in f.handler_ids,
        "核查须由既非处置人也非上报人的监督员进行（监督与处置分离）",
    ),
    "reporter_if_resident": (lambda f, a: a.role != Role.RESIDENT or a.id == f.reporter_id, "居民只能回访自己上报的案件"),
    "not_followed_up": (lambda f, a: not f.followed_up, "该案件已回访"),
}


def check(facts: Facts, action: Action | str, actor: Actor, data: dict | None = None) -> Rule:
    """The rule that applies, or a Refusal saying why not (state, post, relation or missing data)."""
    data = data or {}
    try:
        action = Action(action)
    except ValueError:
        raise Refusal("unknown_action", f"未知的操作「{action}」") from None
    rule = TABLE.get((facts.state, action))
    if rule is None:
        raise Refusal("illegal_transition", f"案件处于「{STATE_LABELS[facts.state]}」状态，不能{ACTION_LABELS[action]}",
                      {"state": facts.state, "action": action})
    if actor.role not in rule.roles:
        raise Refusal("role_not_allowed", f"您的岗位不能对此案件{ACTION_LABELS[action]}", {"action": action})
    for name in rule.guards:
        ok, message = GUARDS[name]
        if not ok(facts, actor):
            raise Refusal("guard_failed", message, {"guard": name})
    missing = [n for n in rule.needs if data.get(n) in (None, "", [])]
    if missing:
        names = {"reason": "原因", "into": "合并到的案件编号", "department": "处置部门", "node": "下派的层级",
                 "amount": "延期时长", "feedback": "处置情况", "satisfaction": "满意度"}
        raise Refusal("missing_data", "请填写：" + "、".join(names.get(m, m) for m in missing), {"missing": missing})
    return rule


def allowed_actions(facts: Facts, actor: Actor) -> list[Action]:
    """Exactly the actions this actor may take on this case now (data requirements aside)."""
    out = []
    for (state, action), rule in TABLE.items():
        if state != facts.state or actor.role not in rule.roles:
            continue
        if all(GUARDS[g][0](facts, actor) for g in rule.guards):
            out.append(action)
    return out


# ---------------------------------------------------------------- 下派: THE descent rule (the service applies it,
# the case page offers exactly the nodes it allows)

CENTRE_DESCENT = frozenset({Role.SHIFT_LEADER, Role.DISPATCHER})
DESCENT_MESSAGES = {"not_below": "只能下派到本级以下的街道、社区或网格",
                    "not_containing": "下派目标须包含案件所在位置"}


def descent_origin(actor: Actor, assignee_node: str, district: str) -> str:
    """The level a 下派 starts from: the centre's shift leader and dispatcher send from where the case is held
    (the node it was delegated to, else the district); anyone else from the node of their own account."""
    here = assignee_node or district
    if actor.role not in CENTRE_DESCENT:
        here = actor.node or here
    return here


def descent_refusal(here: str, target: str, case_key: str) -> str | None:
    """Why the case (scope key ``case_key``) may not be delegated from ``here`` to the node ``target`` (a street
    or community code, or a management grid's scope key): ``not_below`` unless the target lies strictly below
    ``here``, ``not_containing`` unless it contains the case's place; None when it may."""
    if not (target.startswith(here) and len(target) > len(here)):
        return "not_below"
    if not case_key.startswith(target):
        return "not_containing"
    return None


# ================================================================ the city level and disputed responsibility
# (市→区派件, 责任争议裁定) — the city helper's block, kept apart from the rules above.
#
# - 市级派件: the city centre (派遣员 or 值班长 bound to a 市 node) sends a registered case to the district it lies
#   in; the district's centre is then the assignee node: it 签收s (ACCEPT, the existing rule), and may send it on
#   to one of its departments (DISPATCH from 处置中, below), 下派 it, handle it, 退回 or 上报上级 as any assignee node.
#   The 派件 record (due date, the district's answer, on time) is kept by gridgov/oversight.
# - 责任争议: the department a case was dispatched to contests the dispatch with a reason before 签收 (CONTEST);
#   the 签收 clock is PAUSED while the case waits for the ruling (the department is not late while the centre
#   decides). The centre (值班长 / 派遣员) rules: upheld → the case goes to the department named in the ruling with
#   a fresh 签收 clock; rejected → it stays with the department, whose 签收 clock resumes with the time it had left.
#   Each ruling is a timeline row and an audit record (who, when, reason, result); 派遣准确率 counts them
#   (gridgov/dashboard/kpi.py: dispatch_accuracy).

STATE_LABELS[State.CONTESTED] = "责任争议待裁定"
ACTION_LABELS.update({Action.CITY_DISPATCH: "市级派件（派至区）", Action.CONTEST: "提出责任争议",
                      Action.RULE_UPHOLD: "裁定争议成立（改派）", Action.RULE_REJECT: "裁定争议不成立（维持派遣）"})
CITY_CODE_LEN = 4  # a 市 node's code (e.g. 1101 北京市); districts are 6 digits below it
RULERS = frozenset({C.SHIFT_LEADER, C.DISPATCHER})  # who rules on a contested dispatch (the centre)

GUARDS.update({
    "at_city": (lambda f, a: a.node is not None and len(a.node) == CITY_CODE_LEN and a.node.isdigit(),
                "只有市级指挥中心才能向区派件"),
    "is_assignee_department": (
        lambda f, a: f.assignee_department_id is not None and a.role == Role.HANDLER
        and a.department_id == f.assignee_department_id,
        "只有被派遣的部门才能提出责任争议"),
})


def _city_rules() -> dict[tuple[State, Action], Rule]:
    return {
        (S.REGISTERED, A.CITY_DISPATCH): Rule(S.DISPATCHED, DISPATCHERS, ("at_city",), Stage.ACCEPT, ("node",)),
        # the district centre that signed a city 派件 sends it on to one of its departments
        (S.ACCEPTED, A.DISPATCH): Rule(S.DISPATCHED, DISPATCHERS, ("is_assignee_node",), Stage.ACCEPT,
                                       ("department",)),
        (S.DISPATCHED, A.CONTEST): Rule(S.CONTESTED, frozenset({C.HANDLER}), ("is_assignee_department",), KEEP,
                                        ("reason",)),
        (S.CONTESTED, A.RULE_UPHOLD): Rule(S.DISPATCHED, RULERS, (), Stage.ACCEPT, ("department", "reason")),
        (S.CONTESTED, A.RULE_REJECT): Rule(S.DISPATCHED, RULERS, (), KEEP, ("reason",)),
    }


TABLE.update(_city_rules())
