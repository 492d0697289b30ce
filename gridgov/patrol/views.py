"""Patrol pages.

- 在岗巡查 ``/cases/field/patrol/`` (the grid worker's phone, under the field pages and their service worker; linked
  from 我的任务): 上班签到 / 下班签退 with the phone's position (outside the grid: a reason), the track recorded while
  on duty only (``static/gridgov/patrol.js``: geolocation watch, kept in the field pages' IndexedDB outbox, sent in
  batches, nothing lost offline), the grid's plan, 请假.
- 巡查督导 ``/patrol/`` (网格长, 督导员, administrators): coverage per worker and grid for a period, anomalies, the
  shifts of the scope, leave to approve; ``/patrol/shifts/<id>/``: the track on the map with playback, the unit grids
  visited and the anomalies (each view written to the access log).
- 考勤 ``/patrol/attendance/``: the monthly attendance and workload table, with its Excel export.
"""

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.errors import DomainError
from gridgov.geo.models import Grid
from gridgov.pages import page, render_page

from . import services
from .api import attendance_file
from .models import LeaveStatus

CHAIN = frozenset({Role.GRID_SUPERVISOR, Role.GRID_LEADER, Role.ADMIN})
LIST_MAX = 50


def _feature(geometry: str, **props) -> dict:
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": props}


# ---------------------------------------------------------------- the phone


@page(roles.PATROL_DUTY, posts={Role.GRID_WORKER})
def phone(request):
    user = request.user
    ctx: dict = {"title": "在岗巡查", "shift": services.open_shift(user)}
    try:
        grid = services.grid_of(user)
    except DomainError as e:
        return render_page(request, "patrol/phone.html", {**ctx, "no_grid": e.message})
    today = timezone.localdate()
    ctx.update({
        "grid": grid, "plan": services.plan_for(grid),
        "today": services.shifts(user).filter(day=today).order_by("started_at"),
        "leaves": services.leaves(user).order_by("-start")[:5],
        "config": {"interval_s": settings.GRIDGOV["PATROL_INTERVAL_S"], "move_m": settings.GRIDGOV["PATROL_MOVE_M"],
                   "shift": ctx["shift"].pk if ctx["shift"] else None, "user": user.username,
                   "grid": {"type": "FeatureCollection", "features": [_feature(grid.geometry, code=grid.code)]
                            if grid.geometry else []}},
    })
    return render_page(request, "patrol/phone.html", ctx)


@page(roles.PATROL_DUTY, posts={Role.GRID_WORKER})
def phone_leave(request):
    if request.method == "POST":
        try:
            start = dt.date.fromisoformat(request.POST.get("start", ""))
            end = dt.date.fromisoformat(request.POST.get("end", "") or request.POST.get("start", ""))
            services.request_leave(request.user, start, end, request.POST.get("reason", "")[:200])
            messages.success(request, "请假申请已提交，等待网格长或督导员审批。")
        except ValueError:
            messages.error(request, "请假日期格式不正确")
        except DomainError as e:
            messages.error(request, e.message)
    return redirect("patrol_phone:phone")


# ---------------------------------------------------------------- the supervisor chain


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


@page(roles.PATROL_VIEW, posts=CHAIN)
def board(request):
    user = request.user
    start, end = _period(request)
    try:
        rows = services.coverage(user, start, end)
    except DomainError as e:
        messages.error(request, e.message)
        rows = []
    ctx = {
        "start": start, "end": end, "coverage": rows,
        "anomalies": services.anomalies(user).filter(shift__day__gte=start, shift__day__lte=end)
        .order_by("-start")[:LIST_MAX],
        "shifts": services.shifts(user).filter(day__gte=start, day__lte=end).order_by("-started_at")[:LIST_MAX],
        "pending": services.leaves(user).filter(status=LeaveStatus.PENDING).exclude(person=user).order_by("start"),
    }
    return render_page(request, "patrol/board.html", ctx)


@page(roles.PATROL_MANAGE, posts=CHAIN)
def decide(request, pk: int):
    if request.method == "POST":
        try:
            leave = services.decide_leave(request.user, pk, request.POST.get("approve") == "1")
            messages.success(request, f"已{leave.get_status_display()}：{leave.person} {leave.start}–{leave.end}")
        except DomainError as e:
            messages.error(request, e.message)
    return redirect("patrol:board")


@page(roles.PATROL_VIEW, posts=CHAIN | {Role.GRID_WORKER})
def shift_page(request, pk: int):
    t = services.track(request.user, pk, "巡查督导查看轨迹")
    shift = t["shift"]
    visited = set(shift.units_visited or [])
    units = Grid.objects.filter(layer__code="unit", parent_id=shift.grid_id).exclude(geometry="").order_by("code")
    points = t["points"]
    marks = []
    for a in t["anomalies"]:
        if a.kind == "checkin_far" and shift.start_lon is not None:
            lon, lat = shift.start_lon, shift.start_lat
        else:
            near = min(points, key=lambda p: abs((p[0] - a.start).total_seconds()), default=None)
            if near is None:
                continue
            lon, lat = near[1], near[2]
        marks.append({"lon": lon, "lat": lat, "label": a.get_kind_display(), "detail": a.detail})
    data = {
        "grid": {"type": "FeatureCollection", "features": [_feature(shift.grid.geometry, code=shift.grid.code)]
                 if shift.grid_id and shift.grid.geometry else []},
        "units": {"type": "FeatureCollection", "features": [
            _feature(u.geometry, code=u.code, visited=u.code in visited) for u in units]},
        "track": [[timezone.localtime(a).strftime("%H:%M:%S"), x, y] for a, x, y in points],
        "anomalies": marks,
    }
    ctx = {"shift": shift, "anomalies": t["anomalies"], "data": data, "units_total": len(t["units"]),
           "units_visited": len(visited)}
    return render_page(request, "patrol/shift.html", ctx)


@page(roles.PATROL_ATTENDANCE)
def attendance_page(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        rows = services.attendance(request.user, month)
    except DomainError as e:
        messages.error(request, e.message)
        month, rows = timezone.localdate().strftime("%Y-%m"), []
    if request.GET.get("format") in ("xlsx", "csv"):
        body, ctype = attendance_file(rows, request.GET["format"], month)
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="attendance-{month}.{request.GET["format"]}"'
        return response
    table = [[r[k] for k, _ in services.ATTENDANCE_COLUMNS] for r in rows]
    return render_page(request, "patrol/attendance.html", {"month": month, "table": table,
                                                           "columns": services.ATTENDANCE_COLUMNS})


phone_urls = [
    path("", phone, name="phone"),
    path("leave/", phone_leave, name="phone_leave"),
]

urls = [
    path("", board, name="board"),
    path("leaves/<int:pk>/decide/", decide, name="decide"),
    path("shifts/<int:pk>/", shift_page, name="shift"),
    path("attendance/", attendance_page, name="attendance"),
]
