"""Issue 13, defect 8: imports and uploads have limits — the file's size, its rows, an Excel file's unpacked size
and declared sheet dimensions — checked before the work is done, answered 413 ``import_too_large`` in Chinese,
and nothing is written. Image decompression bombs are a 4xx, not a 500."""

import io
import struct
import zipfile
import zlib

import pytest

from gridgov.basedata import importing
from gridgov.basedata.models import Dwelling, ImportJob, ImportStatus
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "IMPORT_MAX_BYTES": 2000, "IMPORT_MAX_ROWS": 3}


@pytest.fixture
def building_code():
    return Dwelling.objects.filter(scope_key__startswith="110101001001W001.").order_by("id").first().building.code


def dwellings_csv(building: str, n: int, pad: int = 0) -> bytes:
    rows = [f"LIMIT-{i},{building},1,{i + 1},{i + 1}01{'x' * pad}" for i in range(n)]
    return ("房屋编码,楼栋编码,单元,楼层,室号\n" + "\n".join(rows) + "\n").encode()


def xlsx(rows: list[list], dimension: str | None = None, padding: int = 0) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    if dimension is None and not padding:
        return buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if dimension and info.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b'<dimension ref="')
                data = head + b'<dimension ref="' + dimension.encode() + tail[tail.index(b'"'):]
            z.writestr(info.filename, data)
        if padding:
            z.writestr("xl/media/padding.bin", b"\0" * padding)  # compresses to almost nothing
    return out.getvalue()


def test_a_file_over_the_size_limit_is_refused_unread_by_the_api(client_for, small_limits, building_code):
    data = dwellings_csv(building_code, 2, pad=1200)
    assert len(data) > 2000
    r = client_for("admin").post("/api/v1/basedata/imports/dwellings", data=data, content_type="text/csv")
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "import_too_large" and "导入上限" in body["message"]
    r = client_for("admin").post("/api/v1/basedata/imports/dwellings",
                                 {"file": io.BytesIO(data)}, format="multipart")
    assert r.status_code == 413 and r.json()["code"] == "import_too_large"
    assert not Dwelling.objects.filter(code__startswith="LIMIT-").exists()


def test_a_file_within_the_limits_is_imported(client_for, small_limits, building_code):
    r = client_for("admin").post("/api/v1/basedata/imports/dwellings", data=dwellings_csv(building_code, 3),
                                 content_type="text/csv")
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 3


def test_more_rows_than_the_limit_are_refused_and_nothing_is_written(users, small_limits, building_code):
    with pytest.raises(DomainError) as e:
        importing.run_import("dwellings", users["admin"], dwellings_csv(building_code, 4), "d.csv")
    assert e.value.code == "import_too_large" and e.value.status == 413
    assert "超过 3 行" in e.value.message
    assert ImportJob.objects.filter(register="dwellings").latest("id").status == ImportStatus.FAILED
    assert not Dwelling.objects.filter(code__startswith="LIMIT-").exists()


def test_a_sheet_declaring_a_million_rows_is_refused_before_it_is_parsed(users, building_code):
    data = xlsx([["房屋编码", "楼栋编码", "单元", "楼层", "室号"], ["X-1", building_code, "1", 1, "101"]],
                dimension="A1:XFD1048576")
    with pytest.raises(DomainError) as e:
        importing.run_import("dwellings", users["admin"], data, "d.xlsx")
    assert e.value.code == "import_too_large" and "1,048,576 行" in e.value.message


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused(users, settings, building_code):
    settings.GRIDGOV = {**settings.GRIDGOV, "IMPORT_MAX_BYTES": 8000}  # unpacked: at most 80,000 bytes
    data = xlsx([["房屋编码", "楼栋编码", "单元", "楼层", "室号"]], padding=200_000)
    assert len(data) < 8000  # small on the wire
    with pytest.raises(DomainError) as e:
        importing.run_import("dwellings", users["admin"], data, "d.xlsx")
    assert e.value.code == "import_too_large" and "解压后" in e.value.message


def test_an_ordinary_xlsx_still_imports(users, building_code):
    data = xlsx([["房屋编码", "楼栋编码", "单元", "楼层", "室号"], ["XL-1", building_code, "1", 7, "701"]])
    report = importing.run_import("dwellings", users["admin"], data, "d.xlsx")
    assert report.written and report.created == 1
    assert Dwelling.objects.get(code="XL-1").floor == 7


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_photo_is_refused_as_too_large():
    from gridgov.cases.services.photos import check_photo

    with pytest.raises(DomainError) as e:
        check_photo("bomb.png", png_header_only(30000, 30000))
    assert e.value.code == "photo_too_large" and "像素过多" in e.value.message


def test_a_request_over_the_request_limit_is_413_json(client_for, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "REQUEST_MAX_BYTES": 100}
    r = client_for("admin").post("/api/v1/locate", data='{"points": [' + "[116.4, 39.9]," * 20 + "[116.4, 39.9]]}",
                                 content_type="application/json")
    assert r.status_code == 413 and r.json()["code"] == "too_large"
