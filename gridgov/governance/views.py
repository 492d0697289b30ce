"""Pages: 调解台账 and 信访登记簿 (lists with Excel export) and the forms of the record panel on the case page
(``templatetags/governance_ui.py``). Reads and writes only through ``services``; a refused form comes back to the
case page as a Chinese message and writes nothing."""

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov import spreadsheets
from gridgov.errors import DomainError
from gridgov.pages import page, render_page

from . import services
from .logic import mediation as ml
from .logic import petitions as pl

LIMIT = 500


def _export(name: str, head: list[str], rows: list[list]) -> HttpResponse:
    body, ctype = spreadsheets.write("xlsx", head, rows, name)
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    return resp


@page(services.VIEW)
def mediations(request):
    status = request.GET.get("status") or None
    if status not in ml.STATUSES:
        status = None
    rows = list(services.mediations(request.user, status)[:LIMIT])
    if request.GET.get("format") == "xlsx":
        return _export("调解台账", ["案件编号", "事项", "社区", "受理日期", "状态", "当事人数", "调解次数", "结束日期",
                                   "协议签订日期", "回访日期"],
                       [[m.case.number, m.case.matter.name if m.case.matter_id else "",
                         m.case.community.name if m.case.community_id else "", m.accepted_on,
                         ml.STATUSES[m.status], m.n_parties, m.n_sessions, m.concluded_on, m.agreement_signed_on,
                         m.visited_on] for m in rows])
    return render_page(request, "governance/mediations.html", {
        "rows": [{"m": m, "status_label": ml.STATUSES[m.status]} for m in rows], "statuses": ml.STATUSES.items(),
        "status": status or ""})


@page(services.VIEW)
def petitions(request):
    status = request.GET.get("status") or None
    if status not in pl.STATUSES:
        status = None
    rows = list(services.petitions(request.user, status)[:LIMIT])
    if request.GET.get("format") == "xlsx":
        return _export("信访登记簿", ["案件编号", "形式", "信访事项", "收到日期", "受理告知期限", "受理意见", "办结期限",
                                     "延期天数", "答复日期", "复查申请日期", "复查日期", "状态"],
                       [[p.case.number, pl.FORMS[p.form], p.subject, p.received_on, p.accept_due_on,
                         pl.DECISIONS.get(p.decision, ""), p.reply_due_on, p.extension_days, p.replied_on,
                         p.review_requested_on, p.reviewed_on, pl.STATUSES[p.status]] for p in rows])
    return render_page(request, "governance/petitions.html", {
        "rows": [{"p": p, "status_label": pl.STATUSES[p.status],
                  "accept_left": services.due_label(p.accept_due_on, p.status != "registered"),
                  "reply_left": services.due_label(p.reply_due_on, p.status != "accepted")} for p in rows],
        "statuses": pl.STATUSES.items(), "status": status or ""})


def _party(post, prefix: str) -> dict | None:
    name, phone, resident = (post.get(f"{prefix}name", "").strip(), post.get(f"{prefix}phone", "").strip(),
                             post.get(f"{prefix}resident_id", "").strip())
    if not (name or resident):
        return None
    return {"name": name, "phone": phone, "resident_id": resident or None, "role": post.get(f"{prefix}role", "")}


def _parties(post) -> list[dict]:
    return [p for p in (_party(post, f"p{i}_") for i in (1, 2)) if p]


ACTIONS = {
    "mediation_open": lambda u, n, d: services.open_mediation(u, n, d.get("summary", ""), d.get("accepted_on"),
                                                              _parties(d)),
    "mediation_party": lambda u, n, d: services.add_party(u, n, _party(d, "p1_") or {}),
    "mediation_session": lambda u, n, d: services.add_session(u, n, d),
    "mediation_outcome": lambda u, n, d: services.record_outcome(u, n, d.get("outcome", ""), d.get("text", ""),
                                                                 d.get("signed_on")),
    "mediation_visit": lambda u, n, d: services.record_visit(u, n, d.get("result", ""), d.get("visited_on"),
                                                             {"yes": True, "no": False}.get(d.get("satisfied", ""))),
    "petition_register": lambda u, n, d: services.register_petition(u, n, d.get("form", ""), d.get("subject", ""),
                                                                    d.get("received_on"), _parties(d)),
    "petition_decision": lambda u, n, d: services.decide_petition(u, n, d.get("decision", ""), d.get("decided_on"),
                                                                  d.get("note", "")),
    "petition_extension": lambda u, n, d: services.extend_petition(u, n, _int(d.get("days")), d.get("reason", "")),
    "petition_reply": lambda u, n, d: services.reply_petition(u, n, d.get("text", ""), d.get("replied_on")),
    "petition_review_request": lambda u, n, d: services.request_review(u, n, d.get("text", ""), d.get("on")),
    "petition_review": lambda u, n, d: services.record_review(u, n, d.get("text", ""), d.get("on")),
}
DONE = {"mediation_open": "已受理调解", "mediation_party": "已添加当事人", "mediation_session": "已登记调解",
        "mediation_outcome": "已登记调解结果", "mediation_visit": "已登记回访", "petition_register": "已登记信访",
        "petition_decision": "已作出受理意见", "petition_extension": "已延长办理期限", "petition_reply": "已答复",
        "petition_review_request": "已登记复查申请", "petition_review": "已登记复查意见"}


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("invalid_days", "延长天数应为整数") from None


@require_POST
@page(services.RECORD)
def act(request, number: str, action: str):
    """One form of the record panel; back to the case page with 「已…」 or the reason it was refused."""
    back = reverse("cases:case", args=[number]) + "#governance"
    handler = ACTIONS.get(action)
    if handler is None:
        messages.error(request, "未知的操作")
        return redirect(back)
    try:
        handler(request.user, number, request.POST)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, DONE[action])
    return redirect(back)
