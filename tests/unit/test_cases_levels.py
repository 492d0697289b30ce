"""The tiered path as pure rules (gridgov/cases/logic/levels.py), tables typed by hand from the brief and the seeds:
the level of a holding node, 上报上级 exactly one level up (to the level that sent it down where there is one; none
above the city), where a report enters (most specific rule wins; no rule: the centre), and the
「小事不出网格、大事不出社区」 figures (a worked example)."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.cases.logic.levels import EntryRule, ascent, entry_level, entry_node, level_of, settled_shares
from gridgov.cases.logic.lifecycle import Action, Actor, Facts, State, allowed_actions


@pytest.mark.parametrize("node,level", [
    ("", "district"), ("110101", "district"), ("1101", "city"), ("110101001", "street"),
    ("110101001001", "community"), ("110101001001W001", "grid"), ("110101001001W012", "grid"),
])
def test_level_of(node, level):
    assert level_of(node) == level


@pytest.mark.parametrize("node,sent_down_from,city,want", [
    ("110101001001W001", [], "1101", ("110101001001", "")),  # grid → its community
    ("110101001001", [], "1101", ("110101001", "")),  # community → its street
    ("110101001", [], "1101", ("", "")),  # street → the district centre
    ("", [], "1101", ("1101", "")),  # district → the city
    ("", [], None, (None, "no_city")),  # a district with no city above: refused
    ("1101", [], None, (None, "no_upper_level")),  # the top
    ("1101", ["110101"], None, (None, "no_upper_level")),
    ("110101001001", ["", "110101001"], "1101", ("110101001", "")),  # back to the street that sent it down
    ("110101001001", [""], "1101", ("", "")),  # sent straight from the district: back to the district
    ("110101001001W001", ["110101001001"], "1101", ("110101001001", "")),
])
def test_ascent_goes_exactly_one_level_up(node, sent_down_from, city, want):
    assert ascent(node, sent_down_from, city) == want


RULES = [
    EntryRule(1, "50", "", "grid_worker", "grid"),
    EntryRule(2, "50", "", "resident", "grid"),
    EntryRule(3, "52", "", "", "grid"),
    EntryRule(4, "", "52003", "", "centre"),  # one matter of a class back to the centre
    EntryRule(5, "53", "", "", "grid", active=False),
    EntryRule(6, "54", "", "", "centre", priority=1),
    EntryRule(7, "54", "", "", "grid", priority=5),
]


@pytest.mark.parametrize("matter,source,want", [
    ("50001", "grid_worker", "grid"), ("50001", "resident", "grid"), ("50001", "hotline", "centre"),
    ("52001", "hotline", "grid"), ("52003", "grid_worker", "centre"), ("53001", "grid_worker", "centre"),
    ("54002", "resident", "grid"), ("06010", "grid_worker", "centre"), (None, "grid_worker", "centre"),
])
def test_entry_level(matter, source, want):
    assert entry_level(RULES, matter, source) == want


def test_entry_node():
    assert entry_node("grid", "110101001001W001.110101001001001") == "110101001001W001"
    assert entry_node("grid", "110101001001") == "110101001001"  # in no grid: its community
    assert entry_node("centre", "110101001001W001.110101001001001") == ""


def test_settled_shares_worked_example():
    # 12 settled: 6 in the grid, 3 in the community, 1 in the street, 1 by the district, 1 by a department
    got = settled_shares({"grid": 6, "community": 3, "street": 1, "district": 1, "department": 1})
    assert got == {"total": 12, "grid": 6, "community": 3, "street": 1, "above": 2, "grid_pct": 50.0,
                   "community_pct": 25.0, "street_pct": 8.3, "above_pct": 16.7, "within_grid_pct": 50.0,
                   "within_community_pct": 75.0, "within_street_pct": 83.3}
    assert settled_shares({})["within_grid_pct"] is None and settled_shares({})["total"] == 0


@pytest.mark.parametrize("role,node,holds", [
    ("grid_leader", "110101001001", True),  # the 网格长 of the grid's community: 受理第一人
    ("grid_worker", "110101001001W001", True),  # the grid's own 网格员
    ("grid_worker", "110101001001W002", False),  # another grid's
    ("grid_leader", "110101001002", False),  # another community's
    ("grid_supervisor", "110101001", False),  # the street holds what is sent to the street
    ("intake_clerk", "110101", False),
    ("clerk", "110101", False),
])
def test_who_receives_a_report_that_entered_at_the_grid(role, node, holds):
    facts = Facts(State.REPORTED, assignee_node="110101001001W001", reporter_id=1)
    assert (Action.RECEIVE in allowed_actions(facts, Actor(2, Role(role), node=node))) is holds


def test_the_street_holds_what_is_sent_up_to_it():
    facts = Facts(State.REGISTERED, assignee_node="110101001")
    assert sorted(allowed_actions(facts, Actor(2, Role.GRID_SUPERVISOR, node="110101001"))) == [
        "delegate", "escalate", "receive"]
    assert allowed_actions(facts, Actor(3, Role.GRID_LEADER, node="110101001001")) == []
    assert sorted(allowed_actions(facts, Actor(4, Role.SHIFT_LEADER, node="110101"))) == ["urge", "void"]
