"""The open catalog: an administrator adds local matters (majors 50–99) beside GB/T 47678.5 with their deadline and
routing rules and a restriction; a code outside the local range, a national code or a duplicate is refused with a
stable code and nothing is written. The shipped social-governance deadlines (信访工作条例: 15 / 60 natural days)."""

from decimal import Decimal

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.catalog.models import CatalogItem, DeadlineRule

pytestmark = pytest.mark.django_db

NEW = {"code": "56001", "name": "违规停放共享单车", "major_name": "共享出行类", "default_department": "区交通委员会",
       "deadlines": [{"stage": "handle", "amount": 2, "unit": "work_days"},
                     {"stage": "handle", "amount": 4, "unit": "natural_hours", "urgency": "urgent"}],
       "routing_department": "110101-CG"}


def post(client, body):
    return client.post("/api/v1/catalog/items", body, content_type="application/json")


def test_an_administrator_adds_a_local_matter_with_its_deadlines_routing_and_it_can_be_reported(client_for, users):
    from gridgov.cases.models import RoutingRule
    from gridgov.catalog import services

    r = post(client_for("admin"), NEW)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["code"], body["major_code"], body["minor_code"], body["origin"], body["origin_label"]) == (
        "56001", "56", "001", "local", "本地")
    assert sorted((d["stage"], d["urgency"], d["amount"], d["unit"]) for d in body["deadline_rules"]) == [
        ("handle", "", 2.0, "work_days"), ("handle", "urgent", 4.0, "natural_hours")]
    assert services.deadline_for("56001", "normal", "B", "handle") == (Decimal("2"), "work_days")
    assert services.deadline_for("56001", "urgent", "B", "handle") == (Decimal("4"), "natural_hours")
    rule = RoutingRule.objects.get(matter__code="56001")
    assert rule.department.code == "110101-CG"
    # a second class in the same major takes the major's name
    r = post(client_for("admin"), {"code": "56002", "name": "共享单车损坏"})
    assert r.status_code == 201 and r.json()["major_name"] == "共享出行类"
    # the list says national or local
    local = client_for("gridworker").get("/api/v1/catalog/items?origin=local&limit=500").json()
    assert {"56001", "56002", "50001", "55002"} <= {i["code"] for i in local["items"]}
    assert all(i["origin"] == "local" for i in local["items"])
    national = client_for("gridworker").get("/api/v1/catalog/items?kind=matter&q=06010").json()["items"]
    assert [(i["code"], i["origin"]) for i in national] == [("06010", "national")]
    # and it can be reported at once (the in-memory catalog sees it)
    from gridgov.cases.services import intake
    from gridgov.geo.models import Grid

    p = Grid.objects.filter(layer__code="unit", parent__code="110101001001W001").order_by("code").first()
    p = p.shape.representative_point()
    case = intake(users["gridworker"], source="grid_worker", lon=p.x, lat=p.y, description="人行道上乱停单车",
                  matter="56001").case
    assert case.matter.code == "56001"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"code": "06099", "name": "本地垃圾事项"}, 400, "national_code"),      # a national major (01–49)
    ({"code": "01001", "name": "本地部件"}, 400, "national_code"),
    ({"code": "00001", "name": "零号大类"}, 400, "code_out_of_range"),
    ({"code": "57000", "name": "零号小类", "major_name": "新类"}, 400, "code_out_of_range"),
    ({"code": "5601", "name": "四位代码"}, 400, "invalid_code"),
    ({"code": "50001", "name": "邻里纠纷二"}, 409, "duplicate_code"),        # shipped on main
    ({"code": "50009", "name": "邻里纠纷"}, 409, "duplicate_name"),
    ({"code": "57001", "name": "无大类名称"}, 400, "major_name_required"),
    ({"code": "50009", "name": "另一纠纷", "major_name": "纠纷类"}, 400, "major_name_mismatch"),
    ({"code": "57001", "name": "受限", "major_name": "新类", "restricted_right": "cases.secret"}, 400,
     "invalid_restriction"),
    ({"code": "57001", "name": "坏时限", "major_name": "新类",
      "deadlines": [{"stage": "later", "amount": 1, "unit": "work_days"}]}, 400, "invalid_stage"),
])
def test_refusals_write_nothing(client_for, body, status, code):
    items, rules, records = CatalogItem.objects.count(), DeadlineRule.objects.count(), AuditRecord.objects.count()
    r = post(client_for("admin"), body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert r.json()["message"]  # Chinese, for the person
    assert (CatalogItem.objects.count(), DeadlineRule.objects.count(), AuditRecord.objects.count()) == (
        items, rules, records)


def test_only_the_administrator_configures(client_for):
    for post_name in ("gridleader", "shift", "leader"):
        r = post(client_for(post_name), NEW)
        assert r.status_code == 403
    assert not CatalogItem.objects.filter(code="56001").exists()


def test_updates_a_local_name_and_restriction_but_not_a_national_name(client_for):
    admin = client_for("admin")
    r = admin.patch("/api/v1/catalog/items/matter/50004", {"name": "劳动报酬纠纷", "restricted_right": ""},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["name"] == "劳动报酬纠纷"
    r = admin.patch("/api/v1/catalog/items/matter/06010", {"name": "改名"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "national_item")
    r = admin.patch("/api/v1/catalog/items/matter/06010", {"restricted_right": "cases.restricted"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["restricted_right"] == "cases.restricted"


def test_the_shipped_social_governance_catalog():
    from gridgov.catalog import services

    # 信访工作条例: 15 days to tell whether accepted, 60 days to settle — natural days, urgent or not
    for code in ("51001", "51002"):
        assert services.deadline_for(code, "normal", "B", "register") == (Decimal("15"), "natural_days")
        assert services.deadline_for(code, "urgent", "A", "handle") == (Decimal("60"), "natural_days")
    # 安全隐患: urgent in natural hours; 矛盾纠纷: a month of mediation; 个性化需求限时办结: 3 working days
    assert services.deadline_for("52001", "urgent", "B", "handle") == (Decimal("2"), "natural_hours")
    assert services.deadline_for("52001", "normal", "B", "handle") == (Decimal("3"), "natural_days")
    assert services.deadline_for("50001", "normal", "B", "handle") == (Decimal("30"), "natural_days")
    assert services.deadline_for("54002", "normal", "B", "handle") == (Decimal("3"), "work_days")
    # an urgent 矛盾纠纷 keeps the generic urgent rule (2 natural hours)
    assert services.deadline_for("50001", "urgent", "B", "handle") == (Decimal("2"), "natural_hours")
    restricted = dict(CatalogItem.objects.filter(code__in=["50001", "51001", "51002", "52001", "55001", "55002"])
                      .values_list("code", "restricted_right"))
    assert restricted == {"50001": "", "51001": "cases.restricted", "51002": "cases.restricted", "52001": "",
                          "55001": "cases.restricted", "55002": "cases.restricted"}


def test_the_admin_adds_a_local_matter_through_the_service(admin_client):
    start = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    r = admin_client.post("/admin/catalog/catalogitem/add/", {
        "kind": "matter", "code": "58001", "major_name": "后台测试类", "name": "后台新增事项",
        "default_department": "", "register_condition": "", "close_condition": "", "restricted_right": "",
        "active": "on", "deadline_rules-TOTAL_FORMS": "0", "deadline_rules-INITIAL_FORMS": "0",
        "legacy_codes-TOTAL_FORMS": "0", "legacy_codes-INITIAL_FORMS": "0"})
    assert r.status_code == 302, r.content[:2000]
    assert CatalogItem.objects.get(code="58001").major_code == "58"
    recs = list(AuditRecord.objects.filter(id__gt=start))
    assert [(x.object_type, x.action) for x in recs] == [("catalog_item", "create")]
    r = admin_client.post("/admin/catalog/catalogitem/add/", {
        "kind": "matter", "code": "06099", "major_name": "后台测试类", "name": "国家代码", "active": "on"},
        follow=True)
    assert not CatalogItem.objects.filter(code="06099").exists()
    assert "国家标准" in r.content.decode()
