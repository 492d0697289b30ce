"""「Open311 密钥」: the administrator issues a key to a client (shown once) and revokes keys."""

from django.contrib import messages
from django.shortcuts import redirect

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.pages import page, render_page

from . import services
from .models import ApiKey


@page(roles.OPEN311_MANAGE)
def keys(request):
    ctx, status = {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("what") == "revoke":
                row = services.revoke_key(request.user, int(request.POST.get("key_id") or 0))
                messages.success(request, f"已停用「{row.name}」的密钥")
                return redirect("open311-keys")
            row, key = services.create_key(request.user, request.POST.get("name", ""))
            ctx["new_key"], ctx["new_name"] = key, row.name
        except (DomainError, ValueError) as e:
            ctx["error"], status = getattr(e, "message", "输入有误"), 400
    ctx["keys"] = ApiKey.objects.select_related("created_by").order_by("-active", "name")
    ctx["endpoint"] = request.build_absolute_uri("/open311/v2/")
    return render_page(request, "open311/keys.html", ctx, status=status)
