"""The permission matrix every scoped endpoint obeys: anonymous 401, no right 403, out of scope 404, in scope 200.

Which post holds which right is written out here by hand, from what the README and the seeds say each post
does — it is NOT read from ``gridgov.accounts.roles.RIGHTS`` (an oracle computed from the code under test cannot
catch a wrong right). ``tests/integration/test_permissions.py::test_rights_are_the_spec`` compares the two.
The per-endpoint answers of every post are in ``tests/integration/test_api_matrix.py``.
"""

import json

from gridgov.accounts.scope import scope_prefix

STAFF = ("admin leader intake_clerk shift_leader dispatcher grid_supervisor inspector grid_leader grid_worker "
         "handler")
GRID_PEOPLE = "admin grid_leader grid_worker"  # who collects the basic data of a grid and visits its households
POSTS_WITH = {
    # the territory: every staff post reads it within its scope; residents only locate the point they report
    "geo.view": STAFF,
    "geo.locate": STAFF + " resident",
    # grid master data: the community's grid leader and the administrator; imports and accounts: the administrator
    "geo.edit": "admin grid_leader",
    "geo.import": "admin",
    "accounts.manage": "admin",
    # cases: reported by grid staff, inspectors, the supervision centre and residents — not by the command centre's
    # dispatcher, a department or a leader; read by every staff post; configured by the administrator
    "cases.report": "admin intake_clerk shift_leader grid_supervisor inspector grid_leader grid_worker resident",
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
    # patrol: the grid worker goes on duty with a track; positions are seen by the supervisor chain only (the worker
    # their own, the grid leader, the street's supervisor, the administrator) — not the leader or the centre; the
    # attendance table (no positions) also by the leader
    "patrol.duty": "grid_worker",
    "patrol.view": "admin grid_supervisor grid_leader grid_worker",
    "patrol.manage": "admin grid_supervisor grid_leader",
    "patrol.attendance": "admin leader grid_supervisor grid_leader",
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
