"""The command centre's lists (受理员, 值班长, 派遣员); the case page and its actions are in ``centre.py``.

- ``/cases/``: the live queue with filters (``api.filtered``), paging, saved views and polling for new reports
- ``/cases/bulk/``: 批量操作 — one action on the cases ticked in the queue (→ ``services.transition_many``)
- ``/cases/overdue/``: red and yellow cases by department / level, with 督办 for the shift leader

Reads go through ``filtered`` (scoped); writes only through ``services``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_prefix
from gridgov.catalog.cache import active_matters
from gridgov.context import CENTRE
from gridgov.errors import DomainError
from gridgov.geo.models import Jurisdiction
from gridgov.pages import page, render_page
from gridgov.schemas import bounded_count

from .. import services
from ..api import CaseFilter, filtered
from ..filters import FILTER_KEYS, clean_query, parse, queue_qs
from ..logic.lifecycle import (
    ACTION_LABELS,
    STAGE_LABELS,
    STATE_LABELS,
    TABLE,
    Action,
    Stage,
    State,
)
from ..models import Case, SavedView, Source, Urgency
from ..services import saved_views
from ..services.lights import ORDERS, late_in_order, light, ordered, overdue_q, running_q, yellow_q
from ..services.transitions import MAX_BULK
from .centre import safe_next

PAGE_SIZE = 50
OVERDUE_PAGE = 100  # the overdue board's rows per page (each with a 督办 form)
OVERDUE_PAGES = 50  # pages walked at most (5,000 cases, the longest overdue first)

# ------------------------------------------------------------------ the live queue

BUILTIN = {  # the post's own tabs (key → label, query)
    # levels: the centre's own tabs hold what the centre holds; the levels below have their own queues
    "intake": ("待受理", "status=reported&status=verified&level=district"),
    "verifying": ("核实中", "status=verifying"),
    "dispatch": ("待派遣", "status=registered&level=district"),
    "below": ("网格/社区/街道办理中", "status=reported&status=registered&status=dispatched&status=accepted&level=below"),
    "pending": ("待审批（延期/挂账）", "pending=1"),
    "overdue": ("已超期", "overdue=1"),
}
TABS_BY_POST = {
    Role.INTAKE_CLERK: ["intake", "verifying", "overdue"],
    Role.DISPATCHER: ["dispatch", "overdue"],
    Role.SHIFT_LEADER: ["pending", "intake", "dispatch", "below", "overdue"],
    Role.ADMIN: ["intake", "dispatch", "below", "pending", "overdue"],
    Role.CLERK: ["intake", "verifying", "overdue"],  # levels: 信息员
}
# the city helper's block: contested dispatches wait for the centre's ruling (责任争议待裁定)
BUILTIN["contested"] = ("待裁定（责任争议）", "status=contested")
TABS_BY_POST[Role.DISPATCHER].append("contested")
TABS_BY_POST[Role.SHIFT_LEADER].append("contested")


def _tabs_of(user) -> list[str]:
    return TABS_BY_POST.get(user.role, TABS_BY_POST[Role.ADMIN] if user.is_superuser else [])


ROW_RELATED = ("matter", "community__parent", "assignee_department")


def _rows(qs):
    return list(qs.select_related(*ROW_RELATED).only(
        "id", "number", "version", "status", "source", "urgency", "description", "address", "reported_at", "stage", "stage_due_at",
        "stage_yellow_at", "paused_at", "pending_request", "assignee_node", "matter__code", "matter__name",
        "community__name", "community__parent__name", "assignee_department__name"))


def _rows_context(rows):
    return [{"case": c, "status_label": STATE_LABELS[State(c.status)], "source_label": Source(c.source).label}
            for c in rows]


def _active(user, pairs, request) -> tuple[str, list]:
    """The active tab, and the filters to apply: with no filter given, the post's first tab. The order
    (``order=time_left``) is not a filter: it stays on whatever tab is shown."""
    order = [(k, v) for k, v in pairs if k == "order" and v != "newest"]
    tab, pairs = _active_tab(user, [(k, v) for k, v in pairs if k != "order"], request)
    return tab, pairs + order


def _active_tab(user, pairs, request) -> tuple[str, list]:
    if request.GET.get("all") or (not pairs and "view" in request.GET):
        return "all", []
    if not pairs:
        tabs = _tabs_of(user)
        if tabs:
            key = tabs[0]
            return key, clean_query(_parse(BUILTIN[key][1]))
    query = urlencode(pairs)
    for key in _tabs_of(user):
        if BUILTIN[key][1] == query:
            return key, pairs
    return "", pairs


def _parse(query: str):
    return parse(query)


@page(roles.CASE_VIEW, posts=CENTRE)
def queue(request):
    user = request.user
    pairs = clean_query(request.GET)
    tab, pairs = _active(user, pairs, request)
    try:
        qs = queue_qs(user, pairs)
        error = ""
    except DomainError as e:
        qs, error = Case.objects.none(), e.message
    total, more = bounded_count(qs)  # beyond COUNT_UP_TO: 「10000+ 件」, pages without a last one
    try:
        page_no = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_no = 1
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    if not more:
        page_no = min(page_no, pages)
    order = dict(pairs).get("order", "newest")
    rows = _rows(ordered(qs, order)[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    # the poll looks for cases after the newest of the whole set (by id: new reports get higher ids)
    newest = (qs.order_by("-id").values_list("id", flat=True).first() or 0) if page_no == 1 else 0
    query = urlencode(pairs)
    saved = list(SavedView.objects.filter(user=user).order_by("name"))
    saved_active = next((v.pk for v in saved if v.query == query), None) if tab == "" else None
    bulk = bulk_actions(user)
    ctx = {
        "rows": _rows_context(rows), "total": total, "more": more, "page": page_no, "pages": pages, "error": error,
        "selectable": bool(bulk), "bulk_actions": [(str(a), ACTION_LABELS[a]) for a in bulk],
        "bulk_departments": _bulk_departments(user) if Action.DISPATCH in bulk else [],
        "bulk_next": reverse("cases:queue") + "?" + urlencode(  # back here after a bulk action: this tab, filters, page
            ([("all", "1")] if tab == "all" else [("view", ""), *pairs]) + ([("page", page_no)] if page_no > 1 else [])),
        "query": query, "tab": tab, "newest": newest, "saved": saved, "saved_active": saved_active,
        "tabs": [(k, BUILTIN[k][0], BUILTIN[k][1]) for k in _tabs_of(user)],
        "f": {k: [v for kk, v in pairs if kk == k] for k in FILTER_KEYS},
        "multi_status": _multi_status(pairs),
        "statuses": [(s.value, STATE_LABELS[s]) for s in State], "sources": Source.choices,
        "urgencies": Urgency.choices, "places": _places(user),
        "matters": [(m.code, m.name) for m in active_matters()],
        "order": order, "orders": list(ORDERS.items()),
        "order_links": [(k, label, "?" + urlencode([("view", ""), *[(a, b) for a, b in pairs if a != "order"],
                                                   *([("order", k)] if k != "newest" else [])]))
                        for k, label in ORDERS.items()],
        "prev_url": f"?{urlencode([('view', ''), *pairs, ('page', page_no - 1)])}" if page_no > 1 else "",
        "next_url": f"?{urlencode([('view', ''), *pairs, ('page', page_no + 1)])}" if has_next else "",
        "poll_url": reverse("cases:poll") + "?" + urlencode([*pairs, ("after", newest)]),
    }
    return render_page(request, "cases/centre/queue.html", ctx)


def _multi_status(pairs) -> tuple[str, str] | None:
    """A view of several statuses (待受理: 已上报 + 已核实) as one option of the status select."""
    statuses = [v for k, v in pairs if k == "status" and v in State]
    if len(statuses) < 2:
        return None
    return ",".join(statuses), "、".join(STATE_LABELS[State(v)] for v in statuses)


def _places(user) -> list[tuple[str, str]]:
    """Streets and communities of the user's scope, for the place filter."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    qs = Jurisdiction.objects.filter(level__in=["street", "community"])
    if prefix:
        qs = qs.filter(code__startswith=prefix[:12])
    return [(code, ("　" if level == "community" else "") + name)
            for code, name, level in qs.order_by("code").values_list("code", "name", "level")[:400]]


@page(roles.CASE_VIEW, posts=CENTRE)
def poll(request):
    """Rows newer than the newest shown (by id), with the poller re-armed after them; nothing new → 204."""
    user = request.user
    pairs = clean_query(request.GET)
    try:
        after = int(request.GET.get("after", "0"))
        qs = queue_qs(user, pairs)
    except (ValueError, DomainError):
        return HttpResponse(status=204)
    rows = _rows(qs.filter(id__gt=after).order_by("-reported_at", "-id")[:PAGE_SIZE])
    if not rows:
        return HttpResponse(status=204)
    newest = max(c.id for c in rows)
    total, more = bounded_count(qs)
    ctx = {"rows": _rows_context(rows), "fresh": True, "total": total, "more": more,
           "selectable": bool(bulk_actions(user)),
           "poll_url": reverse("cases:poll") + "?" + urlencode([*pairs, ("after", newest)])}
    return render_page(request, "cases/centre/_poll.html", ctx)


@require_POST
@page(roles.CASE_VIEW, posts=CENTRE)
def save_view(request):
    name = request.POST.get("name", "").strip()[:40]
    query = urlencode(clean_query(_parse(request.POST.get("query", ""))))
    if not name:
        messages.error(request, "请填写视图名称")
    else:
        saved_views.save_view(request.user, name, query)
        messages.success(request, f"已保存视图「{name}」")
    return redirect(reverse("cases:queue") + (f"?{query}" if query else "?view="))


@require_POST
@page(roles.CASE_VIEW, posts=CENTRE)
def delete_view(request, pk: int):
    if saved_views.delete_view(request.user, pk):
        messages.success(request, "已删除视图")
    return redirect("cases:queue")


# ------------------------------------------------------------------ bulk actions from the queue (批量操作)

# what the queue offers to do on many cases at once: the steps that need no data but a department to send them to
# (the others want a reason or a choice per case, and stay on the case page)
BULK_ACTIONS = (Action.ASSIGN_VERIFY, Action.REGISTER, Action.DISPATCH, Action.CLOSE, Action.ARCHIVE)
BULK_MAX_LISTED = 10  # refused cases named one by one in the message; the rest are counted


def bulk_actions(user) -> list[Action]:
    """The bulk actions the user's post can ever take: those the transition table gives the post from some state."""
    if user.role not in Role:
        return []
    possible = {action for (_, action), rule in TABLE.items() if user.role in rule.roles}
    return [a for a in BULK_ACTIONS if a in possible]


def _bulk_departments(user) -> list[tuple[str, str]]:
    """The departments of the user's district (派遣 checks each case's district again)."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    qs = Department.objects.order_by("code")
    if prefix:
        qs = qs.filter(district__code=prefix[:6])
    return list(qs.values_list("code", "name"))


@require_POST
@page(roles.CASE_VIEW, posts=CENTRE)
def bulk(request):
    """One action on the cases ticked in the queue; the refused ones are named, the others done. Back to the queue."""
    user = request.user
    back = safe_next(request) or reverse("cases:queue")
    # each ticked row sends "number:version" (the version the page showed): a case changed since is refused
    versions: dict[str, int] = {}
    for value in request.POST.getlist("numbers"):
        number, _, version = value.strip().partition(":")
        if number and version.isdigit():
            versions[number] = int(version)
    numbers = list(dict.fromkeys(v.strip().partition(":")[0] for v in request.POST.getlist("numbers") if v.strip()))
    name = request.POST.get("action", "")
    offered = {str(a): a for a in bulk_actions(user)}
    if name not in offered:
        messages.error(request, "请选择要批量执行的操作" if not name else f"您的岗位不能批量执行「{name}」")
        return redirect(back)
    action = offered[name]
    label = ACTION_LABELS[action]
    if not numbers:
        messages.error(request, f"请先勾选要{label}的案件")
        return redirect(back)
    if len(numbers) > MAX_BULK:
        messages.error(request, f"一次最多批量操作 {MAX_BULK} 个案件，您选了 {len(numbers)} 个")
        return redirect(back)
    data = {}
    if action == Action.DISPATCH:
        department = request.POST.get("department", "").strip()
        if not department:
            messages.error(request, "请选择派遣的主办部门")
            return redirect(back)
        if department not in {code for code, _ in _bulk_departments(user)}:
            messages.error(request, f"本区没有部门「{department}」")
            return redirect(back)
        data["department"] = department
    try:
        outcomes = services.transition_many(user, numbers, str(action), data, versions=versions, skip_refused=True)
    except DomainError as e:  # the whole call refused (e.g. a case changed meanwhile): nothing written
        messages.error(request, f"批量{label}未执行：{e.message}")
        return redirect(back)
    done = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if o.error is not None]
    if done:
        messages.success(request, f"已{label} {len(done)} 件")
    if refused:
        listed = "；".join(f"{o.number}（{o.error.message}）" for o in refused[:BULK_MAX_LISTED])
        more = f" 等 {len(refused)} 件" if len(refused) > BULK_MAX_LISTED else ""
        messages.error(request, f"{len(refused)} 件未能{label}：{listed}{more}")
    return redirect(back)


# ------------------------------------------------------------------ the overdue board


HELD_BY = {State.REPORTED: "指挥中心：待受理、立案", State.VERIFIED: "指挥中心：待受理、立案",
           State.REGISTERED: "指挥中心：待派遣", State.VERIFYING: "监督员：待核实", State.HANDLED: "监督员：待核查",
           State.INSPECTED: "指挥中心：待结案"}


def _late_total(user, scoped_cases, now) -> int:
    """红灯 + 黄灯 (``lights.late_q``) in the user's scope, counted as two parts that cannot overlap: the red ones
    from the open counts when they answer the user (``analytics.figures.open_counts``: not every late case read),
    and the yellow ones not yet due through the due-time index (only the cases still in time)."""
    from gridgov.analytics.figures import open_counts

    kept = open_counts(user, now)
    red = sum(r["overdue"] for r in kept) if kept is not None else scoped_cases.filter(overdue_q(now)).count()
    return red + scoped_cases.filter(running_q(), yellow_q(now), stage_due_at__gte=now).count()


@page(roles.CASE_VIEW, posts=CENTRE)
def overdue(request):
    user = request.user
    now = timezone.now()
    scoped_cases = filtered(user, CaseFilter())
    total = _late_total(user, scoped_cases, now)
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), OVERDUE_PAGES)
    except ValueError:
        number = 1
    first = (number - 1) * OVERDUE_PAGE
    cases = late_in_order(scoped_cases.select_related(*ROW_RELATED), now, first + OVERDUE_PAGE)[first:]
    groups: dict[str, dict] = {}
    node_names = dict(Jurisdiction.objects.filter(code__in={c.assignee_node for c in cases if c.assignee_node})
                      .values_list("code", "name"))
    for c in cases:
        if c.status in HELD_BY:  # not with a department yet (or any more): who must move it now
            key = label = HELD_BY[c.status]
        elif c.assignee_department_id:
            key, label = f"d{c.assignee_department_id}", c.assignee_department.name
        elif c.assignee_node:
            key, label = f"n{c.assignee_node}", f"{node_names.get(c.assignee_node, c.assignee_node)}（下派）"
        else:
            key = label = "指挥中心"
        g = groups.setdefault(key, {"label": label, "red": 0, "yellow": 0, "rows": []})
        red = light(c, now) == "red"
        g["red" if red else "yellow"] += 1
        g["rows"].append({"case": c, "red": red, "status_label": STATE_LABELS[State(c.status)],
                          "stage_label": STAGE_LABELS.get(Stage(c.stage), ""),
                          "can_urge": Action.URGE in services.available_actions(user, c)})
    ordered = sorted(groups.values(), key=lambda g: (-g["red"], -g["yellow"], g["label"]))
    return render_page(request, "cases/centre/overdue.html",
                       {"groups": ordered, "total": total, "shown": len(cases), "now": now, "page": number,
                        "first": first + 1, "last": first + len(cases),
                        "next_page": number + 1 if first + len(cases) < total and number < OVERDUE_PAGES else None,
                        "previous_page": number - 1 if number > 1 else None})


urls = [
    path("", queue, name="queue"),
    path("poll/", poll, name="poll"),
    path("views/", save_view, name="save_view"),
    path("views/<int:pk>/delete/", delete_view, name="delete_view"),
    path("bulk/", bulk, name="bulk"),
    path("overdue/", overdue, name="overdue"),
]
