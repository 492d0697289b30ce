"""The duty pages (值班与应急) for the centre's posts and the leader: the duty desk (who is on duty, plans in
progress, today's figures, 交班记录), the month roster, one activation with its steps, the 值班日报 (page, printable,
Excel) and 日产日清 — and the 预案 panel the case page loads. Every write goes through ``services``."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.dashboard.kpi import percent
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import presenting, services
from .logic.daily import SHANGHAI
from .logic.roster import CHIEF, DUTY_ROLE_LABELS, LEADER, OFFICER
from .models import Activation, EmergencyPlan

VIEW, ACT, ROSTER = services.VIEW, services.ACT, services.ROSTER


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        raise DomainError("invalid_date", "日期格式应为 YYYY-MM-DD") from None


def _error(request, e: DomainError, back: str):
    return render_page(request, "duty/error.html", {"error": e.message, "back": back}, status=e.status)


@page(VIEW)
def home(request):
    now = timezone.now()
    j = services.centre_of(request.user, request.GET.get("centre"))
    today = services.local_today(now)
    fig = services.clearance(request.user, today, j.code, days=1, now=now)["figures"]
    acts = services.activations(request.user).filter(scope_key__startswith=j.code)
    ctx = {
        "centre": j, "now": now, "on_duty": services.on_duty([j.code], now), "today": today,
        "yesterday": today - dt.timedelta(days=1), "fig": fig, "rate": percent(fig.rate),
        "active": list(acts.filter(status=Activation.Status.ACTIVE)[:50]),
        "finished": list(acts.filter(status=Activation.Status.FINISHED)[:10]),
        "can_act": has(request.user, ACT), "can_roster": has(request.user, ROSTER),
    }
    return render_page(request, "duty/home.html", ctx)


@require_POST
@page(ACT)
def handover(request):
    try:
        h = services.write_handover(request.user, request.POST.get("text", ""), request.POST.get("centre"))
    except DomainError as e:
        return _error(request, e, reverse("duty:home"))
    return redirect(f"{reverse('duty:report')}?centre={h.centre}&day={h.day.isoformat()}")


def _month_of(value: str | None, now: dt.datetime) -> tuple[int, int]:
    if value:
        try:
            y, m = value.split("-")
            return int(y), int(m)
        except ValueError:
            raise DomainError("invalid_month", "月份格式应为 YYYY-MM") from None
    local = now.astimezone(SHANGHAI)
    return local.year, local.month


@page(VIEW)
def roster(request):
    now = timezone.now()
    try:
        year, month_no = _month_of(request.GET.get("month"), now)
        r = services.month(request.user, request.GET.get("centre"), year, month_no)
    except DomainError as e:
        return _error(request, e, reverse("duty:roster"))
    prev_m = dt.date(year, month_no, 1) - dt.timedelta(days=1)
    next_m = dt.date(year + (month_no == 12), month_no % 12 + 1, 1)
    staff = list(User.objects.filter(is_active=True, node_key=r["centre"].code, role__in=[
        Role.LEADER, Role.SHIFT_LEADER, Role.INTAKE_CLERK, Role.DISPATCHER]).order_by("role", "username"))
    ctx = {"r": r, "prev": f"{prev_m:%Y-%m}", "next": f"{next_m:%Y-%m}", "staff": staff,
           "can_roster": has(request.user, ROSTER), "duty_roles": DUTY_ROLE_LABELS,
           "today": services.local_today(now)}
    return render_page(request, "duty/roster.html", ctx)


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    try:
        t = dt.time.fromisoformat(hhmm)
    except ValueError:
        raise DomainError("invalid_time", "时间格式应为 HH:MM") from None
    return dt.datetime.combine(day, t, tzinfo=SHANGHAI)


@require_POST
@page(ROSTER)
def shift_add(request):
    """The month view's form: a day, a start and an end time (an end not after the start is the next day only
    when 「次日」 is ticked), and the people by duty role."""
    back = f"{reverse('duty:roster')}?centre={request.POST.get('centre', '')}&month={request.POST.get('date', '')[:7]}"
    try:
        day = _day(request.POST.get("date"), services.local_today())
        start = _at(day, request.POST.get("start", ""))
        end = _at(day + dt.timedelta(days=1 if request.POST.get("next_day") else 0), request.POST.get("end", ""))
        members = [(u, LEADER) for u in request.POST.getlist("leader") if u] + \
            [(u, CHIEF) for u in request.POST.getlist("chief") if u] + \
            [(u, OFFICER) for u in request.POST.getlist("officer") if u]
        services.save_shift(request.user, centre=request.POST.get("centre", ""), date=day, starts_at=start,
                            ends_at=end, members=members, note=request.POST.get("note", ""))
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)


@require_POST
@page(ROSTER)
def shift_delete(request, pk: int):
    back = request.POST.get("back") or reverse("duty:roster")
    if not back.startswith("/duty/"):
        back = reverse("duty:roster")
    try:
        services.delete_shift(request.user, pk)
    except DomainError as e:
        return _error(request, e, back)
    return redirect(back)


def _steps(a: Activation, now: dt.datetime) -> list[dict]:
    return [{"s": s, "late": (s.done_at or now) > s.due_at} for s in a.steps.select_related("done_by")]


@page(VIEW)
def activation(request, pk: int):
    now = timezone.now()
    a = services.activation(request.user, pk)
    return render_page(request, "duty/activation.html", {"a": a, "steps": _steps(a, now),
                                                        "can_act": has(request.user, ACT), "now": now})


@require_POST
@page(ACT)
def tick(request, pk: int, order: int):
    try:
        services.tick(request.user, pk, order, request.POST.get("note", ""))
    except DomainError as e:
        return _error(request, e, reverse("duty:activation", args=[pk]))
    return redirect("duty:activation", pk=pk)


@page(VIEW)
def report(request):
    now = timezone.now()
    try:
        day = _day(request.GET.get("day"), services.local_today(now) - dt.timedelta(days=1))
        rep = services.daily_report(request.user, day, request.GET.get("centre"), now)
    except DomainError as e:
        return _error(request, e, reverse("duty:home"))
    if request.GET.get("format") == "xlsx":
        content, ctype, name = presenting.report_file(rep)
        resp = HttpResponse(content, content_type=ctype)
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp
    ctx = {"rep": rep, "sections": presenting.report_sections(rep), "prev": day - dt.timedelta(days=1),
           "next": day + dt.timedelta(days=1), "has_next": day < services.local_today(now),
           "can_act": has(request.user, ACT), "is_today": day == services.local_today(now)}
    template = "duty/report_print.html" if request.GET.get("print") else "duty/report.html"
    return render_page(request, template, ctx)


@page(VIEW)
def clearance(request):
    now = timezone.now()
    try:
        day = _day(request.GET.get("day"), services.local_today(now))
        c = services.clearance(request.user, day, request.GET.get("centre"), now=now)
    except DomainError as e:
        return _error(request, e, reverse("duty:home"))
    f = c["figures"]
    ctx = {"c": c, "f": f, "rate": percent(f.rate),
           "streets": [(c["street_names"].get(r.group, r.group), r, percent(r.rate)) for r in f.by_street],
           "departments": [(r.group or "未派遣", r, percent(r.rate)) for r in f.by_department],
           "series": [(s, percent(s.rate)) for s in c["series"]],
           "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
           "has_next": day < services.local_today(now)}
    return render_page(request, "duty/clearance.html", ctx)


@page()
def case_panel(request, number: str):
    """The 预案 panel of the case page (loaded into it by htmx): the case's activations, and for the duty staff
    the plans of the case's matter they may start by hand. Empty for a post without ``duty.view``."""
    from gridgov.cases.services import load_case

    if not has(request.user, VIEW):
        return HttpResponse("")
    case = load_case(request.user, number)
    acts = list(services.activations(request.user).filter(case=case))
    started = {a.plan_id for a in acts}
    code = case.matter.code if case.matter_id else ""
    plans = [p for p in EmergencyPlan.objects.filter(active=True).order_by("code") if p.pk not in started and code
             and (code in p.matter_codes or code[:2] in p.majors)] if has(request.user, ACT) else []
    return render_page(request, "duty/case_panel.html", {"case": case, "acts": acts, "plans": plans,
                                                        "now": timezone.now()})


@require_POST
@page(ACT)
def start(request, number: str):
    back = f"/cases/{number}/"
    try:
        a = services.start_manual(request.user, number, request.POST.get("plan", ""))
    except DomainError as e:
        return _error(request, e, back)
    return redirect("duty:activation", pk=a.pk)


