"""Open311 GeoReport v2 (issue #12, item 3): the server's answers as the specification writes them, the api key,
the request landing as a resident's report (核实 first), the filters of GET requests, and the errors.

Expected values are typed from the specification (wiki.open311.org/GeoReport_v2) and the catalog's data files
(06010 暴露垃圾 in 市容环境类; 01001 供水井盖异常, a 部件 matter; 51001 初信, restricted to cases.restricted).
"""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case, CaseReport
from gridgov.open311 import services
from gridgov.open311.models import ApiKey, ServiceRequest

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


@pytest.fixture
def key(db):
    _, k = services.create_key(None, "城市随手拍")
    return k


def post(fmt, data):
    return Client().post(f"{V2}/requests.{fmt}", data)


def body(key, point, **more):
    return {"api_key": key, "service_code": "06010", "lat": str(point[1]), "long": str(point[0]),
            "description": "东华门大街路口有一堆暴露垃圾", "email": "zhang@example.com", "phone": "13912345678",
            "first_name": "三", "last_name": "张", "address_string": "东华门大街 12 号", **more}


def test_discovery_names_the_v2_endpoint_in_both_formats():
    j = Client().get("/open311/discovery.json")
    assert j.status_code == 200 and j["Content-Type"].startswith("application/json")
    doc = j.json()
    assert doc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert doc["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert doc["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    x = Client().get("/open311/discovery.xml")
    assert x.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(x.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.find("endpoints/endpoint/type").text == "production"


def test_services_list_the_reportable_matters_not_the_restricted_ones():
    services_json = Client().get(f"{V2}/services.json").json()
    by_code = {s["service_code"]: s for s in services_json}
    assert by_code["06010"]["service_name"] == "暴露垃圾"
    assert by_code["06010"]["group"] == "市容环境类"
    assert by_code["06010"]["type"] == "realtime"
    assert by_code["06010"]["metadata"] is False
    assert by_code["01001"]["metadata"] is True  # a 部件 matter: its definition asks for the component id
    assert "51001" not in by_code and "55002" not in by_code  # 信访, 维稳: restricted classes are not offered
    root = ET.fromstring(Client().get(f"{V2}/services.xml").content)
    assert root.tag == "services"
    first = {c.tag: c.text for c in root.find("service")}
    assert set(first) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert {s.find("service_code").text for s in root.findall("service")} == set(by_code)


def test_a_service_definition_lists_its_attributes():
    d = Client().get(f"{V2}/services/01001.json").json()
    assert d["service_code"] == "01001"
    assert [(a["code"], a["datatype"], a["required"], a["variable"], a["order"]) for a in d["attributes"]] == [
        ("component_id", "string", False, True, 1)]
    root = ET.fromstring(Client().get(f"{V2}/services/01001.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "component_id"
    assert root.find("attributes/attribute/required").text == "false"
    assert Client().get(f"{V2}/services/06010.json").json() == {"service_code": "06010", "attributes": []}


def test_a_posted_request_is_a_residents_report_verified_first(key, point):
    r = post("json", body(key, point))
    assert r.status_code == 201
    [answer] = r.json()
    number = answer["service_request_id"]
    case = Case.objects.get(number=number)
    assert (case.status, case.source, case.verified, case.matter.code) == ("reported", "resident", False, "06010")
    report = CaseReport.objects.get(case=case)
    assert report.reporter_phone_masked == "139****5678"
    assert b"13912345678" not in bytes(report.reporter_phone_cipher)
    assert report.reporter_name == "张三"
    sr = ServiceRequest.objects.get(case=case)
    assert sr.api_key.name == "城市随手拍" and sr.service_code == "06010"
    assert b"zhang@example.com" not in bytes(sr.email_cipher)
    kinds = list(AuditRecord.objects.filter(object_id=number).values_list("object_type", "action"))
    assert ("case", "report") in kinds and ("open311_request", "create") in kinds
    # the spec's answer in XML: <service_requests><request><service_request_id>…
    x = post("xml", body(key, point, description="又一堆"))
    assert x.status_code == 201
    root = ET.fromstring(x.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("110101-")


def test_get_a_request_shows_state_and_position_never_the_reporter(key, point):
    number = post("json", body(key, point))
    number = number.json()[0]["service_request_id"]
    [row] = Client().get(f"{V2}/requests/{number}.json").json()
    assert row["service_request_id"] == number
    assert row["status"] == "open"
    assert row["status_notes"] == "已上报"
    assert row["service_code"] == "06010" and row["service_name"] == "暴露垃圾"
    assert row["address"] == "东华门大街 12 号"
    assert row["lat"] == round(point[1], 6) and row["long"] == round(point[0], 6)
    assert row["requested_datetime"].endswith("Z")
    text = json.dumps(row, ensure_ascii=False)
    for secret in ("13912345678", "139****5678", "zhang@example.com", "张三"):
        assert secret not in text
    root = ET.fromstring(Client().get(f"{V2}/requests/{number}.xml").content)
    assert root.find("request/status").text == "open"
    assert root.find("request/service_request_id").text == number


def test_a_closed_case_reads_closed(key, point, users):
    from tests.loop import close_loop

    number = post("json", body(key, point)).json()[0]["service_request_id"]
    close_loop(users, number)
    [row] = Client().get(f"{V2}/requests/{number}.json").json()
    assert (row["status"], row["status_notes"], row["agency_responsible"]) == ("closed", "已结案", "区环境卫生服务中心")
    assert row["expected_datetime"] is None
    closed = Client().get(f"{V2}/requests.json?status=closed").json()
    assert number in [r["service_request_id"] for r in closed]
    assert number not in [r["service_request_id"] for r in Client().get(f"{V2}/requests.json?status=open").json()]


def test_get_requests_filters(key, point):
    a = post("json", body(key, point)).json()[0]["service_request_id"]
    b = post("json", body(key, point, service_code="01001", **{"attribute[component_id]": ""})).json()[0][
        "service_request_id"]
    listed = [r["service_request_id"] for r in Client().get(f"{V2}/requests.json").json()]
    assert a in listed and b in listed
    assert [r["service_request_id"] for r in Client().get(f"{V2}/requests.json?service_request_id={a},{b}").json()
            ] == [b, a]
    only = [r["service_request_id"] for r in Client().get(f"{V2}/requests.json?service_code=01001").json()]
    assert b in only and a not in only
    assert Client().get(f"{V2}/requests.json?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z"
                        ).json() == []
    bad = Client().get(f"{V2}/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400


def test_tokens_answer_the_request_id(key, point):
    number = post("json", body(key, point)).json()[0]["service_request_id"]
    token = ServiceRequest.objects.get(case__number=number).token
    assert Client().get(f"{V2}/tokens/{token}.json").json() == [{"service_request_id": number, "token": token}]
    root = ET.fromstring(Client().get(f"{V2}/tokens/{token}.xml").content)
    assert root.find("request/token").text == token
    assert Client().get(f"{V2}/tokens/nope.json").status_code == 404


def test_errors_as_the_specification_defines_them(key, point):
    before = ServiceRequest.objects.count()
    wrong = post("xml", body("o311_wrong", point))
    assert wrong.status_code == 403
    root = ET.fromstring(wrong.content)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    assert post("json", body("", point)).status_code == 403
    unknown = post("json", body(key, point, service_code="99999"))
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    missing = post("json", {k: v for k, v in body(key, point).items() if k != "service_code"})
    assert missing.status_code == 400
    no_place = post("json", {k: v for k, v in body(key, point).items() if k not in ("lat", "long")})
    assert no_place.status_code == 400 and "lat" in no_place.json()[0]["description"]
    outside = post("json", body(key, point, lat="31.2", long="121.5"))
    assert outside.status_code == 400 and "outside_jurisdiction" in outside.json()[0]["description"]
    assert Client().get(f"{V2}/services/99999.json").status_code == 404
    assert Client().get(f"{V2}/requests/110101-20010101-0001.json").status_code == 404
    assert Client().get(f"{V2}/services.json?jurisdiction_id=nowhere").status_code == 404
    assert Client().get(f"{V2}/services.json?jurisdiction_id=110101").status_code == 200
    assert Client().get(f"{V2}/services.csv").status_code == 404
    assert ServiceRequest.objects.count() == before  # nothing refused left a request


def test_a_revoked_key_is_refused_and_keys_are_kept_hashed(key, point):
    row = ApiKey.objects.get(name="城市随手拍")
    assert key not in (row.digest, row.prefix) and len(row.digest) == 64
    services.revoke_key(None, row.pk)
    assert post("json", body(key, point)).status_code == 403


def test_the_command_issues_a_key_once(capsys, point):
    call_command("open311", "key", "create", "街道公众号")
    out = capsys.readouterr().out
    issued = out.strip().splitlines()[-1]
    assert issued.startswith("o311_")
    assert post("json", body(issued, point)).status_code == 201
    row = ApiKey.objects.get(name="街道公众号")
    assert list(AuditRecord.objects.filter(object_type="open311_key", object_id=str(row.pk)).values_list(
        "action", flat=True)) == ["create"]


def test_filing_is_throttled_per_key(key, point, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "THROTTLE": {**settings.GRIDGOV["THROTTLE"],
                                                        "open311.post": {"limit": 2, "window_s": 600}}}
    assert post("json", body(key, point)).status_code == 201
    assert post("json", body(key, point)).status_code == 201
    third = post("json", body(key, point))
    assert third.status_code == 429 and third.json()[0]["code"] == 429
    assert ServiceRequest.objects.filter(api_key__name="城市随手拍").count() == 2


def test_the_key_page_is_the_administrators(client_for):
    assert client_for("intake").get("/open311/keys/").status_code == 403
    admin = client_for("admin")
    r = admin.post("/open311/keys/", {"name": "区政务App"})
    assert r.status_code == 200 and "o311_" in r.content.decode()
    assert ApiKey.objects.filter(name="区政务App", active=True).exists()
