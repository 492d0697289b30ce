"""Pages of 市区联动与督办 (/oversight/): the 派件, notices and disputes of one's scope with their forms, a notice
with its 整改 reports, its printable copy, and the city leader's view across districts (/oversight/city/).

Every write goes through ``services`` (a refused one shows the Chinese reason and writes nothing)."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.cases.models import Case
from gridgov.context import CENTRE, DEPARTMENT, LEADERS
from gridgov.dashboard import kpi
from gridgov.errors import DomainError
from gridgov.geo.models import Jurisdiction, Level
from gridgov.pages import page, render_page

from . import queries, services
from .api import notice_out

POSTS = CENTRE | LEADERS | DEPARTMENT | {Role.GRID_SUPERVISOR}
CITY_LEN = 4


def _end_of_day(value: str) -> dt.datetime:
    """A date typed in a form (YYYY-MM-DD) → the end of that day in the site's time zone."""
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("invalid_date", "日期格式不正确（应为 YYYY-MM-DD）") from None
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 23, 59, 59))


def _is_city_centre(user) -> bool:
    return user.role in services.CENTRE_POSTS and len(scope_prefix(user) or "") == CITY_LEN


def _addressees(user) -> list[tuple[str, str]]:
    """What a notice may be addressed to from the user's node: districts and streets below it, departments."""
    here = scope_prefix(user) or ""
    nodes = Jurisdiction.objects.filter(level__in=[Level.DISTRICT, Level.STREET], code__startswith=here) \
        .exclude(code=here).order_by("code").values_list("code", "name", "level")
    out = [(f"n:{c}", f"{n}（{'区县' if lv == Level.DISTRICT else '街道'}）") for c, n, lv in nodes]
    depts = Department.objects.filter(district__code__startswith=here).order_by("code").values_list("code", "name")
    return out + [(f"d:{c}", f"{n}（部门）") for c, n in depts]


@page(roles.CASE_VIEW, posts=POSTS)
def home(request):
    user = request.user
    now = timezone.now()
    p = kpi.periods(now, timezone.get_current_timezone())
    items = list(services.dispatches(user)[:100])
    acc = queries.accuracy(user, p.month, p.next_month).get("", (0, 0))
    waiting = scoped(Case.objects.filter(status="contested"), user, roles.CASE_VIEW).order_by("-updated_at")[:100]
    here = scope_prefix(user) or ""
    ctx = {
        "dispatches": services.dispatch_rows(items, now),
        "city_centre": _is_city_centre(user),
        "districts": list(Jurisdiction.objects.filter(level=Level.DISTRICT, code__startswith=here)
                          .order_by("code").values_list("code", "name")) if _is_city_centre(user) else [],
        "may_answer": user.role in services.CENTRE_POSTS and len(here) == 6,
        "inbox": [notice_out(n, now) for n in services.inbox(user).prefetch_related("cases")[:100]],
        "issued": [notice_out(n, now) for n in services.notices(user).filter(issuer_node=user.node_key or "-")
                   .prefetch_related("cases")[:100]],
        "may_issue": roles.has_right(user.role, roles.OVERSIGHT_ISSUE) and bool(user.node_key),
        "addressees": _addressees(user) if roles.has_right(user.role, roles.OVERSIGHT_ISSUE) else [],
        "waiting": waiting, "rulings": [queries.dispute_row(e) for e in queries.disputes(user)[:50]],
        "accuracy": {"dispatches": acc[0], "overturned": acc[1], "rate": kpi.percent(kpi.dispatch_accuracy(*acc))},
        "form": request.session.pop("oversight_form", {}),
    }
    return render_page(request, "oversight/home.html", ctx)


def _post_only(view):
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, *args, **kwargs)
    wrapper.__name__ = view.__name__
    return wrapper


def _refused(request, e: DomainError, where: str):
    messages.error(request, e.message)
    request.session["oversight_form"] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    return redirect(where)


@page(roles.CASE_VIEW, posts=POSTS)
@_post_only
def dispatch_new(request):
    f = request.POST
    try:
        d = services.dispatch_to_district(request.user, f.get("case", "").strip(), f.get("district", "").strip(),
                                          _end_of_day(f.get("due", "")), f.get("note", "").strip())
    except DomainError as e:
        return _refused(request, e, "oversight:home")
    messages.success(request, f"已派件：案件 {d.case.number} → {d.district_code}")
    return redirect("oversight:home")


@page(roles.CASE_VIEW, posts=POSTS)
@_post_only
def dispatch_answer(request, pk: int):
    try:
        services.answer_dispatch(request.user, pk, request.POST.get("text", ""))
    except DomainError as e:
        return _refused(request, e, "oversight:home")
    messages.success(request, "已答复市级派件")
    return redirect("oversight:home")


@page(roles.OVERSIGHT_ISSUE, posts=POSTS)
@_post_only
def notice_new(request):
    f = request.POST
    target = f.get("addressee", "")
    node, dept = (target[2:], "") if target.startswith("n:") else ("", target[2:])
    cases = [c for c in f.get("cases", "").replace("，", ",").replace(" ", ",").split(",") if c]
    try:
        n = services.issue_notice(request.user, title=f.get("title", ""), text=f.get("text", ""),
                                  due_at=_end_of_day(f.get("due", "")), node=node, department=dept, cases=cases)
    except DomainError as e:
        return _refused(request, e, "oversight:home")
    messages.success(request, f"已下发督办通知书 {n.number}")
    return redirect("oversight:notice", pk=n.pk)


@page(roles.CASE_VIEW, posts=POSTS)
def notice(request, pk: int):
    user = request.user
    n = services.get_notice(user, pk)
    ctx = {"n": notice_out(n), "notice": n,
           "may_reply": roles.has_right(user.role, roles.OVERSIGHT_REPLY) and services.is_addressee(user, n)
           and n.status in ("issued", "rectifying"),
           "may_review": services.is_issuer(user, n) and n.status == "replied"}
    return render_page(request, "oversight/notice.html", ctx)


@page(roles.OVERSIGHT_REPLY, posts=POSTS)
@_post_only
def notice_reply(request, pk: int):
    try:
        services.reply_notice(request.user, pk, request.POST.get("text", ""))
    except DomainError as e:
        return _refused(request, e, f"/oversight/notices/{pk}/")
    messages.success(request, "已回复整改情况")
    return redirect("oversight:notice", pk=pk)


@page(roles.OVERSIGHT_ISSUE, posts=POSTS)
@_post_only
def notice_review(request, pk: int):
    accept = request.POST.get("accept") == "1"
    try:
        services.review_notice(request.user, pk, accept, request.POST.get("note", ""))
    except DomainError as e:
        return _refused(request, e, f"/oversight/notices/{pk}/")
    messages.success(request, "已通过，通知书办结" if accept else "已退回，继续整改")
    return redirect("oversight:notice", pk=pk)


@page(roles.CASE_VIEW, posts=POSTS)
def notice_print(request, pk: int):
    n = services.get_notice(request.user, pk)
    issuer = Jurisdiction.objects.filter(code=n.issuer_node).values_list("name", flat=True).first() or n.issuer_node
    return render_page(request, "oversight/print.html", {"n": notice_out(n), "issuer": issuer})


@page(roles.CASE_VIEW, posts=LEADERS | CENTRE)
def city(request):
    o = queries.overview(request.user)
    pct = kpi.percent
    rows = [{**r, "on_time": pct(r["on_time_rate"]), "acc": pct(r["accuracy"]), "timely": pct(r["timely_rate"]),
             "closed_r": pct(r["closed_rate"]), "score_p": pct(r["score"])} for r in o["districts"]]
    t = o["total"]
    total = {**t, "on_time": pct(t["on_time_rate"]), "acc": pct(t["accuracy"]), "timely": pct(t["timely_rate"]),
             "closed_r": pct(t["closed_rate"]), "score_p": pct(t["score"])}
    return render_page(request, "oversight/city.html", {"rows": rows, "total": total, "now": o["now"]})
