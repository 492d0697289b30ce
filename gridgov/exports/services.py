"""案件导出 — the only writer of exports and column sets; each function owns its transaction and audits.

- ``start``: checks the right, the columns, the filters (the queue's, ``cases.filters``) and the row limit,
  records the export (audit ``case_export``/``create``), then builds it at once when small
  (``EXPORT_SYNC_ROWS``) or in the background (``exports.build``, ``gridgov.background``) with progress;
- ``build``: the job (idempotent): writes the file through Django's storage API (``default_storage``) under
  ``exports/``, the rows done counted as it goes; an export with the reporters' names and phones in full writes
  one line in the personal-data access log (who, how many, why);
- ``purge``: finished files past ``EXPORT_KEEP_DAYS`` are deleted (the row stays, marked 已过期删除);
- ``save_column_set`` / ``delete_column_set``: the export builder's named column sets.

Personal data: the reporter's name and phone are masked unless the export was asked for in full by a post with
``exports.unmask`` with a reason; a masked export's descriptions go through the public sanitiser (a phone number
typed into a description is not exported either).
"""

import datetime as dt
import logging
import os
import secrets
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from gridgov import background, spreadsheets
from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix
from gridgov.audit.services import record, record_many
from gridgov.basedata.logic.ids import mask_name
from gridgov.basedata.services import log_access
from gridgov.cases import filters
from gridgov.cases.logic.lifecycle import STAGE_LABELS, STATE_LABELS, Stage, State
from gridgov.cases.models import Case, CaseReport, Source, Urgency
from gridgov.cases.services.intake import PHONE_FIELD
from gridgov.cases.services.lights import light
from gridgov.crypto import cipher
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.kpi.logic.indicators import on_time_closed
from gridgov.transparency.logic.sanitise import sanitise

from .logic import columns as cols
from .models import ColumnSet, Export, ExportStatus

log = logging.getLogger("gridgov.exports")
PROGRESS_EVERY = 500  # rows between two progress updates
FOLDER = "exports"
RELATED = ("matter", "community__parent", "unit_grid", "management_grid", "assignee_department")


def conf(key: str) -> int:
    return int(settings.GRIDGOV[key])


def _check_query(query: str) -> tuple[str, list[tuple[str, str]]]:
    pairs = filters.clean_query(filters.parse(query or ""), filters.EXPORT_KEYS)
    return urlencode(pairs), pairs


def cases_of(user, pairs):
    """The export's rows: the queue's filters over the user's scope, oldest report first."""
    return filters.queue_qs(user, pairs)


def start(user, query: str = "", columns: list[str] | None = None, fmt: str = "xlsx", by_class: bool = False,
          unmask: bool = False, reason: str = "") -> Export:
    """Ask for an export of the case list (the queue's filters ``query``); returns it (done already when small)."""
    require(user, roles.EXPORTS_CASES)
    columns = list(columns or cols.DEFAULT)
    why = cols.problem(columns)
    if why:
        raise DomainError("invalid_columns", why)
    if fmt not in spreadsheets.FORMATS:
        raise DomainError("bad_format", "格式应为 xlsx（Excel）或 csv")
    if by_class and fmt != "xlsx":
        raise DomainError("by_class_needs_xlsx", "按事项大类分表只适用于 Excel（xlsx）格式")
    reason = (reason or "").strip()
    if unmask:
        require(user, roles.EXPORTS_UNMASK)
        if not cols.personal(columns):
            raise DomainError("nothing_to_unmask", "所选列不含联系人或联系电话，无需导出明文")
        if len(reason) < 2:
            raise DomainError("reason_required", "导出个人信息明文须填写事由")
    query, pairs = _check_query(query)
    if len(query) > Export._meta.get_field("query").max_length:
        raise DomainError("invalid_filter", "筛选条件过长，请精简")
    total = cases_of(user, pairs).count()  # bad filters raise here (DomainError), before anything is written
    limit = conf("EXPORT_MAX_ROWS")
    if total > limit:
        raise DomainError("too_many_rows", f"一次最多导出 {limit} 行，当前筛选有 {total} 行，请缩小筛选范围（如按日期、街道）")
    with transaction.atomic():
        export = Export.objects.create(user=user, query=query, columns=columns, fmt=fmt, by_class=by_class,
                                       unmask=unmask, reason=reason[:200], total=total)
        record(user, "create", "case_export", export.pk, after={
            "query": query, "columns": columns, "fmt": fmt, "by_class": by_class, "unmask": unmask, "total": total,
            "reason": reason[:200] if unmask else ""})
        if total > conf("EXPORT_SYNC_ROWS"):
            background.submit("exports.build", export.pk)
    if total <= conf("EXPORT_SYNC_ROWS"):
        build(export.pk)
        export.refresh_from_db()
    return export


# ---------------------------------------------------------------- the rows


def _local(t: dt.datetime | None) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""


class _Cells:
    """The value of each column of one case (``now`` fixed for a whole export)."""

    def __init__(self, now, unmask: bool):
        self.now, self.unmask, self.cipher = now, unmask, cipher() if unmask else None

    def reporter(self, c: Case) -> CaseReport | None:
        reports = getattr(c, "first_reports", None)
        return reports[0] if reports else None

    def value(self, c: Case, key: str):
        if key in ("reported_at", "registered_at", "dispatched_at", "handled_at", "closed_at", "stage_due_at"):
            return _local(getattr(c, key))
        if key == "number":
            return c.number
        if key == "matter":
            return c.matter.name if c.matter_id else ""
        if key == "matter_class":
            return c.matter.major_name if c.matter_id else "（未分类）"
        if key == "source":
            return Source(c.source).label
        if key == "urgency":
            return Urgency(c.urgency).label if c.urgency in Urgency.values else c.urgency
        if key == "description":
            if self.unmask:
                return c.description
            return sanitise(c.description, [r.reporter_name for r in getattr(c, "first_reports", ())])
        if key == "address":
            return c.address
        if key == "street":
            return c.community.parent.name if c.community_id and c.community.parent_id else ""
        if key == "community":
            return c.community.name if c.community_id else ""
        if key == "grid":
            return c.unit_grid.code if c.unit_grid_id else ""
        if key == "management_grid":
            return c.management_grid.code if c.management_grid_id else ""
        if key == "department":
            return c.assignee_department.name if c.assignee_department_id else ""
        if key == "status":
            return STATE_LABELS[State(c.status)]
        if key == "stage":
            return STAGE_LABELS.get(Stage(c.stage), "") if c.stage else ""
        if key == "overdue":
            return "是" if light(c, self.now) == "red" else "否"
        if key == "closed_on_time":
            return "" if c.closed_at is None else ("是" if on_time_closed(True, c.late_stages) else "否")
        if key == "handle_hours":
            return round(c.handle_hours, 2) if c.handle_hours is not None else ""
        if key == "satisfaction":
            return c.satisfaction if c.satisfaction is not None else ""
        if key in ("lon", "lat"):
            return round(getattr(c, key), 6)
        r = self.reporter(c)
        if r is None:
            return ""
        if key == "reporter_name":
            return r.reporter_name if self.unmask else mask_name(r.reporter_name)
        if key == "reporter_phone":
            if self.unmask:
                return self.cipher.decrypt(bytes(r.reporter_phone_cipher), PHONE_FIELD) if r.reporter_phone_cipher else ""
            return r.reporter_phone_masked
        raise KeyError(key)


def _rows_qs(export: Export):
    qs = cases_of(export.user, filters.clean_query(filters.parse(export.query), filters.EXPORT_KEYS))
    qs = qs.select_related(*RELATED)
    if cols.personal(export.columns) or "description" in export.columns:  # names: to mask them in descriptions
        qs = qs.prefetch_related(Prefetch("reports", to_attr="first_reports", queryset=CaseReport.objects.order_by(
            "created_at", "id")))
    order = ("matter__major_code", "reported_at", "id") if export.by_class else ("reported_at", "id")
    return qs.order_by(*order)


def _progress(export_id: int, done: int) -> None:
    Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(done=done)  # not once another finished it


def _write(export: Export, f) -> int:
    """Write the export's file to ``f`` (binary); returns the rows written."""
    cells = _Cells(timezone.now(), export.unmask)
    head = cols.head(export.columns)
    n = 0
    rows = _rows_qs(export).iterator(chunk_size=1000)
    if export.fmt == "csv":
        import io

        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        text.write("\ufeff")  # UTF-8 with BOM: Excel on Windows opens it as UTF-8
        w = spreadsheets.CsvWriter(text)
        w.writerow(head)
        for c in rows:
            w.writerow([cells.value(c, k) for k in export.columns])
            n += 1
            if n % PROGRESS_EVERY == 0:
                _progress(export.pk, n)
        text.flush()
        text.detach()
        return n
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws, sheet = None, None
    titles: set[str] = set()
    for c in rows:
        name = (c.matter.major_name if c.matter_id else "未分类") if export.by_class else "案件"
        if name != sheet:
            title = _sheet_title(name, titles)
            ws, sheet = wb.create_sheet(title), name
            spreadsheets.append_row(ws, head)
        spreadsheets.append_row(ws, [cells.value(c, k) for k in export.columns])
        n += 1
        if n % PROGRESS_EVERY == 0:
            _progress(export.pk, n)
    if ws is None:
        spreadsheets.append_row(wb.create_sheet("案件"), head)
    wb.save(f)
    return n


def _sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet title: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "未分类"
    title, i = base, 2
    while title in taken:
        title, i = f"{base}{i}", i + 1
    taken.add(title)
    return title


def _unfinished(export_id: int):
    """The export while no attempt has finished it. A job may run twice at once (its message given again while the
    first worker still runs; ``resume``'s second submission taken beside the first): the attempt that ends first
    finishes it by a conditional UPDATE (the row's lock makes the other wait and then find nothing to update)."""
    return Export.objects.filter(pk=export_id).exclude(status__in=(ExportStatus.DONE, ExportStatus.EXPIRED))


@background.task("exports.build")
def build(export_id: int) -> None:
    """Make the export's file (a queued or interrupted one; a finished one is left as it is; of two attempts at once,
    the first to end finishes it, once)."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).select_related("user").first()
        if export is None or export.status in (ExportStatus.DONE, ExportStatus.EXPIRED):
            return
        Export.objects.filter(pk=export_id).update(status=ExportStatus.RUNNING, done=0)
    try:
        with tempfile.TemporaryFile() as tmp:
            n = _write(export, tmp)
            tmp.seek(0)
            name = default_storage.save(f"{FOLDER}/{export.pk}-{secrets.token_hex(8)}.{export.fmt}", File(tmp))
            size = default_storage.size(name)
    except Exception as e:
        log.exception("export %s failed", export_id)
        with transaction.atomic():
            if _unfinished(export_id).update(status=ExportStatus.FAILED, error=str(type(e).__name__)[:300]):
                record(None, "fail", "case_export", export_id)
        return
    now = timezone.now()
    with transaction.atomic():
        finished = _unfinished(export_id).update(
            status=ExportStatus.DONE, done=n, total=n, file_name=name, size=size, finished_at=now,
            expires_at=now + dt.timedelta(days=conf("EXPORT_KEEP_DAYS")))
        if finished:
            record(None, "finish", "case_export", export_id, after={"rows": n, "size": size})
            if export.unmask:
                log_access(export.user, "export", "case_report", export.pk,
                           ",".join(cols.personal(export.columns)), n, export.reason, scope_prefix(export.user) or "")
    if not finished:  # another attempt finished it meanwhile: this file, named nowhere, is not kept
        default_storage.delete(name)


# ---------------------------------------------------------------- reads


def mine(user):
    require(user, roles.EXPORTS_CASES)
    return Export.objects.filter(user=user).order_by("-created_at", "-id")


def get(user, pk: int) -> Export:
    """One of the user's own exports (someone else's: not found)."""
    export = mine(user).filter(pk=pk).first()
    if export is None:
        raise NotFound("export_not_found", f"没有编号为 {pk} 的导出")
    return export


def open_file(user, pk: int) -> tuple[Export, object]:
    export = get(user, pk)
    if export.status == ExportStatus.EXPIRED:
        raise Conflict("export_expired", f"导出 #{pk} 的文件已超过保存期限被删除，请重新导出")
    if export.status != ExportStatus.DONE or not export.file_name:
        raise Conflict("export_not_ready", f"导出 #{pk} 尚未完成（{export.get_status_display()}）")
    return export, default_storage.open(export.file_name, "rb")


def download_name(export: Export) -> str:
    return f"案件导出-{timezone.localtime(export.created_at):%Y%m%d-%H%M}-{export.pk}.{export.fmt}"


def column_sets(user):
    """The user's own column sets and those shared by others (who may export)."""
    require(user, roles.EXPORTS_CASES)
    return ColumnSet.objects.filter(Q(user=user) | Q(shared=True)).select_related("user").order_by("name", "id")


# ---------------------------------------------------------------- writes: column sets and the purge


def save_column_set(user, name: str, columns: list[str], shared: bool = False) -> tuple[ColumnSet, bool]:
    """Save (or replace) the user's column set ``name``; returns (set, created)."""
    require(user, roles.EXPORTS_CASES)
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise DomainError("invalid_name", "模板名称不能为空，且不超过 40 个字")
    why = cols.problem(list(columns or []))
    if why:
        raise DomainError("invalid_columns", why)
    with transaction.atomic():
        existing = ColumnSet.objects.select_for_update().filter(user=user, name=name).first()
        after = {"name": name, "columns": list(columns), "shared": shared}
        if existing is None:
            s = ColumnSet.objects.create(user=user, name=name, columns=list(columns), shared=shared)
            record(user, "create", "export_column_set", s.pk, after=after)
            return s, True
        before = {"name": existing.name, "columns": existing.columns, "shared": existing.shared}
        existing.columns, existing.shared = list(columns), shared
        existing.save()
        record(user, "update", "export_column_set", existing.pk, before=before, after=after)
        return existing, False


def delete_column_set(user, pk: int) -> None:
    require(user, roles.EXPORTS_CASES)
    with transaction.atomic():
        s = ColumnSet.objects.select_for_update().filter(pk=pk, user=user).first()
        if s is None:
            raise NotFound("column_set_not_found", f"没有您的编号为 {pk} 的导出模板")
        record(user, "delete", "export_column_set", s.pk, before={"name": s.name, "columns": s.columns})
        s.delete()


def purge(now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their keeping time; the rows stay (已过期删除). Returns how many."""
    now = now or timezone.now()
    expired = list(Export.objects.filter(status=ExportStatus.DONE, expires_at__lt=now).values_list("pk", "file_name"))
    if not expired:
        return 0
    for _, name in expired:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                log.warning("export file %s could not be deleted", os.path.basename(name))
    with transaction.atomic():
        Export.objects.filter(pk__in=[pk for pk, _ in expired]).update(status=ExportStatus.EXPIRED, file_name="")
        record_many(None, [{"action": "purge", "object_type": "case_export", "object_id": pk} for pk, _ in expired])
    return len(expired)


def resume(now: dt.datetime | None = None, stale_after_s: float = 600.0) -> int:
    """Submit again the exports still queued ``stale_after_s`` after they were asked for (a server restarted before
    its thread took them). Returns how many."""
    now = now or timezone.now()
    stuck = list(Export.objects.filter(status=ExportStatus.QUEUED,
                                       created_at__lt=now - dt.timedelta(seconds=stale_after_s))
                 .values_list("pk", flat=True)[:100])
    for pk in stuck:
        background.submit("exports.build", pk)
    return len(stuck)


def _housekeeping() -> None:
    purge()
    resume()


def start_background_purge(interval_s: float = 3600.0):
    """The loop `gridgov serve` runs (``serving.every``): :func:`purge` and :func:`resume` every hour."""
    from gridgov.serving import every

    return every("export-purge", interval_s, _housekeeping)
