"""数据挖掘 pages, mounted at /mining/: pick a scope and period, ask for the analysis (a background job), read the
stored result with its explanation in plain Chinese."""

import datetime as dt

from django.shortcuts import redirect
from django.urls import reverse

from gridgov.errors import DomainError
from gridgov.pages import page, render_page

from . import services
from .logic import forecast, hotspots, repeats, seasonal
from .models import Run


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        raise DomainError("invalid_date", "日期格式应为 YYYY-MM-DD") from None


@page(services.VIEW)
def home(request):
    from gridgov.briefs.services import local_today, scope_of

    user = request.user
    try:
        j = scope_of(user, request.GET.get("scope"))
        d_first, d_last = _last_month(local_today())
        first, last = _date(request.GET.get("first"), d_first), _date(request.GET.get("last"), d_last)
    except DomainError as e:
        return render_page(request, "mining/home.html", {"error": e.message}, status=e.status)
    if request.method == "POST":
        try:
            services.request(user, j.code, first, last)
        except DomainError as e:
            return render_page(request, "mining/home.html", {"error": e.message}, status=e.status)
        return redirect(f"{reverse('mining:home')}?scope={j.code}&first={first}&last={last}")
    run = Run.objects.filter(scope_key=j.code, first_day=first, last_day=last).first()
    res = run.result if run and run.status == "done" else None
    ctx = {"j": j, "first": first, "last": last, "run": run, "res": res,
           "recent": Run.objects.filter(scope_key__startswith=j.code, status="done").order_by("-computed_at")[:8]}
    if res:
        ctx.update({
            "words": services.words(res), "hot": services.table(res, "hotspots"),
            "rep": services.table(res, "repeats"), "weak": services.table(res, "weak"),
            "fc": services.table(res, "forecast"), "total": res["forecast"]["total"],
            "alpha_pct": f"{res['alpha'] * 100:g}%", "min_cases": hotspots.MIN_CASES,
            "months": list(zip(seasonal.MONTHS, res["season"]["months"], strict=True)) if res["season"] else [],
            "weekdays": list(zip(seasonal.WEEKDAYS, res["season"]["weekdays"], strict=True)) if res["season"] else [],
            "peak_month": (res["season"] or {}).get("peak_month"),
            "horizon": forecast.HORIZON, "cell_m": int(repeats.CELL_M),
        })
    return render_page(request, "mining/home.html", ctx)
