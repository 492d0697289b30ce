"""Case pages: department — the inbox (部门待办) of a department's handlers, also used by the staff of a tree
node (grid leader, grid worker, dispatcher) for the cases delegated (下派) to their node.

``/cases/inbox/?tab=…``: 待签收, 办理中, 返工 (with the inspector's reason), 待审批申请 (my pending 延期/挂账),
挂账中, 已处置待核查. Each row links to the case page, where the actions are (one shared partial, one POST
endpoint ``cases:act``); the only action offered here is a quick 签收, and only when the transition table allows
it. A fixed number of queries whatever the number of cases: the tab counts in one query, the rows of one tab
in one query (matter joined), the reasons of the shown rows in one query.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import path

from gridgov.accounts import roles
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.pages import page, render_page

from .. import services
from ..logic.lifecycle import HOLDERS, Action, State
from ..models import Case, CaseEvent

MAX_ROWS = 100
TABS = [  # (key, label, what the tab holds)
    ("pending", "待签收", "派给本单位、尚未签收的案件"),
    ("doing", "办理中", "已签收、正在处置的案件"),
    ("rework", "返工", "核查未通过、退回重新处置的案件"),
    ("requests", "待审批申请", "已提出延期或挂账申请、等待值班长审批的案件"),
    ("suspended", "挂账中", "经批准挂账（缓办）的案件，时限暂停"),
    ("handled", "已处置待核查", "已反馈处置情况、等待监督员核查的案件"),
]
TAB_KEYS = [k for k, _, _ in TABS]
REQUEST_LABELS = {"extension": "延期申请", "suspension": "挂账申请"}
REASON_ACTIONS = {"rework": [Action.INSPECT_FAIL], "requests": [Action.REQUEST_EXTENSION, Action.REQUEST_SUSPENSION]}


def mine(user):
    """The cases sent to the user's department (as lead, 主办) or delegated to the user's node — within scope."""
    qs = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    if user.department_id:
        return qs.filter(assignee_department_id=user.department_id)
    node = scope_prefix(user)
    if not node:  # a system-wide account holds no node of its own
        return qs.none()
    return qs.filter(assignee_department__isnull=True, assignee_node=node)


def _with_rework(qs):
    """``is_rework``: accepted again because the inspection after its last handling failed (返工)."""
    failed = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.INSPECT_FAIL, at__gte=OuterRef("accepted_at"))
    return qs.annotate(is_rework=Exists(failed))


TAB_FILTERS = {
    "pending": Q(status=State.DISPATCHED),
    "doing": Q(status=State.ACCEPTED, is_rework=False),
    "rework": Q(status=State.ACCEPTED, is_rework=True),
    "requests": Q(status=State.ACCEPTED) & ~Q(pending_request=""),
    "suspended": Q(status=State.SUSPENDED),
    "handled": Q(status=State.HANDLED),
}


def tab_cases(user, tab: str):
    return _with_rework(mine(user)).filter(TAB_FILTERS[tab])


def tab_counts(user) -> dict[str, int]:
    qs = _with_rework(mine(user)).filter(status__in=[State.DISPATCHED, State.ACCEPTED, State.SUSPENDED, State.HANDLED])
    return qs.order_by().aggregate(**{k: Count("id", filter=f) for k, f in TAB_FILTERS.items()})


def _reasons(case_ids: list[int], tab: str) -> dict[int, dict]:
    """The last inspect_fail (返工) or request event of each case: its reason (and the requested time)."""
    actions = REASON_ACTIONS.get(tab)
    if not actions or not case_ids:
        return {}
    out = {}
    for e in CaseEvent.objects.filter(case_id__in=case_ids, action__in=actions).order_by("at", "id"):
        out[e.case_id] = {"reason": e.data.get("reason", ""), "actor": e.actor_name, "at": e.at,
                          "amount": e.data.get("amount", "")}
    return out


@page(roles.CASE_VIEW, posts=HOLDERS)
def inbox(request):
    user = request.user
    tab = request.GET.get("tab", "")
    if tab not in TAB_KEYS:
        tab = "pending"
    counts = tab_counts(user)
    order = ["stage_due_at", "id"] if tab != "handled" else ["-handled_at", "-id"]
    rows = list(tab_cases(user, tab).select_related("matter", "community").order_by(*order)[:MAX_ROWS])
    reasons = _reasons([c.pk for c in rows], tab)
    items = []
    for c in rows:
        acts = services.available_actions(user, c)
        items.append({"case": c, "why": reasons.get(c.pk), "can_accept": Action.ACCEPT in acts,
                      "request": REQUEST_LABELS.get(c.pending_request, "")})
    tabs = [{"key": k, "label": label, "help": h, "n": counts[k], "here": k == tab} for k, label, h in TABS]
    ctx = {"tabs": tabs, "tab": next(t for t in tabs if t["here"]), "items": items, "more": counts[tab] - len(rows),
           "holder": user.department.name if user.department_id else "", "next": request.get_full_path()}
    return render_page(request, "cases/department/inbox.html", ctx)


urls = [path("inbox/", inbox, name="inbox")]
