"""人员考核 pages: ``/performance/`` the monthly sheets of the scope (ranked within each street, with the pay band)
and their Excel export; ``/performance/scheme/`` the formula and the pay bands (edited by the administrator)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import scope_prefix
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .logic import score


def _district(user) -> str:
    """The user's district; a whole-system account's: the first district set up."""
    from gridgov.geo.models import Jurisdiction, Level

    prefix = scope_prefix(user) or ""
    if len(prefix) >= 6:
        return prefix[:6]
    return Jurisdiction.objects.filter(level=Level.DISTRICT).order_by("code").values_list("code", flat=True).first() \
        or ""


@page(roles.PATROL_ATTENDANCE)
def sheets(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        rows = services.sheets(request.user, month)
    except DomainError as e:
        messages.error(request, e.message)
        month, rows = timezone.localdate().strftime("%Y-%m"), []
    if request.GET.get("format") in ("xlsx", "csv"):
        body, ctype = services.sheet_file(rows, request.GET["format"], month)
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="performance-{month}.{request.GET["format"]}"'
        return response
    s = services.scheme(_district(request.user))
    return render_page(request, "performance/sheets.html", {
        "month": month, "columns": services.COLUMNS, "table": [[r[k] for k, _ in services.COLUMNS] for r in rows],
        "scheme": s, "parts": [(k, label, s.weights.get(k, 0)) for k, label in score.PARTS.items()],
        "may_manage": has(request.user, roles.ASSESS_MANAGE)})


@page(None, posts=services.POSTS)
def mine(request):
    """A grid worker's or an inspector's own sheet (on the phone: linked from 我的任务)."""
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        row = services.own_sheet(request.user, month)
    except DomainError as e:
        messages.error(request, e.message)
        month, row = timezone.localdate().strftime("%Y-%m"), None
    s = services.scheme(request.user.node_key[:6])
    return render_page(request, "performance/mine.html", {
        "month": month, "rows": [(label, row[k]) for k, label in services.COLUMNS if k not in ("username", "street")]
        if row else [], "scheme": s})


@page(roles.ASSESS_MANAGE)
def scheme(request):
    district = _district(request.user)
    s = services.scheme(district)
    if request.method == "POST":
        p = request.POST

        def num(name):
            try:
                return float(p.get(name, ""))
            except ValueError:
                return None

        bands = [{"band": p.get(f"band{i}", ""), "min": num(f"min{i}"), "coefficient": num(f"coef{i}")}
                 for i in range(6) if p.get(f"band{i}", "").strip()]
        try:
            services.set_scheme(request.user, district, weights={k: num(f"w_{k}") for k in score.PARTS},
                                targets={k: num(f"t_{k}") for k in score.DEFAULT_TARGETS},
                                deductions={k: num(f"d_{k}") for k in score.DEFAULT_DEDUCTIONS}, bands=bands)
            messages.success(request, "已保存考核公式与绩效档次")
            return redirect("performance:scheme")
        except DomainError as e:
            messages.error(request, e.message)
    bands = list(s.bands) + [{"band": "", "min": "", "coefficient": ""}] * (6 - len(s.bands))
    return render_page(request, "performance/scheme.html", {
        "district": district, "weights": [(k, label, s.weights.get(k, 0)) for k, label in score.PARTS.items()],
        "targets": [(k, {"reports": "有效上报（件）", "visits": "走访（次）", "settled": "办结（件）"}[k], v)
                    for k, v in s.targets.items()],
        "deductions": [(k, {"rework": "每次返工", "invalid": "每件无效上报", "flag": "每条确认的弄虚作假"}[k], v)
                       for k, v in s.deductions.items()],
        "bands": list(enumerate(bands[:6]))})
