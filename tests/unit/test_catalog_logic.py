"""Pure pieces of the catalog: code formats, the legacy mapping rule, deadline precedence, the bundled CSVs."""

from decimal import Decimal
from pathlib import Path

import pytest

from gridgov.catalog.logic import codes
from gridgov.catalog.logic.deadlines import STAGES, Rule, pick, specificity

DATA = Path(__file__).resolve().parents[2] / "gridgov" / "catalog" / "data"


def test_component_code_is_17_digits():
    assert codes.component_code("110101", "01002", 1) == "11010101002000001"
    assert codes.component_code("110101", "03005", 999_999) == "11010103005999999"
    assert codes.parse_component_code("11010101002000042") == ("110101", "01002", 42)


@pytest.mark.parametrize("division,cls,serial", [
    ("11010", "01002", 1), ("110101", "0102", 1), ("110101", "01002", 0), ("110101", "01002", 1_000_000),
    ("11010a", "01002", 1),
])
def test_component_code_refuses_bad_parts(division, cls, serial):
    with pytest.raises(ValueError):
        codes.component_code(division, cls, serial)


@pytest.mark.parametrize("bad", ["", "1101010100200000", "110101010020000011", "1101010100200000x", "11010101002000000"])
def test_parse_component_code_refuses(bad):
    assert codes.parse_component_code(bad) is None


def test_matter_code_and_class_of():
    assert codes.matter_code("110101", "06010") == "11010106010"
    assert codes.class_of("06010") == "06010"
    assert codes.class_of("11010106010") == "06010"
    assert codes.class_of("11010101002000001") == "01002"
    assert codes.class_of("0601") is None
    assert codes.class_of("暴露垃圾") is None


@pytest.mark.parametrize("old,new", [
    ("0110", "06010"), ("01-10", "06010"), ("0405", "09005"), ("04-05", "09005"), ("0203", "07003"),
    ("0101", "06001"), ("0311", "08011"), ("0136", "06036"),
])
def test_event_rule(old, new):
    assert codes.event_rule(old) == new


@pytest.mark.parametrize("bad", ["", "110", "01100", "ab-cd", "9901"])
def test_event_rule_refuses(bad):
    assert codes.event_rule(bad) is None


def test_normalise_name():
    assert codes.normalise_name("输油（气）井盖") == codes.normalise_name("输油(气)井盖")


def test_read_csv_text_skips_source_lines():
    rows = codes.read_csv_text("# SOURCE: x\n# more\na,b\n1, 2\n")
    assert rows == [{"a": "1", "b": "2"}]


def R(matter, urgency, area, amount, id, stage="handle"):
    return Rule(matter, urgency, area, stage, Decimal(amount), "work_hours", id)


RULES = [
    R(None, "", "", 40, 1), R(None, "urgent", "", 2, 2), R(None, "", "A", 30, 3), R(None, "urgent", "A", 1, 4),
    R("06010", "", "", 4, 5), R("06010", "", "A", 3, 6), R("06010", "urgent", "", 2.5, 7),
    R("06010", "urgent", "A", 1.5, 8), R(None, "", "", 1, 9, stage="verify"),
]


@pytest.mark.parametrize("matter,urgency,area,want", [
    ("06010", "urgent", "A", 8),  # matter+urgency+area
    ("06010", "urgent", "B", 7),  # matter+urgency
    ("06010", "normal", "A", 6),  # matter+area
    ("06010", "normal", "C", 5),  # matter
    ("06001", "urgent", "A", 4),  # urgency+area
    ("06001", "urgent", "C", 2),  # urgency
    ("06001", "normal", "A", 3),  # area
    ("06001", "normal", "B", 1),  # any
    (None, "", "", 1),
])
def test_precedence(matter, urgency, area, want):
    assert pick(RULES, matter, urgency, area, "handle").id == want


def test_matter_rule_beats_generic_urgent_rule():
    rules = [R("06001", "", "", 160, 1), R(None, "urgent", "A", 2, 2)]
    assert pick(rules, "06001", "urgent", "A", "handle").id == 1


def test_specificity_order_is_total():
    combos = sorted({specificity(r) for r in RULES[:8]}, reverse=True)
    assert combos == [(1, 1, 1), (1, 1, 0), (1, 0, 1), (1, 0, 0), (0, 1, 1), (0, 1, 0), (0, 0, 1), (0, 0, 0)]


def test_no_rule_for_stage():
    assert pick(RULES, "06010", "", "", "close") is None


def test_shipped_defaults_cover_every_stage_generically():
    rows = codes.read_csv_text((DATA / "default_deadlines.csv").read_text(encoding="utf-8"))
    generic = {r["stage"] for r in rows if not r["matter_code"] and not r["urgency"] and not r["area_class"]}
    assert generic == set(STAGES)
    for r in rows:
        assert r["unit"] in ("work_hours", "work_days", "natural_days", "natural_hours")
        assert Decimal(r["amount"]) > 0


def test_bundled_catalog_counts_and_sources():
    text = (DATA / "gb47678_5_2026_parts_and_matters.csv").read_text(encoding="utf-8")
    assert text.startswith("# SOURCE")
    rows = codes.read_csv_text(text)
    assert sum(r["kind"] == "管理部件" for r in rows) == 153
    assert sum(r["kind"] == "管理事项" for r in rows) == 250
    assert all(codes.is_class_code(r["code5"]) and r["code5"] == r["major_code"] + r["minor_code"] for r in rows)
