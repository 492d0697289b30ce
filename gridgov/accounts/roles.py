"""Posts (岗位) and their rights — pure data, no Django import.

Each staff account holds one post and is bound to one node of the jurisdiction tree (or to a department);
the post says WHAT the person may do, the node says WHERE (see ``gridgov.accounts.scope``).
"""

from enum import StrEnum


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    GRID_LEADER = "grid_leader"
    GRID_SUPERVISOR = "grid_supervisor"
    INSPECTOR = "inspector"
    INTAKE_CLERK = "intake_clerk"
    SHIFT_LEADER = "shift_leader"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    LEADER = "leader"
    RESIDENT = "resident"
    ADMIN = "admin"
    # levels: 信息员 (desk, 预立案 at the centre) is a post of its own beside 监督员 (field) — seed 001 篇5
    CLERK = "clerk"


ROLE_LABELS: dict[Role, str] = {
    Role.GRID_WORKER: "网格员",
    Role.GRID_LEADER: "网格长",
    Role.GRID_SUPERVISOR: "网格督导员",
    Role.INSPECTOR: "监督员",
    Role.INTAKE_CLERK: "受理员",
    Role.SHIFT_LEADER: "值班长",
    Role.DISPATCHER: "派遣员",
    Role.HANDLER: "专业部门处置人员",
    Role.LEADER: "领导",
    Role.RESIDENT: "居民",
    Role.ADMIN: "系统管理员",
    Role.CLERK: "信息员",
}

# Rights are "<area>.<action>". Reads of the territory are open to every staff post within its scope;
# writes to master data are for grid leaders (their own community's grids and 五定) and administrators.
VIEW, LOCATE, EDIT, IMPORT, MANAGE_USERS = "geo.view", "geo.locate", "geo.edit", "geo.import", "accounts.manage"
# Cases: who may report, who may read the case lists of their scope, who configures routing and deadlines.
# What each post may DO to a case is said by the transition table (gridgov/cases/logic/lifecycle.py).
CASE_REPORT, CASE_VIEW, CASE_CONFIGURE = "cases.report", "cases.view", "cases.configure"

# Basic data (人、地、物、事、组织): personal registers are for the grid's own people and the administrators.
BD_VIEW, BD_EDIT, BD_VISIT, BD_STATS = "basedata.view", "basedata.edit", "basedata.visit", "basedata.stats"
BD_IMPORT, BD_EXPORT, BD_UNMASK = "basedata.import", "basedata.export", "basedata.unmask"
BD_AUDIT, BD_CONFIGURE = "basedata.audit", "basedata.configure"
_COLLECT = frozenset({BD_VIEW, BD_EDIT, BD_VISIT, BD_STATS})
# Personal information (个人信息保护法): answer a person's request to see and copy their data (查询、复制) across
# every register, and set how long each kind of personal data is kept.
PRIVACY_REQUEST, PRIVACY_CONFIGURE = "privacy.request", "privacy.configure"
# patrol (巡查与考勤): on duty with a track (the grid worker); positions and tracks are seen only by the supervisor
# chain (the worker, the grid leader, the street's supervisor, administrators); plans, duty windows and leave are
# set by that chain; the attendance table (no positions) is read by the chain and the leader.
PATROL_DUTY, PATROL_VIEW = "patrol.duty", "patrol.view"
PATROL_MANAGE, PATROL_ATTENDANCE = "patrol.manage", "patrol.attendance"
_PATROL_CHAIN = frozenset({PATROL_VIEW, PATROL_MANAGE, PATROL_ATTENDANCE})

# 督办通知书 (the city helper's block): issued by the centre's shift leader (市 or 区), answered with a 整改 report
# by the unit it is addressed to — a district's centre, a street's 网格督导员, a department's handler.
OVERSIGHT_ISSUE, OVERSIGHT_REPLY = "oversight.issue", "oversight.reply"
# -- inspection (检查: 监督检查计划、回头看、门前三包) ------------------------------------------------------------
# read plans, results and 履约率 (field posts, the supervisor, the centre, the leader); inspect on site (field posts);
# plan (plans, targets, 门前三包 agreements: the street's supervisor, the community's grid leader); templates (admin)
INSPECTION_VIEW, INSPECTION_INSPECT = "inspection.view", "inspection.inspect"
INSPECTION_PLAN, INSPECTION_CONFIGURE = "inspection.plan", "inspection.configure"
_INSPECT_READ = frozenset({INSPECTION_VIEW})
_INSPECT_FIELD = frozenset({INSPECTION_VIEW, INSPECTION_INSPECT})
# -- end inspection

_STAFF_READ = frozenset({VIEW, LOCATE, CASE_VIEW})
_REPORTER = _STAFF_READ | {CASE_REPORT}
RIGHTS: dict[Role, frozenset[str]] = {
    Role.GRID_WORKER: _REPORTER | _COLLECT | _INSPECT_FIELD | {PATROL_DUTY, PATROL_VIEW},
    Role.GRID_LEADER: _REPORTER | {EDIT} | _COLLECT | {BD_IMPORT, BD_EXPORT, BD_UNMASK} | _INSPECT_FIELD
    | {INSPECTION_PLAN} | _PATROL_CHAIN,
    # levels: the street's 督导员 divides and adjusts the grids of its street (seeds 000, 002 「街道级负责网格划分」)
    Role.GRID_SUPERVISOR: _REPORTER | {EDIT} | {BD_VIEW, BD_STATS} | _INSPECT_FIELD | {INSPECTION_PLAN} | _PATROL_CHAIN,
    Role.INSPECTOR: _REPORTER | _INSPECT_FIELD,
    Role.INTAKE_CLERK: _REPORTER | _INSPECT_READ,
    Role.SHIFT_LEADER: _REPORTER | _INSPECT_READ,
    Role.DISPATCHER: _STAFF_READ | _INSPECT_READ,
    Role.HANDLER: _STAFF_READ,
    # 领导: read-only (personal data masked; the attendance table, no positions)
    Role.LEADER: _STAFF_READ | {BD_VIEW, BD_STATS, PATROL_ATTENDANCE} | _INSPECT_READ,
    Role.RESIDENT: frozenset({LOCATE, CASE_REPORT}),
    Role.ADMIN: _REPORTER | {EDIT, IMPORT, MANAGE_USERS, CASE_CONFIGURE} | _COLLECT
    | {BD_IMPORT, BD_EXPORT, BD_UNMASK, BD_AUDIT, BD_CONFIGURE, PRIVACY_REQUEST, PRIVACY_CONFIGURE}
    | _INSPECT_FIELD | {INSPECTION_PLAN, INSPECTION_CONFIGURE} | _PATROL_CHAIN,
    # levels: 信息员 records what comes in (预立案) and sends it to be verified; a centre desk post, it reads what the
    # 受理员 reads (inspections, the duty desk, tasks — see the blocks below)
    Role.CLERK: _REPORTER | _INSPECT_READ,
}
# the city helper's block: 督办通知书
RIGHTS[Role.SHIFT_LEADER] |= {OVERSIGHT_ISSUE, OVERSIGHT_REPLY}
RIGHTS[Role.DISPATCHER] |= {OVERSIGHT_REPLY}
RIGHTS[Role.GRID_SUPERVISOR] |= {OVERSIGHT_REPLY}
RIGHTS[Role.HANDLER] |= {OVERSIGHT_REPLY}

# --- duty (值班与应急; the duty helper's block): the centre's posts and the leader read the roster, the 预案
# activations, the 值班日报 and 日产日清; the centre's posts tick 预案 steps and write the 交班记录; the 值班长 keeps
# the roster; the administrator configures the plans.
DUTY_VIEW, DUTY_ACT, DUTY_ROSTER, DUTY_CONFIGURE = "duty.view", "duty.act", "duty.roster", "duty.configure"
_DUTY: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({DUTY_VIEW, DUTY_ACT, DUTY_ROSTER, DUTY_CONFIGURE}),
    Role.LEADER: frozenset({DUTY_VIEW}),
    Role.INTAKE_CLERK: frozenset({DUTY_VIEW, DUTY_ACT}),
    Role.CLERK: frozenset({DUTY_VIEW, DUTY_ACT}),
    Role.SHIFT_LEADER: frozenset({DUTY_VIEW, DUTY_ACT, DUTY_ROSTER}),
    Role.DISPATCHER: frozenset({DUTY_VIEW, DUTY_ACT}),
}
RIGHTS = {role: rights | _DUTY.get(role, frozenset()) for role, rights in RIGHTS.items()}
# --- end of the duty block

# --- tasks (专项行动、专项工作、演练、例会) — area: tasks ---------------------------------------------------------
# Read by every staff post within its scope; campaigns and tasks are issued (and feedback accepted or returned) by
# the district's administrator and command centre's 值班长 and by the street's 网格督导员; the units answer them (a
# street's supervisor, a community's grid leader, a grid's worker, a department's handler); drills and meetings are
# organised by the district, the street and the community.
TASKS_VIEW, TASKS_ISSUE = "tasks.view", "tasks.issue"
TASKS_REPORT, TASKS_ORGANISE = "tasks.report", "tasks.organise"
_TASKS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({TASKS_VIEW, TASKS_ISSUE, TASKS_REPORT, TASKS_ORGANISE}),
    Role.LEADER: frozenset({TASKS_VIEW}),
    Role.INTAKE_CLERK: frozenset({TASKS_VIEW}),
    Role.CLERK: frozenset({TASKS_VIEW}),
    Role.SHIFT_LEADER: frozenset({TASKS_VIEW, TASKS_ISSUE, TASKS_ORGANISE}),
    Role.DISPATCHER: frozenset({TASKS_VIEW}),
    Role.GRID_SUPERVISOR: frozenset({TASKS_VIEW, TASKS_ISSUE, TASKS_REPORT, TASKS_ORGANISE}),
    Role.INSPECTOR: frozenset({TASKS_VIEW}),
    Role.GRID_LEADER: frozenset({TASKS_VIEW, TASKS_REPORT, TASKS_ORGANISE}),
    Role.GRID_WORKER: frozenset({TASKS_VIEW, TASKS_REPORT}),
    Role.HANDLER: frozenset({TASKS_VIEW, TASKS_REPORT}),
}
for _role, _rights in _TASKS_RIGHTS.items():
    RIGHTS[_role] = RIGHTS[_role] | _rights
# --- end tasks ---------------------------------------------------------------------------------------------------

# ---- matters (open catalog, restricted classes, governance records) ----
# 信访 (major 51) and 治安/维稳 (55) cases are read only by posts with CASE_RESTRICTED (and by their reporter); the
# centre (to register and dispatch them), the street and community who settle them, departments (only what was
# sent to them), the leader and the administrator. Not the 网格员 or the 监督员, who report such matters.
CASE_RESTRICTED = "cases.restricted"
# 矛盾纠纷调解 and 信访 records beside a case (app governance): the 调解台账 / 信访登记簿 are read by the community and
# street, the centre's shift leader and the leader; recorded by the community, street and the grid worker.
GOV_VIEW, GOV_RECORD = "governance.view", "governance.record"
_MATTERS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({CASE_RESTRICTED, GOV_VIEW, GOV_RECORD}),
    Role.LEADER: frozenset({CASE_RESTRICTED, GOV_VIEW}),
    Role.INTAKE_CLERK: frozenset({CASE_RESTRICTED}),
    Role.CLERK: frozenset({CASE_RESTRICTED}),  # the 信息员 records what comes in, 信访 too
    Role.SHIFT_LEADER: frozenset({CASE_RESTRICTED, GOV_VIEW}),
    Role.DISPATCHER: frozenset({CASE_RESTRICTED}),
    Role.HANDLER: frozenset({CASE_RESTRICTED}),
    Role.GRID_SUPERVISOR: frozenset({CASE_RESTRICTED, GOV_VIEW, GOV_RECORD}),
    Role.GRID_LEADER: frozenset({CASE_RESTRICTED, GOV_VIEW, GOV_RECORD}),
    Role.GRID_WORKER: frozenset({GOV_VIEW, GOV_RECORD}),
}
RIGHTS = {role: rights | _MATTERS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end matters ----

# The level of tree node each post is normally bound to (used to validate accounts and by the demo).
BOUND_LEVEL: dict[Role, str] = {
    Role.GRID_WORKER: "grid",
    Role.GRID_LEADER: "community",
    Role.GRID_SUPERVISOR: "street",
    Role.INSPECTOR: "street",
    Role.INTAKE_CLERK: "district",
    Role.SHIFT_LEADER: "district",
    Role.DISPATCHER: "district",
    Role.HANDLER: "department",
    Role.LEADER: "district",
    Role.RESIDENT: "none",
    Role.ADMIN: "district",
    Role.CLERK: "district",
}


# ---- assessment (考评; seeds 003 篇7 专项考评实施细则, 003 篇8 条块双向考核, 002 多维度评价) ----
# read results and ledgers (a unit — a street's 督导员, a department's handler — sees its own until published; the
# centre, the leader and the administrator see all); review (score submitted material and judgement items, mark
# 抽查 samples, keep the 倒查 register, rule on appeals, confirm or clear falsification flags: the centre's 值班长 and
# the administrator); manage (schemes, quotas, runs, publishing: the administrator); submit (a unit uploads
# evidence, records its trainings, appeals a score); rate (条块双向: a street rates departments, a department rates
# the centre's dispatch)
ASSESS_VIEW, ASSESS_REVIEW, ASSESS_MANAGE = "assess.view", "assess.review", "assess.manage"
ASSESS_SUBMIT, ASSESS_RATE = "assess.submit", "assess.rate"
_ASSESS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({ASSESS_VIEW, ASSESS_REVIEW, ASSESS_MANAGE}),
    Role.LEADER: frozenset({ASSESS_VIEW}),
    Role.SHIFT_LEADER: frozenset({ASSESS_VIEW, ASSESS_REVIEW}),
    Role.GRID_SUPERVISOR: frozenset({ASSESS_VIEW, ASSESS_SUBMIT, ASSESS_RATE}),
    Role.HANDLER: frozenset({ASSESS_VIEW, ASSESS_SUBMIT, ASSESS_RATE}),
}
RIGHTS = {role: rights | _ASSESS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end assessment

# ---- exports (案件导出; the centre's big screen 大屏) ----
# export the case list of one's scope (masked): the posts that read the KPIs — the leaders and the centres, the
# street's 督导员, a department's handlers; export the reporters' names and phones in full (with a reason, logged in
# the personal-data access log): the centre's 值班长 and the administrator; the big screen: the centre and leaders
EXPORTS_CASES, EXPORTS_UNMASK, EXPORTS_SCREEN = "exports.cases", "exports.unmask", "exports.screen"
_EXPORTS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({EXPORTS_CASES, EXPORTS_UNMASK, EXPORTS_SCREEN}),
    Role.SHIFT_LEADER: frozenset({EXPORTS_CASES, EXPORTS_UNMASK, EXPORTS_SCREEN}),
    Role.LEADER: frozenset({EXPORTS_CASES, EXPORTS_SCREEN}),
    Role.INTAKE_CLERK: frozenset({EXPORTS_CASES, EXPORTS_SCREEN}),
    Role.DISPATCHER: frozenset({EXPORTS_CASES, EXPORTS_SCREEN}),
    Role.CLERK: frozenset({EXPORTS_CASES, EXPORTS_SCREEN}),
    Role.GRID_SUPERVISOR: frozenset({EXPORTS_CASES}),
    Role.HANDLER: frozenset({EXPORTS_CASES}),
}
RIGHTS = {role: rights | _EXPORTS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end exports


# ---- open311 (issue #12: Open311 GeoReport v2 and the 12345 exchange) ----
# issue and revoke Open311 api keys (the administrator); read the 12345 outbox and send a delivery again (the centre's
# 值班长 and the administrator); configure the 12345 receivers and their shared secrets (the administrator)
OPEN311_MANAGE, HOTLINE_VIEW, HOTLINE_MANAGE = "open311.manage", "hotline.view", "hotline.manage"
_OPEN311_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({OPEN311_MANAGE, HOTLINE_VIEW, HOTLINE_MANAGE}),
    Role.SHIFT_LEADER: frozenset({HOTLINE_VIEW}),
}
RIGHTS = {role: rights | _OPEN311_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end open311


# ---- briefs (简报与通报, 数据挖掘; issue #16 items 3–4) ----
# read issued briefs and download them, subscribe (leaders, the centre, the streets' 督导员 and departments: the units
# a 通报 is addressed to); draft and edit (the centre's 值班长 and 信息员, a street's 督导员 for its street, the
# administrator); issue (签发: the 值班长, a street's 督导员 for its street, the administrator — the 信息员 drafts, the
# 值班长 signs); mining results (热点, 屡禁不止, 预测: leaders, the centre, the street's 督导员)
BRIEFS_VIEW, BRIEFS_DRAFT, BRIEFS_ISSUE, MINING_VIEW = "briefs.view", "briefs.draft", "briefs.issue", "mining.view"
_BRIEFS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({BRIEFS_VIEW, BRIEFS_DRAFT, BRIEFS_ISSUE, MINING_VIEW}),
    Role.LEADER: frozenset({BRIEFS_VIEW, MINING_VIEW}),
    Role.SHIFT_LEADER: frozenset({BRIEFS_VIEW, BRIEFS_DRAFT, BRIEFS_ISSUE, MINING_VIEW}),
    Role.CLERK: frozenset({BRIEFS_VIEW, BRIEFS_DRAFT, MINING_VIEW}),
    Role.GRID_SUPERVISOR: frozenset({BRIEFS_VIEW, BRIEFS_DRAFT, BRIEFS_ISSUE, MINING_VIEW}),
    Role.HANDLER: frozenset({BRIEFS_VIEW}),
}
RIGHTS = {role: rights | _BRIEFS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end briefs

# ---- community (公示牌、温馨提示卡、社区名录; issue #17 item 1) ----
# see the boards of the grids in scope, download them (A4/A3, 温馨提示卡) and read the configured numbers: the grid's
# people (网格员, 网格长), the street's 督导员 and 监督员, the centre (受理员, 值班长, 派遣员, 信息员), leaders, the
# administrator; set the 服务热线 and 监督电话 (seed 001 篇4 「联系方式、监督电话」): the community's 网格长 for its
# community and grids, the street's 督导员 for its street, the administrator (a district's default)
COMMUNITY_VIEW, COMMUNITY_MANAGE = "community.view", "community.manage"
_COMMUNITY_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({COMMUNITY_VIEW, COMMUNITY_MANAGE}),
    Role.GRID_SUPERVISOR: frozenset({COMMUNITY_VIEW, COMMUNITY_MANAGE}),
    Role.GRID_LEADER: frozenset({COMMUNITY_VIEW, COMMUNITY_MANAGE}),
    Role.GRID_WORKER: frozenset({COMMUNITY_VIEW}),
    Role.INSPECTOR: frozenset({COMMUNITY_VIEW}),
    Role.LEADER: frozenset({COMMUNITY_VIEW}),
    Role.INTAKE_CLERK: frozenset({COMMUNITY_VIEW}),
    Role.SHIFT_LEADER: frozenset({COMMUNITY_VIEW}),
    Role.DISPATCHER: frozenset({COMMUNITY_VIEW}),
    Role.CLERK: frozenset({COMMUNITY_VIEW}),
}
RIGHTS = {role: rights | _COMMUNITY_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end community
# ---- notices (通知公告: 社区动态, 预警, 工作通知 with read receipts, residents' subscriptions; issue #17 item 2) ----
# read (every staff post, within its scope: the notices of its area and those addressed to it); publish, withdraw,
# see receipts and remind (the community's 网格长, the street's 督导员, the centre's 值班长 and 信息员, the
# administrator — 002 「社区动态」, 003 篇5 雨雪灾害预警); a resident subscribes to their community (daily digest)
NOTICES_VIEW, NOTICES_PUBLISH, NOTICES_SUBSCRIBE = "notices.view", "notices.publish", "notices.subscribe"
_NOTICES_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({NOTICES_VIEW, NOTICES_PUBLISH}),
    Role.SHIFT_LEADER: frozenset({NOTICES_VIEW, NOTICES_PUBLISH}),
    Role.CLERK: frozenset({NOTICES_VIEW, NOTICES_PUBLISH}),
    Role.GRID_SUPERVISOR: frozenset({NOTICES_VIEW, NOTICES_PUBLISH}),
    Role.GRID_LEADER: frozenset({NOTICES_VIEW, NOTICES_PUBLISH}),
    Role.GRID_WORKER: frozenset({NOTICES_VIEW}),
    Role.INSPECTOR: frozenset({NOTICES_VIEW}),
    Role.INTAKE_CLERK: frozenset({NOTICES_VIEW}),
    Role.DISPATCHER: frozenset({NOTICES_VIEW}),
    Role.HANDLER: frozenset({NOTICES_VIEW}),
    Role.LEADER: frozenset({NOTICES_VIEW}),
    Role.RESIDENT: frozenset({NOTICES_SUBSCRIBE}),
}
RIGHTS = {role: rights | _NOTICES_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end notices
# ---- services (便民服务; issue #17 item 3) ----
# read the service teams, volunteer teams, activities and hours, facilities and requests (every staff post of the
# community side and the centre, within its scope); manage them — team members, volunteers, activities, facilities,
# pledges (the grid's people: 网格员, 网格长, the street's 督导员, the administrator); request an elderly service item
# (a resident for themself; the grid's people and the centre's desk on a resident's behalf — they also report cases)
SERVICES_VIEW, SERVICES_MANAGE, SERVICES_REQUEST = "services.view", "services.manage", "services.request"
_SERVICES_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({SERVICES_VIEW, SERVICES_MANAGE, SERVICES_REQUEST}),
    Role.LEADER: frozenset({SERVICES_VIEW}),
    Role.INTAKE_CLERK: frozenset({SERVICES_VIEW, SERVICES_REQUEST}),
    Role.SHIFT_LEADER: frozenset({SERVICES_VIEW, SERVICES_REQUEST}),
    Role.DISPATCHER: frozenset({SERVICES_VIEW}),
    Role.CLERK: frozenset({SERVICES_VIEW, SERVICES_REQUEST}),
    Role.GRID_SUPERVISOR: frozenset({SERVICES_VIEW, SERVICES_MANAGE}),
    Role.GRID_LEADER: frozenset({SERVICES_VIEW, SERVICES_MANAGE, SERVICES_REQUEST}),
    Role.GRID_WORKER: frozenset({SERVICES_VIEW, SERVICES_MANAGE, SERVICES_REQUEST}),
    Role.RESIDENT: frozenset({SERVICES_REQUEST}),
}
RIGHTS = {role: rights | _SERVICES_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end services


# ---- party (党建引领: 网格党组织, 党员, 党员报到, 承诺, 入户, 帮扶对子; issue #17 item 4) ----
# Party membership is restricted personal data: read (party.view) only by the community's 网格长 (社区党委's grid
# work), the street's 网格督导员 (街道党工委), the leader and the administrator, each within its scope; recorded and
# confirmed (party.manage: organisations, members, 报到 confirmed by the community, 承诺, 入户, 帮扶对子 and visits) by
# the 网格长, the 督导员 and the administrator. Every other post sees nothing of it (seed 001 篇4: 党员到居住社区报到).
PARTY_VIEW, PARTY_MANAGE = "party.view", "party.manage"
_PARTY_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({PARTY_VIEW, PARTY_MANAGE}),
    Role.LEADER: frozenset({PARTY_VIEW}),
    Role.GRID_SUPERVISOR: frozenset({PARTY_VIEW, PARTY_MANAGE}),
    Role.GRID_LEADER: frozenset({PARTY_VIEW, PARTY_MANAGE}),
}
RIGHTS = {role: rights | _PARTY_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end party


# ---- training (培训考试; issue #17 item 7; seeds 002 在线培训系统, 003 篇7 专业化) ----
# view (every staff post: the courses and exams offered to its post and place, one's own attempts, certificates and
# training record); manage (courses, materials, question banks, exams, training sessions and the results of one's
# scope: the centre's 值班长, a street's 督导员 for its street, the administrator)
TRAINING_VIEW, TRAINING_MANAGE = "training.view", "training.manage"
_TRAINING_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({TRAINING_VIEW, TRAINING_MANAGE}),
    Role.SHIFT_LEADER: frozenset({TRAINING_VIEW, TRAINING_MANAGE}),
    Role.GRID_SUPERVISOR: frozenset({TRAINING_VIEW, TRAINING_MANAGE}),
    **{r: frozenset({TRAINING_VIEW}) for r in (Role.LEADER, Role.INTAKE_CLERK, Role.DISPATCHER, Role.INSPECTOR,
                                               Role.GRID_LEADER, Role.GRID_WORKER, Role.HANDLER, Role.CLERK)},
}
RIGHTS = {role: rights | _TRAINING_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end training


# ---- groups (人员网格: organisations divided into groups without geometry, dynamic groups of residents; issue #17
# item 6, seeds 003 篇4 班级网格化管理, 000 「按人群特征划分网格」) ----
# read the organisations, their groups, notices with confirmations, holiday whereabouts (places masked), meetings and
# dynamic groups (the grid's people, the street's 督导员, the leader, the administrator, within their scope); manage
# them — add groups and members, send notices and record confirmations, record whereabouts and returns (places in
# full, logged), minutes, dynamic groups: the grid's people, the street's 督导员 and the administrator
GROUPS_VIEW, GROUPS_MANAGE = "groups.view", "groups.manage"
_GROUPS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({GROUPS_VIEW, GROUPS_MANAGE}),
    Role.LEADER: frozenset({GROUPS_VIEW}),
    Role.GRID_SUPERVISOR: frozenset({GROUPS_VIEW, GROUPS_MANAGE}),
    Role.GRID_LEADER: frozenset({GROUPS_VIEW, GROUPS_MANAGE}),
    Role.GRID_WORKER: frozenset({GROUPS_VIEW, GROUPS_MANAGE}),
}
RIGHTS = {role: rights | _GROUPS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end groups
# ---- ops (运行状态: health, queues, outbox, periodic runs, workers, fault days — issue #12) ----
# the site's running state is the administrator's (as /metrics and the 系统运行 record's automatic periods are)
OPS_VIEW = "ops.view"
_OPS_RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({OPS_VIEW}),
}
RIGHTS = {role: rights | _OPS_RIGHTS.get(role, frozenset()) for role, rights in RIGHTS.items()}
# ---- end ops


def has_right(role: str, right: str) -> bool:
    try:
        return right in RIGHTS[Role(role)]
    except ValueError:
        return False
