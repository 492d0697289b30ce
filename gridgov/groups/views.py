"""Pages of 人员网格 (/groups/): the organisations and dynamic groups of one's scope, an organisation's page (its
groups as a tree, members, notices, holidays, 例会), a group's page (its members, the notices to it, a report form), a
notice's confirmations with the groups still missing, a holiday's return check, a dynamic group's members.

Server-rendered; every write is a form posted to a view that calls ``services`` and comes back to the page with
「已…」 or the service's Chinese message (nothing written then: each service is one transaction).
"""

import json

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .logic import conditions as cl
from .logic import returns as rl
from .models import KINDS

VIEW, MANAGE = services.VIEW, services.MANAGE


def _done(request, back: str, call, ok: str):
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, ok)
    return redirect(back)


@page()
def home(request):
    """Staff: the organisations and dynamic groups of their scope. A member with a linked account and no staff right:
    their own groups (我的网格); anyone else: 403."""
    from gridgov.basedata.models import KeyCategory, RegistrationType

    user = request.user
    if not has(user, VIEW):
        mine = services.my_groups(user)
        if not mine:
            return render_page(request, "forbidden.html", {"right_label": "查看人员网格"}, status=403)
        return render_page(request, "groups/mine.html", {"mine": mine})
    return render_page(request, "groups/home.html", {
        "orgs": services.organisations(user)[:200], "kinds": KINDS.items(),
        "dynamic": [(d, services.describe(d)) for d in services.dynamic_groups(user)[:200]],
        "can_manage": has(user, MANAGE), "fields": cl.FIELDS, "categories": KeyCategory.objects.filter(active=True),
        "reg_types": RegistrationType.choices})


@require_POST
@page(MANAGE)
def org_create(request):
    data = request.POST
    try:
        o = services.create_organisation(request.user, data)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("/groups/")
    messages.success(request, f"已登记「{o.name}」")
    return redirect(f"/groups/orgs/{o.pk}/")


@page(VIEW)
def org(request, pk: int):
    user = request.user
    o = services.get_org(user, pk)
    plan = services.meeting_plan(o)
    notices = []
    for n in o.notices.order_by("-sent_at", "-id")[:50]:
        confirmed, missing = services.receipts(n)
        notices.append({"n": n, "confirmed": len(confirmed), "total": len(confirmed) + len(missing),
                        "missing": [r.group.name for r in missing]})
    return render_page(request, "groups/org.html", {
        "o": o, "kind": KINDS[o.kind], "tree": [(g, "　" * d + ("└ " if d else ""),
                                                 services.shown_name(user, g.cadre.name) if g.cadre else "")
                                                for g, d in services.tree(o)],
        "members": [(m, services.shown_name(user, m.name)) for m in services.members(o)],
        "notices": notices, "holidays": o.holidays.all(), "plan": plan,
        "meetings": [(day, plan.held.get(day), day in plan.missed) for day in reversed(plan.scheduled)],
        "can_manage": has(user, MANAGE)})


ORG_ACTIONS = {
    "group": (lambda u, pk, d: services.add_group(u, pk, d.get("name", ""), d.get("parent_id") or None), "已添加网格"),
    "member": (lambda u, pk, d: services.add_member(u, pk, {**d.dict(), "cadre": d.get("cadre") == "on"}),
               "已添加成员"),
    "notice": (lambda u, pk, d: services.send_notice(u, pk, d.get("title", ""), d.get("body", ""),
                                                     d.getlist("group_ids"), d.get("confirm_by") or None), "已发出通知"),
    "holiday": (lambda u, pk, d: services.create_holiday(u, pk, d.get("name", ""), d.get("starts_on"),
                                                         d.get("ends_on"), d.get("return_due_on") or None), "已登记假期"),
    "meeting": (lambda u, pk, d: services.record_meeting(u, pk, d.get("scheduled_for"), d.get("held_on"),
                                                         d.get("minutes", ""), d.get("recorder", ""),
                                                         d.get("attendees") or 0), "已登记例会纪要"),
}


@require_POST
@page(MANAGE)
def org_act(request, pk: int, action: str):
    if action not in ORG_ACTIONS:
        messages.error(request, "未知的操作")
        return redirect(f"/groups/orgs/{pk}/")
    call, ok = ORG_ACTIONS[action]
    return _done(request, f"/groups/orgs/{pk}/", lambda: call(request.user, pk, request.POST), ok)


@page()
def group(request, pk: int):
    user = request.user
    a = services.open_group(user, pk)
    g = a.group
    receipts = g.receipts.select_related("notice").order_by("-notice__sent_at", "-id")[:50]
    return render_page(request, "groups/group.html", {
        "a": a, "g": g, "o": g.organisation, "cadre": services.shown_name(user, g.cadre.name) if g.cadre else "",
        "members": [(m, services.shown_name(user, m.name)) for m in g.members.order_by("id")],
        "children": g.children.order_by("name"), "receipts": receipts,
        "reports": services.reports_of(g)[:50] if a.staff else services.reports_of(g).filter(reported_by=user)[:50],
        "is_cadre": a.me is not None and g.cadre_id == a.me.pk, "can_manage": a.staff and has(user, MANAGE)})


@require_POST
@page()
def group_report(request, pk: int):
    holder = {}

    def call():
        holder["r"] = services.report(request.user, pk, request.POST.get("description", ""),
                                      request.POST.get("member_id") or None)

    back = f"/groups/g/{pk}/"
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(back)
    messages.success(request, f"已上报，案件编号 {holder['r'].case.number}")
    return redirect(back)


@page(VIEW)
def notice(request, pk: int):
    user = request.user
    n = services.get_notice(user, pk)
    confirmed, missing = services.receipts(n)
    return render_page(request, "groups/notice.html", {
        "n": n, "o": n.organisation, "confirmed": [
            (r, services.shown_name(user, (r.member or r.group.cadre).name) if (r.member or r.group.cadre) else "")
            for r in confirmed],
        "missing": [(r, services.shown_name(user, r.group.cadre.name) if r.group.cadre else "") for r in missing],
        "total": len(confirmed) + len(missing),
        "can_manage": has(user, MANAGE)})


@require_POST
@page()
def notice_confirm(request, pk: int):
    back = request.POST.get("back", "")
    back = back if back.startswith("/groups/") and "//" not in back else f"/groups/notices/{pk}/"
    return _done(request, back, lambda: services.confirm_notice(request.user, pk, request.POST.get("group_id"),
                                                                request.POST.get("member_id") or None), "已确认")


@page(VIEW)
def holiday(request, pk: int):
    user = request.user
    h = services.get_holiday(user, pk)
    rows = services.return_check(user, h)
    return render_page(request, "groups/holiday.html", {
        "h": h, "o": h.organisation, "rows": rows, "plans": rl.PLANS.items(),
        "overdue": [r for r in rows if r.state == "overdue"], "late": [r for r in rows if r.state == "late"],
        "unknown": [r for r in rows if r.state == "unknown"], "can_manage": has(user, MANAGE)})


HOLIDAY_ACTIONS = {
    "whereabouts": (lambda u, pk, d: services.record_whereabouts(u, pk, d.get("member_id"), d.get("plan", ""),
                                                                 d.get("place", ""), d.get("leave_on") or None,
                                                                 d.get("back_on") or None), "已登记去向"),
    "return": (lambda u, pk, d: services.record_return(u, pk, d.get("member_id"), d.get("returned_on") or None),
               "已登记返回"),
}


@require_POST
@page(MANAGE)
def holiday_act(request, pk: int, action: str):
    if action not in HOLIDAY_ACTIONS:
        messages.error(request, "未知的操作")
        return redirect(f"/groups/holidays/{pk}/")
    call, ok = HOLIDAY_ACTIONS[action]
    return _done(request, f"/groups/holidays/{pk}/", lambda: call(request.user, pk, request.POST), ok)


def _conditions(post) -> list[dict]:
    """The form's conditions: 年龄 ≥ / ≤, 独居, 性别, 重点人群类别, 人口类型 (each optional)."""
    out = []
    if post.get("age_min"):
        out.append({"field": "age", "op": "gte", "value": post["age_min"]})
    if post.get("age_max"):
        out.append({"field": "age", "op": "lte", "value": post["age_max"]})
    if post.get("living_alone") in ("true", "false"):
        out.append({"field": "living_alone", "op": "eq", "value": post["living_alone"]})
    for f in ("gender", "tag", "reg_type"):
        if post.get(f):
            out.append({"field": f, "op": "eq", "value": post[f]})
    if post.get("conditions_json"):
        try:
            out += json.loads(post["conditions_json"])
        except ValueError:
            raise DomainError("invalid_conditions", "条件 JSON 格式不对") from None
    return out


@require_POST
@page(MANAGE)
def dynamic_create(request):
    p = request.POST
    try:
        d = services.create_dynamic(request.user, p.get("name", ""), p.get("place", ""), _conditions(p),
                                    p.get("responsible", ""), p.get("responsible_username", ""))
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("/groups/")
    messages.success(request, f"已建立「{d.name}」")
    return redirect(f"/groups/dynamic/{d.pk}/")


@page(VIEW)
def dynamic(request, pk: int):
    user = request.user
    d = services.get_dynamic(user, pk)
    people = list(services.dynamic_members(user, d)[:500])
    return render_page(request, "groups/dynamic.html", {
        "d": d, "rule": services.describe(d),
        "people": [(r, services.shown_name(user, r.name), services.age(r.birth_date)) for r in people]})
