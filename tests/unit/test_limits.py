"""gridgov.limits: the limits of a value come from its model field — ranges typed here from Django's documented
integer ranges and the fields' declarations."""

import pytest

from gridgov import limits
from gridgov.basedata.models import Building, Dwelling, Visit
from gridgov.errors import DomainError
from gridgov.geo.models import Grid


def test_integer_ranges_follow_the_field_type():
    assert limits.int_range(Dwelling, "floor") == (-32768, 32767)  # SmallIntegerField
    assert limits.int_range(Building, "floors") == (0, 32767)  # PositiveSmallIntegerField
    assert limits.int_range(Grid, "households") == (0, 2147483647)  # PositiveIntegerField
    assert limits.int_range(Building, "name") is None


def test_text_and_decimal_limits():
    assert limits.max_length(Building, "name") == 100
    assert limits.max_length(Visit, "issues") == 10_000  # a TextField: the platform's bound
    assert limits.problem(Dwelling, "area_m2", "999999.99") is None
    assert limits.problem(Dwelling, "area_m2", "1000000") == "应在 -999999.99～999999.99 之间"


@pytest.mark.parametrize("name,value,message", [
    ("floor", 99999, "楼层：应在 -32768～32767 之间"),
    ("floor", -32769, "楼层：应在 -32768～32767 之间"),
    ("floor", "3", "楼层：应为整数"),
    ("room", "1" * 21, "室号：不能超过 20 个字符"),
])
def test_check_fields_names_the_field_in_chinese(name, value, message):
    with pytest.raises(DomainError) as e:
        limits.check_fields(Dwelling, {name: value})
    assert e.value.code == "invalid_input" and e.value.message == message


def test_check_fields_passes_values_within_limits_and_unknown_keys():
    values = {"floor": -32768, "room": "1" * 20, "building_id": 7, "not_a_field": 10**30}
    assert limits.check_fields(Dwelling, values) is values


def test_has_nul_looks_into_nested_values():
    assert limits.has_nul({"a": [{"b": "x\x00"}]})
    assert limits.has_nul({"k\x00": 1})
    assert not limits.has_nul({"a": ["x", 1, None, {"b": "y"}]})


def test_schema_field_carries_the_limits_and_the_chinese_name():
    info = limits.field(Dwelling, "floor", None)
    assert info.title == "楼层"
    assert {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in info.metadata} == {
        "Ge": -32768, "Le": 32767}
