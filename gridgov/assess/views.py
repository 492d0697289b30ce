"""Assessment pages (/assess/).

- 考评结果 ``/assess/``: a month's ranking table (the newest revision this person may see: a unit sees published
  months only), the revisions of the month, for the administrator 计算 (from the month's data or an uploaded facts
  file) and 发布; Excel export of the table and of every item's explanation; the 通报 draft.
- A unit's sheet ``/assess/runs/<run>/units/<code>/``: every item's points, explanation and source, the unit's score
  in each revision (why it changed), evidence, and for the unit itself the 申诉 form.
- 年度考评 ``/assess/annual/``: the year, 差额拨付 by rank, the 通报 draft.
- 评判与材料 ``/assess/review/``: reviewers set tiers with a remark; units submit evidence.
- 申诉 ``/assess/appeals/``: units' appeals; reviewers rule.
- 考评方案 ``/assess/schemes/``: the schemes with every item; copy and activate (the administrator; editing a copy's
  points, tiers and parameters is the API's ``PATCH /api/v1/assess/schemes/{id}``).
"""

import datetime as dt
import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .api import run_file
from .logic import scorer
from .logic.scheme import REVIEWER_RULES
from .models import AppealStatus, Item

VIEW, REVIEW, MANAGE, SUBMIT = roles.ASSESS_VIEW, roles.ASSESS_REVIEW, roles.ASSESS_MANAGE, roles.ASSESS_SUBMIT


def _flash(request, fn, ok: str):
    try:
        out = fn()
        messages.success(request, ok.format(out=out))
        return out
    except DomainError as e:
        messages.error(request, e.message)
    return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@page(VIEW)
def home(request):
    user = request.user
    run_id = _int(request.GET.get("run"))
    run = services.get_run(user, run_id) if run_id else services.current_run(user, request.GET.get("period") or None)
    ctx = {"title": "考评结果", "run": run, "manage": has(user, MANAGE), "own": services.unit_of(user),
           "default_period": _last_month()}
    if run:
        ctx["units"] = run.result["units"]
        ctx["parts"] = run.result["units"][0]["parts"] if run.result["units"] else []
        ctx["revisions"] = services.runs(user).filter(district_code=run.district_code, period=run.period) \
            .order_by("revision")
        ctx["deadline"] = services.appeal_deadline(run)
        ctx["bulletin"] = scorer.bulletin(run.result)
        ctx["latest"] = ctx["revisions"].last().pk == run.pk
    ctx["months"] = sorted({r.period for r in services.runs(user)}, reverse=True)[:24]
    return render_page(request, "assess/home.html", ctx)


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year}-{prev.month:02d}"


@page(MANAGE)
def run_now(request):
    if request.method == "POST":
        upload = request.FILES.get("facts")
        if upload is not None:
            try:
                doc = json.loads(upload.read(5 * 1024 * 1024 + 1).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                messages.error(request, "上传的文件不是有效的考评数据文件（JSON）")
                return redirect("assess:home")
            run = _flash(request, lambda: services.run_document(request.user, doc, request.POST.get("reason", "")),
                         "已计算 {out.period} 第 {out.revision} 版（未发布）")
        else:
            run = _flash(request, lambda: services.run_period(request.user, request.POST.get("period", "")),
                         "已计算 {out.period} 第 {out.revision} 版（未发布）")
        if run:
            return redirect(f"/assess/?run={run.pk}")
    return redirect("assess:home")


@page(MANAGE)
def publish(request, pk: int):
    if request.method == "POST":
        _flash(request, lambda: services.publish(request.user, pk), "已发布 {out.period} 第 {out.revision} 版")
    return redirect(f"/assess/?run={pk}")


@page(VIEW)
def export(request, pk: int):
    run = services.get_run(request.user, pk)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    detail = request.GET.get("detail") == "1"
    body, ctype = run_file(run, fmt, detail)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = (f'attachment; filename="assess-{run.period}-r{run.revision}'
                                       f'{"-detail" if detail else ""}.{fmt}"')
    return response


@page(VIEW)
def unit_sheet(request, pk: int, code: str):
    user = request.user
    run = services.get_run(user, pk)
    unit = next((u for u in run.result["units"] if u["code"] == code), None)
    if unit is None:
        return render_page(request, "not_found.html", status=404)
    items = unit["items"]
    own = services.unit_of(user) == code
    deadline = services.appeal_deadline(run)
    ctx = {"title": f"{unit['name']} · {run.period}", "run": run, "unit": unit, "items": items,
           "history": services.history(user, run.period, code, run.district_code),
           "appeals": services.appeals(user).filter(period=run.period, unit_code=code) if own or not
           has(user, SUBMIT) else [],
           "evidence": services.evidence(user).filter(unit_code=code, period__startswith=run.period[:4])[:30],
           "may_appeal": own and has(user, SUBMIT) and run.published_at is not None and
           (deadline is None or timezone.now() <= deadline), "deadline": deadline}
    return render_page(request, "assess/unit.html", ctx)


@page(VIEW)
def mine(request):
    code = services.unit_of(request.user)
    run = services.current_run(request.user)
    if code and run:
        return redirect("assess:unit", pk=run.pk, code=code)
    messages.info(request, "暂无本单位已发布的考评结果")
    return redirect("assess:home")


@page(SUBMIT)
def appeal(request, pk: int):
    code = services.unit_of(request.user) or ""
    if request.method == "POST":
        _flash(request, lambda: services.file_appeal(request.user, pk, request.POST.get("item", ""),
                                                     request.POST.get("reason", ""), request.FILES.getlist("files")),
               "申诉已提交（#{out.pk}），等待裁定")
    return redirect("assess:unit", pk=pk, code=code) if code else redirect("assess:home")


@page(VIEW)
def appeals(request):
    user = request.user
    rows = services.appeals(user).order_by("-at")
    status = request.GET.get("status")
    if status in AppealStatus.values:
        rows = rows.filter(status=status)
    return render_page(request, "assess/appeals.html", {
        "title": "申诉", "appeals": rows[:100], "review": has(user, REVIEW), "status": status,
        "statuses": AppealStatus.choices})


@page(REVIEW)
def rule(request, pk: int):
    if request.method == "POST":
        corrected = None
        text = (request.POST.get("corrected") or "").strip()
        if text:
            try:
                corrected = json.loads(text)
            except ValueError:
                messages.error(request, "改正的输入应为 JSON，如 {\"tier\": 1}")
                return redirect("assess:appeals")
        points = request.POST.get("points") or None
        try:
            points = float(points) if points is not None else None
        except ValueError:
            messages.error(request, "改正的分值应为数字")
            return redirect("assess:appeals")
        _flash(request, lambda: services.rule_appeal(request.user, pk, request.POST.get("upheld") == "1",
                                                     request.POST.get("ruling", ""), corrected, points),
               "已裁定申诉 #{out.pk}：{out.status}")
    return redirect("assess:appeals")


@page(VIEW)
def review(request):
    user = request.user
    scheme = services.active_scheme()
    ctx = {"title": "评判与材料", "review": has(user, REVIEW), "submit": has(user, SUBMIT),
           "own": services.unit_of(user), "default_period": _last_month(),
           "items": Item.objects.filter(part__scheme=scheme).select_related("part").order_by("part__no", "order"),
           "judged_items": Item.objects.filter(part__scheme=scheme, rule__in=REVIEWER_RULES)
           .select_related("part").order_by("part__no", "order"),
           "units": services.units(), "judgements": services.judgements(user)[:50],
           "evidence": services.evidence(user)[:50]}
    return render_page(request, "assess/review.html", ctx)


@page(REVIEW)
def judge(request):
    if request.method == "POST":
        p = request.POST

        def go():
            return services.judge(request.user, p.get("period", ""), p.get("unit", ""), p.get("item", ""),
                                  tier=_int(p.get("tier")), points=_float(p.get("points")),
                                  receiver=(p.get("receiver") == "1") if "receiver" in p else None,
                                  remark=p.get("remark", ""), evidence_id=_int(p.get("evidence")))
        _flash(request, go, "已评定（#{out.pk}）")
    return redirect("assess:review")


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@page(SUBMIT)
def submit(request):
    if request.method == "POST":
        _flash(request, lambda: services.submit_evidence(request.user, request.POST.get("period", ""),
                                                         request.POST.get("item", ""), request.POST.get("text", ""),
                                                         request.FILES.getlist("files")),
               "材料已提交（#{out.pk}）")
    return redirect("assess:review")


@page(VIEW)
def annual(request):
    year = _int(request.GET.get("year")) or timezone.localdate().year
    data = services.annual(request.user, year)
    if request.GET.get("format") == "xlsx" and data["units"]:
        head = ["名次", "编码", "街道（地区）", "一二四五六部分（年终）", "第三部分月均", "年度得分", "拨付比例", "拨付金额（元）"]
        alloc = {a["code"]: a for a in data["allocation"]}
        rows = [[u["rank"], u["code"], u["name"], u["year_end_parts"], u["part3_mean"], u["total"],
                 alloc[u["code"]]["share"], alloc[u["code"]]["amount"]] for u in data["units"]]
        from gridgov import spreadsheets

        body, ctype = spreadsheets.write("xlsx", head, rows, title=f"年度考评{year}")
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="assess-{year}.xlsx"'
        return response
    alloc = {a["code"]: a for a in data["allocation"]}
    rows = [{**u, "alloc": alloc.get(u["code"])} for u in data["units"]]
    return render_page(request, "assess/annual.html", {"title": "年度考评", "year": year, "data": data, "rows": rows})


@page(VIEW)
def schemes(request):
    user = request.user
    all_schemes = list(services.schemes(user))
    pk = _int(request.GET.get("id"))
    chosen = next((s for s in all_schemes if s.pk == pk), None) or next((s for s in all_schemes if s.active),
                                                                      all_schemes[0] if all_schemes else None)
    return render_page(request, "assess/schemes.html", {
        "title": "考评方案", "schemes": all_schemes, "chosen": chosen,
        "doc": services.document(chosen) if chosen else None, "manage": has(user, MANAGE)})


@page(MANAGE)
def scheme_action(request, pk: int, action: str):
    if request.method == "POST":
        if action == "copy":
            s = _flash(request, lambda: services.copy_scheme(request.user, pk, request.POST.get("name", "")),
                       "已复制为「{out.name}」")
            if s:
                return redirect(f"/assess/schemes/?id={s.pk}")
        elif action == "edit":
            try:
                changes = json.loads(request.POST.get("changes") or "{}")
            except ValueError:
                changes = None
            if not isinstance(changes, dict):
                messages.error(request, "修改内容应为 JSON 对象，如 {\"parts\": {\"1\": 9}}")
            else:
                _flash(request, lambda: services.edit_scheme(request.user, pk, changes),
                       "已保存「{out.name}」第 {out.version} 版")
        elif action == "activate":
            _flash(request, lambda: services.activate_scheme(request.user, pk), "已启用「{out.name}」")
    return redirect(f"/assess/schemes/?id={pk}")
