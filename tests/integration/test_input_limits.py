"""Issue 13, defects 3 and 4: values beyond a column's range, NUL characters, huge offsets, over-long text and
malformed bodies are refused at the boundary with a 4xx {code, message} in Chinese — never a 500, never a silent
wraparound, and nothing written."""

import json

import pytest

from gridgov.basedata import importing, services
from gridgov.basedata.models import Building, Dwelling
from gridgov.errors import DomainError
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db


def send(client, method, path, body):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def assert_error(r, status: int, code: str, *fragments: str):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] == code, body
    for f in fragments:
        assert f in body["message"], body["message"]
    return body


@pytest.fixture
def dwelling(users):
    return Dwelling.objects.filter(scope_key__startswith="110101001001W001.").order_by("id").first()


# ---------------------------------------------------------------- defect 3: integer ranges from the model


def test_a_floor_beyond_smallint_is_refused_not_wrapped(client_for, dwelling):
    before = Dwelling.objects.count()
    r = send(client_for("admin"), "post", "/api/v1/basedata/dwellings",
             {"building_id": dwelling.building_id, "room": "901", "floor": 99999})
    body = assert_error(r, 422, "invalid_input", "楼层", "32767")
    assert "Input should" not in body["message"]
    assert Dwelling.objects.count() == before
    r = send(client_for("admin"), "patch", f"/api/v1/basedata/dwellings/{dwelling.pk}", {"floor": -40000})
    assert_error(r, 422, "invalid_input", "楼层", "-32768")
    dwelling.refresh_from_db()
    assert dwelling.floor != -40000


def test_the_highest_floor_a_smallint_holds_is_accepted(client_for, dwelling):
    r = send(client_for("admin"), "patch", f"/api/v1/basedata/dwellings/{dwelling.pk}", {"floor": 32767})
    assert r.status_code == 200, r.content
    dwelling.refresh_from_db()
    assert dwelling.floor == 32767


def test_grid_households_beyond_a_32_bit_integer_is_refused(client_for):
    grid = Grid.objects.filter(layer__code="management", code__startswith="110101001001W").order_by("code").first()
    before = grid.households
    r = send(client_for("admin"), "patch", f"/api/v1/grids/management/{grid.code}", {"households": 2**32 + 301})
    assert_error(r, 422, "invalid_input", "户数", "2147483647")
    grid.refresh_from_db()
    assert grid.households == before


def test_services_check_raw_values_against_the_columns(users, dwelling):
    with pytest.raises(DomainError) as e:
        services.save_dwelling(users["admin"], {"floor": 99999}, pk=dwelling.pk)
    assert e.value.code == "invalid_input" and e.value.message == "楼层：应在 -32768～32767 之间"
    with pytest.raises(DomainError) as e:
        services.save_building(users["admin"], {"floors": 70000}, pk=dwelling.building_id)
    assert e.value.message == "层数：应在 0～32767 之间"
    dwelling.refresh_from_db()
    assert dwelling.floor != 99999


def test_import_reports_a_floor_beyond_the_column_and_writes_nothing(users, dwelling):
    b = dwelling.building
    csv = f"房屋编码,楼栋编码,单元,楼层,室号\nLIM-1,{b.code},1,99999,101\nLIM-2,{b.code},1,3,102\n"
    report = importing.run_import("dwellings", users["admin"], csv.encode(), "d.csv")
    assert not report.written
    assert report.messages() == ["第 2 行：楼层应在 -32768～32767 之间"]
    assert not Dwelling.objects.filter(code__in=["LIM-1", "LIM-2"]).exists()


def test_import_reports_text_longer_than_the_column(users, dwelling):
    b = dwelling.building
    csv = f"房屋编码,楼栋编码,单元,楼层,室号\nLIM-3,{b.code},12345678901,3,101\n"
    report = importing.run_import("dwellings", users["admin"], csv.encode(), "d.csv")
    assert report.messages() == ["第 2 行：单元不能超过 10 个字符"]


# ---------------------------------------------------------------- defect 4: malformed input is a 4xx {code, message}


@pytest.mark.parametrize("path", ["/api/v1/cases/%00", "/api/v1/basedata/buildings?q=a%00b",
                                  "/api/v1/grids?layer=%00", "/api/v1/catalog/items?q=%00"])
def test_nul_in_path_or_query_is_refused(client_for, path):
    assert_error(client_for("admin").get(path), 400, "invalid_input", "NUL")


def test_nul_in_a_json_body_is_refused_even_without_signing_in(client_for):
    r = send(client_for(None), "post", "/api/v1/auth/token", {"username": "admin\x00", "password": "x"})
    assert_error(r, 400, "invalid_input", "NUL")
    r = send(client_for("admin"), "post", "/api/v1/basedata/buildings",
             {"code": "NUL-1", "address": "东华门\x00大街", "lon": 116.4, "lat": 39.9})
    assert_error(r, 400, "invalid_input", "NUL")
    assert not Building.objects.filter(code="NUL-1").exists()


def test_nul_in_a_form_field_of_the_api_is_refused(client_for, point):
    r = client_for("gridworker").post("/api/v1/cases/form", {"source": "grid_worker", "lon": point[0],
                                                             "lat": point[1], "description": "井盖\x00缺失"})
    assert_error(r, 400, "invalid_input", "NUL")


@pytest.mark.parametrize("path", ["/accounts/login/?next=%00", "/r/?number=%00", "/cases/?q=%00"])
def test_pages_answer_nul_in_the_query_with_a_chinese_400_page(client_for, path):
    r = client_for("admin").get(path)
    assert r.status_code == 400
    assert "请求无效" in r.content.decode()


def test_the_login_form_with_a_nul_answers_400(client_for):
    r = client_for(None).post("/accounts/login/", {"username": "admin\x00", "password": "x"})
    assert r.status_code == 400 and "请求无效" in r.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/basedata/access-log?offset=18446744073709551616",
                                  "/api/v1/basedata/residents?offset=9223372036854775808",
                                  "/api/v1/cases?offset=9223372036854775807&limit=5",
                                  "/api/v1/basedata/buildings/9223372036854775808",
                                  "/api/v1/notifications?before_id=99999999999999999999"])
def test_offsets_and_ids_beyond_64_bits_are_refused(client_for, path):
    body = assert_error(client_for("admin").get(path), 422, "invalid_input")
    assert "不能大于" in body["message"]


def test_over_long_text_is_refused_with_the_fields_chinese_name(client_for):
    r = send(client_for("admin"), "post", "/api/v1/basedata/buildings",
             {"code": "LONG-1", "name": "楼" * 101, "address": "东华门大街", "lon": 116.4, "lat": 39.9})
    body = assert_error(r, 422, "invalid_input", "名称：不能超过 100 个字符")
    assert body["errors"] == [{"field": "name", "label": "名称", "type": "string_too_long",
                               "message": "不能超过 100 个字符"}]
    assert not Building.objects.filter(code="LONG-1").exists()


def test_validation_messages_are_chinese(client_for):
    r = send(client_for("admin"), "post", "/api/v1/worktime/due", {"start": "yesterday", "unit": "weeks"})
    body = assert_error(r, 422, "invalid_input")
    assert body["message"] == ("输入有误：start：时间格式不正确（应为 ISO 8601，如 2026-03-10T09:00:00+08:00）；"
                               "时限数值：必填；unit：应为以下之一：'work_hours', 'work_days', 'natural_days' 或 "
                               "'natural_hours'")
    assert [(e["field"], e["type"], e["message"]) for e in body["errors"]] == [
        ("start", "datetime_from_date_parsing", "时间格式不正确（应为 ISO 8601，如 2026-03-10T09:00:00+08:00）"),
        ("amount", "missing", "必填"),
        ("unit", "enum", "应为以下之一：'work_hours', 'work_days', 'natural_days' 或 'natural_hours'"),
    ]


def test_worktime_due_overflow_is_a_400(client_for):
    c = client_for("dispatcher")
    r = send(c, "post", "/api/v1/worktime/due", {"start": "2026-02-13T10:00:00+08:00", "amount": 1e308,
                                                 "unit": "work_days"})
    assert_error(r, 422, "invalid_input", "时限数值")
    r = send(c, "post", "/api/v1/worktime/due", {"start": "9999-12-31T10:00:00+08:00", "amount": 3,
                                                 "unit": "natural_days"})
    assert_error(r, 400, "invalid_deadline_input", "9999")


def test_nan_and_malformed_json_are_400(client_for):
    c = client_for("admin")
    r = c.post("/api/v1/worktime/due", data='{"start": "2026-02-13T10:00:00+08:00", "amount": NaN, "unit": '
                                            '"work_days"}', content_type="application/json")
    assert_error(r, 400, "invalid_json", "NaN")
    r = c.patch("/api/v1/basedata/buildings/1", data="H", content_type="application/json")
    assert_error(r, 400, "invalid_json", "JSON")


def test_unknown_paths_and_methods_under_the_api_are_json(client_for):
    c = client_for("admin")
    assert_error(c.get("/api/v1/no-such-thing"), 404, "not_found", "不存在")
    assert_error(c.delete("/api/v1/me"), 405, "method_not_allowed", "请求方法")


def test_a_bare_cr_in_csv_is_a_line_break_not_a_500(users, dwelling):
    b = dwelling.building
    csv = f"房屋编码,楼栋编码,单元,楼层,室号\rCR-1,{b.code},1,3,101\rCR-2,{b.code},1,4,102\r"
    report = importing.run_import("dwellings", users["admin"], csv.encode(), "d.csv")
    assert report.written and report.created == 2
    assert set(Dwelling.objects.filter(code__in=["CR-1", "CR-2"]).values_list("floor", flat=True)) == {3, 4}


def test_a_bare_cr_through_the_api(client_for, dwelling):
    b = dwelling.building
    csv = f"房屋编码,楼栋编码,单元,楼层,室号\nCR-3,{b.code},1\r2,3,101\n"
    r = client_for("admin").post("/api/v1/basedata/imports/dwellings", data=csv.encode(), content_type="text/csv")
    body = assert_error(r, 422, "import_rejected")
    assert body["errors"] == ["第 2 行：室号为空", "第 3 行：楼栋编码不存在或不在您的管辖范围内"]


def test_geojson_with_a_nul_or_an_over_long_code_is_refused_by_the_layer_import(client_for):
    c = client_for("admin")
    square = {"type": "Polygon", "coordinates": [[[116.40, 39.92], [116.401, 39.92], [116.401, 39.921],
                                                  [116.40, 39.921], [116.40, 39.92]]]}
    nul = {"type": "Feature", "properties": {"code": "F\u0000"}, "geometry": square}
    r = c.post("/api/v1/layers/fire/grids", data=json.dumps(nul), content_type="application/json")
    assert_error(r, 400, "malformed_geojson", "NUL")
    long = {"type": "Feature", "properties": {"code": "F" * 41, "community": "110101001001"}, "geometry": square}
    r = c.post("/api/v1/layers/fire/grids", data=json.dumps(long), content_type="application/json")
    assert_error(r, 400, "invalid_features", "编码或名称过长", "40")
    assert not Grid.objects.filter(layer__code="fire").exists()


def test_locate_csv_with_bare_carriage_returns(client_for, point):
    text = f"name,lon,lat\r甲,{point[0]},{point[1]}\r乙,{point[0]},{point[1]}\r"
    r = client_for("admin").post("/api/v1/locate/csv", data=text.encode(), content_type="text/csv")
    assert r.status_code == 200, r.content
    lines = r.content.decode().splitlines()
    assert len(lines) == 3 and lines[1].startswith("甲,") and lines[2].startswith("乙,")
