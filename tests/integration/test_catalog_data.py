"""The catalog as loaded by the data migration: counts, codes, gaps, legacy codes, conditions, idempotent reload."""

from decimal import Decimal

import pytest

from gridgov.catalog import services
from gridgov.catalog.loading import catalog_rows, load_catalog
from gridgov.catalog.models import CatalogItem, DeadlineRule, LegacyCode

pytestmark = pytest.mark.django_db


def test_counts():
    assert CatalogItem.objects.filter(kind="component").count() == 153
    assert CatalogItem.objects.filter(kind="matter", major_code__lt="50").count() == 250  # GB/T 47678.5
    # local 社会治理事项 (majors 50–55)
    assert CatalogItem.objects.filter(kind="matter", major_code__gte="50", major_code__lt="60").count() == 15
    # 居家养老服务 (services: local major 60, 9 classes × 3 items; seed 001 篇4 「9大类27项服务」)
    assert CatalogItem.objects.filter(kind="matter", major_code="60").count() == 27


@pytest.mark.parametrize("code,name,major", [
    ("50001", "邻里纠纷", "矛盾纠纷类"), ("50004", "劳资纠纷", "矛盾纠纷类"), ("51001", "初信", "信访类"),
    ("51002", "初访", "信访类"), ("52001", "消防隐患", "安全隐患类"), ("52003", "生产安全隐患", "安全隐患类"),
    ("53002", "养殖场污染", "生态环境类"), ("54002", "个性化服务需求", "民生服务类"), ("55002", "维稳信息", "治安信息类"),
])
def test_local_social_governance_matters(code, name, major):
    item = CatalogItem.objects.get(kind="matter", code=code)
    assert (item.name, item.major_name, item.major_code + item.minor_code) == (name, major, code)


def test_local_matters_load_once():
    from gridgov.catalog.loading import load_local_catalog

    assert load_local_catalog() == 0


def test_every_row_of_the_bundled_csv_is_in_the_database():
    kinds = {"管理部件": "component", "管理事项": "matter"}
    want = {(kinds[r["kind"]], r["code5"], r["name"], r["major_name"]) for r in catalog_rows()}
    have = set(CatalogItem.objects.filter(major_code__lt="50").values_list("kind", "code", "name", "major_name"))
    assert have == want


@pytest.mark.parametrize("kind,code,name,major", [
    ("component", "01001", "供水井盖", "市政公用设施"),
    ("component", "01021", "输油（气）井盖", "市政公用设施"),
    ("component", "02044", "公路隧道", "交通设施"),
    ("component", "03005", "垃圾箱", "市容环卫设施"),
    ("component", "05009", "文物古迹", "其他管理部件"),
    ("matter", "01001", "供水井盖异常", "市政公用设施类"),
    ("matter", "06010", "暴露垃圾", "市容环境类"),
    ("matter", "07003", "违规户外广告", "宣传广告类"),
    ("matter", "09005", "店外经营", "街面秩序类"),
    ("matter", "10002", "架空线缆脱落", "其他事项类"),
])
def test_spot_checks(kind, code, name, major):
    item = CatalogItem.objects.get(kind=kind, code=code)
    assert (item.name, item.major_name, item.major_code + item.minor_code) == (name, major, code)


@pytest.mark.parametrize("kind,code", [("component", "01016"), ("component", "05001"), ("matter", "06031"),
                                       ("matter", "07005"), ("matter", "09007")])
def test_gaps_are_kept(kind, code):
    assert not CatalogItem.objects.filter(kind=kind, code=code).exists()


@pytest.mark.parametrize("scheme,code,want", [
    ("event2007", "01-10", "06010"),  # 暴露垃圾 (README example)
    ("event2007", "04-05", "09005"),  # 店外经营
    ("event2007", "02-03", "07003"),  # 违规户外广告
    ("event2007", "0101", "06001"),
    ("event2007", "0198", "06042"),  # local code: the source's name match
    ("event2007", "0606", None),  # 公共设施损坏: no GB/T 47678.5 matter
    ("event2007", "0113", "06013"),  # not in the table: the rule, since 06013 exists
    ("event2007", "0199", None),  # the rule gives 06099, which does not exist
    ("event_local", "0102", "06010"),  # a local id: mapped by name, not by the rule (which would give 06002)
    ("cjt214", "0101", "01001"),  # 上水井盖 → 供水井盖
    ("cjt214", "0129", "01021"),  # 输油（气）井盖, exact after bracket normalising
    ("cjt214", "0305", "03005"),  # 垃圾箱
    ("cjt214", "0117", None),  # 立杆: ambiguous
    ("nonsense", "0101", None),
])
def test_resolve_legacy(scheme, code, want):
    item = services.resolve_legacy(scheme, code)
    assert (item.code if item else None) == want
    if item is not None:
        assert item.kind == ("component" if scheme == "cjt214" else "matter")


def test_legacy_table():
    assert LegacyCode.objects.filter(scheme="cjt214").count() == 134
    assert LegacyCode.objects.filter(scheme="event2007").count() == 16
    assert LegacyCode.objects.filter(scheme="event2007", method="rule").count() == 14


@pytest.mark.parametrize("code", ["06010", "09005", "09006", "06036", "07001", "01001", "01002", "01023", "06001"])
def test_conditions_of_common_matters(code):
    item = CatalogItem.objects.get(kind="matter", code=code)
    assert item.register_condition and item.close_condition


def test_reload_is_idempotent_and_keeps_local_edits():
    item = CatalogItem.objects.get(kind="matter", code="06010")
    item.default_department = "区环境卫生服务中心"
    item.register_condition = "本地改过的立案条件"
    item.save()
    rule = DeadlineRule.objects.get(matter=item, stage="handle", urgency="", area_class="")
    rule.amount = Decimal("3")
    rule.save()
    legacy = LegacyCode.objects.get(scheme="cjt214", code="0117")
    legacy.item = CatalogItem.objects.get(kind="component", code="01030")
    legacy.method = "manual"
    legacy.save()
    counts = (CatalogItem.objects.count(), DeadlineRule.objects.count(), LegacyCode.objects.count())
    report = load_catalog()
    assert report["new_items"] == 0 and report["new_deadline_rules"] == 0
    assert counts == (CatalogItem.objects.count(), DeadlineRule.objects.count(), LegacyCode.objects.count())
    item.refresh_from_db()
    rule.refresh_from_db()
    legacy.refresh_from_db()
    assert item.default_department == "区环境卫生服务中心" and item.register_condition == "本地改过的立案条件"
    assert rule.amount == Decimal("3")
    assert legacy.item.code == "01030"


def test_reload_restores_a_deleted_default():
    DeadlineRule.objects.filter(matter__isnull=True, stage="verify", urgency="", area_class="").delete()
    assert load_catalog()["new_deadline_rules"] == 1
    assert services.deadline_for(None, "", "", "verify") == (Decimal("2"), "work_hours")


def test_search_matters():
    names = [i.name for i in services.search_items("matter", "井盖")]
    assert "供水井盖异常" in names and all("井盖" in n for n in names)
    assert [i.code for i in services.search_items("matter", "06010")] == ["06010"]
    assert [i.code for i in services.search_items("matter", "11010106010")] == ["06010"]  # an 11-digit matter code
    assert {i.code for i in services.search_items("matter", "090")} >= {"09001", "09005"}
    assert all(i.kind == "matter" for i in services.search_items("matter", "垃圾"))
    CatalogItem.objects.filter(kind="matter", code="06010").update(active=False)
    assert not services.search_items("matter", "暴露垃圾").exists()
