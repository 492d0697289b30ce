"""Pages of 党建引领 (/party/): the overview (organisations, 报到 waiting for confirmation, 帮扶对子 overdue), an
organisation's page, the 党员名册 with per-year counts, a member's page (承诺, 入户), the 报到 list with 确认, and the
帮扶对子 list and a pair's page where its visits are recorded. Reads and writes only through ``services`` (which log
every read of party membership); a refused form comes back with its Chinese message and writes nothing."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .models import MemberStatus, RegistrationStatus


def _days(request) -> tuple[int, str]:
    """The overdue period asked for (?days=N), or the default; a bad value falls back with a message."""
    try:
        return services.pair_days(request.GET.get("days")), ""
    except DomainError as e:
        return services.pair_days(), e.message


def _ctx(request, **more) -> dict:
    return {"may_manage": has(request.user, services.MANAGE), **more}


def _people(request, rows, attr):
    """Attach the masked person of each row (``attr``: the path to the resident)."""
    for row in rows:
        obj = row
        for part in attr.split("."):
            obj = getattr(obj, part)
        row.who = services.person(request.user, obj)
    return rows


@page(services.VIEW)
def home(request):
    days, problem = _days(request)
    data = services.overview(request.user, days)
    _people(request, data["pending"], "member.resident")
    _people(request, data["overdue"], "helper.resident")
    return render_page(request, "party/home.html", _ctx(request, days=days, problem=problem, **data))


def _org_page(request, pk: int, status: int = 200, error: str = "", posted=None):
    o, members = services.get_org(request.user, pk)
    return render_page(request, "party/org.html", _ctx(
        request, org=o, grids=sorted(g.code for g in o.grids.all()), members=_people(request, members, "resident"),
        leader=services.person(request.user, o.leader.resident) if o.leader_id else None, error=error,
        posted={k: v for k, v in (posted or {}).items() if k != "id_number"}, statuses=MemberStatus.choices),
        status=status)


@page(services.VIEW)
def org(request, pk: int):
    return _org_page(request, pk)


@require_POST
@page(services.MANAGE)
def add_member(request, pk: int):
    """登记党员 on the organisation's page: the resident named by their ID number (in the form's body only)."""
    d = request.POST
    try:
        r = services.resident_by_id_number(request.user, d.get("id_number", ""))
        services.add_member(request.user, r.pk, pk, d.get("status", "full"), d.get("joined_on") or None,
                            d.get("in_service") == "1", d.get("employer", ""))
    except DomainError as e:
        return _org_page(request, pk, 400, e.message, d)
    messages.success(request, "已登记党员")
    return redirect(reverse("party:org", args=[pk]))


@require_POST
@page(services.MANAGE)
def leader(request, pk: int):
    try:
        services.set_leader(request.user, pk, request.POST.get("member_id") or 0)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已设定负责人")
    return redirect(reverse("party:org", args=[pk]))


@page(services.VIEW)
def members(request):
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this)
    except ValueError:
        year = this
    year = min(max(year, this - 10), this + 1)
    rows = _people(request, services.members(request.user, year=year), "resident")
    return render_page(request, "party/members.html", _ctx(request, rows=rows, year=year,
                                                           years=range(this + 1, this - 6, -1)))


def _member_page(request, pk: int, status: int = 200, error: str = "", form: str = "", posted=None):
    m = services.get_member(request.user, pk)
    reg = m.registrations.select_related("community").order_by("-id").first()
    return render_page(request, "party/member.html", _ctx(
        request, m=m, who=services.person(request.user, m.resident), years=services.yearly(m), registration=reg,
        pledges=m.pledges.all(), visits=m.home_visits.select_related("household"), error=error, form=form,
        posted=posted or {}, this_year=timezone.localdate().year, today=timezone.localdate()), status=status)


@page(services.VIEW)
def member(request, pk: int):
    return _member_page(request, pk)


def _household_id(number: str) -> int:
    """The page asks for the 户编号 (as the 一户一档 shows it); the service checks the household is in scope."""
    from gridgov.basedata.models import Household

    number = (number or "").strip()
    if not number:
        raise DomainError("required", "请填写户编号")
    pk = Household.objects.filter(number=number[:40]).values_list("pk", flat=True).first()
    if pk is None:
        raise DomainError("household_not_found", f"户编号「{number}」不存在或不在您的管辖范围内")
    return pk


MEMBER_FORMS = {
    "pledge": (lambda u, pk, d: services.add_pledge(u, pk, d.get("year"), d.get("content", "")), "已登记承诺"),
    "visit": (lambda u, pk, d: services.add_home_visit(u, pk, _household_id(d.get("household", "")),
                                                       d.get("visited_on"), d.get("content", "")), "已登记入户"),
    "register": (lambda u, pk, d: services.register(u, pk, d.get("employer", ""), d.get("registered_on")),
                 "已登记报到，待社区确认"),
}


@require_POST
@page(services.MANAGE)
def member_act(request, pk: int, action: str):
    handler, done = MEMBER_FORMS.get(action, (None, ""))
    if handler is None:
        return render_page(request, "not_found.html", status=404)
    try:
        handler(request.user, pk, request.POST)
    except DomainError as e:
        return _member_page(request, pk, 400, e.message, action, request.POST)
    messages.success(request, done)
    return redirect(reverse("party:member", args=[pk]))


@page(services.VIEW)
def registrations(request):
    status = request.GET.get("status") or ""
    if status not in RegistrationStatus.values:
        status = ""
    rows = _people(request, services.registrations(request.user, status or None), "member.resident")
    return render_page(request, "party/registrations.html", _ctx(
        request, rows=rows, status=status, statuses=RegistrationStatus.choices))


@require_POST
@page(services.MANAGE)
def decide(request, pk: int):
    confirm = request.POST.get("decision", "confirm") != "decline"
    try:
        services.decide_registration(request.user, pk, confirm)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已确认报到" if confirm else "已不予通过")
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse("party:home")
                    else reverse("party:registrations"))


@page(services.VIEW)
def pairs(request):
    days, problem = _days(request)
    overdue = request.GET.get("overdue") == "1"
    rows = _people(request, services.pairs(request.user, days, overdue), "helper.resident")
    return render_page(request, "party/pairs.html", _ctx(request, rows=rows, days=days, problem=problem,
                                                         overdue=overdue))


def _pair_page(request, pk: int, status: int = 200, error: str = "", posted=None):
    days, problem = _days(request)
    p = services.get_pair(request.user, pk, days)
    return render_page(request, "party/pair.html", _ctx(
        request, p=p, who=services.person(request.user, p.helper.resident), visits=p.visits.all(), days=days,
        problem=problem, error=error, posted=posted or {}, today=timezone.localdate()), status=status)


@page(services.VIEW)
def pair(request, pk: int):
    if request.method == "POST":
        if not has(request.user, services.MANAGE):
            return render_page(request, "forbidden.html", {"right_label": "登记帮扶走访"}, status=403)
        d = request.POST
        try:
            services.add_pair_visit(request.user, pk, d.get("visited_on"), d.get("content", ""), d.get("result", ""))
        except DomainError as e:
            return _pair_page(request, pk, 400, e.message, d)
        messages.success(request, "已登记帮扶走访")
        return redirect(reverse("party:pair", args=[pk]))
    return _pair_page(request, pk)
