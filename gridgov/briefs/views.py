"""The brief pages (简报与通报), mounted at /briefs/: the list with the draft form and one's subscriptions; a brief
with its tables and editable paragraphs, 签发; the Word and PDF downloads."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.scope import scope_prefix
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .logic import layout
from .models import Kind, Status, Subscription

VIEW, DRAFT, ISSUE = services.VIEW, services.DRAFT, services.ISSUE


def _error(request, e: DomainError, back: str):
    return render_page(request, "briefs/error.html", {"error": e.message, "back": back}, status=e.status)


def _default_periods(now) -> dict:
    today = services.local_today(now)
    return {k: layout.previous(k, today).label for k in Kind.values}


@page(VIEW)
def home(request):
    user = request.user
    kind = request.GET.get("kind", "")
    qs = services.visible(user).defer("docx", "pdf", "figures").select_related("issued_by", "created_by")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    subs = Subscription.objects.filter(user=user, active=True).order_by("kind", "scope_key")
    prefix = scope_prefix(user) or ""
    return render_page(request, "briefs/home.html", {
        "briefs": qs[:100], "kinds": Kind.choices, "kind": kind, "subs": subs, "can_draft": has(user, DRAFT),
        "defaults": _default_periods(timezone.now()), "scope": prefix[:9] if len(prefix) >= 9 else prefix[:6],
    })


@page(DRAFT)
def new(request):
    if request.method != "POST":
        return redirect("briefs:home")
    try:
        b = services.draft(request.user, request.POST.get("kind", ""), request.POST.get("period", ""),
                           request.POST.get("scope") or None)
    except DomainError as e:
        return _error(request, e, reverse("briefs:home"))
    return redirect("briefs:detail", pk=b.pk)


@page(VIEW)
def detail(request, pk: int):
    b = services.get(request.user, pk)
    doc = services.document(b) if b.status in (Status.DRAFT, Status.ISSUED) else None
    editable = b.status == Status.DRAFT and has(request.user, DRAFT)
    return render_page(request, "briefs/detail.html", {
        "b": b, "doc": doc, "editable": editable, "can_issue": b.status == Status.DRAFT and has(request.user, ISSUE),
    })


@page(DRAFT)
def edit(request, pk: int):
    if request.method != "POST":
        return redirect("briefs:detail", pk=pk)
    b = services.get(request.user, pk)
    texts = {k: request.POST[f"s-{k}"] for k in (b.narrative or {}) if f"s-{k}" in request.POST}
    try:
        services.edit(request.user, pk, texts)
    except DomainError as e:
        return _error(request, e, reverse("briefs:detail", args=[pk]))
    return redirect("briefs:detail", pk=pk)


@page(ISSUE)
def issue(request, pk: int):
    if request.method != "POST":
        return redirect("briefs:detail", pk=pk)
    services.get(request.user, pk)
    try:
        services.issue(request.user, pk)
    except DomainError as e:
        return _error(request, e, reverse("briefs:detail", args=[pk]))
    return redirect("briefs:detail", pk=pk)


CONTENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "pdf": "application/pdf"}


@page(VIEW)
def download(request, pk: int, fmt: str):
    b = services.get(request.user, pk)
    content = bytes(getattr(b, fmt) or b"")
    if not content:
        return _error(request, DomainError("not_ready", "文件尚未生成"), reverse("briefs:detail", args=[pk]))
    resp = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"brief-{b.kind}-{b.scope_key}-{b.period}{'' if b.status == Status.ISSUED else '-draft'}.{fmt}"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@page(VIEW)
def subscribe(request):
    if request.method == "POST":
        try:
            services.subscribe(request.user, request.POST.get("kind", ""), request.POST.get("scope") or None)
        except DomainError as e:
            return _error(request, e, reverse("briefs:home"))
    return redirect("briefs:home")


@page(VIEW)
def unsubscribe(request, pk: int):
    if request.method == "POST":
        try:
            services.unsubscribe(request.user, pk)
        except DomainError as e:
            return _error(request, e, reverse("briefs:home"))
    return redirect("briefs:home")
