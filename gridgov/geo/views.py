"""Pages: the home page (by role) and the grid map."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from gridgov.accounts.scope import scope_prefix

from . import services
from .models import GridLayer, Jurisdiction


def scope_label(user) -> str:
    prefix = scope_prefix(user)
    if prefix is None:
        return "无管辖范围"
    if prefix == "":
        return "全部辖区"
    node = Jurisdiction.objects.filter(code=prefix[:12] if len(prefix) > 12 else prefix).only("code", "name").first()
    if len(prefix) > 12:
        return f"{node.name if node else ''} · 网格 {prefix}"
    return node.name if node else prefix


@login_required
def home(request):
    """Each post's first page: the page made for its daily work (``gridgov.context.HOME``)."""
    from gridgov.context import home_of

    return redirect(home_of(request.user))


@login_required
def grid_map(request):
    layers = list(GridLayer.objects.order_by("id"))
    return render(request, "geo/map.html", {"layers": layers, "scope_label": scope_label(request.user),
                                            "schematic": services.schematic_note(request.user)})
