"""Pages of 专项工作 (/tasks/): the unit's 待办, campaigns (phases, units, tasks, monthly reports with the late ones
highlighted, export), tasks with feedback and review, drills, meetings with read confirmation.

Server-rendered, no script of its own; every write is a form posted to a view that calls ``services``. The forms
that create (专项行动, 任务, 演练) and the record of a drill (``forms.py``) come back with the service's error next to
the field it is about; nothing is written then (each service is one transaction).
"""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gridgov import spreadsheets
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .forms import CampaignForm, DrillForm, DrillRecordForm, TaskForm
from .logic import late
from .models import TaskStatus

VIEW = services.VIEW


def _error(request, e: DomainError, back: str):
    return render_page(request, "tasks/error.html", {"message": e.message, "back": back}, status=e.status)


@page(VIEW)
def home(request):
    t = services.todo(request.user)
    return render_page(request, "tasks/home.html", {
        "todo": t, "labels": late.TASK_LABELS,
        "tasks": [(x, services.task_state(x)) for x in t.tasks],
        "campaigns": services.visible_campaigns(request.user).order_by("-start", "-id")[:20],
        "can_issue": has(request.user, services.ISSUE), "can_organise": has(request.user, services.ORGANISE)})


@page(VIEW)
def campaigns(request):
    return render_page(request, "tasks/campaigns.html", {
        "campaigns": services.visible_campaigns(request.user).order_by("-start", "-id")[:200],
        "can_issue": has(request.user, services.ISSUE)})


def _form_page(request, form, title: str, intro: str, back: str, save, done, **extra):
    """GET: the form; POST: ``save(data)`` through the service — on a DomainError the form again with the message next
    to its field (status 400); else ``done(result)``'s page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.to_data())
        except DomainError as e:
            form.add_service_error(e)
        else:
            return redirect(done(result))
    fields = [form[n] for n in form.fields if not n.endswith(("_start", "_end"))]
    return render_page(request, "tasks/form.html", {"form": form, "fields": fields, "title": title, "intro": intro,
                                                    "back": back, **extra}, status=400 if form.errors else 200)


def _office_or_error(request, back: str):
    try:
        return services.own_office(request.user), None
    except DomainError as e:
        return None, _error(request, e, back)


@page(services.ISSUE)
def campaign_new(request):
    office, refused = _office_or_error(request, "/tasks/campaigns/")
    if refused:
        return refused
    form = CampaignForm(request.POST or None, office=office)
    return _form_page(request, form, "发起专项行动", f"发起单位：{office.name}。责任单位每月按上报日上报进展。",
                      "/tasks/campaigns/", lambda data: services.create_campaign(request.user, data),
                      lambda c: f"/tasks/campaigns/{c.pk}/", phases=form.phase_rows())


@page(services.ISSUE)
def task_new(request):
    office, refused = _office_or_error(request, "/tasks/tasks/")
    if refused:
        return refused
    form = TaskForm(request.POST or None, office=office)
    return _form_page(request, form, "派发任务", f"发起单位：{office.name}。每个承办单位收到一份任务。",
                      "/tasks/tasks/", lambda data: services.assign(request.user, data),
                      lambda tasks: "/tasks/tasks/" if len(tasks) > 1 else f"/tasks/tasks/{tasks[0].pk}/")


@page(services.ORGANISE)
def drill_new(request):
    office, refused = _office_or_error(request, "/tasks/drills/")
    if refused:
        return refused
    form = DrillForm(request.POST or None, initial={"organiser_name": office.name})
    return _form_page(request, form, "新建演练", "计划一次应急演练；演练后在演练页记录实际情况。", "/tasks/drills/",
                      lambda data: services.create_drill(request.user, data), lambda d: f"/tasks/drills/{d.pk}/")


@page(services.ORGANISE)
def drill_record(request, pk: int):
    d = services.get_drill(request.user, pk)
    form = DrillRecordForm(request.POST or None, initial={
        "held_on": d.held_on or services.today(), "place": d.place, "participants": d.participants,
        "participant_count": d.participant_count, "findings": d.findings})
    return _form_page(request, form, f"记录演练情况：{d.title}", "实际演练日期不能晚于今天。", f"/tasks/drills/{pk}/",
                      lambda data: services.record_drill(request.user, pk, data), lambda d: f"/tasks/drills/{d.pk}/")


@page(VIEW)
def campaign(request, pk: int):
    c = services.get_campaign(request.user, pk)
    b = services.board(c)
    mine = [u for u in b.units if services.acts_for(request.user, u.scope_key, u.department_id)] \
        if has(request.user, services.REPORT) else []
    tasks = [(t, services.task_state(t)) for t in c.tasks.select_related("department").order_by("deadline", "id")]
    return render_page(request, "tasks/campaign.html", {
        "c": c, "board": b, "rows": [(u, b.row(u)) for u in b.units], "phases": list(c.phases.all()),
        "tasks": tasks, "labels": late.TASK_LABELS, "mine": mine,
        "months": [m for m in b.months if m <= services.today().replace(day=1)],
        "totals": sorted(b.totals.items())})


@require_POST
@page(services.REPORT)
def campaign_report(request, pk: int):
    back = f"/tasks/campaigns/{pk}/"
    try:
        period = dt.date.fromisoformat((request.POST.get("period") or "") + "-01")
    except ValueError:
        return _error(request, DomainError("invalid_input", "月份格式不正确（应为 YYYY-MM）"), back)
    figures = {}
    for name, value in zip(request.POST.getlist("figure_name"), request.POST.getlist("figure_value"), strict=False):
        if name.strip() and value.strip():
            try:
                figures[name.strip()] = float(value)
            except ValueError:
                return _error(request, DomainError("invalid_figures", f"数据项「{name[:40]}」应为数字"), back)
    try:
        services.submit_report(request.user, pk, request.POST.get("unit", ""), period, request.POST.get("text", ""),
                               figures)
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)


@page(VIEW)
def campaign_export(request, pk: int):
    head, rows, _ = services.export_rows(request.user, pk)
    data, ctype = spreadsheets.write("xlsx", head, rows, title="进展报告")
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="campaign-{pk}-reports.xlsx"'
    return resp


@page(VIEW)
def tasks(request):
    qs = services.visible_tasks(request.user).select_related("campaign").order_by("-issued_at", "-id")[:300]
    return render_page(request, "tasks/tasks.html", {
        "rows": [(t, services.task_state(t)) for t in qs], "labels": late.TASK_LABELS,
        "can_issue": has(request.user, services.ISSUE)})


@page(VIEW)
def task(request, pk: int):
    t = services.get_task(request.user, pk)
    s = services.task_state(t)
    u = request.user
    return render_page(request, "tasks/task.html", {
        "t": t, "state": s, "state_label": late.TASK_LABELS[s], "late": late.is_late(s),
        "may_feedback": has(u, services.REPORT) and services.acts_for(u, t.scope_key, t.department_id)
        and t.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED),
        "may_decide": has(u, services.ISSUE) and services.acts_for(u, t.issuer_key, t.issuer_department_id)
        and t.status == TaskStatus.SUBMITTED})


@require_POST
@page(services.REPORT)
def task_feedback(request, pk: int):
    back = f"/tasks/tasks/{pk}/"
    f = request.FILES.get("attachment")
    try:
        services.give_feedback(request.user, pk, request.POST.get("text", ""), (f.name, f.read()) if f else None)
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)


@require_POST
@page(services.ISSUE)
def task_decision(request, pk: int):
    back = f"/tasks/tasks/{pk}/"
    try:
        services.decide(request.user, pk, request.POST.get("accept") == "1", request.POST.get("note", ""))
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)


@page(VIEW)
def drills(request):
    return render_page(request, "tasks/drills.html", {"drills": services.visible_drills(request.user)[:200],
                                                      "can_organise": has(request.user, services.ORGANISE)})


@page(VIEW)
def drill(request, pk: int):
    d = services.get_drill(request.user, pk)
    return render_page(request, "tasks/drill.html", {"d": d, "photos": list(d.photos.all()),
                                                     "actions": list(d.actions.all()),
                                                     "can_organise": has(request.user, services.ORGANISE)})


@page(VIEW)
def meetings(request):
    return render_page(request, "tasks/meetings.html", {
        "meetings": services.visible_meetings(request.user).order_by("-held_at", "-id")[:200]})


@page(VIEW)
def meeting(request, pk: int):
    m = services.get_meeting(request.user, pk)
    members = list(m.members.select_related("user"))
    me = next((x for x in members if x.user_id == request.user.pk), None)
    return render_page(request, "tasks/meeting.html", {
        "m": m, "members": members, "me": me,
        "unconfirmed": [x for x in members if x.sent_at and not x.confirmed_at]})


@require_POST
@page(VIEW)
def meeting_confirm(request, pk: int):
    back = f"/tasks/meetings/{pk}/"
    try:
        services.confirm_minutes(request.user, pk)
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)
