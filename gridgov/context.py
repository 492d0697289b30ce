"""Template context shared by every page: the navigation the signed-in post may use, and each post's home.

A post's home is the page made for its daily work; the navigation lists only the pages the post can use.
"""

from gridgov.accounts import roles
from gridgov.accounts.roles import Role

R = Role
CENTRE = frozenset({R.INTAKE_CLERK, R.SHIFT_LEADER, R.DISPATCHER, R.ADMIN})
FIELD = frozenset({R.GRID_WORKER, R.GRID_LEADER, R.GRID_SUPERVISOR, R.INSPECTOR})
DEPARTMENT = frozenset({R.HANDLER})
LEADERS = frozenset({R.LEADER, R.SHIFT_LEADER, R.ADMIN})

# (label, url, posts that see it — None: every post with the right, right — None: every signed-in account)
NAV = [
    ("案件受理", "/cases/", CENTRE, roles.CASE_VIEW),
    ("超期督办", "/cases/overdue/", CENTRE, roles.CASE_VIEW),
    ("我的任务", "/cases/field/", FIELD, roles.CASE_VIEW),
    ("在岗巡查", "/cases/field/patrol/", frozenset({R.GRID_WORKER}), roles.PATROL_DUTY),  # patrol
    ("巡查督导", "/patrol/", frozenset({R.GRID_SUPERVISOR, R.GRID_LEADER, R.ADMIN}), roles.PATROL_VIEW),  # patrol
    ("考勤", "/patrol/attendance/", None, roles.PATROL_ATTENDANCE),  # patrol
    ("部门待办", "/cases/inbox/", DEPARTMENT, roles.CASE_VIEW),
    ("领导看板", "/dashboard/", LEADERS, roles.CASE_VIEW),
    ("网格地图", "/map/", None, roles.VIEW),
    ("基础数据", "/basedata/", None, roles.BD_VIEW),
    ("个人信息", "/privacy/", None, roles.PRIVACY_REQUEST),
    ("管理后台", "/admin/", None, roles.MANAGE_USERS),
    ("我的账户", "/accounts/tokens/", None, None),  # API tokens, password, TOTP
]

HOME = {
    R.INTAKE_CLERK: "/cases/", R.SHIFT_LEADER: "/cases/", R.DISPATCHER: "/cases/", R.ADMIN: "/cases/",
    R.GRID_WORKER: "/cases/field/", R.GRID_LEADER: "/cases/field/", R.GRID_SUPERVISOR: "/cases/field/",
    R.INSPECTOR: "/cases/field/", R.HANDLER: "/cases/inbox/", R.LEADER: "/dashboard/", R.RESIDENT: "/r/",
}


def home_of(user) -> str:
    if user.is_superuser and user.role not in HOME:
        return "/cases/"
    return HOME.get(user.role, "/map/")


def _visible(user, posts, right) -> bool:
    if user.is_superuser:
        return True
    return (posts is None or user.role in posts) and (right is None or roles.has_right(user.role, right))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    allowed = [(label, url) for label, url, posts, right in NAV if _visible(user, posts, right)]
    return {"nav": [(label, url, request.path.startswith(url) and not any(
        u != url and u.startswith(url) and request.path.startswith(u) for _, u in allowed)) for label, url in allowed]}
