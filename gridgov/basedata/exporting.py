"""Export of the registers (CSV or .xlsx) and the import templates.

Exports are masked; the plain ID number and phone appear only for a post with the unmask right that gives
a reason. Every export is logged (who, what, how many, why, when). An unmasked resident export has the
columns of the import template, so it re-imports without changes. Files are written by gridgov/spreadsheets.py,
which defuses formulas (a name beginning with ``=`` comes out as ``'=…``, a string cell, never a formula).
"""

import io

from django.db import transaction

from gridgov import spreadsheets
from gridgov.accounts.scope import scope_prefix
from gridgov.crypto import cipher
from gridgov.errors import DomainError

from . import rights
from .importing import COLUMNS, LABELS
from .models import AccessAction, Building, Dwelling, Organisation, Resident
from .services import ID_FIELD, ORG_PHONE_FIELD, PHONE_FIELD, _reason, log_access

EXTRA = {
    "residents": ["性别", "出生日期", "状态", "范围键"],
    "organisations": ["单元网格", "范围键"],
    "buildings": ["单元网格", "管理网格", "社区代码", "范围键"],
    "dwellings": ["范围键"],
}


def headers(register: str) -> list[str]:
    return [c.header for c in COLUMNS[register]] + EXTRA[register]


def _rows(register: str, qs, unmask: bool):
    c = cipher()
    if register == "residents":
        for r in qs.select_related("household", "dwelling").iterator(chunk_size=2000):
            yield [r.name, c.decrypt(r.id_cipher, ID_FIELD) if unmask else r.id_masked,
                   c.decrypt(r.phone_cipher, PHONE_FIELD) if unmask else r.phone_masked,
                   r.get_reg_type_display(), r.household.number if r.household_id else "", r.get_relation_display(),
                   r.dwelling.code if r.dwelling_id else "", r.moved_in.isoformat() if r.moved_in else "",
                   r.get_gender_display(), r.birth_date.isoformat(), r.get_status_display(), r.scope_key]
    elif register == "organisations":
        for o in qs.iterator(chunk_size=2000):
            yield [o.name, o.credit_code, o.get_kind_display(), o.address, o.lon, o.lat, o.contact_name,
                   c.decrypt(o.contact_phone_cipher, ORG_PHONE_FIELD) if unmask else o.contact_phone_masked,
                   o.opened_on.isoformat() if o.opened_on else "", o.closed_on.isoformat() if o.closed_on else "",
                   o.unit_grid, o.scope_key]
    elif register == "buildings":
        for b in qs.iterator(chunk_size=2000):
            yield [b.code, b.name, b.address, b.lon, b.lat, b.floors, b.unit_grid, b.management_grid,
                   b.community_code, b.scope_key]
    else:
        for d in qs.select_related("building").iterator(chunk_size=2000):
            yield [d.code, d.building.code, d.unit_no, d.floor, d.room, d.get_use_display(),
                   str(d.area_m2) if d.area_m2 is not None else "", d.scope_key]


MODELS = {"residents": Resident, "organisations": Organisation, "buildings": Building, "dwellings": Dwelling}
PERSONAL = {"residents": "id_number,phone", "organisations": "contact_phone"}


def _write(fmt: str, head: list[str], rows, title: str) -> tuple[bytes, str]:
    if fmt not in spreadsheets.FORMATS:
        raise DomainError("bad_format", "格式应为 csv 或 xlsx")
    return spreadsheets.write(fmt, head, rows, title)


def export(register: str, user, fmt: str = "csv", unmask: bool = False, reason: str = "",
           node: str | None = None) -> tuple[bytes, str, int]:
    """The register within the user's scope (optionally a subtree ``node``); returns (bytes, content type, rows)."""
    if register not in MODELS:
        raise DomainError("unknown_register", "登记簿应为 residents、organisations、buildings 或 dwellings")
    rights.require(user, rights.EXPORT)
    if unmask:
        rights.require(user, rights.UNMASK)
        reason = _reason(reason)
    qs = rights.scoped(MODELS[register].objects.all(), user, rights.EXPORT)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    with transaction.atomic():
        n = qs.count()
        data, ctype = _write(fmt, headers(register), _rows(register, qs.order_by("pk"), unmask), LABELS[register])
        log_access(user, AccessAction.EXPORT, register, "", PERSONAL.get(register, "") if unmask else "", n,
                   reason or "导出（脱敏）", node or scope_prefix(user) or "")
    return data, ctype, n


def template(register: str, fmt: str = "csv") -> tuple[bytes, str]:
    if register not in COLUMNS:
        raise DomainError("unknown_register", "登记簿应为 residents、organisations、buildings 或 dwellings")
    head = [c.header for c in COLUMNS[register]]
    if fmt != "xlsx":
        return _write(fmt, head, [], LABELS[register])
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = LABELS[register]
    spreadsheets.append_row(ws, head)
    for i, c in enumerate(COLUMNS[register], start=1):
        ws.cell(row=1, column=i).font = Font(bold=c.required)
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, len(c.header) * 3)
        ws.cell(row=1, column=i).number_format = "@"
    for col in ws.iter_cols(min_row=2, max_row=1000):
        for cell in col:
            cell.number_format = "@"  # text, so 18-digit ID numbers keep every digit
    notes = wb.create_sheet("填写说明")
    spreadsheets.append_row(notes, ["列", "必填", "说明"])
    for c in COLUMNS[register]:
        spreadsheets.append_row(notes, [c.header, "是" if c.required else "", c.help])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), spreadsheets.XLSX_TYPE
