"""The only writer of notifications (消息通知).

:func:`notify` writes the inbox rows in one INSERT inside the caller's transaction (or its own) and calls the
external channels only after that transaction commits (``transaction.on_commit``): a rolled-back change
notifies nobody, and a channel never announces something that is not in the database.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from gridgov import sqlrows

from . import channels
from .models import Notification

log = logging.getLogger("gridgov.notify")


def notify(users: Iterable, kind: str, title: str, body: str, object_type: str = "", object_id="") -> list[Notification]:
    """One inbox message per user (users or user ids; duplicates and None are dropped), in one INSERT.

    External channels are called after the commit; their outcome is stored in ``channel_results``.
    """
    return notify_many([(users, kind, title, body, object_type, object_id)])


def notify_many(messages: Iterable[tuple]) -> list[Notification]:
    """:func:`notify` for several messages ``(users, kind, title, body, object_type, object_id)`` at once: all
    their inbox rows in one INSERT (a bulk action on many cases notifies in one statement)."""
    now = timezone.now()
    rows = []
    for users, kind, title, body, object_type, object_id in messages:
        object_id = "" if object_id is None else str(object_id)
        user_ids = dict.fromkeys(getattr(u, "pk", u) for u in users if u is not None)
        rows += [Notification(user_id=uid, kind=kind, title=title, body=body, object_type=object_type,
                              object_id=object_id, created=now) for uid in user_ids]
    if not rows:
        return []
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint round trips
        sqlrows.insert_many(rows)  # one INSERT, as bulk_create (every case transition notifies: plain SQL)
        if rows[0].pk is None:  # a backend that does not return ids from a bulk insert
            rows = list(Notification.objects.filter(created=now, user_id__in={r.user_id for r in rows})
                        .order_by("id"))
        targets = channels.external()
        if targets:
            sent = [channels.Message(n.pk, n.user_id, n.kind, n.title, n.body, n.object_type, n.object_id)
                    for n in rows]
            transaction.on_commit(partial(deliver, targets, sent), robust=True)
    return rows


def deliver(targets, messages: list["channels.Message"]) -> None:
    """Send messages through the external channels (after the commit); failures are logged and recorded."""
    results: dict[int, dict[str, str]] = {}
    for message in messages:
        outcome = results.setdefault(message.notification_id, {})
        for channel in targets:
            try:
                channel.send(message)
                outcome[channel.name] = "sent"
            except Exception as e:  # one failing channel must not stop the others
                log.warning("notification %s kind=%s: channel %s failed (%s)", message.notification_id,
                            message.kind, channel.name, type(e).__name__)
                outcome[channel.name] = f"error: {type(e).__name__}"
    rows = list(Notification.objects.filter(pk__in=results).only("id", "channel_results"))
    for n in rows:
        n.channel_results = {**(n.channel_results or {}), **results[n.pk]}
    Notification.objects.bulk_update(rows, ["channel_results"], batch_size=500)


def mark_read(user, ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; ids of others' (or unknown) notifications are ignored."""
    ids = [int(i) for i in ids]
    if not ids or not getattr(user, "is_authenticated", False):
        return 0
    with transaction.atomic():
        return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user, unread_only: bool = False, before_id: int | None = None):
    """The user's own notifications, newest first (a queryset: the caller pages it)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    return qs.order_by("-id")
