"""满意度回访与双向评价 pages, under /evaluation/.

- ``/evaluation/`` 待回访: the centre's queue (the posts that may follow up), oldest closing first, masked phones;
- ``/evaluation/case/<number>/``: one case's follow-up — the phone in full on request (with a reason; logged),
  the survey (态度 / 效率 / 结果, 问题是否解决, 意见) or 「未接通」;
- ``/evaluation/figures/``: satisfaction per street and department for a month (a department's handler: its own,
  with the surveys' remarks); the centre's 值班长 sends the month's notices to the departments from here;
- ``/evaluation/rate/``: 条块双向考核 — a street's 督导员 rates departments, a department's handler the centre;
- ``/evaluation/results/`` and ``…/export/``: the ratings received per department and for the centre with the
  satisfaction figures; Excel.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.cases.services.transitions import load_case
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import reports, services
from .logic.figures import DIMENSIONS, MAX_ATTEMPTS
from .models import RateeKind


def _period(request, default=None) -> tuple[str, str]:
    period = request.GET.get("period") or (default or services.current_period)()
    try:
        services.period_bounds(period)
    except DomainError as e:
        return services.current_period(), e.message
    return period, ""


@page(None, posts=services.FOLLOW_UP_POSTS | {Role.ADMIN})
def home(request):
    rows = services.queue_rows(services.queue(request.user)[:200])
    total = services.queue(request.user).count()
    return render_page(request, "evaluation/queue.html", {"rows": rows, "total": total, "max_attempts": MAX_ATTEMPTS,
                                                          "can_follow_up": services.may_follow_up(request.user)})


def _case_ctx(request, number: str) -> dict:
    case = load_case(request.user, number)
    [row] = services.queue_rows([case])
    return {"case": case, "row": row, "dimensions": DIMENSIONS, "scores": range(5, 0, -1),
            "max_attempts": MAX_ATTEMPTS}


@page(None, posts=services.FOLLOW_UP_POSTS)
def case(request, number: str):
    ctx = _case_ctx(request, number)
    status = 200
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "phone":
                ctx["plain"] = services.reveal_phone(request.user, number, request.POST.get("reason", ""))
            elif what == "call":
                out = services.record_call(request.user, number, request.POST.get("note", ""))
                messages.success(request, "已记为无法联系" if out["unreachable"] else f"已记录第 {out['calls']} 次未接通")
                return redirect("evaluation:home")
            elif what == "survey":
                resolved = {"yes": True, "no": False}.get(request.POST.get("resolved"))
                services.phone_survey(request.user, number, attitude=request.POST.get("attitude"),
                                      efficiency=request.POST.get("efficiency"), result=request.POST.get("result"),
                                      resolved=resolved, remark=request.POST.get("remark", ""))
                messages.success(request, f"案件 {number} 已回访" + ("" if resolved else "，问题未解决，已重新办理"))
                return redirect("evaluation:home")
        except DomainError as e:
            ctx["error"], status = e.message, e.status if e.status != 409 else 409
            ctx["given"] = request.POST
    return render_page(request, "evaluation/case.html", ctx, status=status)


@page(services.VIEW)
def figures(request):
    period, error = _period(request)
    data = services.figures_for(request.user, period)
    surveys = services.visible_surveys(request.user)
    if request.user.role in services.CENTRE_VIEWERS and not request.user.is_superuser:
        surveys = surveys.filter(street_code__startswith=services.district_of(request.user))
    start, end = services.period_bounds(period)
    surveys = surveys.filter(closed_at__gte=start, closed_at__lt=end)
    return render_page(request, "evaluation/figures.html", {
        "period": period, "error": error, "data": data, "dimensions": DIMENSIONS,
        "surveys": surveys[:200], "survey_count": surveys.count(),
        "can_notify": has(request.user, services.REVIEW), "can_rate": has(request.user, services.RATE)})


@page(services.REVIEW)
def notices(request):
    if request.method != "POST":
        return redirect("evaluation:figures")
    period = request.POST.get("period", "")
    try:
        n = services.send_notices(request.user, period)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已向 {n} 个部门发送 {period} 的满意度与评价结果")
    return redirect(f"/evaluation/figures/?period={period}")


@page(services.RATE)
def rate(request):
    period, error = _period(request, services.previous_period)
    rater_kind, rater_code, kind = services.rater_of(request.user)
    status = 200
    if request.method == "POST":
        period = request.POST.get("period", period)
        ratee = request.POST.get("ratee") or None
        dims = services.dimensions(kind)
        scores = {d.key: request.POST.get(f"score-{d.key}") for d in dims}
        try:
            services.rate(request.user, period, ratee, scores, request.POST.get("remark", ""))
        except DomainError as e:
            error, status = e.message, e.status
        else:
            messages.success(request, "评价已保存")
            return redirect(f"/evaluation/rate/?period={period}")
    given = {r.ratee_code: r for r in services.ratings_given(request.user, period)}
    if kind == RateeKind.DEPARTMENT:
        partners = services.partners(request.user, period)
        others = Department.objects.filter(district__code=rater_code[:6]).exclude(pk__in=[d.pk for d in partners])
        targets = [(d.code, d.name, True) for d in partners] + [(d.code, d.name, False) for d in others]
    else:
        targets = [("", "区指挥中心（派遣）", True)]
    try:
        win = services.window_of(period)
    except DomainError:
        win = None
    rows = []
    for code, name, worked in targets:
        r = given.get(code or services.district_of(request.user))
        rows.append({"code": code, "name": name, "worked": worked, "rating": r})
    return render_page(request, "evaluation/rate.html", {
        "period": period, "error": error, "rows": rows, "dimensions": services.dimensions(kind), "window": win,
        "scores": range(5, 0, -1), "rates_departments": kind == RateeKind.DEPARTMENT}, status=status)


@page(services.VIEW)
def results(request):
    period, error = _period(request, services.previous_period)
    data = services.figures_for(request.user, period)
    return render_page(request, "evaluation/results.html", {
        "period": period, "error": error, "data": data,
        "dept_dims": services.dimensions("department"), "centre_dims": services.dimensions("centre"),
        "dimensions": DIMENSIONS})


@page(services.VIEW)
def export(request):
    period, error = _period(request, services.previous_period)
    if error:
        return render_page(request, "bad_request.html", {"message": error}, status=400)
    data, ctype = reports.export(request.user, period)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{period}.xlsx"'
    return resp
