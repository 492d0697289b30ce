"""弄虚作假核查 pages: ``/integrity/`` the flags of one's scope (filter by status, kind, month; a reviewer enters a
督查 finding by hand), ``/integrity/<id>/`` one flag with its evidence and the reviewer's 确认 / 排除."""

import json

from django.contrib import messages
from django.shortcuts import redirect

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .logic.items import ITEMS, KINDS
from .models import Status

LIST_MAX = 200


@page(roles.ASSESS_VIEW)
def board(request):
    user = request.user
    rows = services.flags(user)
    status = request.GET.get("status", "pending")
    kind = request.GET.get("kind", "")
    period = request.GET.get("period", "")
    if status in Status.values:
        rows = rows.filter(status=status)
    if kind in KINDS:
        rows = rows.filter(kind=kind)
    if period:
        rows = rows.filter(period=period)
    if request.method == "POST" and has(user, roles.ASSESS_REVIEW):
        try:
            f = services.create(user, unit=request.POST.get("unit", "")[:9], item=request.POST.get("item", ""),
                                period=request.POST.get("period", "")[:7], reason=request.POST.get("reason", "")[:300],
                                case=request.POST.get("case", "")[:32], person=request.POST.get("person", "")[:150])
            messages.success(request, f"已录入线索 {f.pk}，待核定")
            return redirect("integrity:flag", pk=f.pk)
        except DomainError as e:
            messages.error(request, e.message)
    return render_page(request, "integrity/board.html", {
        "flags": rows.order_by("-created_at", "-id")[:LIST_MAX], "count": rows.count(), "status": status,
        "kind": kind, "period": period, "statuses": Status.choices, "kinds": KINDS.items(), "items": ITEMS.items(),
        "may_review": has(user, roles.ASSESS_REVIEW)})


@page(roles.ASSESS_VIEW)
def flag(request, pk: int):
    user = request.user
    f = services.get_flag(user, pk)
    if request.method == "POST":
        try:
            f = services.decide(user, pk, request.POST.get("decision", ""), request.POST.get("reason", "")[:300],
                                request.POST.get("item") or None, request.POST.get("period") or None)
            messages.success(request, f"已{f.get_status_display()}")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("integrity:flag", pk=pk)
    return render_page(request, "integrity/flag.html", {
        "f": f, "item_label": ITEMS.get(f.item, f.item), "items": ITEMS.items(),
        "evidence": json.dumps(f.evidence, ensure_ascii=False, indent=2),
        "may_review": has(user, roles.ASSESS_REVIEW) and f.status == Status.PENDING})

