"""Template context shared by every page: the navigation the signed-in post may use."""

from gridgov.accounts import roles

NAV = [
    ("网格地图", "/map/", roles.VIEW),
    ("基础数据", "/basedata/", roles.BD_VIEW),
    ("管理后台", "/admin/", roles.MANAGE_USERS),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    allowed = [(label, url) for label, url, right in NAV if user.is_superuser or roles.has_right(user.role, right)]
    return {"nav": [(label, url, request.path.startswith(url)) for label, url in allowed]}
