"""Catalog endpoints: /items (list, filters), /items/{kind}/{code} (detail), errors, auth, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_items_list_and_filters(client_for):
    c = client_for("gridworker")
    page = c.get("/api/v1/catalog/items?limit=500").json()
    # 418 of GB/T 47678.5 and the local 社会治理事项, + 27 居家养老服务 items (services: local major 60)
    assert (len(page["items"]), page["count"], page["limit"], page["offset"]) == (445, 445, 500, 0)
    comps = c.get("/api/v1/catalog/items?kind=component&limit=500").json()["items"]
    assert len(comps) == 153 and {r["kind_label"] for r in comps} == {"管理部件"}
    # 153 components + 250 matters of GB/T 47678.5 + 15 local 社会治理事项 (majors 50–55)
    local = c.get("/api/v1/catalog/items?kind=matter&major=52").json()["items"]
    assert [(r["code"], r["name"]) for r in local] == [("52001", "消防隐患"), ("52002", "危房险路"), ("52003", "生产安全隐患")]
    matters = c.get("/api/v1/catalog/items?kind=matter&major=09").json()["items"]
    assert [r["code"] for r in matters][:3] == ["09001", "09002", "09003"]
    assert all(r["major_name"] == "街面秩序类" for r in matters)
    found = c.get("/api/v1/catalog/items?kind=matter&q=垃圾").json()["items"]
    assert "暴露垃圾" in {r["name"] for r in found}
    assert [r["code"] for r in c.get("/api/v1/catalog/items?kind=matter&q=06010").json()["items"]] == ["06010"]
    both = c.get("/api/v1/catalog/items?q=供水井盖").json()["items"]
    assert {(r["kind"], r["code"]) for r in both} == {("component", "01001"), ("matter", "01001")}


@pytest.mark.parametrize("query,status,code", [
    ("kind=thing", 400, "invalid_kind"),
    ("major=9", 400, "invalid_major"),
])
def test_items_bad_filters(client_for, query, status, code):
    r = client_for("admin").get(f"/api/v1/catalog/items?{query}")
    assert r.status_code == status and r.json()["code"] == code and r.json()["message"]


def test_item_detail(client_for):
    c = client_for("resident")
    r = c.get("/api/v1/catalog/items/matter/06010").json()
    assert (r["name"], r["major_code"], r["minor_code"]) == ("暴露垃圾", "06", "010")
    assert r["register_condition"] and r["close_condition"]
    assert {("event2007", "0110"), ("event_local", "0102")} <= {(x["scheme"], x["code"]) for x in r["legacy_codes"]}
    assert [(x["stage"], x["amount"], x["unit"]) for x in r["deadline_rules"]] == [("handle", 4.0, "work_hours")]
    comp = c.get("/api/v1/catalog/items/component/01001").json()
    assert comp["name"] == "供水井盖" and comp["deadline_rules"] == []
    assert ("cjt214", "0101") in {(x["scheme"], x["code"]) for x in comp["legacy_codes"]}
    r = c.get("/api/v1/catalog/items/matter/06031")
    assert r.status_code == 404 and r.json()["code"] == "item_not_found"
    assert c.get("/api/v1/catalog/items/thing/06010").status_code == 400
    assert client_for(None).get("/api/v1/catalog/items/matter/06010").status_code == 401
    assert client_for(None).get("/api/v1/catalog/items").status_code == 401


def test_items_query_count(client_for):
    c = client_for("admin")
    c.get("/api/v1/catalog/items?kind=component")
    with CaptureQueriesContext(connection) as ctx:
        assert len(c.get("/api/v1/catalog/items?limit=500").json()["items"]) == 445
    assert len(ctx.captured_queries) <= 4
    with CaptureQueriesContext(connection) as ctx:
        c.get("/api/v1/catalog/deadlines")
    assert len(ctx.captured_queries) <= 4


def test_openapi_lists_the_catalog(client_for):
    paths = client_for("admin").get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/catalog/items", "/api/v1/catalog/items/{kind}/{code}", "/api/v1/catalog/deadlines",
              "/api/v1/catalog/components", "/api/v1/catalog/components/{code}"):
        assert p in paths, p


def test_admin_pages(client_for):
    c = client_for("admin")
    for path in ("/admin/catalog/catalogitem/", "/admin/catalog/deadlinerule/", "/admin/catalog/legacycode/",
                 "/admin/catalog/component/"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
    from gridgov.catalog.models import CatalogItem, Component

    item = CatalogItem.objects.get(kind="matter", code="06010")
    r = c.get(f"/admin/catalog/catalogitem/{item.pk}/change/")
    assert r.status_code == 200 and "立案条件" in r.content.decode()
    comp = Component.objects.first()
    assert c.get(f"/admin/catalog/component/{comp.pk}/change/").status_code == 200
