"""THE in-memory catalog of 管理事项: one snapshot that intake, 立案, the matter search, routing, deadlines and the
pages all read (gridgov.fresh).

Its fingerprint holds everything that changes whether a matter may be used — the number of matters, the
highest id and *which ones are inactive* — so a matter deactivated in the admin (or through a service, by
this process or another) is refused by intake and 立案 from the next check on (``FRESH_CHECK_S``).
Inactive matters stay in the snapshot by id: existing cases keep showing theirs.
"""

import threading
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, F, Max, Q, Sum

from gridgov.errors import DomainError, NotFound
from gridgov.fresh import Fresh

from .logic.initials import initials_of
from .models import CatalogItem, Kind


@dataclass(frozen=True)
class Entry:
    """An active matter as the search shows it."""

    code: str
    name: str
    major_name: str
    initials: tuple[str, ...]  # the first one is the usual reading


class Snapshot:
    """The matters of one catalog version (every matter, active or not, by code and by id)."""

    def __init__(self, items: list[CatalogItem]):
        self.by_code = {i.code: i for i in items}
        self.by_id = {i.pk: i for i in items}
        self.active = [i for i in sorted(items, key=lambda i: i.code) if i.active]
        # matters: restricted classes — matter id → the right a post needs to read its cases
        self.restricted = {i.pk: i.restricted_right for i in items if i.restricted_right}
        self._lock = threading.Lock()

    @cached_property
    def entries(self) -> list[Entry]:
        """The search's entries, with pinyin initials (computed on first use: intake alone does not need them)."""
        with self._lock:
            return [Entry(i.code, i.name, i.major_name, initials_of(i.name)) for i in self.active]


def _fingerprint():
    """One query: how many matters, the highest id, and which are inactive (their number, and the sums of their
    ids and of the ids' squares — any change of the inactive set changes one of these)."""
    off = Q(active=False)
    hidden = ~Q(restricted_right="")  # matters: which classes are restricted changes the snapshot too
    return tuple(CatalogItem.objects.filter(kind=Kind.MATTER).aggregate(
        n=Count("id"), m=Max("id"), off=Count("id", filter=off), s=Sum("id", filter=off),
        q=Sum(F("id") * F("id"), filter=off), r=Count("id", filter=hidden), rs=Sum("id", filter=hidden),
        rq=Sum(F("id") * F("id"), filter=hidden)).values())


def _build(_key) -> Snapshot:
    return Snapshot(list(CatalogItem.objects.filter(kind=Kind.MATTER)))


_catalog: Fresh[Snapshot] = Fresh(_fingerprint, _build)


def snapshot() -> Snapshot:
    return _catalog.get()


def invalidate() -> None:
    """Seen at once by this process (called by the services that change the catalog)."""
    _catalog.invalidate()


def matter_by_code(code) -> CatalogItem:
    """An active 管理事项 by its 5-digit code: ``unknown_matter`` (404) when the catalog has none, and
    ``matter_inactive`` (400) when it has been deactivated (停用) — a new report or a 立案 may not use it."""
    item = snapshot().by_code.get(str(code).strip())
    if item is None:
        raise NotFound("unknown_matter", f"事项代码「{code}」不在目录中")
    check_active(item)
    return item


def check_active(item: CatalogItem) -> CatalogItem:
    if not item.active:
        raise DomainError("matter_inactive", f"事项「{item.code} {item.name}」已停用，请选择其他事项类别")
    return item


def matter_by_id(pk: int | None) -> CatalogItem | None:
    """A 管理事项 by id (active or not: an existing case shows its own); None when there is none."""
    return snapshot().by_id.get(pk) if pk is not None else None


def is_active(pk: int | None) -> bool:
    item = matter_by_id(pk)
    return item is not None and item.active


def active_matters() -> list[CatalogItem]:
    """The active matters, by code (for the pages' choices)."""
    return snapshot().active


# ---------------------------------------------------------------- matters: restricted classes


def hidden_matter_ids(user) -> frozenset[int]:
    """The matters whose cases ``user`` may not read (their class is restricted to a right the post lacks)."""
    from gridgov.accounts.roles import has_right

    if getattr(user, "is_superuser", False):
        return frozenset()
    role = getattr(user, "role", "")
    return frozenset(pk for pk, right in snapshot().restricted.items() if not has_right(role, right))
