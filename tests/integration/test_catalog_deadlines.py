"""Deadline rules: shipped defaults, precedence in the database, every stage answered, validation, API."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gridgov.catalog import services
from gridgov.catalog.logic.deadlines import STAGES, Rule, pick
from gridgov.catalog.models import CatalogItem, DeadlineRule
from gridgov.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("matter,stage,want", [
    ("06010", "handle", (Decimal("4"), "work_hours")),  # 暴露垃圾
    ("08005", "handle", (Decimal("4"), "work_hours")),  # 建筑垃圾 → 施工废弃料
    ("06011", "handle", (Decimal("2"), "work_days")),  # 渣土堆 → 积存垃圾渣土
    ("06012", "handle", (Decimal("2"), "work_hours")),  # 道路保洁 → 道路不洁
    ("06017", "handle", (Decimal("4"), "work_hours")),  # 绿地保洁 → 绿地脏乱
    ("04013", "handle", (Decimal("5"), "work_days")),  # 绿地养护 → 绿地异常
    ("06001", "handle", (Decimal("20"), "work_days")),  # 私搭乱建 (拆除)
    ("06002", "handle", (Decimal("5"), "work_days")),  # no matter rule: generic
    (None, "verify", (Decimal("2"), "work_hours")),
    (None, "register", (Decimal("1"), "work_hours")),
    (None, "dispatch", (Decimal("1"), "work_hours")),
    ("06010", "accept", (Decimal("24"), "natural_hours")),  # seed 003 篇8: 「在24小时之内签收」, natural hours
    (None, "inspect", (Decimal("4"), "work_hours")),
    (None, "close", (Decimal("1"), "work_hours")),
])
def test_shipped_defaults(matter, stage, want):
    assert services.deadline_for(matter, "", "", stage) == want
    assert services.deadline_for(matter, "normal", "B", stage) == want


def test_urgent_defaults():
    assert services.deadline_for("06002", "urgent", "A", "handle") == (Decimal("2"), "natural_hours")
    # a matter's own rule beats the generic urgent rule (documented precedence)
    assert services.deadline_for("06010", "urgent", "", "handle") == (Decimal("4"), "work_hours")


def test_every_matter_stage_urgency_and_area_has_an_answer():
    rules = [Rule(r.matter.code if r.matter_id else None, r.urgency, r.area_class, r.stage, r.amount, r.unit, r.id)
             for r in DeadlineRule.objects.select_related("matter")]
    matters = list(CatalogItem.objects.filter(kind="matter").values_list("code", flat=True)) + [None]
    for code in matters:
        for stage in STAGES:
            for urgency in ("", "normal", "urgent"):
                for area in ("", "A", "B", "C"):
                    assert pick(rules, code, urgency, area, stage) is not None, (code, stage, urgency, area)


def _rule(matter, urgency, area, amount, unit="work_hours", stage="handle"):
    return DeadlineRule.objects.create(matter=matter, urgency=urgency, area_class=area, stage=stage,
                                       amount=Decimal(amount), unit=unit)


def test_precedence_in_the_database():
    m = CatalogItem.objects.get(kind="matter", code="06010")
    _rule(None, "", "A", "30")
    _rule(None, "urgent", "A", "1", "natural_hours")
    _rule(m, "", "A", "3")
    _rule(m, "urgent", "", "2.5", "natural_hours")
    _rule(m, "urgent", "A", "1.5", "natural_hours")
    d = services.deadline_for
    assert d(m, "urgent", "A", "handle") == (Decimal("1.5"), "natural_hours")  # matter+urgency+area
    assert d(m, "urgent", "B", "handle") == (Decimal("2.5"), "natural_hours")  # matter+urgency
    assert d(m, "normal", "A", "handle") == (Decimal("3"), "work_hours")  # matter+area
    assert d(m, "normal", "C", "handle") == (Decimal("4"), "work_hours")  # matter
    assert d("06002", "urgent", "A", "handle") == (Decimal("1"), "natural_hours")  # urgency+area
    assert d("06002", "urgent", "C", "handle") == (Decimal("2"), "natural_hours")  # urgency
    assert d("06002", "normal", "A", "handle") == (Decimal("30"), "work_hours")  # area
    assert d("06002", "normal", "B", "handle") == (Decimal("5"), "work_days")  # any
    assert d("11010106010", "urgent", "A", "handle") == (Decimal("1.5"), "natural_hours")  # 11-digit matter code


@pytest.mark.parametrize("args,code", [
    (("06010", "", "", "repair"), "invalid_stage"),
    (("06010", "very", "", "handle"), "invalid_urgency"),
    (("06010", "", "D", "handle"), "invalid_area_class"),
    (("暴露垃圾", "", "", "handle"), "invalid_matter"),
])
def test_invalid_keys(args, code):
    with pytest.raises(DomainError) as e:
        services.deadline_for(*args)
    assert e.value.code == code


def test_component_is_not_a_matter():
    with pytest.raises(DomainError) as e:
        services.deadline_for(CatalogItem.objects.get(kind="component", code="01001"), "", "", "handle")
    assert e.value.code == "not_a_matter"


def test_no_rule_left():
    DeadlineRule.objects.filter(stage="close").delete()
    with pytest.raises(NotFound) as e:
        services.deadline_for("06010", "", "", "close")
    assert e.value.code == "no_deadline_rule"


def test_duplicate_rules_are_refused():
    m = CatalogItem.objects.get(kind="matter", code="06010")
    with pytest.raises(IntegrityError), transaction.atomic():
        _rule(m, "", "", "9")
    with pytest.raises(IntegrityError), transaction.atomic():
        _rule(None, "", "", "9")
    with pytest.raises(IntegrityError), transaction.atomic():
        _rule(None, "urgent", "A", "0")


def test_api_deadlines(client_for):
    c = client_for("resident")  # reference data: any signed-in account
    rows = c.get("/api/v1/catalog/deadlines?matter=06010&stage=handle").json()["items"]
    assert [(r["matter_code"], r["urgency"], r["amount"], r["unit"]) for r in rows] == [
        ("06010", "", 4.0, "work_hours"), (None, "urgent", 2.0, "natural_hours"), (None, "", 5.0, "work_days")]
    everything = c.get("/api/v1/catalog/deadlines?limit=500").json()
    assert len(everything["items"]) == everything["count"] == DeadlineRule.objects.count()
    assert c.get("/api/v1/catalog/deadlines?stage=repair").status_code == 400
    assert c.get("/api/v1/catalog/deadlines?matter=99999").status_code == 404
    r = c.get("/api/v1/catalog/deadlines/effective?matter=06001&stage=handle&urgency=urgent&area_class=A").json()
    assert (r["amount"], r["unit"], r["unit_label"]) == (20.0, "work_days", "工作日")
    r = c.get("/api/v1/catalog/deadlines/effective?stage=accept").json()
    assert (r["amount"], r["unit"]) == (24.0, "natural_hours")  # 签收: 24 natural hours (seed 003 篇8)
    assert client_for(None).get("/api/v1/catalog/deadlines").status_code == 401
