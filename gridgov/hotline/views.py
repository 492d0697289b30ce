"""「12345 对接」pages: the outbox (pending with the last error, retry now; recently sent) and the receivers."""

from django.contrib import messages
from django.shortcuts import redirect

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page

from . import services
from .models import Delivery, Receiver


@page(roles.HOTLINE_VIEW)
def outbox(request):
    if request.method == "POST":
        try:
            services.retry_now(request.user, int(request.POST.get("delivery_id") or 0))
            messages.success(request, "已立即重试")
        except (DomainError, ValueError) as e:
            messages.error(request, getattr(e, "message", "输入有误"))
        return redirect("hotline-outbox")
    base = Delivery.objects.select_related("order", "order__receiver", "case")
    pending = list(base.filter(status=Delivery.PENDING).order_by("case_id", "id")[:300])
    sent = list(base.filter(status=Delivery.SENT).order_by("-sent_at", "-id")[:50])
    heads = set()
    seen = set()
    for d in pending:  # only the first pending row of a case is tried; the others wait for it (in order)
        if d.case_id not in seen:
            heads.add(d.pk)
            seen.add(d.case_id)
    return render_page(request, "hotline/outbox.html", {
        "pending": pending, "sent": sent, "heads": heads,
        "failing": sum(1 for d in pending if d.attempts), "receivers": Receiver.objects.all(),
        "can_manage": has(request.user, roles.HOTLINE_MANAGE)})


@page(roles.HOTLINE_MANAGE)
def receivers(request):
    ctx, status = {}, 200
    if request.method == "POST":
        p = request.POST
        try:
            row = services.save_receiver(request.user, system=p.get("system", ""), name=p.get("name", ""),
                                         url=p.get("url", ""), secret=p.get("secret", ""),
                                         active=p.get("active") == "on", timeout_s=p.get("timeout_s") or 10)
            messages.success(request, f"已保存「{row.name}」")
            return redirect("hotline-receivers")
        except DomainError as e:
            ctx["error"], ctx["given"], status = e.message, p, 400
    ctx["receivers"] = Receiver.objects.all()
    return render_page(request, "hotline/receivers.html", ctx, status=status)
