"""我的导出 (/exports/): the export builder (filters from the queue, columns picked and ordered, saved column sets,
Excel/CSV, one sheet per matter class) and the list of one's exports, whose running rows poll their progress with
HTMX until the download link appears. Writes only through ``services``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from gridgov.accounts import roles
from gridgov.errors import DomainError
from gridgov.pages import has, page, render_page
from gridgov.spreadsheets import CSV_TYPE, XLSX_TYPE

from . import services
from .logic import columns as cols
from .models import ExportStatus

RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def _chosen(request) -> list[str]:
    """The ticked columns in the order given by their 顺序 numbers (ties: the list's order)."""
    picked = []
    for i, c in enumerate(cols.COLUMNS):
        if request.POST.get(f"col_{c.key}"):
            try:
                order = int(request.POST.get(f"order_{c.key}", "") or 1000 + i)
            except ValueError:
                order = 1000 + i
            picked.append((order, i, c.key))
    return [k for _, _, k in sorted(picked)]


def _query(data) -> str:
    """The queue's filters (``query``) with the page's own date and status fields added."""
    from gridgov.cases import filters

    base = filters.parse(data.get("query", ""))
    pairs = filters.clean_query(base, filters.EXPORT_KEYS)
    for k in ("date_from", "date_to", "status"):
        v = (data.get(k) or "").strip()
        if v:
            pairs = [(kk, vv) for kk, vv in pairs if kk != k] + [(k, v)]
    return urlencode(pairs)


@page(roles.EXPORTS_CASES)
def home(request):
    user = request.user
    sets = list(services.column_sets(user))
    chosen = list(cols.DEFAULT)
    active_set = None
    if request.GET.get("set"):
        active_set = next((s for s in sets if str(s.pk) == request.GET["set"]), None)
        if active_set:
            chosen = [k for k in active_set.columns if k in cols.BY_KEY]
    order = {k: i + 1 for i, k in enumerate(chosen)}
    columns = [{"key": c.key, "label": c.label, "personal": c.personal, "on": c.key in order,
                "order": order.get(c.key, "")} for c in cols.COLUMNS]
    columns.sort(key=lambda c: (not c["on"], c["order"] or 0))
    exports = list(services.mine(user)[:30])
    from gridgov.cases.logic.lifecycle import STATE_LABELS

    ctx = {"columns": columns, "sets": sets, "active_set": active_set, "exports": exports,
           "query": request.GET.get("query", ""), "may_unmask": has(user, roles.EXPORTS_UNMASK),
           "statuses": [(s.value, label) for s, label in STATE_LABELS.items()],
           "max_rows": services.conf("EXPORT_MAX_ROWS"), "sync_rows": services.conf("EXPORT_SYNC_ROWS"),
           "keep_days": services.conf("EXPORT_KEEP_DAYS")}
    return render_page(request, "exports/home.html", ctx)


@require_POST
@page(roles.EXPORTS_CASES)
def start(request):
    back = reverse("exports:home") + "?" + urlencode({"query": request.POST.get("query", "")})
    try:
        e = services.start(request.user, _query(request.POST), _chosen(request), request.POST.get("format", "xlsx"),
                           by_class=bool(request.POST.get("by_class")), unmask=bool(request.POST.get("unmask")),
                           reason=request.POST.get("reason", ""))
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    if e.status == ExportStatus.DONE:
        messages.success(request, f"导出 #{e.pk} 已生成（{e.total} 行），可以下载")
    else:
        messages.success(request, f"导出 #{e.pk} 共 {e.total} 行，正在后台生成，完成后此处出现下载链接")
    return redirect(back)


@require_POST
@page(roles.EXPORTS_CASES)
def save_set(request):
    name = request.POST.get("set_name", "")
    try:
        s, created = services.save_column_set(request.user, name, _chosen(request),
                                              shared=bool(request.POST.get("shared")))
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("exports:home")
    messages.success(request, f"已{'保存' if created else '更新'}导出模板「{s.name}」")
    return redirect(reverse("exports:home") + f"?set={s.pk}")


@require_POST
@page(roles.EXPORTS_CASES)
def delete_set(request, pk: int):
    try:
        services.delete_column_set(request.user, pk)
        messages.success(request, "已删除导出模板")
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("exports:home")


@page(roles.EXPORTS_CASES)
def row(request, pk: int):
    """One export's row (polled by HTMX while it runs; 286 stops the polling once it is finished)."""
    e = services.get(request.user, pk)
    resp = render_page(request, "exports/_row.html", {"e": e})
    if e.status not in RUNNING:
        resp.status_code = 286  # htmx: stop polling
    return resp


@page(roles.EXPORTS_CASES)
def download(request, pk: int):
    try:
        e, f = services.open_file(request.user, pk)
    except DomainError as err:
        if err.status == 404:
            raise
        messages.error(request, err.message)
        return redirect("exports:home")
    return FileResponse(f, as_attachment=True, filename=services.download_name(e),
                        content_type=XLSX_TYPE if e.fmt == "xlsx" else CSV_TYPE)


urls = [
    path("", home, name="home"),
    path("start/", start, name="start"),
    path("sets/", save_set, name="save_set"),
    path("sets/<int:pk>/delete/", delete_set, name="delete_set"),
    path("<int:pk>/row/", row, name="row"),
    path("<int:pk>/download/", download, name="download"),
]
