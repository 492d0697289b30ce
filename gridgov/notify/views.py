"""消息 pages: one's own inbox (every signed-in account, residents too) and one's message settings."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError
from gridgov.pages import page, render_page

from . import channels, services
from .logic import rules
from .models import CHANNEL_LABELS, Notification


def object_url(n: Notification, user) -> str:
    """Where a message's object is shown (the case page, a task …); the inbox when there is no page for it."""
    oid = n.object_id
    if n.object_type == "case" and oid:
        return f"/r/case/{oid}/" if user.role == "resident" else f"/cases/{oid}/"
    if oid.isdigit():
        return {"task": f"/tasks/tasks/{oid}/", "meeting": f"/tasks/meetings/{oid}/",
                "notice": f"/oversight/notices/{oid}/", "city_dispatch": "/oversight/",
                "activation": f"/duty/activations/{oid}/",
                "notices": f"/notices/{oid}/"}.get(n.object_type, "/notify/")  # notices: 通知公告
    return "/notify/"


@page()
def inbox(request):
    unread_only = request.GET.get("show") != "all"
    group = request.GET.get("group", "")
    qs = services.inbox(request.user, unread_only=unread_only)
    if group in rules.GROUP_LABELS:
        qs = qs.filter(kind__startswith=group + ".")
    pager = Paginator(qs.only("id", "kind", "title", "body", "object_type", "object_id", "created", "read_at"), 30)
    current = pager.get_page(request.GET.get("page"))
    groups = [("", "全部类别")] + list(rules.GROUP_LABELS.items())
    return render_page(request, "notify/inbox.html", {
        "page_obj": current, "unread_only": unread_only, "group": group, "groups": groups,
        "unread": services.unread_count(request.user),
        "urgent": rules.URGENT_KINDS,
    })


@require_POST
@page()
def open_one(request, pk: int):
    """Mark one message read and go to what it is about."""
    services.mark_read(request.user, [pk])
    n = Notification.objects.filter(pk=pk, user=request.user).first()
    return redirect(object_url(n, request.user) if n else "/notify/")


@require_POST
@page()
def read_one(request, pk: int):
    services.mark_read(request.user, [pk])
    return redirect(request.POST.get("next") or "/notify/")


@require_POST
@page()
def read_all(request):
    n = services.mark_all_read(request.user)
    messages.success(request, f"已将 {n} 条消息标为已读")
    return redirect("/notify/")


def _time(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise DomainError("invalid_quiet_hours", "免打扰时间应为 时:分，例如 22:00") from None


@page()
def settings_page(request):
    pref = services.preference_of(request.user)
    available = [c.name for c in channels.durable() if c.name != "robot"] or ["sms", "wecom", "email"]
    if request.method == "POST":
        chosen = {g: [c for c in available if request.POST.get(f"ch-{g}-{c}")] for g in rules.GROUP_LABELS}
        try:
            quiet = (_time(request.POST.get("quiet_start")), _time(request.POST.get("quiet_end")))
            services.set_preference(request.user, request.user,
                                    phone=request.POST.get("phone") if request.POST.get("phone", "").strip() != pref.phone_masked else None,
                                    wecom_userid=request.POST.get("wecom_userid", ""),
                                    channels_by_group=chosen, quiet=quiet)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已保存")
            return redirect("/notify/settings/")
    rows = [{"group": g, "label": label, "channels": [
        {"name": c, "label": CHANNEL_LABELS[c], "on": c in pref.channels.get(g, available)} for c in available]}
        for g, label in rules.GROUP_LABELS.items()]
    return render_page(request, "notify/settings.html", {
        "pref": pref, "rows": rows, "configured": [CHANNEL_LABELS[c.name] for c in channels.durable()],
        "urgent_note": "督办、紧急案件、红灯超期、应急预案、逾期任务",
    })


urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/open/", open_one, name="open"),
    path("<int:pk>/read/", read_one, name="read"),
    path("read-all/", read_all, name="read_all"),
    path("settings/", settings_page, name="settings"),
]
