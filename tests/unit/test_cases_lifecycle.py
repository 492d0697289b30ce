"""The transition table, exhaustively: every (state, action) pair is either legal — and then allowed for
exactly its posts, refused for the others — or illegal and refused with the state named."""

import itertools

import pytest

from gridgov.accounts.roles import Role
from gridgov.cases.logic.lifecycle import (
    GUARDS,
    STATE_LABELS,
    TABLE,
    Action,
    Actor,
    Facts,
    Refusal,
    State,
    allowed_actions,
    check,
)

REPORTER, HANDLER, OTHER = 1, 3, 2
DEPT, NODE = 10, "110101001001W001"
ALL_PAIRS = list(itertools.product(State, Action))
DATA = {"reason": "原因", "into": "110101-20261123-0001", "department": "110101-HW", "node": NODE, "amount": 2,
        "feedback": "已清理", "satisfaction": 5}


def facts_for(state: State, rule) -> Facts:
    pending = "extension" if "pending_extension" in rule.guards else (
        "suspension" if "pending_suspension" in rule.guards else "")
    return Facts(state=state, source="grid_worker", verified=True, reporter_id=REPORTER,
                 handler_ids=frozenset({HANDLER}), pending=pending,
                 assignee_department_id=None if "is_assignee_node" in rule.guards else DEPT, assignee_node=NODE)


def actor_for(role: Role, rule, facts: Facts) -> Actor:
    """Handlers belong to the department the case was sent to; everyone else is bound to the case's node."""
    ident = REPORTER if ("is_reporter" in rule.guards or role == Role.RESIDENT) else OTHER
    return Actor(ident, role, department_id=DEPT if role == Role.HANDLER else None, node=NODE)


def legal_facts(state, rule, role):
    facts = facts_for(state, rule)
    if role != Role.HANDLER and ("is_assignee" in rule.guards or "assignee_or_centre" in rule.guards):
        facts = Facts(**{**facts.__dict__, "assignee_department_id": None})
    return facts


@pytest.mark.parametrize("state,action", ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_every_pair(state, action):
    rule = TABLE.get((state, action))
    if rule is None:
        for role in Role:
            with pytest.raises(Refusal) as e:
                check(Facts(state=state), action, Actor(OTHER, role, DEPT, NODE), DATA)
            assert e.value.code == "illegal_transition"
            assert STATE_LABELS[state] in e.value.message
        return
    for role in Role:
        facts = legal_facts(state, rule, role)
        actor = actor_for(role, rule, facts)
        if role in rule.roles:
            assert check(facts, action, actor, DATA) is rule
            assert action in allowed_actions(facts, actor)
            missing = [n for n in rule.needs]
            if missing:
                with pytest.raises(Refusal) as e:
                    check(facts, action, actor, {})
                assert e.value.code == "missing_data"
        else:
            with pytest.raises(Refusal) as e:
                check(facts, action, actor, DATA)
            assert e.value.code == "role_not_allowed"
            assert action not in allowed_actions(facts, actor)


def test_table_covers_the_loop():
    # every state but the final ones has a way out, and every action is used somewhere
    used = {a for (_, a) in TABLE}
    assert used == set(Action)
    for state in State:
        if state in (State.DECLINED, State.VOIDED, State.MERGED, State.ARCHIVED):
            assert not [a for (s, a) in TABLE if s == state]
        else:
            assert any(r.to != state for (s, a), r in TABLE.items() if s == state), state
    assert len(TABLE) == 44


@pytest.mark.parametrize("guard", sorted(GUARDS))
def test_every_guard_can_refuse(guard):
    rule_pairs = [(s, a, r) for (s, a), r in TABLE.items() if guard in r.guards]
    assert rule_pairs, f"guard {guard} unused"
    state, action, rule = rule_pairs[0]
    role = sorted(rule.roles)[0]
    facts = legal_facts(state, rule, role)
    actor = actor_for(role, rule, facts)
    bad = {
        "not_reporter": lambda: (facts, Actor(REPORTER, role, actor.department_id, actor.node)),
        "verified_if_public": lambda: (Facts(**{**facts.__dict__, "verified": False, "source": "resident"}), actor),
        "is_assignee": lambda: (facts, Actor(actor.id, role, 99, "elsewhere")),
        "is_assignee_node": lambda: (facts, Actor(actor.id, role, actor.department_id, "elsewhere")),
        "assignee_or_centre": lambda: (facts, Actor(actor.id, Role.GRID_WORKER, None, "elsewhere")),
        "no_pending_request": lambda: (Facts(**{**facts.__dict__, "pending": "extension"}), actor),
        "pending_extension": lambda: (Facts(**{**facts.__dict__, "pending": ""}), actor),
        "pending_suspension": lambda: (Facts(**{**facts.__dict__, "pending": "extension"}), actor),
        "is_reporter": lambda: (facts, Actor(OTHER, role, actor.department_id, actor.node)),
        "independent": lambda: (facts, Actor(HANDLER, role, actor.department_id, actor.node)),
        "reporter_if_resident": lambda: (facts, Actor(OTHER, Role.RESIDENT)),
        "not_followed_up": lambda: (Facts(**{**facts.__dict__, "followed_up": True}), actor),
    }[guard]
    f, a = bad()
    if a.role not in rule.roles:
        pytest.fail(f"test set-up: {a.role} not allowed for {action}")
    with pytest.raises(Refusal) as e:
        check(f, action, a, DATA)
    assert e.value.code == "guard_failed" and e.value.details["guard"] == guard


def test_public_reports_need_verification_unless_urgent():
    actor = Actor(OTHER, Role.INTAKE_CLERK)
    with pytest.raises(Refusal):
        check(Facts(State.REPORTED, source="hotline"), Action.REGISTER, actor)
    assert check(Facts(State.REPORTED, source="hotline", urgency="urgent"), Action.REGISTER, actor)
    assert check(Facts(State.VERIFIED, source="hotline", verified=True), Action.REGISTER, actor)


def test_inspector_cannot_inspect_own_or_reported_work():
    f = Facts(State.HANDLED, reporter_id=7, handler_ids=frozenset({8}))
    for ident in (7, 8):
        with pytest.raises(Refusal):
            check(f, Action.INSPECT_PASS, Actor(ident, Role.INSPECTOR))
    assert check(f, Action.INSPECT_PASS, Actor(9, Role.INSPECTOR)).to == State.INSPECTED


def test_unknown_action():
    with pytest.raises(Refusal) as e:
        check(Facts(State.REPORTED), "fly", Actor(1, Role.ADMIN))
    assert e.value.code == "unknown_action"
