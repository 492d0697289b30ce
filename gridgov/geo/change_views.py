"""Pages of grid changes (网格调整): the plans of one's scope with a form for a new one, and one plan — its map
(old vs new grids, each new grid's load), impact table, the old → new mapping and the 历史案件对照表 — with 实施.

Views parse the form and call the service (``gridchanges``); a refused request shows the Chinese message and
writes nothing.
"""

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, get_scoped, scope_prefix, scoped
from gridgov.errors import DomainError, NotFound
from gridgov.pages import has, page, render_page

from . import gridchanges
from .models import ChangeKind, ChangeStatus, GridChange, GridMapping, RowMapping

MAX_ROWS = 500


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@page(roles.VIEW)
@require_http_methods(["GET", "POST"])
def changes(request):
    user = request.user
    form = {"node": request.POST.get("node") or (scope_prefix(user) or "")[:40], "kind": "workload", "parts": "3",
            "months": "3", "grids": ""}
    error, status = "", 200
    if request.method == "POST":
        form.update({k: request.POST.get(k, "").strip()[:2000] for k in ("node", "kind", "parts", "months", "grids")})
        try:
            c = gridchanges.plan(
                user, node=form["node"], kind=form["kind"],
                parts=_int(form["parts"]) if form["kind"] in ("workload", "split") else None,
                months=_int(form["months"], 3),
                grids=[g.strip() for g in form["grids"].replace("，", ",").split(",") if g.strip()][:200] or None)
            return redirect(f"/map/changes/{c.pk}/")
        except DomainError as e:
            error, status = e.message, e.status if e.status != 404 else 400
        except (OutOfScope, PermissionError):
            error, status = "该范围不在您的管辖范围内", 400
    rows = scoped(GridChange.objects.all(), user, roles.VIEW).order_by("-id")[:200]
    return render_page(request, "geo/changes.html", {
        "rows": rows, "form": form, "error": error, "may_edit": has(user, roles.EDIT),
        "kinds": [(k, label) for k, label in ChangeKind.choices if k != ChangeKind.REDRAW]}, status=status)


def _change(request, pk: int) -> GridChange:
    try:
        return get_scoped(GridChange.objects.all(), request.user, roles.VIEW, pk=pk)
    except OutOfScope:
        raise NotFound("change_not_found", "方案不存在") from None


@page(roles.VIEW)
@require_http_methods(["GET", "POST"])
def change(request, pk: int):
    c = _change(request, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            gridchanges.apply(request.user, c.pk)
            return redirect(f"/map/changes/{c.pk}/")
        except DomainError as e:
            error, status = e.message, e.status
        c.refresh_from_db()
    labels = c.impact.get("labels", {})
    kinds = sorted(c.impact.get("totals", {}))
    old = [{**g, "cells": [g["rows"].get(k, 0) for k in kinds]} for g in c.impact.get("old", [])]
    new = [{**g, "cells": [g["rows"].get(k, 0) for k in kinds]} for g in c.impact.get("new", [])]
    return render_page(request, "geo/change.html", {
        "c": c, "summary": gridchanges.impact_lines(c), "columns": [labels.get(k, k) for k in kinds],
        "old": old, "new": new, "error": error,
        "may_apply": c.status == ChangeStatus.PLANNED and has(request.user, roles.EDIT),
        "grid_mapping": GridMapping.objects.filter(change=c).order_by("layer", "old_code", "-share")[:MAX_ROWS],
        "case_mapping": RowMapping.objects.filter(change=c, model="cases.Case").order_by("label")[:MAX_ROWS],
        "case_count": RowMapping.objects.filter(change=c, model="cases.Case").count(), "max_rows": MAX_ROWS,
    }, status=status)
