"""THE 下派 rule (cases/logic/lifecycle.py), written out: where a delegation starts from, and which targets it
may reach. Keys: district 110101, street 110101001, community 110101001001, management grid 110101001001W001,
the case's place 110101001001W001.110101001001007."""

import pytest

from gridgov.accounts.roles import Role
from gridgov.cases.logic.lifecycle import Actor, descent_origin, descent_refusal

CASE = "110101001001W001.110101001001007"


@pytest.mark.parametrize(("role", "node", "assignee", "expected"), [
    (Role.DISPATCHER, "110101", "", "110101"),  # the centre sends from where the case is: the district
    (Role.SHIFT_LEADER, "110101", "110101001", "110101001"),  # … or the node it was delegated to
    (Role.DISPATCHER, "110101", "110101001001", "110101001001"),
    (Role.GRID_LEADER, "110101001001", "110101001001", "110101001001"),  # anyone else: their own node
    (Role.GRID_SUPERVISOR, "110101001", "110101001", "110101001"),
    (Role.GRID_SUPERVISOR, "110101001", "110101001001", "110101001"),
    (Role.GRID_LEADER, None, "110101001001", "110101001001"),
])
def test_origin(role, node, assignee, expected):
    assert descent_origin(Actor(1, role, None, node), assignee, "110101") == expected


@pytest.mark.parametrize(("here", "target", "expected"), [
    ("110101", "110101001", None), ("110101", "110101001001", None), ("110101", "110101001001W001", None),
    ("110101001", "110101001001", None), ("110101001001", "110101001001W001", None),
    ("110101001001", "110101001001", "not_below"),  # not to the same level
    ("110101001001", "110101001", "not_below"),  # not upwards
    ("110101001001W001", "110101001001W001", "not_below"),
    ("110101001", "110101002", "not_below"),  # not sideways
    ("110101", "110101001002", "not_containing"),  # below, but the case is not there
    ("110101001001", "110101001001W002", "not_containing"),
])
def test_targets(here, target, expected):
    assert descent_refusal(here, target, CASE) == expected
