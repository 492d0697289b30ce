"""Who hears about what happens to a case (the inbox and channels live in gridgov.notify)."""

from django.db.models import Q

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.notify.services import notify

from ..logic.lifecycle import ACTION_LABELS, STATE_LABELS, Action, State


def _holders(case) -> Q:
    """The people a case is with now: its department's handlers, or the staff bound to its node."""
    if case.assignee_department_id:
        return Q(role=Role.HANDLER, department_id=case.assignee_department_id)
    if case.assignee_node:
        q = Q(node_key=case.assignee_node, role__in=[Role.DISPATCHER, Role.SHIFT_LEADER, Role.GRID_LEADER,
                                                     Role.GRID_WORKER, Role.GRID_SUPERVISOR])
        if "W" in case.assignee_node:  # levels: a grid's case is also its community's 网格长's (受理第一人)
            q |= Q(node_key=case.assignee_node.split("W")[0], role=Role.GRID_LEADER)
        return q
    return Q(pk__in=[])


def _up(case) -> Q:
    """levels: who hears of a case sent up (上报上级) or back (退回): the level that holds it now, else the centre."""
    return _holders(case) if case.assignee_node else Q(role=Role.DISPATCHER, node_key=case.number[:6])


def _centre(case) -> Q:
    return Q(role=Role.SHIFT_LEADER, node_key=case.number[:6])


RECIPIENTS = {
    Action.ASSIGN_VERIFY: lambda c: Q(role=Role.INSPECTOR, node_key__in=[c.scope_key[:9], c.scope_key[:12]]),
    Action.DISPATCH: _holders, Action.DELEGATE: _holders,
    Action.RETURN: _up, Action.ESCALATE: _up,
    Action.REQUEST_EXTENSION: _centre, Action.REQUEST_SUSPENSION: _centre,
    Action.APPROVE_EXTENSION: _holders, Action.REFUSE_EXTENSION: _holders, Action.APPROVE_SUSPENSION: _holders,
    Action.REFUSE_SUSPENSION: _holders, Action.INSPECT_FAIL: _holders, Action.URGE: _holders,
    Action.HANDLE: lambda c: Q(role=Role.INSPECTOR, node_key__in=[c.scope_key[:9], c.scope_key[:12]]),
    Action.SELF_HANDLE: lambda c: Q(role=Role.INSPECTOR, node_key__in=[c.scope_key[:9], c.scope_key[:12]]),
    Action.REOPEN: lambda c: Q(role=Role.DISPATCHER, node_key=c.number[:6]),
}
# the city helper's block: a city 派件 reaches the district centre; a contest the district's dispatchers and shift
# leaders (who rule); a ruling the department that has the case now
RECIPIENTS.update({
    Action.CITY_DISPATCH: _holders,
    Action.CONTEST: lambda c: Q(role__in=[Role.DISPATCHER, Role.SHIFT_LEADER], node_key=c.number[:6]),
    Action.RULE_UPHOLD: _holders, Action.RULE_REJECT: _holders,
})


def transition_message(case, action: Action, actor, extra: dict, memo: dict | None = None) -> tuple | None:
    """Who hears of ``action`` on ``case`` and what they read, as a message for ``notify_many`` (None: nobody).
    ``memo`` keeps the recipients of each rule across the cases of one bulk action (one query per rule)."""
    title = f"案件 {case.number}：{ACTION_LABELS[action]}"
    body = f"{case.description[:60]}（{STATE_LABELS[State(case.status)]}）"
    if extra.get("reason"):
        body += f"；原因：{extra['reason'][:100]}"
    rule = RECIPIENTS.get(action)
    ids = []
    if rule:
        q = rule(case)
        key = str(q)
        if memo is None or key not in memo:
            found = list(User.objects.filter(q, is_active=True).values_list("pk", flat=True))
            if memo is None:
                memo = {}
            memo[key] = found
        ids = list(memo[key])
    if case.first_contact_id and case.status != State.ARCHIVED:
        ids.append(case.first_contact_id)  # 首接负责: the first contact hears of every step until it is closed
    ids = [i for i in ids if i != getattr(actor, "pk", None)]
    return (ids, f"case.{action}", title, body, "case", case.number) if ids else None


def notify_urgent(case, skip=frozenset()) -> None:
    """紧急案件: an emergency alert to the centre's shift leaders and dispatchers (not to the usernames in ``skip``:
    those an emergency plan started for this case has already told)."""
    users = [u for u in User.objects.filter(role__in=[Role.SHIFT_LEADER, Role.DISPATCHER], node_key=case.number[:6],
                                            is_active=True) if u.username not in skip]
    if users:
        notify(users, "case.urgent", f"紧急案件 {case.number}", case.description[:100], "case", case.number)


def notify_entry(case) -> None:
    """levels: a report that entered at a level waits for its 受理 there — the 网格长 (and the grid's 网格员) hear of it."""
    users = list(User.objects.filter(_holders(case), is_active=True).exclude(pk=case.reporter_id))
    if users:
        notify(users, "case.entry", f"新上报待受理 {case.number}", case.description[:100], "case", case.number)


def notify_deadline(case, level: str) -> None:
    title = f"案件 {case.number} {'即将超期（黄灯）' if level == 'yellow' else '已超期（红灯）'}"
    q = _holders(case) | _centre(case)
    if case.first_contact_id:
        q |= Q(pk=case.first_contact_id)
    users = list(User.objects.filter(q, is_active=True))
    if users:
        notify(users, f"case.{level}", title, case.description[:100], "case", case.number)
