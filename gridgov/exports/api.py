"""Case export API (/api/v1/exports): start an export, follow it, download it; the columns and named column sets
of the export builder. Parse → call a service → serialise."""

import datetime as dt
from typing import Literal

from django.http import FileResponse
from ninja import Field, Query, Router, Schema, Status

from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, binary, page_of, paginate
from gridgov.spreadsheets import CSV_TYPE, XLSX_TYPE

from . import services
from .logic import columns as cols
from .models import ColumnSet, Export

router = Router(tags=["案件导出"])
ColumnKey = Field(max_length=40)


class ExportColumnOut(Schema):
    key: str = Field(description="列代码")
    label: str = Field(description="列名（表头）")
    personal: bool = Field(description="个人信息（联系人、联系电话）：无明文权限时脱敏")
    default: bool = Field(description="是否默认选中")


class ExportColumnSetIn(Schema):
    name: str = Field(min_length=1, max_length=40, title="模板名称")
    columns: list[str] = Field(min_length=1, max_length=cols.MAX_COLUMNS, title="导出列", description="列代码，按导出顺序")
    shared: bool = Field(False, title="共享", description="共享给其他可导出案件的账户")


class ExportColumnSetOut(Schema):
    id: int
    name: str
    columns: list[str]
    shared: bool
    owner: str = Field(description="创建人账号")
    mine: bool = Field(description="是否为本人的模板")


class ExportStartIn(Schema):
    query: str = Field("", max_length=1000, title="筛选条件",
                       description="案件受理页的筛选条件（查询字符串），如 status=registered&matter=06010&date_from=2026-11-01")
    columns: list[str] | None = Field(None, max_length=cols.MAX_COLUMNS, title="导出列",
                                      description="列代码，按导出顺序；不给时为默认列")
    format: Literal["xlsx", "csv"] = Field("xlsx", title="格式")
    by_class: bool = Field(False, title="按事项大类分表", description="Excel 中每个事项大类一张工作表")
    unmask: bool = Field(False, title="明文", description="联系人、联系电话导出明文（须有权限并填写事由，记入个人信息访问日志）")
    reason: str = Field("", max_length=200, title="事由")


class ExportOut(Schema):
    id: int
    status: str = Field(description="queued 排队中、running 生成中、done 已完成、failed 失败、expired 已过期删除")
    status_label: str
    query: str
    columns: list[str]
    format: str
    by_class: bool
    unmask: bool
    total: int = Field(description="总行数")
    done: int = Field(description="已完成行数")
    percent: int = Field(description="进度（%）")
    size: int = Field(description="文件字节数")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="文件删除时间")
    download_url: str | None = Field(description="完成后的下载地址")


def export_out(e: Export) -> dict:
    return {"id": e.pk, "status": e.status, "status_label": e.get_status_display(), "query": e.query,
            "columns": e.columns, "format": e.fmt, "by_class": e.by_class, "unmask": e.unmask, "total": e.total,
            "done": e.done, "percent": e.percent, "size": e.size, "created_at": e.created_at,
            "finished_at": e.finished_at, "expires_at": e.expires_at,
            "download_url": f"/api/v1/exports/{e.pk}/download" if e.status == "done" else None}


def set_out(s: ColumnSet, user) -> dict:
    return {"id": s.pk, "name": s.name, "columns": s.columns, "shared": s.shared, "owner": s.user.username,
            "mine": s.user_id == user.pk}


@router.get("/columns", response=answers(page_of(ExportColumnOut), 403, 422), summary="可导出的列（导出列表）")
def list_columns(request, page: Query[PageIn]):
    services.column_sets(request.user)  # the right
    rows = [{"key": c.key, "label": c.label, "personal": c.personal, "default": c.key in cols.DEFAULT}
            for c in cols.COLUMNS]
    return paginate(rows, page)


@router.get("/column-sets", response=answers(page_of(ExportColumnSetOut), 403, 422), summary="导出模板：本人的和他人共享的")
def list_column_sets(request, page: Query[PageIn]):
    user = request.user
    return paginate(services.column_sets(user), page, lambda s: set_out(s, user))


@router.post("/column-sets", response={**answers(ExportColumnSetOut, 400, 403, 422), 201: ExportColumnSetOut},
             summary="保存导出模板（同名则覆盖本人的模板）")
def save_column_set(request, payload: ExportColumnSetIn):
    s, created = services.save_column_set(request.user, payload.name, payload.columns, payload.shared)
    return Status(201 if created else 200, set_out(s, request.user))


class ExportDeletedOut(Schema):
    id: int
    deleted: bool


@router.delete("/column-sets/{set_id}", response=answers(ExportDeletedOut, 403, 404, 422), summary="删除本人的导出模板")
def delete_column_set(request, set_id: Id):
    services.delete_column_set(request.user, set_id)
    return {"id": set_id, "deleted": True}


@router.post("", response={**answers(ExportOut, 400, 403, 422), 201: ExportOut},
             summary="导出案件（Excel/CSV）：行数少时立即生成，多时后台生成（轮询进度）")
def start_export(request, payload: ExportStartIn):
    e = services.start(request.user, payload.query, payload.columns, payload.format, payload.by_class,
                       payload.unmask, payload.reason)
    return Status(201, export_out(e))


@router.get("", response=answers(page_of(ExportOut), 403, 422), summary="我的导出（最新在前）")
def list_exports(request, page: Query[PageIn]):
    return paginate(services.mine(request.user), page, export_out)


@router.get("/{export_id}", response=answers(ExportOut, 403, 404, 422), summary="一次导出的状态和进度")
def get_export(request, export_id: Id):
    return export_out(services.get(request.user, export_id))


@router.get("/{export_id}/download", response=answers(None, 403, 404, 409, 422), summary="下载导出的文件",
            openapi_extra=binary("text/csv", XLSX_TYPE, description="案件导出文件"))
def download(request, export_id: Id):
    e, f = services.open_file(request.user, export_id)
    return FileResponse(f, as_attachment=True, filename=services.download_name(e),
                        content_type=XLSX_TYPE if e.fmt == "xlsx" else CSV_TYPE)
