"""The one scoping primitive.

Every read of scoped data goes through :func:`scoped`; every write re-checks the saved row with
:func:`ensure_in_scope` inside the same transaction, so nobody can move an object out of their subtree.

A user's place in the tree is a *scope key prefix*: jurisdiction codes nest (county 6 → street 9 →
community 12 digits) and every scoped row carries a key that starts with its community's code
(a unit grid: ``<management grid code>.<unit grid code>``), so "my subtree" is a prefix match.
Scoped models name the column in ``SCOPE_FIELD``. Models whose rows are sent to departments (cases) also
define ``department_scope(department_id) -> Q``: a department's staff see what was sent to their department.
"""

from django.db.models import Model, QuerySet

from .roles import has_right


class NoRight(Exception):
    """The user's post does not carry the right (HTTP 403)."""

    def __init__(self, right: str):
        super().__init__(right)
        self.right = right


class OutOfScope(Exception):
    """The object does not exist within the user's scope (HTTP 404 — existence is not revealed)."""


def scope_prefix(user) -> str | None:
    """'' for the whole system, a key prefix for a subtree, None for nothing at all."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ""
    if user.department_id:
        return user.department.scope_key
    return user.node_key or None


def require(user, right: str) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NoRight(right)
    if not (user.is_superuser or has_right(user.role, right)):
        raise NoRight(right)


def in_scope(user, key: str) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and key.startswith(prefix)


def scoped(qs: QuerySet, user, right: str) -> QuerySet:
    """Restrict ``qs`` to what ``user`` may see with ``right``; raises NoRight when the post lacks it."""
    require(user, right)
    return _restricted(_in_subtree(qs, user), user)


# ---- matters: restricted classes ----
# A model whose rows may belong to a restricted class (cases of 信访, 治安/维稳) defines
# ``restriction_scope(user) -> Q | None`` (None: nothing hidden from this user) and its one-object form
# ``visible_to(user) -> bool``; every scoped read applies it, so no list, page or count can forget it.
def _restricted(qs: QuerySet, user) -> QuerySet:
    restriction = getattr(qs.model, "restriction_scope", None)
    if restriction is None:
        return qs
    q = restriction(user)
    return qs if q is None else qs.filter(q)
# ---- end matters ----


def _in_subtree(qs: QuerySet, user) -> QuerySet:
    department_scope = getattr(qs.model, "department_scope", None)
    if department_scope is not None and getattr(user, "department_id", None) and not user.is_superuser:
        # objects that are sent to departments (cases): a department sees what was sent to it
        return qs.filter(department_scope(user.department_id))
    prefix = scope_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    return qs.filter(**{f"{qs.model.SCOPE_FIELD}__startswith": prefix})


def may_see(user, obj: Model, right: str) -> bool:
    """What :func:`scoped` decides, for one object already loaded: would ``scoped(…).filter(pk=obj.pk)`` find it?

    For the hot paths that read a row by a unique key first (a case by its number). A key-prefix scope is
    checked in memory (``startswith``, case-sensitive as on PostgreSQL; SQLite's LIKE would also accept other
    letter cases, so this is never wider than the query); a department's scope uses the model's ``sent_to`` (its
    one-object ``department_scope``) or asks the database. Raises NoRight when the post lacks the right.
    """
    require(user, right)
    visible_to = getattr(obj, "visible_to", None)  # matters: restricted classes (see _restricted)
    if visible_to is not None and not visible_to(user):
        return False
    model = type(obj)
    department_scope = getattr(model, "department_scope", None)
    if department_scope is not None and getattr(user, "department_id", None) and not user.is_superuser:
        if hasattr(obj, "sent_to"):  # the model's own one-object form of department_scope
            return obj.sent_to(user.department_id)
        return model._default_manager.filter(department_scope(user.department_id), pk=obj.pk).exists()
    if "__" in model.SCOPE_FIELD:  # the key lives on a related row: ask the database
        return scoped(model._default_manager.all(), user, right).filter(pk=obj.pk).exists()
    prefix = scope_prefix(user)
    return prefix is not None and getattr(obj, model.SCOPE_FIELD).startswith(prefix)


def get_scoped(qs: QuerySet, user, right: str, **lookup) -> Model:
    """One object within scope, or OutOfScope (never reveals that it exists elsewhere)."""
    obj = scoped(qs, user, right).filter(**lookup).first()
    if obj is None:
        raise OutOfScope()
    return obj


def ensure_in_scope(obj: Model, user, right: str) -> None:
    """Re-read the saved row and check it is still within scope; call inside the writing transaction."""
    model = type(obj)
    if not scoped(model._default_manager.all(), user, right).filter(pk=obj.pk).exists():
        raise OutOfScope()
