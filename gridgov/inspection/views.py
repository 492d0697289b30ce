"""Inspection pages (检查).

- ``/inspection/`` 检查任务: on the phone, what is due for me (overdue first: 已超期 / 本期待检), each linking to the
  checklist; for the supervisor and the centre also everything due in their scope.
- ``/inspection/do/<kind>/<id>/``: the checklist on the phone, item by item — 合格 / 不合格 / 不适用, a note and
  photos per item (resized on the phone by photo-resize.js); ``services.submit`` decides what is valid (a failed
  item without its photo, an unknown item…) and the error comes back on the page; a key made on the phone makes a
  resubmission harmless.
- ``/inspection/inspections/<id>/``: one inspection with its answers and the cases its failures filed.
- ``/inspection/results/``: results with filters, their export (xlsx), the plans, and 门前三包 履约率 per street.
- ``/inspection/revisits/``: 回头看 — the cases closed in a month (per street) to revisit, each with a small form.
- ``/inspection/plans/new/``, ``/inspection/plans/<id>/targets/``, ``/inspection/frontage/new/`` (inspection.plan):
  a 监督检查计划 with its targets, more targets for a plan, a shop's 门前三包 责任书 — page forms (``forms.py``) whose
  service errors come back next to their field, nothing written.
"""

import datetime as dt
import uuid

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.scope import OutOfScope, scoped
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import reports, services
from .forms import AgreementForm, PlanForm, TargetsForm
from .logic.compliance import ANSWERS
from .models import Plan, Revisit

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _today():
    return services.local_day(timezone.now())


@page(services.VIEW)
def home(request):
    user = request.user
    today = _today()
    can_inspect = has(user, services.INSPECT)
    mine = services.due(user, today, mine=True) if can_inspect else []
    scope_rows = services.due(user, today, mine=False) if has(user, services.PLAN) or not can_inspect else []
    ctx = {"today": today, "mine": mine, "can_inspect": can_inspect, "scope_rows": scope_rows[:200],
           "scope_total": len(scope_rows), "overdue": sum(r.state == "overdue" for r in mine),
           "scope_overdue": sum(r.state == "overdue" for r in scope_rows),
           "month": today.strftime("%Y-%m")}
    return render_page(request, "inspection/home.html", ctx)


def _subject(user, kind: str, pk: int):
    if kind == "target":
        return services.load_subject(user, target_id=pk)
    if kind == "agreement":
        return services.load_subject(user, agreement_id=pk)
    raise OutOfScope()


def _float(value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if -180 <= v <= 180 else None


@page(services.INSPECT)
def checklist(request, kind: str, pk: int):
    user = request.user
    template, target, agreement = _subject(user, kind, pk)
    subject = target or agreement
    items = services.active_items(template)
    error = ""
    given = {}
    if request.method == "POST":
        wants_json = "application/json" in request.headers.get("Accept", "")
        answers = []
        photos = {}
        for item in items:
            value = request.POST.get(f"answer-{item.code}", "")
            given[item.code] = {"answer": value, "note": request.POST.get(f"note-{item.code}", "")[:500]}
            if value:
                answers.append({"item": item.code, **given[item.code]})
            files = request.FILES.getlist(f"photo-{item.code}")
            if files:
                photos[item.code] = [(f.name, f.read(MAX_PHOTO_BYTES + 1)) for f in files]
        try:
            result = services.submit(
                user, answers=answers, target_id=target.pk if target else None,
                agreement_id=agreement.pk if agreement else None, lon=_float(request.POST.get("lon")),
                lat=_float(request.POST.get("lat")), note=request.POST.get("note", "")[:2000],
                client_key=request.POST.get("client_key", "")[:64] or None, photos=photos)
        except DomainError as e:
            error = e.message
            if wants_json:
                return JsonResponse({"ok": False, "code": e.code, "error": e.message}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
        else:
            url = reverse("inspection:detail", args=[result.inspection.pk])
            if not request.headers.get("X-Gridgov-Outbox"):  # sent from the outbox later: no message on a page
                _flash(request, result)
            if wants_json:  # the phone (inspection.js): online it then opens the inspection's page
                return JsonResponse({"ok": True, "id": result.inspection.pk, "url": url, "created": result.created,
                                     "cases": result.cases}, json_dumps_params={"ensure_ascii": False})
            return redirect(url)
    rows = [{"item": i, "answer": given.get(i.code, {}).get("answer", ""),
             "note": given.get(i.code, {}).get("note", "")} for i in items]
    ctx = {"template": template, "subject": subject, "kind": kind, "rows": rows, "choices": list(ANSWERS.items()),
           "error": error, "client_key": request.POST.get("client_key") or uuid.uuid4().hex,
           "note": request.POST.get("note", ""), "max_photos": services.MAX_PHOTOS_PER_ITEM}
    return render_page(request, "inspection/checklist.html", ctx, status=400 if error else 200)


def _flash(request, result) -> None:
    if not result.created:
        messages.info(request, "这次检查此前已经提交，没有重复上报。")
    elif result.cases:
        messages.success(request, f"检查已提交，{len(result.cases)} 个不合格项已上报为案件：{'、'.join(result.cases)}。")
    else:
        messages.success(request, "检查已提交，全部合格。")


@page(services.VIEW)
def detail(request, pk: int):
    inspection = services.get_inspection(request.user, pk)
    answers = inspection.answers.select_related("item", "case").prefetch_related("photos")
    return render_page(request, "inspection/detail.html", {"inspection": inspection, "answers": answers})


def _filters(request) -> dict:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    outcome = request.GET.get("outcome") or None
    return {"template": (request.GET.get("template") or None), "street": (request.GET.get("street") or "")[:12] or None,
            "outcome": outcome if outcome in ("passed", "failed", "empty") else None,
            "date_from": day("date_from"), "date_to": day("date_to")}


@page(services.VIEW)
def results(request):
    user = request.user
    f = _filters(request)
    today = _today()
    rate_from = f["date_from"] or today.replace(day=1)
    rate_to = f["date_to"] or today
    try:
        rows = reports.results(user, **f)
        rates = services.fulfilment(user, rate_from, rate_to, f["street"])
    except DomainError as e:
        return render_page(request, "bad_request.html", {"message": e.message}, status=400)
    ctx = {"rows": rows[:200], "total": rows.count(), "f": f, "query": request.GET.urlencode(),
           "templates": reports.templates(user), "plans": reports.plans(user)[:50], "rates": rates,
           "rate_from": rate_from, "rate_to": rate_to, "can_plan": has(user, services.PLAN)}
    return render_page(request, "inspection/results.html", ctx)


@page(services.VIEW)
def export(request):
    fmt = request.GET.get("format", "xlsx")
    try:
        data, ctype = reports.export(request.user, fmt, **_filters(request))
    except DomainError as e:
        return render_page(request, "bad_request.html", {"message": e.message}, status=400)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="inspections.{"xlsx" if fmt == "xlsx" else "csv"}"'
    return resp


@page(services.VIEW)
def revisits(request):
    user = request.user
    month = request.GET.get("month") or _today().strftime("%Y-%m")
    street = (request.GET.get("street") or "")[:12] or None
    error = ""
    if request.method == "POST":
        if not has(user, services.INSPECT):
            return render_page(request, "forbidden.html", {"right_label": "回头看"}, status=403)
        files = request.FILES.getlist("photos")
        try:
            r = services.record_revisit(
                user, case_number=request.POST.get("case", "")[:32], recurred=request.POST.get("recurred") == "yes",
                note=request.POST.get("note", "")[:500], client_key=request.POST.get("client_key", "")[:64] or None,
                photos=[(f.name, f.read(MAX_PHOTO_BYTES + 1)) for f in files])
        except DomainError as e:
            error = e.message
        else:
            v = r.revisit
            messages.success(request, f"已记录案件 {v.case.number} 的回头看" + (
                f"：问题复发，已上报新案件 {v.new_case.number}。" if v.new_case_id else "：未复发。"))
            return redirect(f"{reverse('inspection:revisits')}?month={month}" + (f"&street={street}" if street else ""))
    try:
        cases = list(services.revisit_candidates(user, month, street)[:100])
    except DomainError as e:
        cases, error = [], e.message
    done = scoped(Revisit.objects.select_related("case", "new_case"), user, services.VIEW).order_by("-visited_at")[:20]
    ctx = {"month": month, "street": street or "", "cases": cases, "done": done, "error": error,
           "can_inspect": has(user, services.INSPECT), "key": uuid.uuid4().hex}
    return render_page(request, "inspection/revisits.html", ctx, status=400 if error else 200)


def _form_page(request, form, title: str, intro: str, save, done: str, message):
    """GET: the form; POST: ``save(data)`` through the service — a DomainError (or a node outside one's scope) comes
    back next to its field (status 400); else ``message(result)`` and the results page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.to_data())
        except DomainError as e:
            form.add_service_error(e)
        except OutOfScope:
            form.add_service_error(DomainError("out_of_scope", "不在您的管辖范围内"))
        else:
            messages.success(request, message(result))
            return redirect(done)
    return render_page(request, "inspection/form.html", {"form": form, "title": title, "intro": intro},
                       status=400 if form.errors else 200)


@page(services.PLAN)
def plan_new(request):
    user = request.user
    form = PlanForm(request.POST or None, user=user, initial={"start_on": _today()})
    return _form_page(request, form, "新建监督检查计划", "按检查表和频次，对范围内的单位或网格定期检查。",
                      lambda d: services.create_plan(user, **d), reverse("inspection:results") + "#h-plans",
                      lambda p: f"检查计划「{p.name}」已建立，{p.targets.count()} 个检查对象。")


@page(services.PLAN)
def plan_targets(request, pk: int):
    user = request.user
    plan = scoped(Plan.objects.select_related("template"), user, services.PLAN).filter(pk=pk).first()
    if plan is None:
        raise OutOfScope()
    form = TargetsForm(request.POST or None, user=user)
    return _form_page(request, form, f"增加检查对象：{plan.name}", f"{plan.template.name} · {plan.get_frequency_display()}",
                      lambda d: services.add_targets(user, plan.pk, form.targets(), d.get("start_on")),
                      reverse("inspection:results") + "#h-plans",
                      lambda targets: f"检查计划「{plan.name}」增加了 {len(targets)} 个检查对象。")


@page(services.PLAN)
def agreement_new(request):
    user = request.user
    form = AgreementForm(request.POST or None, user=user, initial={"signed_on": _today()})
    return _form_page(request, form, "签订门前三包责任书", "商户对门前责任区的市容整洁、秩序、绿化负责，每月按门前三包检查表检查。",
                      lambda d: services.save_agreement(user, **d), reverse("inspection:results") + "#h-rates",
                      lambda a: f"「{a.name}」的门前三包责任书已登记。")
