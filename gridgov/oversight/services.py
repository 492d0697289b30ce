"""The only writer of the oversight tables: 市级派件 and 督办通知书 (with 整改 replies). Each write is one
transaction with its audit record(s) and notifications; a refused request writes nothing.

- ``dispatch_to_district``: the city centre sends a case to its district — the case's transition
  ``city_dispatch`` (gridgov/cases: one case engine) and the 派件 record with the 办结时限, together.
- ``answer_dispatch``: the district centre, having signed the case (签收), answers the city.
- ``issue_notice`` / ``reply_notice`` / ``review_notice``: a 督办通知书 issued by a centre's shift leader to a
  district, street or department below it; the unit's 整改 report; the issuer accepts (已办结) or returns it.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import require, scope_prefix, scoped
from gridgov.audit import services as audit
from gridgov.cases.logic.lifecycle import Action
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services import transitions
from gridgov.dashboard import kpi
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.geo.models import Jurisdiction, Level
from gridgov.notify.services import notify

from .logic.states import REPLY_FROM, REVIEW_FROM, dispatch_state, notice_number
from .models import CityDispatch, Notice, NoticeReply, NoticeStatus

CENTRE_POSTS = (Role.SHIFT_LEADER, Role.DISPATCHER)
MAX_NOTICE_CASES = 50

# ---------------------------------------------------------------- 市级派件


def dispatches(user):
    """The 派件 the user may see: the city's all, a district's its own (scoped by the district code)."""
    return scoped(CityDispatch.objects.select_related("case", "dispatched_by", "answered_by"), user, roles.CASE_VIEW)


def get_dispatch(user, pk: int) -> CityDispatch:
    d = dispatches(user).filter(pk=pk).first()
    if d is None:
        raise NotFound("dispatch_not_found", f"派件 {pk} 不存在或不在您的管辖范围内")
    return d


def dispatch_to_district(user, number: str, district: str, due_at: dt.datetime, note: str = "",
                         now: dt.datetime | None = None) -> CityDispatch:
    """市→区派件: the case (registered, held by the city) goes to ``district`` with a deadline for its answer."""
    now = now or timezone.now()
    with transaction.atomic():
        case = transitions.transition(user, number, Action.CITY_DISPATCH,
                                      {"node": district, "note": note, "due_at": due_at.isoformat()}, now=now)
        if due_at <= now:
            raise DomainError("due_in_past", "办结时限须晚于现在")
        d = CityDispatch.objects.create(case=case, city_code=scope_prefix(user) or "", district_code=str(district),
                                        note=note, due_at=due_at, dispatched_by=user, dispatched_at=now)
        audit.record(user, "create", "city_dispatch", d.pk, after={
            "case": case.number, "district": d.district_code, "due_at": due_at.isoformat()}, role=user.role)
    return d


def answer_dispatch(user, pk: int, text: str, now: dt.datetime | None = None) -> CityDispatch:
    """The district centre's answer to the city (办理结果), once it has signed the 派件."""
    now = now or timezone.now()
    text = (text or "").strip()
    with transaction.atomic():
        d = CityDispatch.objects.select_for_update().filter(pk=get_dispatch(user, pk).pk).get()
        if user.role not in CENTRE_POSTS or scope_prefix(user) != d.district_code:
            raise Forbidden("not_addressee", "只有接收派件的区级指挥中心（值班长、派遣员）才能答复")
        if not text:
            raise DomainError("missing_data", "请填写：答复内容")
        if d.answered_at is not None:
            raise Conflict("already_answered", "该派件已答复")
        if not _signed({d.case_id: d.dispatched_at}).get(d.case_id):
            raise Conflict("not_signed", "请先签收该派件（在案件页面「签收」），再答复")
        d.answer, d.answered_by, d.answered_at = text[:10_000], user, now
        d.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(user, "answer", "city_dispatch", d.pk, after={
            "case": d.case.number, "on_time": kpi.answered_on_time(now, d.due_at)}, role=user.role)
        notify([d.dispatched_by_id, *User.objects.filter(role__in=CENTRE_POSTS, node_key=d.city_code)
                .values_list("pk", flat=True)], "oversight.answer", f"派件已答复：案件 {d.case.number}",
               text[:100], "city_dispatch", d.pk)
    return d


def _events_after(since: dict[int, dt.datetime], actions: list[str]) -> dict[int, list[tuple[str, dt.datetime]]]:
    out: dict[int, list] = {}
    rows = CaseEvent.objects.filter(case_id__in=list(since), action__in=actions).values_list("case_id", "action", "at")
    for case_id, action, at in rows:
        if at >= since[case_id]:
            out.setdefault(case_id, []).append((action, at))
    return out


def _signed(since: dict[int, dt.datetime]) -> dict[int, bool]:
    """Whether each case was signed (签收) after its 派件: the first 签收 after it is the district's."""
    events = _events_after(since, [Action.ACCEPT])
    return {case_id: bool(events.get(case_id)) for case_id in since}


def dispatch_rows(items: list[CityDispatch], now: dt.datetime | None = None) -> list[dict]:
    """The 派件 as the pages and the API show them: the district's state, answer and whether on time."""
    from gridgov.cases.logic.lifecycle import STATE_LABELS, State

    from .logic.states import DISPATCH_LABELS

    now = now or timezone.now()
    events = _events_after({d.case_id: d.dispatched_at for d in items},
                           [Action.ACCEPT, Action.RETURN, Action.ESCALATE])
    names = dict(Jurisdiction.objects.filter(code__in={d.district_code for d in items}).values_list("code", "name"))
    out = []
    for d in items:
        acts = {a for a, _ in events.get(d.case_id, [])}
        state = dispatch_state(Action.ACCEPT in acts, bool(acts & {Action.RETURN, Action.ESCALATE}),
                               d.answered_at is not None)
        out.append({
            "id": d.pk, "case": d.case.number, "case_status": d.case.status,
            "case_status_label": STATE_LABELS[State(d.case.status)], "description": d.case.description[:200],
            "district": d.district_code, "district_name": names.get(d.district_code, d.district_code),
            "note": d.note, "due_at": d.due_at, "dispatched_at": d.dispatched_at,
            "dispatched_by": str(d.dispatched_by) if d.dispatched_by_id else "",
            "state": state, "state_label": DISPATCH_LABELS[state], "answer": d.answer, "answered_at": d.answered_at,
            "answered_by": str(d.answered_by) if d.answered_by_id else "",
            "on_time": kpi.answered_on_time(d.answered_at, d.due_at) if d.answered_at else None,
            "overdue": d.answered_at is None and now > d.due_at,
            "closed": d.case.status in ("closed", "archived"),
        })
    return out


def dispatch_figures(items: list[CityDispatch]) -> dict[str, kpi.DispatchFigures]:
    """市区两级平台派件 per district (and "" for all): dispatched, answered on time, closed."""
    out: dict[str, kpi.DispatchFigures] = {}
    for d in items:
        one = kpi.DispatchFigures(1, int(kpi.answered_on_time(d.answered_at, d.due_at)),
                                  int(d.case.status in ("closed", "archived")))
        for key in (d.district_code, ""):
            prev = out.get(key, kpi.DispatchFigures())
            out[key] = kpi.DispatchFigures(prev.dispatched + one.dispatched,
                                           prev.answered_on_time + one.answered_on_time, prev.closed + one.closed)
    return out


# ---------------------------------------------------------------- 督办通知书


def notices(user):
    return scoped(Notice.objects.select_related("addressee_department", "issued_by"), user, roles.CASE_VIEW)


def get_notice(user, pk: int) -> Notice:
    n = notices(user).filter(pk=pk).first()
    if n is None:
        raise NotFound("notice_not_found", f"督办通知书 {pk} 不存在或不在您的管辖范围内")
    return n


def is_addressee(user, n: Notice) -> bool:
    if n.addressee_department_id:
        return user.department_id == n.addressee_department_id
    return bool(user.node_key) and user.node_key == n.addressee_node and not user.department_id


def is_issuer(user, n: Notice) -> bool:
    return user.role == Role.SHIFT_LEADER and user.node_key == n.issuer_node


def inbox(user):
    """The notices addressed to the user's own unit (their node, or their department)."""
    if user.department_id:
        return notices(user).filter(addressee_department_id=user.department_id)
    return notices(user).filter(addressee_node=user.node_key or "-", addressee_department__isnull=True)


def _unit_users(n: Notice) -> list[int]:
    if n.addressee_department_id:
        q = Q(department_id=n.addressee_department_id, role=Role.HANDLER)
    else:
        q = Q(node_key=n.addressee_node, role__in=[Role.SHIFT_LEADER, Role.DISPATCHER, Role.GRID_SUPERVISOR])
    return list(User.objects.filter(q, is_active=True).values_list("pk", flat=True))


def _addressee(user, node: str, department: str) -> tuple[str, Department | None, str, str]:
    """(node, department, name, scope key) of the unit named, if it lies below the issuer's node."""
    here = scope_prefix(user) or ""
    wrong = DomainError("invalid_addressee", "督办对象须是本级以下的区（县）、街道，或本级辖区内的部门")
    if bool(node) == bool(department):
        raise DomainError("invalid_addressee", "请指定一个督办对象：区（县）/街道，或部门")
    if department:
        dept = Department.objects.select_related("district").filter(code=department).first()
        if dept is None or not dept.district.code.startswith(here):
            raise wrong
        return "", dept, dept.name, dept.district.code
    j = Jurisdiction.objects.filter(code=node, level__in=[Level.DISTRICT, Level.STREET]).first()
    if j is None or not (j.code.startswith(here) and len(j.code) > len(here)):
        raise wrong
    return j.code, None, j.name, j.code


def issue_notice(user, *, title: str, text: str, due_at: dt.datetime, node: str = "", department: str = "",
                 cases: list[str] | None = None, now: dt.datetime | None = None) -> Notice:
    """下发督办通知书 to a unit below the issuer, about a problem and/or some cases, with a 整改期限."""
    now = now or timezone.now()
    require(user, roles.OVERSIGHT_ISSUE)
    title, text = (title or "").strip(), (text or "").strip()
    missing = [label for label, v in (("标题", title), ("督办事项与要求", text)) if not v]
    if missing:
        raise DomainError("missing_data", "请填写：" + "、".join(missing))
    if due_at <= now:
        raise DomainError("due_in_past", "整改期限须晚于现在")
    numbers = list(dict.fromkeys(str(c) for c in cases or []))
    if len(numbers) > MAX_NOTICE_CASES:
        raise DomainError("too_many_cases", f"一份通知书最多涉及 {MAX_NOTICE_CASES} 个案件")
    with transaction.atomic():
        a_node, dept, name, key = _addressee(user, (node or "").strip(), (department or "").strip())
        found = list(scoped(Case.objects.filter(number__in=numbers), user, roles.CASE_VIEW))
        unknown = sorted(set(numbers) - {c.number for c in found})
        if unknown:
            raise NotFound("case_not_found", f"案件 {unknown[0]} 不存在或不在您的管辖范围内")
        issuer = scope_prefix(user) or ""
        issuer_name = Jurisdiction.objects.filter(code=issuer).values_list("name", flat=True).first() or issuer
        local_year = now.astimezone(timezone.get_current_timezone()).year
        serial = Notice.objects.filter(issuer_node=issuer, issued_at__year=local_year).count() + 1
        n = Notice.objects.create(
            number=notice_number(issuer_name, local_year, serial), title=title[:100], text=text[:10_000],
            issuer_node=issuer, issued_by=user, issued_at=now, due_at=due_at, addressee_node=a_node,
            addressee_department=dept, addressee_name=name, scope_key=key)
        n.cases.set(found)
        audit.record(user, "issue", "notice", n.number, after={
            **audit.values(n, ["title", "issuer_node", "addressee_node", "addressee_department", "due_at"]),
            "cases": sorted(c.number for c in found)}, role=user.role)
        notify(_unit_users(n), "oversight.notice", f"督办通知书 {n.number}", f"{title}（整改期限 "
               f"{timezone.localtime(due_at):%Y-%m-%d}）", "notice", n.pk)
    return n


def reply_notice(user, pk: int, text: str, now: dt.datetime | None = None) -> NoticeReply:
    """The unit's 整改 report: the notice becomes 已回复 and waits for the issuer's review."""
    now = now or timezone.now()
    require(user, roles.OVERSIGHT_REPLY)
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=get_notice(user, pk).pk)
        if not is_addressee(user, n):
            raise Forbidden("not_addressee", "只有被督办单位才能回复整改情况")
        text = (text or "").strip()
        if not text:
            raise DomainError("missing_data", "请填写：整改情况")
        if n.status not in REPLY_FROM:
            raise Conflict("not_now", f"通知书处于「{n.get_status_display()}」状态，不能回复")
        r = NoticeReply.objects.create(notice=n, text=text[:10_000], replied_by=user, replied_at=now)
        n.status = NoticeStatus.REPLIED
        n.save(update_fields=["status"])
        audit.record(user, "reply", "notice", n.number, after={"reply": r.pk, "status": n.status}, role=user.role)
        notify([n.issued_by_id, *User.objects.filter(role=Role.SHIFT_LEADER, node_key=n.issuer_node)
                .values_list("pk", flat=True)], "oversight.reply", f"整改已回复：{n.number}", text[:100], "notice", n.pk)
    return r


def review_notice(user, pk: int, accept: bool, note: str = "", now: dt.datetime | None = None) -> Notice:
    """The issuer accepts the 整改 report (已办结) or returns it (整改中, the unit replies again)."""
    now = now or timezone.now()
    require(user, roles.OVERSIGHT_ISSUE)
    note = (note or "").strip()
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=get_notice(user, pk).pk)
        if not is_issuer(user, n):
            raise Forbidden("not_issuer", "只有发文单位的值班长才能审核整改情况")
        if n.status not in REVIEW_FROM:
            raise Conflict("not_now", f"通知书处于「{n.get_status_display()}」状态，没有待审核的整改报告")
        if not accept and not note:
            raise DomainError("missing_data", "请填写：退回理由")
        r = n.replies.order_by("-replied_at", "-id").first()
        r.outcome = "accepted" if accept else "returned"
        r.review_note, r.reviewed_by, r.reviewed_at = note[:10_000], user, now
        r.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
        n.status = NoticeStatus.CLOSED if accept else NoticeStatus.RECTIFYING
        n.closed_at = now if accept else None
        n.save(update_fields=["status", "closed_at"])
        audit.record(user, "accept" if accept else "return", "notice", n.number,
                     after={"status": n.status, "reply": r.pk, **({"note": note[:200]} if note else {})},
                     role=user.role)
        notify(_unit_users(n), "oversight.review", f"{'整改已通过，办结' if accept else '整改被退回'}：{n.number}",
               note[:100] or "已办结", "notice", n.pk)
    return n
