"""Plumbing shared by the server-rendered pages: the access decorator and the render helper.

``page(right)``: not signed in → the login page; a post without the right → a 403 page in Chinese; an object
outside one's scope (``OutOfScope``/``NotFound``) → a 404 page that reveals nothing. ``render_page`` adds what
every page's header shows (the scope label).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, OutOfScope
from gridgov.errors import NotFound

RIGHT_LABELS = {roles.CASE_VIEW: "查看案件", roles.CASE_REPORT: "上报问题", roles.CASE_CONFIGURE: "配置案件规则",
                roles.BD_STATS: "查看统计", roles.BD_VIEW: "查看基础数据", roles.BD_EDIT: "采集和修改基础数据",
                roles.BD_VISIT: "登记走访"}


def render_page(request, template, context=None, status=200):
    from gridgov.geo.views import scope_label

    user = request.user
    ctx = {"scope_label": scope_label(user) if user.is_authenticated else "", **(context or {})}
    return render(request, template, ctx, status=status)


def has(user, right: str) -> bool:
    return user.is_superuser or roles.has_right(user.role, right)


def page(right: str | None = None, posts: frozenset | set | None = None):
    """A staff page: login required; ``right`` (and, when given, one of ``posts``) required."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            allowed = (right is None or has(user, right)) and (posts is None or user.is_superuser or user.role in posts)
            if not allowed:
                return render_page(request, "forbidden.html", {"right_label": RIGHT_LABELS.get(right, "使用此页面")},
                                   status=403)
            try:
                return view(request, *args, **kwargs)
            except NoRight as e:
                return render_page(request, "forbidden.html", {"right_label": RIGHT_LABELS.get(e.right, "此操作")},
                                   status=403)
            except (OutOfScope, NotFound):
                return render_page(request, "not_found.html", status=404)

        return wrapper

    return decorate


def csrf_failure(request, reason=""):
    """The page shown when a form's security token is missing or stale (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "csrf_failure.html", status=403)
