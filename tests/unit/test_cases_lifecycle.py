"""The transition table, written out by hand: every (state, action) pair of the closed loop, legal or refused.

The expectations below are typed from the specification — the closed-loop issue (#3: 上报; 核实 by an inspector;
立案, 不予立案 (reason), 作废; 派遣 to a department, or 下派 down the tree and 上报上级 up it; 签收; 退回 (wrong recipient,
back to the dispatcher); 处置 with feedback; 延期 and 挂账, each requested and approved or refused; 自行处置 (a grid
worker fixes it on the spot; still inspected); 核查 by an inspector who is neither the handler nor the reporter; 结案
only after 核查 passes; 返工 when it fails; 回访 (satisfaction; "not solved" reopens the case); 归档) and the seeds:

- seed 001, 第五篇: 市、区两级分离城管监督和管理职能，创立监督中心和指挥中心 — the supervision centre (受理员, 值班长)
  registers (预立案) and closes, the command centre (派遣员, 值班长) dispatches; 信息员「收到反馈后向监督员发送核查信息，
  开展现场核查」 — the inspector (监督员) verifies and inspects.
- seed 003, 5.3 任务派遣: 「监督中心将案卷批转到指挥中心。对属于部门办理的案卷，由指挥中心将任务派遣至相关专业部门处理」;
  5.4: 承办单位「在24小时之内签收系统交办的任务」 — the recipient accepts; 5.6 核查结案: 「处理结果反馈到监督中心后，
  监督中心指派监督员到现场核查，如果确定处理完毕则结案，否则，继续协调解决」; 「对中心交办的事项，未进行认真处理的，中心
  将……进行督办」 — 督办 is the centre's (the shift leader's), on any open case; 4.5 满意度回访机制 — 回访, and a problem
  still unsolved is handled again.
- seed 001, 第四篇: 网格员「属于一般性工作的进行现场处理」 — 自行处置 by the grid worker who found it; 小事不出网格、大事不出
  社区、难事不出街道 — 下派 and 上报上级 along the tree.
- seed 000 and 001: 监督和处置的分离 — the inspector who checks the work is neither its handler nor its reporter.
- levels (issue #10 item 2; seed 001 篇4 四级互动, 003 篇8 大/小/微 三级循环): a report of a class that enters at the
  grid is held by the 网格长 of its grid's community (受理第一人) — the centre does not 受理/立案 it (``at_centre``);
  whoever holds the level a case waits at 受理s it (``receive``: 已上报 or, after 上报上级, 已立案 → 处置中), settles it
  (处置), sends it down (下派) or one level up (上报上级, refused from the top: ``below_top``); the 网格长 holds the grids of
  its community and the community, the 督导员 its street (分中心) — street posts hold what is 下派'd to the street; the
  网格长, too, settles on the spot what she found herself (自行处置); the district centre dispatches to departments only
  what it holds. seed 001 篇5: 信息员 (``clerk``) does 预立案 — records what comes in and sends it to the 监督员 to be
  verified (派核实); 立案 stays with 受理员/值班长.

Nothing here is read from ``gridgov.cases.logic.lifecycle.TABLE``: the table is compared with this one, pair by
pair, and ``check`` is driven with every post on every pair. ``test_the_comparison_catches_wrong_tables`` shows
that a wrong target, a missing or extra post, a missing action and an extra allowed pair are each reported.
"""

import copy
import dataclasses

import pytest

from gridgov.accounts.roles import Role
from gridgov.cases.logic.lifecycle import (
    TABLE,
    Action,
    Actor,
    Facts,
    Refusal,
    State,
    allowed_actions,
    check,
)

# ---------------------------------------------------------------------------------------------- the specification

ALL_STATES = ["reported", "verifying", "verified", "registered", "declined", "voided", "merged", "dispatched",
              "accepted", "suspended", "handled", "inspected", "closed", "archived"]
ALL_ACTIONS = ["assign_verify", "confirm", "refute", "register", "decline", "void", "merge", "dispatch", "delegate",
               "escalate", "return", "accept", "request_extension", "approve_extension", "refuse_extension",
               "request_suspension", "approve_suspension", "refuse_suspension", "resume", "handle", "self_handle",
               "inspect_pass", "inspect_fail", "close", "follow_up", "reopen", "archive", "urge", "receive"]
ALL_POSTS = ["admin", "leader", "intake_clerk", "shift_leader", "dispatcher", "grid_supervisor", "inspector",
             "grid_leader", "grid_worker", "handler", "resident", "clerk"]

# whoever a case can be sent to: a department's handler (派遣), or the staff of a tree node (下派) — and who at a
# node passes a case further down (下派) or back up (上报上级)
HOLDERS = "handler dispatcher shift_leader grid_leader grid_worker grid_supervisor"
NODE_HOLDERS = "dispatcher shift_leader grid_leader grid_worker grid_supervisor"

# (state, action) → (to state, posts allowed, relation to the case the actor must have, data that must be given)
LEGAL = {
    # 已上报: the supervision centre sends it to be verified, registers or declines it, merges a duplicate; the
    # shift leader voids it; the grid worker who reported it fixes it on the spot
    ("reported", "assign_verify"): ("verifying", "intake_clerk shift_leader clerk", "at_centre", ""),
    ("reported", "register"): ("registered", "intake_clerk shift_leader", "at_centre verified_if_public", ""),
    ("reported", "decline"): ("declined", "intake_clerk shift_leader", "at_centre", "reason"),
    ("reported", "void"): ("voided", "shift_leader", "", "reason"),
    ("reported", "merge"): ("merged", "intake_clerk shift_leader", "at_centre", "into"),
    ("reported", "self_handle"): ("handled", "grid_worker grid_leader", "is_reporter", "feedback"),
    # levels: a report that entered at a level is 受理'd by whoever holds that level
    ("reported", "receive"): ("accepted", NODE_HOLDERS, "is_assignee_node", ""),
    ("reported", "urge"): ("reported", "shift_leader", "", "reason"),
    # 核实中: the inspector on site says true or not true (not the one who reported it)
    ("verifying", "confirm"): ("verified", "inspector", "not_reporter", ""),
    ("verifying", "refute"): ("declined", "inspector", "not_reporter", "reason"),
    ("verifying", "urge"): ("verifying", "shift_leader", "", "reason"),
    # 已核实
    ("verified", "register"): ("registered", "intake_clerk shift_leader", "verified_if_public", ""),
    ("verified", "decline"): ("declined", "intake_clerk shift_leader", "", "reason"),
    ("verified", "void"): ("voided", "shift_leader", "", "reason"),
    ("verified", "merge"): ("merged", "intake_clerk shift_leader", "at_centre", "into"),
    ("verified", "urge"): ("verified", "shift_leader", "", "reason"),
    # 已立案: the command centre dispatches to a department or sends it down the tree
    ("registered", "dispatch"): ("dispatched", "dispatcher shift_leader", "at_centre", "department"),
    # levels: the level a registered case waits at (the district centre, or the level it was 上报上级'd to) 受理s it,
    # sends it down or one level up
    ("registered", "delegate"): ("dispatched", NODE_HOLDERS, "holds_level", "node"),
    ("registered", "receive"): ("accepted", NODE_HOLDERS, "is_assignee_node", ""),
    ("registered", "escalate"): ("registered", NODE_HOLDERS, "holds_level below_top", "reason"),
    ("registered", "void"): ("voided", "shift_leader", "", "reason"),
    ("registered", "merge"): ("merged", "intake_clerk shift_leader", "at_centre", "into"),
    ("registered", "urge"): ("registered", "shift_leader", "", "reason"),
    # 已派遣: the recipient accepts (签收) or returns it (wrong recipient); a level sends it back up
    ("dispatched", "accept"): ("accepted", HOLDERS, "is_assignee", ""),
    ("dispatched", "return"): ("registered", HOLDERS, "is_assignee", "reason"),
    ("dispatched", "escalate"): ("registered", NODE_HOLDERS, "is_assignee_node below_top", "reason"),
    ("dispatched", "urge"): ("dispatched", "shift_leader", "", "reason"),
    # 处置中: handled, or sent further down / back up; 延期 and 挂账 asked by the holder, decided by the shift leader
    ("accepted", "handle"): ("handled", HOLDERS, "is_assignee", "feedback"),
    ("accepted", "delegate"): ("dispatched", NODE_HOLDERS, "is_assignee_node", "node"),
    ("accepted", "escalate"): ("registered", NODE_HOLDERS, "is_assignee_node below_top", "reason"),
    ("accepted", "request_extension"): ("accepted", HOLDERS, "is_assignee no_pending_request", "reason amount"),
    ("accepted", "approve_extension"): ("accepted", "shift_leader", "pending_extension", ""),
    ("accepted", "refuse_extension"): ("accepted", "shift_leader", "pending_extension", "reason"),
    ("accepted", "request_suspension"): ("accepted", HOLDERS, "is_assignee no_pending_request", "reason"),
    ("accepted", "approve_suspension"): ("suspended", "shift_leader", "pending_suspension", ""),
    ("accepted", "refuse_suspension"): ("accepted", "shift_leader", "pending_suspension", "reason"),
    ("accepted", "urge"): ("accepted", "shift_leader", "", "reason"),
    # 挂账中: the clock stands until the holder or the shift leader resumes it
    ("suspended", "resume"): ("accepted", "shift_leader " + HOLDERS, "assignee_or_centre", ""),
    ("suspended", "urge"): ("suspended", "shift_leader", "", "reason"),
    # 已处置待核查: an independent inspector passes it or sends it back for rework (返工)
    ("handled", "inspect_pass"): ("inspected", "inspector", "independent", ""),
    ("handled", "inspect_fail"): ("accepted", "inspector", "independent", "reason"),
    ("handled", "urge"): ("handled", "shift_leader", "", "reason"),
    # 核查通过: the supervision centre closes it
    ("inspected", "close"): ("closed", "intake_clerk shift_leader", "", ""),
    ("inspected", "urge"): ("inspected", "shift_leader", "", "reason"),
    # 已结案: 回访 by the centre or by the resident who reported it; "not solved" reopens it; the shift leader archives
    ("closed", "follow_up"): ("closed", "intake_clerk shift_leader resident", "reporter_if_resident not_followed_up",
                              "satisfaction"),
    ("closed", "reopen"): ("registered", "intake_clerk shift_leader resident", "reporter_if_resident", "reason"),
    ("closed", "archive"): ("archived", "shift_leader", "", ""),
}

# every other pair is refused, whoever asks — written out state by state
REFUSED = {
    "reported": "confirm refute dispatch delegate escalate return accept request_extension approve_extension "
                "refuse_extension request_suspension approve_suspension refuse_suspension resume handle "
                "inspect_pass inspect_fail close follow_up reopen archive",
    "verifying": "assign_verify register decline void merge dispatch delegate escalate return accept "
                 "request_extension approve_extension refuse_extension request_suspension approve_suspension "
                 "refuse_suspension resume handle self_handle inspect_pass inspect_fail close follow_up reopen archive receive",
    "verified": "assign_verify confirm refute dispatch delegate escalate return accept request_extension "
                "approve_extension refuse_extension request_suspension approve_suspension refuse_suspension resume "
                "handle self_handle inspect_pass inspect_fail close follow_up reopen archive receive",
    "registered": "assign_verify confirm refute register decline return accept request_extension "
                  "approve_extension refuse_extension request_suspension approve_suspension refuse_suspension "
                  "resume handle self_handle inspect_pass inspect_fail close follow_up reopen archive",
    "declined": " ".join(ALL_ACTIONS),  # final
    "voided": " ".join(ALL_ACTIONS),  # final
    "merged": " ".join(ALL_ACTIONS),  # final
    "dispatched": "assign_verify confirm refute register decline void merge dispatch delegate request_extension "
                  "approve_extension refuse_extension request_suspension approve_suspension refuse_suspension "
                  "resume handle self_handle inspect_pass inspect_fail close follow_up reopen archive receive",
    "accepted": "assign_verify confirm refute register decline void merge dispatch return accept resume "
                "self_handle inspect_pass inspect_fail close follow_up reopen archive receive",
    "suspended": "assign_verify confirm refute register decline void merge dispatch delegate escalate return "
                 "accept request_extension approve_extension refuse_extension request_suspension "
                 "approve_suspension refuse_suspension handle self_handle inspect_pass inspect_fail close "
                 "follow_up reopen archive receive",
    "handled": "assign_verify confirm refute register decline void merge dispatch delegate escalate return "
               "accept request_extension approve_extension refuse_extension request_suspension "
               "approve_suspension refuse_suspension resume handle self_handle close follow_up reopen archive receive",
    "inspected": "assign_verify confirm refute register decline void merge dispatch delegate escalate return "
                 "accept request_extension approve_extension refuse_extension request_suspension "
                 "approve_suspension refuse_suspension resume handle self_handle inspect_pass inspect_fail "
                 "follow_up reopen archive receive",
    "closed": "assign_verify confirm refute register decline void merge dispatch delegate escalate return accept "
              "request_extension approve_extension refuse_extension request_suspension approve_suspension "
              "refuse_suspension resume handle self_handle inspect_pass inspect_fail close urge receive",
    "archived": " ".join(ALL_ACTIONS),  # final
}

# ---------------------------------------------------------------------------------------------- the city's block
# 市→区派件 and 责任争议裁定 (issue #10 items 3 and 4), written out by hand from the seeds: 001 第五篇 「市、区两级…
# 监督中心和指挥中心」 and 「市区权责清晰化」; 003 篇7 「市区两级平台派件」; 003 篇8 4.1 「城市管理问题处置责任争议裁定工作机制」
# and 5.4 「在24小时之内签收系统交办的任务」; 001 第三篇 「任务派遣准确率达到95%以上」.
# - the city centre (派遣员, 值班长 bound to a 市 node) sends a registered case to a district (at_city);
# - the district centre that signed it passes it on to one of its departments (派遣 from 处置中, is_assignee_node);
# - the department it was dispatched to contests the dispatch with a reason, before 签收 (is_assignee_department);
# - the centre (值班长, 派遣员) rules: upheld (re-dispatched to the department named, with a reason) or rejected
#   (with a reason: the department keeps it); 督办 reaches a contested case like any open one.
CITY_STATES = ["contested"]
CITY_ACTIONS = ["city_dispatch", "contest", "rule_uphold", "rule_reject"]
CITY_LEGAL = {
    ("registered", "city_dispatch"): ("dispatched", "dispatcher shift_leader", "at_city", "node"),
    ("accepted", "dispatch"): ("dispatched", "dispatcher shift_leader", "is_assignee_node", "department"),
    ("dispatched", "contest"): ("contested", "handler", "is_assignee_department", "reason"),
    ("contested", "rule_uphold"): ("dispatched", "dispatcher shift_leader", "", "department reason"),
    ("contested", "rule_reject"): ("dispatched", "dispatcher shift_leader", "", "reason"),
    ("contested", "urge"): ("contested", "shift_leader", "", "reason"),
}
CITY_REFUSED = {  # the city's actions refused in the other states (the pairs above aside)
    "reported": "city_dispatch contest rule_uphold rule_reject",
    "verifying": "city_dispatch contest rule_uphold rule_reject",
    "verified": "city_dispatch contest rule_uphold rule_reject",
    "registered": "contest rule_uphold rule_reject",
    "declined": "city_dispatch contest rule_uphold rule_reject",
    "voided": "city_dispatch contest rule_uphold rule_reject",
    "merged": "city_dispatch contest rule_uphold rule_reject",
    "dispatched": "city_dispatch rule_uphold rule_reject",
    "accepted": "city_dispatch contest rule_uphold rule_reject",
    "suspended": "city_dispatch contest rule_uphold rule_reject",
    "handled": "city_dispatch contest rule_uphold rule_reject",
    "inspected": "city_dispatch contest rule_uphold rule_reject",
    "closed": "city_dispatch contest rule_uphold rule_reject",
    "archived": "city_dispatch contest rule_uphold rule_reject",
}
ALL_STATES += CITY_STATES
ALL_ACTIONS += CITY_ACTIONS
LEGAL.update(CITY_LEGAL)
REFUSED = {state: " ".join(a for a in (REFUSED[state] + " " + CITY_REFUSED[state]).split()
                           if (state, a) not in CITY_LEGAL) for state in REFUSED}
# 责任争议待裁定: only the ruling (either way) and 督办
REFUSED["contested"] = ("assign_verify confirm refute register decline void merge dispatch delegate escalate return "
                        "accept request_extension approve_extension refuse_extension request_suspension "
                        "approve_suspension refuse_suspension resume handle self_handle inspect_pass inspect_fail "
                        "close follow_up reopen archive city_dispatch contest receive")
# ---------------------------------------------------------------------------------------------- (end of the city's block)

ALL_PAIRS = [(s, a) for s in ALL_STATES for a in ALL_ACTIONS]


def spec_of(table) -> dict[tuple[str, str], tuple[str, frozenset[str], frozenset[str], frozenset[str]]]:
    """A production-shaped table ``{(State, Action): Rule}`` as plain values, comparable with LEGAL."""
    return {(str(s), str(a)): (str(r.to), frozenset(map(str, r.roles)), frozenset(r.guards), frozenset(r.needs))
            for (s, a), r in table.items()}


def expected() -> dict[tuple[str, str], tuple[str, frozenset[str], frozenset[str], frozenset[str]]]:
    return {pair: (to, frozenset(posts.split()), frozenset(guards.split()), frozenset(needs.split()))
            for pair, (to, posts, guards, needs) in LEGAL.items()}


def table_differences(table) -> list[str]:
    """Every way ``table`` differs from the specification, one line each (empty: they agree)."""
    want, have = expected(), spec_of(table)
    out = []
    for pair in ALL_PAIRS:
        w, h = want.get(pair), have.get(pair)
        if w is None and h is not None:
            out.append(f"{pair}: allowed ({h[0]} for {sorted(h[1])}) but the spec refuses it")
        elif w is not None and h is None:
            out.append(f"{pair}: missing (the spec allows it: → {w[0]} for {sorted(w[1])})")
        elif w is not None:
            if h[0] != w[0]:
                out.append(f"{pair}: goes to {h[0]}, the spec says {w[0]}")
            if h[1] - w[1]:
                out.append(f"{pair}: extra posts {sorted(h[1] - w[1])}")
            if w[1] - h[1]:
                out.append(f"{pair}: missing posts {sorted(w[1] - h[1])}")
            if h[2] != w[2]:
                out.append(f"{pair}: relation {sorted(h[2])}, the spec says {sorted(w[2])}")
            if h[3] != w[3]:
                out.append(f"{pair}: needs {sorted(h[3])}, the spec says {sorted(w[3])}")
    out += [f"{pair}: a pair outside the states × actions of the spec" for pair in set(have) - set(ALL_PAIRS)]
    return out


# ---------------------------------------------------------------------------------------------- the spec is whole


def test_the_spec_names_every_state_action_and_post_of_the_code():
    assert sorted(ALL_STATES) == sorted(map(str, State))
    assert sorted(ALL_ACTIONS) == sorted(map(str, Action))
    assert sorted(ALL_POSTS) == sorted(map(str, Role))


@pytest.mark.parametrize("state", ALL_STATES)
def test_the_spec_says_every_pair_once(state):
    legal = [a for (s, a) in LEGAL if s == state]
    refused = REFUSED[state].split()
    assert len(refused) == len(set(refused)), "an action refused twice"
    assert not set(legal) & set(refused), "an action both allowed and refused"
    assert sorted(legal + refused) == sorted(ALL_ACTIONS), "an action neither allowed nor refused"


def test_the_spec_counts():
    # 15 states × 33 actions: the closed loop with the levels (47 legal, 359 refused) + the city's block (6 legal, and
    # 83 refused: its 4 actions in the 14 other states, less its 5 legal pairs there, and the contested state's 29)
    assert len(LEGAL) == 47 + 6 and len(ALL_PAIRS) - len(LEGAL) == 359 + 83
    # final states have no way out; every other state has one that leaves it
    assert {s for s in ALL_STATES if REFUSED[s] == " ".join(ALL_ACTIONS)} == {"declined", "voided", "merged",
                                                                                  "archived"}
    for state in set(ALL_STATES) - {"declined", "voided", "merged", "archived"}:
        assert any(to != state for (s, _), (to, *_) in LEGAL.items() if s == state), state


# ---------------------------------------------------------------------------------------------- the code agrees


def test_the_table_is_the_spec():
    assert table_differences(TABLE) == []


REPORTER, HANDLER, OTHER = 1, 3, 2
DEPT, NODE = 10, "110101001001W001"
CITY = "1101"  # 北京市 (the city's block)
DATA = {"reason": "原因", "into": "110101-20261123-0001", "department": "110101-HW", "node": NODE, "amount": 2,
        "feedback": "已清理", "satisfaction": 5}


def legal_setting(state: str, post: str, guards: set[str]) -> tuple[Facts, Actor]:
    """A case in ``state`` and an actor of ``post`` who stands in every relation ``guards`` asks for."""
    node_case = bool(guards & {"is_assignee_node", "holds_level"}) or (
        post != "handler" and bool(guards & {"is_assignee", "assignee_or_centre"}))
    centre = "at_centre" in guards  # levels: held by the district centre — no level node, no department
    pending = "extension" if "pending_extension" in guards else "suspension" if "pending_suspension" in guards else ""
    facts = Facts(state=State(state), source="grid_worker", verified=True, reporter_id=REPORTER,
                  handler_ids=frozenset({HANDLER}), pending=pending,
                  assignee_department_id=None if node_case or centre else DEPT, assignee_node="" if centre else NODE)
    ident = REPORTER if guards & {"is_reporter", "reporter_if_resident"} and post in ("grid_worker", "grid_leader", "resident") \
        else OTHER
    node = CITY if "at_city" in guards else NODE  # the city's block: a 市 node's account
    return facts, Actor(ident, Role(post), department_id=DEPT if post == "handler" else None, node=node)


@pytest.mark.parametrize("state,action", ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_check_obeys_the_spec_for_every_post(state, action):
    if (state, action) not in LEGAL:
        for post in ALL_POSTS:
            facts, actor = legal_setting(state, post, set())
            with pytest.raises(Refusal) as e:
                check(facts, action, actor, DATA)
            assert e.value.code == "illegal_transition", post
            assert action not in allowed_actions(facts, actor)
        return
    to, posts, guards, needs = LEGAL[(state, action)]
    for post in ALL_POSTS:
        facts, actor = legal_setting(state, post, set(guards.split()))
        if post in posts.split():
            assert check(facts, action, actor, DATA).to == State(to), post
            assert action in allowed_actions(facts, actor), post
            if needs:
                with pytest.raises(Refusal) as e:
                    check(facts, action, actor, {})
                assert e.value.code == "missing_data" and e.value.details["missing"] == needs.split(), post
        else:
            with pytest.raises(Refusal) as e:
                check(facts, action, actor, DATA)
            assert e.value.code == "role_not_allowed", post
            assert action not in allowed_actions(facts, actor), post


# ---------------------------------------------------------------------------------------------- relations refuse


BREAKS = {  # for each relation: a case and an actor of an allowed post that lack it, and the pair it guards
    "not_reporter": (("verifying", "confirm"), lambda f, a: (f, dataclasses.replace(a, id=REPORTER))),
    "verified_if_public": (("reported", "register"),
                           lambda f, a: (dataclasses.replace(f, verified=False, source="resident"), a)),
    "is_assignee": (("dispatched", "accept"), lambda f, a: (f, dataclasses.replace(a, department_id=99))),
    "is_assignee_node": (("accepted", "delegate"), lambda f, a: (f, dataclasses.replace(a, node="110101001002W001"))),
    "assignee_or_centre": (("suspended", "resume"), lambda f, a: (f, dataclasses.replace(a, department_id=99))),
    "no_pending_request": (("accepted", "request_extension"),
                           lambda f, a: (dataclasses.replace(f, pending="suspension"), a)),
    "pending_extension": (("accepted", "approve_extension"),
                          lambda f, a: (dataclasses.replace(f, pending="suspension"), a)),
    "pending_suspension": (("accepted", "approve_suspension"),
                           lambda f, a: (dataclasses.replace(f, pending="extension"), a)),
    "is_reporter": (("reported", "self_handle"), lambda f, a: (f, dataclasses.replace(a, id=OTHER))),
    "independent": (("handled", "inspect_pass"), lambda f, a: (f, dataclasses.replace(a, id=HANDLER))),
    "reporter_if_resident": (("closed", "reopen"), lambda f, a: (f, dataclasses.replace(a, id=OTHER))),
    "not_followed_up": (("closed", "follow_up"), lambda f, a: (dataclasses.replace(f, followed_up=True), a)),
    # the city's block: a district's dispatcher is no city centre; another department may not contest
    "at_city": (("registered", "city_dispatch"), lambda f, a: (f, dataclasses.replace(a, node="110101"))),
    "is_assignee_department": (("dispatched", "contest"), lambda f, a: (f, dataclasses.replace(a, department_id=99))),
    # levels: a case held at a grid is not the centre's; a level not held by the actor; the city is the top
    "at_centre": (("reported", "register"), lambda f, a: (dataclasses.replace(f, assignee_node=NODE), a)),
    "holds_level": (("registered", "delegate"), lambda f, a: (f, dataclasses.replace(a, node="110101001002W001"))),
    "below_top": (("registered", "escalate"),
                  lambda f, a: (dataclasses.replace(f, assignee_node="1101"), dataclasses.replace(a, node="1101"))),
}


@pytest.mark.parametrize("relation", sorted(BREAKS))
def test_every_relation_refuses_when_it_does_not_hold(relation):
    (state, action), bad = BREAKS[relation]
    _, posts, guards, _ = LEGAL[(state, action)]
    assert relation in guards.split()
    post = {"is_assignee": "handler", "assignee_or_centre": "handler", "is_reporter": "grid_worker",
            "reporter_if_resident": "resident"}.get(relation, posts.split()[0])
    facts, actor = legal_setting(state, post, set(guards.split()))
    assert check(facts, action, actor, DATA)  # the setting is legal…
    facts, actor = bad(facts, actor)
    with pytest.raises(Refusal) as e:  # …and without the relation it is refused, naming it
        check(facts, action, actor, DATA)
    assert e.value.code == "guard_failed" and e.value.details["guard"] == relation


def test_public_reports_need_verification_unless_urgent():
    actor = Actor(OTHER, Role.INTAKE_CLERK)
    for source in ("resident", "hotline", "media"):
        with pytest.raises(Refusal):
            check(Facts(State.REPORTED, source=source), Action.REGISTER, actor)
        assert check(Facts(State.REPORTED, source=source, urgency="urgent"), Action.REGISTER, actor)
    assert check(Facts(State.REPORTED, source="inspector"), Action.REGISTER, actor)
    assert check(Facts(State.VERIFIED, source="hotline", verified=True), Action.REGISTER, actor)


def test_inspector_cannot_inspect_own_or_reported_work():
    f = Facts(State.HANDLED, reporter_id=7, handler_ids=frozenset({8}))
    for ident in (7, 8):
        with pytest.raises(Refusal):
            check(f, Action.INSPECT_PASS, Actor(ident, Role.INSPECTOR))
        with pytest.raises(Refusal):
            check(f, Action.INSPECT_FAIL, Actor(ident, Role.INSPECTOR), {"reason": "未清理干净"})
    assert check(f, Action.INSPECT_PASS, Actor(9, Role.INSPECTOR)).to == State.INSPECTED


def test_unknown_action():
    with pytest.raises(Refusal) as e:
        check(Facts(State.REPORTED), "fly", Actor(1, Role.ADMIN))
    assert e.value.code == "unknown_action"


# ---------------------------------------------------------------------------------------------- wrong tables fail


def _mutated(change):
    table = copy.copy(TABLE)
    change(table)
    return table


MUTATIONS = {
    "a wrong target state": (
        lambda t: t.__setitem__((State.HANDLED, Action.INSPECT_FAIL),
                                dataclasses.replace(t[(State.HANDLED, Action.INSPECT_FAIL)], to=State.REGISTERED)),
        "('handled', 'inspect_fail'): goes to registered, the spec says accepted"),
    "a missing post": (
        lambda t: t.__setitem__((State.DISPATCHED, Action.ACCEPT), dataclasses.replace(
            t[(State.DISPATCHED, Action.ACCEPT)], roles=t[(State.DISPATCHED, Action.ACCEPT)].roles - {Role.HANDLER})),
        "('dispatched', 'accept'): missing posts ['handler']"),
    "an extra post": (
        lambda t: t.__setitem__((State.HANDLED, Action.INSPECT_PASS), dataclasses.replace(
            t[(State.HANDLED, Action.INSPECT_PASS)], roles=frozenset({Role.INSPECTOR, Role.HANDLER}))),
        "('handled', 'inspect_pass'): extra posts ['handler']"),
    "a missing action": (
        lambda t: t.pop((State.CLOSED, Action.ARCHIVE)),
        "('closed', 'archive'): missing (the spec allows it: → archived for ['shift_leader'])"),
    "an extra allowed pair": (
        lambda t: t.__setitem__((State.HANDLED, Action.CLOSE), t[(State.INSPECTED, Action.CLOSE)]),
        "('handled', 'close'): allowed (closed for ['intake_clerk', 'shift_leader']) but the spec refuses it"),
    "a relation dropped": (
        lambda t: t.__setitem__((State.HANDLED, Action.INSPECT_PASS), dataclasses.replace(
            t[(State.HANDLED, Action.INSPECT_PASS)], guards=())),
        "('handled', 'inspect_pass'): relation [], the spec says ['independent']"),
    "a required field dropped": (
        lambda t: t.__setitem__((State.REPORTED, Action.DECLINE), dataclasses.replace(
            t[(State.REPORTED, Action.DECLINE)], needs=())),
        "('reported', 'decline'): needs [], the spec says ['reason']"),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_the_comparison_catches_wrong_tables(mutation):
    change, report = MUTATIONS[mutation]
    assert table_differences(_mutated(change)) == [report]
    assert table_differences(TABLE) == [], "the production table itself is left alone"
