"""Import at scale: every bad row reported by number and reason, nothing written unless told to skip, idempotent."""

import io

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.basedata import exporting, importing
from gridgov.basedata.fastsql import db_datetime, insert_rows
from gridgov.basedata.logic import synthetic
from gridgov.basedata.models import (
    AccessLog,
    Building,
    Dwelling,
    Household,
    ImportJob,
    ImportStatus,
    Organisation,
    Resident,
    ResidentEvent,
)
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db

OWN = "110101001001W001"


def _dwellings(n: int, key: str, prefix: str = "T") -> list[str]:
    b = Building.objects.create(code=f"{prefix}-B", address="测试楼", lon=116.4, lat=39.9, scope_key=key)
    now = db_datetime(timezone.now())
    insert_rows(Dwelling, ["code", "building_id", "unit_no", "floor", "room", "use", "created_at", "updated_at",
                           "scope_key"], [(f"{prefix}-{i}", b.pk, "1", 1, str(i), "owner", now, now, key) for i in range(n)])
    return [f"{prefix}-{i}" for i in range(n)]


@pytest.fixture
def own_key():
    return Grid.objects.filter(layer__code="unit", scope_key__startswith=OWN + ".").order_by("code").first().scope_key


def _corrupt(lines: list[str], n_bad: int) -> dict[int, str]:
    """Make n_bad rows bad in assorted ways; returns {file line number: expected reason fragment}."""
    kinds = [
        (lambda f: f.__setitem__(1, synthetic.wrong_check(f[1])), "身份证号校验位错误"),
        (lambda f: f.__setitem__(1, f[1][:6] + "19991340" + f[1][14:]), "出生日期"),
        (lambda f: f.__setitem__(1, f[1][:17]), "应为 18 位"),
        (lambda f: f.__setitem__(2, "12345"), "手机号格式错误"),
        (lambda f: f.__setitem__(6, "NO-SUCH-DWELLING"), "房屋编码不存在"),
        (lambda f: f.__setitem__(0, ""), "姓名为空"),
        (lambda f: f.__setitem__(3, "外星"), "人口类型无效"),
        (lambda f: f.__setitem__(7, "2020-13-01"), "迁入日期格式错误"),
    ]
    expected = {}
    step = (len(lines) - 2) // n_bad
    for k in range(n_bad):
        i = 1 + k * step + 3  # index into lines (0 = header)
        fields = lines[i].split(",")
        fn, reason = kinds[k % len(kinds)]
        fn(fields)
        lines[i] = ",".join(fields)
        expected[i + 1] = reason
    return expected


def test_100k_rows_with_37_bad_rows_all_reported_nothing_written_then_skipped_and_idempotent(users, own_key):
    codes = _dwellings(4000, own_key)
    lines = synthetic.resident_file(100_000, codes, start=5_000_000).decode().splitlines()
    expected = _corrupt(lines, 36)
    # one duplicate ID number (the 37th bad row): the later row is reported
    dup_line = len(lines)  # the last line
    fields = lines[-1].split(",")
    fields[1] = lines[10].split(",")[1]
    lines[-1] = ",".join(fields)
    expected[dup_line] = "身份证号与第 11 行重复"
    data = ("\n".join(lines) + "\n").encode()
    before = (Resident.objects.count(), Household.objects.count(), ResidentEvent.objects.count())
    leader = users["gridleader"]

    seen = []
    report = importing.run_import("residents", leader, data, "people.csv", on_progress=lambda *a: seen.append(a))
    assert not report.written and report.total == 100_000
    assert [n for n, _ in report.errors] == sorted(expected)
    for (n, message), line in zip(report.errors, sorted(expected), strict=True):
        assert expected[line] in message, (n, message)
    idns = {ln.split(",")[1] for ln in lines[1:]}
    assert not any(i in m for _, m in report.errors for i in idns)  # never the ID number itself
    assert report.messages()[0].startswith(f"第 {min(expected)} 行：")
    assert (Resident.objects.count(), Household.objects.count(), ResidentEvent.objects.count()) == before
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.status == ImportStatus.REJECTED and len(job.errors) == 37
    assert any(p[0] == "validating" for p in seen)

    report = importing.run_import("residents", leader, data, "people.csv", skip_bad=True)
    assert report.written and report.created == 99_963 and report.skipped == 37
    assert Resident.objects.count() == before[0] + 99_963
    assert ResidentEvent.objects.count() == before[2] + 99_963
    assert Resident.objects.filter(scope_key=own_key).count() >= 99_963
    assert AccessLog.objects.filter(action="import", username="gridleader", count=99_963).exists()

    snapshot = Resident.objects.filter(scope_key=own_key).order_by("-id").values_list("id", "updated_at")[:50]
    report = importing.run_import("residents", leader, data, "people.csv", skip_bad=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 99_963)
    assert Resident.objects.count() == before[0] + 99_963
    assert ResidentEvent.objects.count() == before[2] + 99_963
    assert list(Resident.objects.filter(scope_key=own_key).order_by("-id").values_list("id", "updated_at")[:50]) == \
        list(snapshot)


def test_reimport_with_a_change_updates_and_keeps_history(users, own_key):
    codes = _dwellings(10, own_key)
    rows = list(synthetic.resident_rows(20, codes, start=7_000_000))
    leader = users["gridleader"]

    def csv_of(rs):
        return ("\n".join([",".join(synthetic.HEADER)] + [",".join(r) for r in rs]) + "\n").encode()

    assert importing.run_import("residents", leader, csv_of(rows), "a.csv").created == 20
    rows[4][2] = "13900001111"
    rows[5][6] = codes[9]
    r = importing.run_import("residents", leader, csv_of(rows), "a.csv")
    assert (r.created, r.updated, r.unchanged) == (0, 2, 18)
    moved = Resident.objects.get(dwelling__code=codes[9], household__number=rows[5][4])
    assert [e.kind for e in moved.events.order_by("id")] == ["add", "move"]


def test_grid_worker_cannot_import_and_leader_cannot_import_outside_scope(users, own_key):
    from gridgov.accounts.scope import NoRight

    with pytest.raises(NoRight):
        importing.run_import("residents", users["gridworker"], b"", "x.csv")
    other = Grid.objects.filter(layer__code="unit", scope_key__startswith="110101002001").first().scope_key
    codes = _dwellings(3, other, prefix="O")
    data = synthetic.resident_file(3, codes, start=8_000_000)
    r = importing.run_import("residents", users["gridleader"], data, "x.csv")
    assert not r.written and [m for _, m in r.errors] == ["房屋编码不存在或不在您的管辖范围内"] * 3


def test_xlsx_import_template_and_header_errors(users, own_key):
    from openpyxl import load_workbook

    codes = _dwellings(5, own_key)
    data = synthetic.resident_file(30, codes, bad={2}, fmt="xlsx", start=9_000_000)
    r = importing.run_import("residents", users["admin"], data, "people.xlsx")
    assert r.errors == [(4, "身份证号校验位错误")] and not r.written
    r = importing.run_import("residents", users["admin"], data, "people.xlsx", skip_bad=True)
    assert r.created == 29
    tpl, ctype = exporting.template("residents", "xlsx")
    wb = load_workbook(io.BytesIO(tpl))
    assert [c.value for c in wb.worksheets[0][1]] == synthetic.HEADER
    assert "填写说明" in wb.sheetnames
    csv_tpl, _ = exporting.template("organisations", "csv")
    assert csv_tpl.decode("utf-8-sig").startswith("单位名称,统一社会信用代码")
    from gridgov.errors import DomainError

    with pytest.raises(DomainError) as e:
        importing.run_import("residents", users["admin"], "姓名,手机号\n张三,13800000000\n".encode(), "x.csv")
    assert "身份证号" in e.value.message and "房屋编码" in e.value.message


def test_buildings_dwellings_and_organisations_import_locate_and_are_idempotent(users):
    grid = Grid.objects.filter(layer__code="unit", scope_key__startswith=OWN + ".").order_by("code").first()
    p = grid.shape.representative_point()
    bcsv = f"楼栋编码,楼栋名称,地址,经度,纬度,层数\nIMP-B1,测试1号楼,某胡同1号,{p.x},{p.y},5\nIMP-B2,,某胡同2号,0,0,3\n"
    admin = users["admin"]
    r = importing.run_import("buildings", admin, bcsv.encode(), "b.csv")
    assert r.errors == [(3, "位置不在辖区范围内")]
    r = importing.run_import("buildings", admin, bcsv.encode(), "b.csv", skip_bad=True)
    assert r.created == 1
    b = Building.objects.get(code="IMP-B1")
    assert b.unit_grid == grid.code and b.scope_key == grid.scope_key
    assert importing.run_import("buildings", admin, bcsv.encode(), "b.csv", skip_bad=True).unchanged == 1

    dcsv = "房屋编码,楼栋编码,单元,楼层,室号,用途,建筑面积\nIMP-D1,IMP-B1,1,2,201,出租,65.5\nIMP-D2,IMP-B1,1,2,202,仓库,50\n"
    r = importing.run_import("dwellings", admin, dcsv.encode(), "d.csv")
    assert [n for n, _ in r.errors] == [3] and "用途无效" in r.errors[0][1]
    dcsv = dcsv.replace("仓库,50", "空置,")
    assert importing.run_import("dwellings", admin, dcsv.encode(), "d.csv").created == 2
    assert Dwelling.objects.get(code="IMP-D1").scope_key == grid.scope_key
    assert importing.run_import("dwellings", admin, dcsv.encode(), "d.csv").unchanged == 2

    ocsv = ("单位名称,统一社会信用代码,单位类型,地址,经度,纬度,联系人,联系电话,成立日期,注销日期\n"
            f"测试公司,91350100M000100Y43,企业,某胡同1号,{p.x},{p.y},张三,13812345678,2020-01-01,\n"
            f"坏公司,91350100M000100Y44,企业,某胡同1号,{p.x},{p.y},李四,13812345678,2020-01-01,\n")
    r = importing.run_import("organisations", admin, ocsv.encode(), "o.csv")
    assert r.errors == [(3, "统一社会信用代码校验位错误")]
    assert importing.run_import("organisations", admin, ocsv.encode(), "o.csv", skip_bad=True).created == 1
    o = Organisation.objects.get(credit_code="91350100M000100Y43")
    assert o.scope_key == grid.scope_key and o.contact_phone_masked == "138****5678"
    assert importing.run_import("organisations", admin, ocsv.encode(), "o.csv", skip_bad=True).unchanged == 1
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone_cipher FROM basedata_organisation WHERE id = %s", [o.pk])
        assert b"13812345678" not in bytes(cur.fetchone()[0])
