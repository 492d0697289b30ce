"""便民服务 pages, under /services/. Reading needs ``services.view`` within one's scope (the catalogue and the
15-minute search also ``services.request``); the forms call the services, which check the rights and say what is
wrong: the message comes back on the page and nothing is written.

- ``/services/`` 便民服务: the volunteer teams and the management grids of one's scope, links to the rest
- ``/services/grids/<code>/`` 组团服务团队 of a management grid (members by role, phones masked; 查看电话 with a reason)
- ``/services/teams/<id>/`` a volunteer team: members, 登记活动 (participants with hours), activities, the hours of a
  month and a year as a ranking
- ``/services/facilities/`` 15 分钟便民服务圈: search from an address or a point, results by distance, on a map
- ``/services/elderly/`` 居家养老服务目录 and the request form; ``/services/requests/`` and ``…/<id>/`` with the case's
  state
- ``/services/pledges/<community>/`` 服务承诺 (public, no sign-in)
"""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scoped
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Grid
from gridgov.pages import has, page, render_page

from . import services
from .logic.walk import DETOUR_FACTOR, WALK_MINUTES, WALK_PATH_M, WALK_RADIUS_M, WALK_SPEED_KMH
from .models import FacilityKind, MemberRole, TeamKind

VIEW, MANAGE, REQUEST = services.VIEW, services.MANAGE, services.REQUEST
GRIDS_MAX = 200


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value, default=None):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else default


def _act(request, call, done: str) -> bool:
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
        return False
    messages.success(request, done)
    return True


@page(VIEW)
def home(request):
    user = request.user
    if request.method == "POST":
        _act(request, lambda: services.create_team(user, services.own_community(user), request.POST.get("kind", ""),
                                                   request.POST.get("name", "")), "已新建志愿者队伍")
        return redirect("services:home")
    grids = scoped(Grid.objects.filter(layer__code="management"), user, VIEW).select_related("community")
    return render_page(request, "services/home.html", {
        "teams": services.volunteer_teams(user), "grids": grids[:GRIDS_MAX], "grid_count": grids.count(),
        "community": services.own_community(user), "can_manage": has(user, MANAGE), "kinds": TeamKind.choices})


@page(VIEW)
def grid_team(request, code):
    user = request.user
    if request.method == "POST":
        if request.POST.get("form") == "reveal":
            try:
                phone = services.reveal_phone(user, _int(request.POST.get("member"), 0), request.POST.get("reason", ""))
                messages.success(request, f"完整电话：{phone or '未登记'}（已记入个人信息访问日志）")
            except DomainError as e:
                messages.error(request, e.message)
        else:
            _act(request, lambda: services.add_member(
                user, code, role=request.POST.get("role", ""), name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""), unit=request.POST.get("unit", ""),
                duty=request.POST.get("duty", "")), "已添加团队成员")
        return redirect("services:grid", code=code)
    grid, members = services.grid_team(user, code)
    rows = [{"m": m, "name": services.shown_name(user, m.name)} for m in members]
    return render_page(request, "services/grid.html", {
        "grid": grid, "rows": rows, "roles": MemberRole.choices, "can_manage": has(user, MANAGE),
        "can_reveal": services.may_unmask(user)})


def _period(request) -> tuple[int, int]:
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year)
    month = _int(request.GET.get("month"), today.month)
    return (year if 2000 <= year <= 2099 else today.year), (month if 1 <= month <= 12 else today.month)


@page(VIEW)
def team(request, pk):
    user = request.user
    t = services.team_of(user, pk)
    if request.method == "POST":
        if request.POST.get("form") == "volunteer":
            _act(request, lambda: services.add_volunteer(user, t.pk, name=request.POST.get("name", ""),
                                                         phone=request.POST.get("phone", ""),
                                                         joined_on=_date(request.POST.get("joined_on"))), "已登记志愿者")
        else:
            participants = [(_int(v, 0), request.POST.get(f"hours_{v}", "")) for v in request.POST.getlist("volunteer")]
            _act(request, lambda: services.record_activity(
                user, t.pk, held_on=_date(request.POST.get("held_on")), place=request.POST.get("place", ""),
                content=request.POST.get("content", ""), participants=participants), "已登记志愿服务活动")
        return redirect("services:team", pk=t.pk)
    year, month = _period(request)
    volunteers = [{"v": v, "name": services.shown_name(user, v.name)} for v in t.volunteers.filter(active=True)]
    acts = [{"a": a, "people": [(services.shown_name(user, p.volunteer.name), p.hours) for p in a.participants.all()]}
            for a in services.activities(t, 50)]
    return render_page(request, "services/team.html", {
        "team": t, "volunteers": volunteers, "activities": acts, "year": year, "month": month,
        "by_month": services.hours_ranking(user, t.pk, year, month), "by_year": services.hours_ranking(user, t.pk, year),
        "can_manage": has(user, MANAGE), "today": timezone.localdate().isoformat()})


def _reader(view):
    """A page for staff (``services.view``) and those who request (residents)."""
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_read(request.user):
            return page(REQUEST)(view)(request, *args, **kwargs)
        return page(VIEW)(view)(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@_reader
def facilities(request):
    user = request.user
    if request.method == "POST":
        _act(request, lambda: services.save_facility(
            user, kind=request.POST.get("kind", ""), name=request.POST.get("name", ""),
            address=request.POST.get("address", ""), lon=_float(request.POST.get("lon")),
            lat=_float(request.POST.get("lat")), hours=request.POST.get("hours", ""),
            phone=request.POST.get("phone", ""), services=request.POST.get("services", "")), "已登记设施")
        return redirect("services:facilities")
    q = {k: request.GET.get(k, "").strip() for k in ("address", "lon", "lat", "kind")}
    found, error = None, ""
    if any(q[k] for k in ("address", "lon", "lat")):
        try:
            found = services.nearby(user, lon=_float(q["lon"]) if q["lon"] else None,
                                    lat=_float(q["lat"]) if q["lat"] else None, address=q["address"], kind=q["kind"])
        except DomainError as e:
            error = e.message
    layer = None
    if found:
        layer = {"here": [found["lon"], found["lat"]], "radius": found["radius_m"],
                 "items": [{"name": i["facility"].name, "kind": i["facility"].get_kind_display(),
                            "lon": i["facility"].lon, "lat": i["facility"].lat, "minutes": i["minutes"]}
                           for i in found["items"]]}
    return render_page(request, "services/facilities.html", {
        "q": q, "found": found, "error": error, "kinds": FacilityKind.choices, "layer": layer,
        "can_manage": has(user, MANAGE),
        "rule": {"speed": WALK_SPEED_KMH, "minutes": WALK_MINUTES, "path": int(WALK_PATH_M),
                 "detour": DETOUR_FACTOR, "radius": int(WALK_RADIUS_M)}})


@_reader
def elderly(request):
    user = request.user
    if request.method == "POST":
        try:
            r = services.request_service(
                user, item=request.POST.get("item", ""), name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""), address=request.POST.get("address", ""),
                lon=_float(request.POST.get("lon")) if request.POST.get("lon") else None,
                lat=_float(request.POST.get("lat")) if request.POST.get("lat") else None,
                note=request.POST.get("note", ""))
        except DomainError as e:
            messages.error(request, e.message)
            return render_page(request, "services/elderly.html", _elderly_ctx(user, request.POST), status=400)
        messages.success(request, f"已提交申请，案件编号 {r.case.number}")
        return redirect("services:request", pk=r.pk)
    return render_page(request, "services/elderly.html", _elderly_ctx(user, {}))


def _elderly_ctx(user, post) -> dict:
    classes = {}
    for row in services.catalogue():
        classes.setdefault((row["item"].class_no, row["item"].class_name), []).append(row)
    return {"classes": classes, "can_request": has(user, REQUEST), "post": post,
            "resident": user.role == Role.RESIDENT}


@_reader
def request_list(request):
    rows = services.requests(request.user)[:200]
    return render_page(request, "services/requests.html", {
        "rows": [{"r": r, "name": services.shown_name(request.user, r.name)} for r in rows]})


@_reader
def request_detail(request, pk):
    r = services.request_of(request.user, pk)
    amount, unit, limit = services.time_limit(r.item)
    return render_page(request, "services/request.html", {
        "r": r, "case": r.case, "limit": limit, "name": services.shown_name(request.user, r.name),
        "staff": services.may_read(request.user)})


def pledges(request, community):
    """服务承诺 of a community: public (no sign-in)."""
    try:
        j, rows = services.public_pledges(community)
    except NotFound:
        return render(request, "services/pledges.html", {"missing": community}, status=404)
    return render(request, "services/pledges.html", {"community": j, "rows": rows})
