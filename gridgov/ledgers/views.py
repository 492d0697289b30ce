"""The registers' pages (考评台账), under /ledgers/. Reading needs ``assess.view`` (a street sees its own); the forms
call the services, which check the right (``assess.review`` for the centre; a street's 督导员 submits trainings) and
say what is wrong; the error comes back as a message and nothing is written.

- ``/ledgers/`` 台账概况: per street, for a month, the counts of each register, with links
- ``/ledgers/quota/`` 考核数量分配 (附件2): the table (base, adjustment, final, monthly), its Excel export, the forms
  for the district's total, a street's population and area, and an adjustment, with the adjustments listed
- ``/ledgers/problems/`` 发现问题倒查台账: the month's problems with the suggested case, 确认 / 未及时发现, a form to
  register one, and the import of the month's failed inspection items
- ``/ledgers/samples/`` 案件抽查: the month's draws per street, draw, mark each case 合格 / 不合格
- ``/ledgers/trainings/`` 培训记录, ``/ledgers/outages/`` 系统运行, ``/ledgers/publicity/`` 宣传
"""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from gridgov.accounts.scope import scope_prefix
from gridgov.catalog.cache import active_matters
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import gather, reports, services
from .logic import periods
from .models import OutageKind, ProblemKind, PublicityKind, TrainingKind

VIEW, REVIEW, SUBMIT = services.VIEW, services.REVIEW, services.SUBMIT
LIST_MAX = 200


def _period(request) -> str:
    value = (request.GET.get("period") or request.POST.get("period") or "").strip()
    try:
        return services.check_period(value)
    except DomainError:
        return periods.previous(periods.of(timezone.now()))


def _year(request) -> int:
    value = (request.GET.get("year") or request.POST.get("year") or "").strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2099 else timezone.localdate().year


def _int(value):
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() and len(value) < 12 else None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _datetime(value) -> dt.datetime | None:
    """A ``datetime-local`` field, read in the site's time zone."""
    try:
        d = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return timezone.make_aware(d) if timezone.is_naive(d) else d


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _act(request, call, done: str):
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return redirect(request.get_full_path())


def _ctx(request, **more) -> dict:
    user = request.user
    return {"can_review": has(user, REVIEW), "can_submit": has(user, SUBMIT) or has(user, REVIEW),
            "own_street": (scope_prefix(user) or "")[:9], **more}


@page(VIEW)
def home(request):
    period = _period(request)
    rows = gather.summary(request.user, period)
    return render_page(request, "ledgers/home.html", _ctx(request, period=period, rows=rows))


@page(VIEW)
def quota(request):
    user, year = request.user, _year(request)
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "total":
            return _act(request, lambda: services.set_district_total(
                user, None, year, _int(request.POST.get("annual_cases")) or 0,
                _float(request.POST.get("population_weight")) or 0.0, _float(request.POST.get("area_weight")) or 0.0,
                request.POST.get("note", "")), "已保存全区年度总案件数")
        if form == "base":
            return _act(request, lambda: services.save_unit_base(
                user, request.POST.get("street", ""), year, _int(request.POST.get("population")),
                request.POST.get("area_km2", ""), request.POST.get("population_source", ""),
                request.POST.get("area_source", "")), "已保存镇街人口与面积")
        return _act(request, lambda: services.add_adjustment(
            user, request.POST.get("street", ""), year, request.POST.get("amount", ""), request.POST.get("reason", "")),
            "已登记调整")
    error = ""
    try:
        total, rows = reports.quota_rows(user, year)
    except DomainError as e:
        total, rows, error = None, [], e.message
    district = services.district_of(user, None)
    return render_page(request, "ledgers/quota.html", _ctx(
        request, year=year, total=total, rows=rows, error=error, head=reports.HEAD,
        bases=services.bases(user, year), adjustments=services.adjustments(user, year),
        streets=[s for s in services.streets(district.code) if services.in_scope(user, s.code)]))


@page(VIEW)
def quota_export(request):
    year = _year(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data, ctype = reports.export_quota(request.user, year, None, fmt)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="quota-{year}.{fmt}"'
    return resp


@page(VIEW)
def problems(request):
    user, period = request.user, _period(request)
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "review":
            return _act(request, lambda: services.review_problem(
                user, _int(request.POST.get("problem")) or 0, request.POST.get("verdict", ""),
                request.POST.get("case") or None, request.POST.get("note", "")), "已记录核对结论")
        if form == "import":
            return _act(request, lambda: services.import_problems(user, period, request.POST.get("source", "")),
                        "已导入")
        return _act(request, lambda: services.record_problem(
            user, request.POST.get("kind", ""), _datetime(request.POST.get("found_at")),
            _float(request.POST.get("lon")), _float(request.POST.get("lat")), request.POST.get("description", ""),
            request.POST.get("matter", ""), request.POST.get("place", "")), "已登记倒查问题")
    rows = services.problems(user, period).select_related("suggested", "case")
    return render_page(request, "ledgers/problems.html", _ctx(
        request, period=period, rows=rows[:LIST_MAX], total=rows.count(), kinds=ProblemKind.choices,
        matters=[(m.code, m.name) for m in active_matters()]))  # demo: the matter picker


@page(VIEW)
def samples(request):
    user, period = request.user, _period(request)
    if request.method == "POST":
        if request.POST.get("form") == "mark":
            return _act(request, lambda: services.mark_sample(
                user, _int(request.POST.get("sampled")) or 0, request.POST.get("mark", ""),
                request.POST.get("reason", "")), "已评定")
        return _act(request, lambda: services.draw_sample(user, period, request.POST.get("street", "")), "已抽样")
    draws = list(services.samples(user, period))
    drawn = {d.scope_key for d in draws}
    district = services.district_of(user, None)
    todo = [s for s in services.streets(district.code) if services.in_scope(user, s.code) and s.code not in drawn]
    return render_page(request, "ledgers/samples.html", _ctx(request, period=period, draws=draws, todo=todo))


@page(VIEW)
def trainings(request):
    user, year = request.user, _year(request)
    if request.method == "POST":
        if request.POST.get("form") == "review":
            return _act(request, lambda: services.review_training(
                user, _int(request.POST.get("training")) or 0, request.POST.get("accept") == "1",
                request.POST.get("note", "")), "已确认")
        return _act(request, lambda: services.submit_training(
            user, _date(request.POST.get("held_on")), request.POST.get("title", ""), request.POST.get("kind", ""),
            _int(request.POST.get("attendees")) or 0, request.POST.get("evidence", ""),
            request.POST.get("street") or None), "已填报培训记录")
    rows = services.trainings(user, year)
    return render_page(request, "ledgers/trainings.html", _ctx(
        request, year=year, rows=rows[:LIST_MAX], total=rows.count(), kinds=TrainingKind.choices))


@page(VIEW)
def outages(request):
    user, year = request.user, _year(request)
    if request.method == "POST":
        return _act(request, lambda: services.record_outage(
            user, request.POST.get("street", ""), request.POST.get("kind", ""), _datetime(request.POST.get("start")),
            _datetime(request.POST.get("end")) if request.POST.get("end") else None, request.POST.get("note", "")),
            "已登记")
    rows = services.outages(user, year)
    return render_page(request, "ledgers/outages.html", _ctx(
        request, year=year, rows=rows[:LIST_MAX], total=rows.count(), kinds=OutageKind.choices))


@page(VIEW)
def publicity(request):
    user, year = request.user, _year(request)
    if request.method == "POST":
        return _act(request, lambda: services.record_publicity(
            user, request.POST.get("street", ""), request.POST.get("kind", ""), _date(request.POST.get("on")),
            request.POST.get("title", ""), request.POST.get("outlet", ""), request.POST.get("evidence", "")),
            "已登记")
    rows = services.publicity(user, year)
    return render_page(request, "ledgers/publicity.html", _ctx(
        request, year=year, rows=rows[:LIST_MAX], total=rows.count(), kinds=PublicityKind.choices))
