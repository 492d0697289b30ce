"""The basedata rights under the names this app uses. The rights themselves live with every other post's
rights in ``gridgov/accounts/roles.py``; scoping is the one primitive of ``gridgov/accounts/scope.py``."""

from gridgov.accounts import roles, scope
from gridgov.accounts.scope import NoRight, OutOfScope, ensure_in_scope, in_scope, require

VIEW, EDIT, VISIT, STATS = roles.BD_VIEW, roles.BD_EDIT, roles.BD_VISIT, roles.BD_STATS
IMPORT, EXPORT, UNMASK = roles.BD_IMPORT, roles.BD_EXPORT, roles.BD_UNMASK
AUDIT, CONFIGURE = roles.BD_AUDIT, roles.BD_CONFIGURE

__all__ = ["AUDIT", "CONFIGURE", "EDIT", "EXPORT", "IMPORT", "STATS", "UNMASK", "VIEW", "VISIT", "NoRight",
           "OutOfScope", "ensure_in_scope", "get_scoped", "has_right", "in_scope", "require", "scoped"]


def has_right(user, right: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or roles.has_right(user.role, right)


def scoped(qs, user, right: str = VIEW):
    return scope.scoped(qs, user, right)


def get_scoped(qs, user, right: str = VIEW, **lookup):
    return scope.get_scoped(qs, user, right, **lookup)
