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


ROLE_LABELS: dict[Role, str] = {
    Role.GRID_WORKER: "网格员",
    Role.GRID_LEADER: "网格长",
    Role.GRID_SUPERVISOR: "网格督导员",
    Role.INSPECTOR: "监督员/信息员",
    Role.INTAKE_CLERK: "受理员",
    Role.SHIFT_LEADER: "值班长",
    Role.DISPATCHER: "派遣员",
    Role.HANDLER: "专业部门处置人员",
    Role.LEADER: "领导",
    Role.RESIDENT: "居民",
    Role.ADMIN: "系统管理员",
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

_STAFF_READ = frozenset({VIEW, LOCATE, CASE_VIEW})
_REPORTER = _STAFF_READ | {CASE_REPORT}
RIGHTS: dict[Role, frozenset[str]] = {
    Role.GRID_WORKER: _REPORTER | _COLLECT | {PATROL_DUTY, PATROL_VIEW},
    Role.GRID_LEADER: _REPORTER | {EDIT} | _COLLECT | {BD_IMPORT, BD_EXPORT, BD_UNMASK} | _PATROL_CHAIN,
    Role.GRID_SUPERVISOR: _REPORTER | {BD_VIEW, BD_STATS} | _PATROL_CHAIN,
    Role.INSPECTOR: _REPORTER,
    Role.INTAKE_CLERK: _REPORTER,
    Role.SHIFT_LEADER: _REPORTER,
    Role.DISPATCHER: _STAFF_READ,
    Role.HANDLER: _STAFF_READ,
    Role.LEADER: _STAFF_READ | {BD_VIEW, BD_STATS, PATROL_ATTENDANCE},  # 领导: read-only (personal data masked)
    Role.RESIDENT: frozenset({LOCATE, CASE_REPORT}),
    Role.ADMIN: _REPORTER | {EDIT, IMPORT, MANAGE_USERS, CASE_CONFIGURE} | _COLLECT
    | {BD_IMPORT, BD_EXPORT, BD_UNMASK, BD_AUDIT, BD_CONFIGURE, PRIVACY_REQUEST, PRIVACY_CONFIGURE} | _PATROL_CHAIN,
}

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
}


def has_right(role: str, right: str) -> bool:
    try:
        return right in RIGHTS[Role(role)]
    except ValueError:
        return False
