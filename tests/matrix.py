"""The permission matrix every scoped endpoint obeys: anonymous 401, no right 403, out of scope 404, in scope 200.

Which post holds which right is written out here by hand, from what the README and the seeds say each post
does — it is NOT read from ``gridgov.accounts.roles.RIGHTS`` (an oracle computed from the code under test cannot
catch a wrong right). ``tests/integration/test_permissions.py::test_rights_are_the_spec`` compares the two.
The per-endpoint answers of every post are in ``tests/integration/test_api_matrix.py``.
"""

import json

from gridgov.accounts.scope import scope_prefix

STAFF = ("admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader grid_worker "
         "handler clerk")  # levels: 信息员 (clerk), the desk post of seed 001 篇5
GRID_PEOPLE = "admin grid_leader grid_worker"  # who collects the basic data of a grid and visits its households
POSTS_WITH = {
    # the territory: every staff post reads it within its scope; residents only locate the point they report
    "geo.view": STAFF,
    "geo.locate": STAFF + " resident",
    # grid master data: the community's grid leader, the street's 督导员 (seeds 000, 002 「街道级负责网格划分」: the street
    # divides and adjusts the grids of its street) and the administrator; imports and accounts: the administrator
    "geo.edit": "admin grid_leader grid_supervisor",
    "geo.import": "admin",
    "accounts.manage": "admin",
    # cases: reported by grid staff, inspectors, the supervision centre and residents — not by the command centre's
    # dispatcher, a department or a leader; read by every staff post; configured by the administrator
    "cases.report": "admin intake_clerk shift_leader grid_supervisor inspector grid_leader grid_worker resident clerk",
    "cases.view": STAFF,
    "cases.configure": "admin",
    # basic data: read by the grid's people, the street's supervisor and the (read-only) leader
    "basedata.view": GRID_PEOPLE + " grid_supervisor leader",
    "basedata.stats": GRID_PEOPLE + " grid_supervisor leader",
    "basedata.edit": GRID_PEOPLE,
    "basedata.visit": GRID_PEOPLE,
    "basedata.import": "admin grid_leader",
    "basedata.export": "admin grid_leader",
    "basedata.unmask": "admin grid_leader",
    "basedata.audit": "admin",
    "basedata.configure": "admin",
    # a person's requests under 个人信息保护法 (查询、复制、删除) and the retention periods: the administrator
    "privacy.request": "admin",
    "privacy.configure": "admin",
    # duty (值班与应急): the centre's posts and the leader read the roster, 预案 activations, 值班日报 and 日产日清;
    # the centre's posts tick 预案 steps and write the 交班记录; the 值班长 keeps the roster; plans: the administrator
    "duty.view": "admin leader intake_clerk shift_leader dispatcher clerk",  # clerk: the 信息员 is a centre desk post
    "duty.act": "admin intake_clerk shift_leader dispatcher clerk",
    "duty.roster": "admin shift_leader",
    "duty.configure": "admin",
    # 督办通知书 (the city's block): issued by the centre's shift leader; answered (整改) by the unit addressed — a
    # district's centre (值班长, 派遣员), a street's 网格督导员, a department's handler
    "oversight.issue": "shift_leader",
    "oversight.reply": "shift_leader dispatcher grid_supervisor handler",
    # --- tasks (专项行动、专项工作、演练、例会): read by every staff post; issued by the district (administrator,
    # 值班长) and the street (网格督导员); answered by the units (street, community, grid, department); drills and
    # meetings organised by the district, the street and the community
    "tasks.view": STAFF,
    "tasks.issue": "admin shift_leader grid_supervisor",
    "tasks.report": "admin grid_supervisor grid_leader grid_worker handler",
    "tasks.organise": "admin shift_leader grid_supervisor grid_leader",
    # --- end tasks
    # inspections (检查): results, plans and 履约率 are read by the field posts, the street's supervisor, the centre
    # and the leader (not by a department or a resident); inspected on site by the field posts (网格员, 网格长,
    # 网格督导员, 监督员); plans, targets and 门前三包 agreements made by the supervisor and the grid leader;
    # checklist templates configured by the administrator
    "inspection.view": "admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader "
                       "grid_worker clerk",
    "inspection.inspect": "admin grid_supervisor inspector grid_leader grid_worker",
    "inspection.plan": "admin grid_supervisor grid_leader",
    "inspection.configure": "admin",
    # matters: 信访 and 治安/维稳 cases are read by the centre, the street and community who settle them, departments
    # (what was sent to them), the leader and the administrator — not by the 网格员 or 监督员 who report them
    "cases.restricted": "admin leader intake_clerk shift_leader dispatcher grid_supervisor grid_leader handler clerk",
    # the 调解台账 and 信访登记簿: read by the community, street, shift leader and leader; recorded by grid staff
    "governance.view": "admin leader shift_leader grid_supervisor grid_leader grid_worker",
    "governance.record": "admin grid_supervisor grid_leader grid_worker",
    # patrol: the grid worker goes on duty with a track; positions are seen by the supervisor chain only (the worker
    # their own, the grid leader, the street's supervisor, the administrator) — not the leader or the centre; the
    # attendance table (no positions) also by the leader
    "patrol.duty": "grid_worker",
    "patrol.view": "admin grid_supervisor grid_leader grid_worker",
    "patrol.manage": "admin grid_supervisor grid_leader",
    "patrol.attendance": "admin leader grid_supervisor grid_leader",
    # assessment (考评): results read by the assessed units (a street's supervisor, a department's handler: their own
    # until published), the centre's shift leader, the leader and the administrator; reviewed by the shift leader and
    # the administrator; schemes and publishing by the administrator; evidence, appeals and 双向 ratings by the units
    "assess.view": "admin leader shift_leader grid_supervisor handler",
    "assess.review": "admin shift_leader",
    "assess.manage": "admin",
    "assess.submit": "grid_supervisor handler",
    "assess.rate": "grid_supervisor handler",
    # --- open311
    # Open311 api keys are issued by the administrator (issue #12); the 12345 outbox is watched by the centre's 值班长
    # and the administrator, the receivers (URL, shared secret) configured by the administrator only
    "open311.manage": "admin",
    "hotline.view": "admin shift_leader",
    "hotline.manage": "admin",
    # --- exports: the case export (masked) for those who read the KPIs; in full (names, phones) for the 值班长 and
    # the administrator; the big screen 大屏 for the centre's posts and the leader
    "exports.cases": "admin leader shift_leader intake_clerk dispatcher clerk grid_supervisor handler",
    "exports.unmask": "admin shift_leader",
    "exports.screen": "admin leader shift_leader intake_clerk dispatcher clerk",
    # --- briefs: read and subscribe (leaders, the centre, the streets and departments addressed); draft (the
    # centre's 值班长 and 信息员, a street's 督导员); issue (值班长, 督导员, admin); mining results
    "briefs.view": "admin leader shift_leader clerk grid_supervisor handler",
    "briefs.draft": "admin shift_leader clerk grid_supervisor",
    "briefs.issue": "admin shift_leader grid_supervisor",
    "mining.view": "admin leader shift_leader clerk grid_supervisor",
    # --- party: party membership is restricted — read by the community's 网格长, the street's 督导员, the leader and
    # the administrator; recorded (organisations, members, 报到 confirmed, 承诺, 入户, 帮扶对子) by the 网格长, the 督导员
    # and the administrator; not the 网格员 nor any other post
    "party.view": "admin leader grid_supervisor grid_leader",
    "party.manage": "admin grid_supervisor grid_leader",
    # --- training: every staff post learns and takes exams; the centre's 值班长, a street's 督导员 and the
    # administrator keep courses, banks, exams and sessions and read the results
    "training.view": "admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader "
                     "grid_worker handler clerk",
    "training.manage": "admin shift_leader grid_supervisor",
    # --- community: the 公示牌 and the directory are read by every staff post of the territory (not a department,
    # not a resident); the 服务热线 and 监督电话 are set by the 网格长, the street's 督导员 and the administrator
    "community.view": "admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader "
                      "grid_worker clerk",
    "community.manage": "admin grid_supervisor grid_leader",
    # --- notices: every staff post reads notices (and its receipts); the 网格长, the 督导员, the centre's 值班长 and
    # 信息员 and the administrator publish; residents subscribe to their community
    "notices.view": "admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader "
                    "grid_worker handler clerk",
    "notices.publish": "admin shift_leader clerk grid_supervisor grid_leader",
    "notices.subscribe": "resident",
    # --- services: teams, volunteers, stations and pledges read by the territory's staff, kept by the grids' people
    # and the 督导员; elderly service requests made by residents and by the posts that take them for a resident
    "services.view": "admin leader intake_clerk shift_leader dispatcher grid_supervisor grid_leader grid_worker clerk",
    "services.manage": "admin grid_supervisor grid_leader grid_worker",
    "services.request": "admin intake_clerk shift_leader grid_leader grid_worker resident clerk",
    # --- groups: grids of people — kept by the grid's people and the 督导员, read by the leader too
    "groups.view": "admin leader grid_supervisor grid_leader grid_worker",
    "groups.manage": "admin grid_supervisor grid_leader grid_worker",
    # --- ops: the site's running state (/ops/: health, queues, outbox, periodic runs, workers) — the administrator
    "ops.view": "admin",
}


def holds(role: str, right: str) -> bool:
    return role in POSTS_WITH[right].split()


def expected(user, right: str, key: str) -> int:
    """The status ``user`` must get for an object whose scope key is ``key`` on an endpoint needing ``right``."""
    if user is None:
        return 401
    if not holds(user.role, right):
        return 403
    prefix = scope_prefix(user)
    if prefix is None or not key.startswith(prefix):
        return 404
    return 200


def call(client, method: str, path: str, body=None):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")
