"""THE throttle: attempts counted per subject in the database, atomically, shared by every `gridgov serve` process.

A *rule* is a name, a limit and a window (``GRIDGOV["THROTTLE"]`` in settings). An attempt is **counted before it
is evaluated**: :func:`attempt` adds one to the counter of each (rule, subject) with a single upsert
(``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 … RETURNING``, atomic on PostgreSQL and on SQLite), and
refuses (:class:`Throttled`, HTTP 429) when any counter is now above its limit. So however many requests arrive at
once, at most ``limit`` of them are evaluated in a window — the rest are refused without being looked at.

The window is fixed: it starts with the first attempt and lasts ``window_s``; when it has passed the next
attempt starts a new one at 1. What the caller does after evaluating:

- a failure: nothing (it stays counted);
- a success: :func:`forgive` takes the attempt back (a success costs nothing), or :func:`reset` clears the
  subject's counter (a right password resets the account's failures);
- an attempt refused because *another* counter was full is taken back on the others by :func:`attempt` itself.

Subjects (user names, addresses) are stored as a keyed hash, never in clear.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gridgov.errors import TooManyRequests

from .models import ThrottleCounter

_TABLE = ThrottleCounter._meta.db_table
_HIT = f"""
INSERT INTO {_TABLE} (key, count, window_end) VALUES (%s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN {_TABLE}.window_end <= %s THEN 1 ELSE {_TABLE}.count + 1 END,
    window_end = CASE WHEN {_TABLE}.window_end <= %s THEN excluded.window_end ELSE {_TABLE}.window_end END
RETURNING count, window_end
"""
_FORGIVE = f"UPDATE {_TABLE} SET count = count - 1 WHERE key = %s AND window_end = %s AND count > 0"


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window_s: int


@dataclass(frozen=True)
class Hit:
    """One counted attempt: which counter, in which window, and the count it reached."""

    rule: Rule
    key: str
    window_end: int
    count: int

    @property
    def over(self) -> bool:
        return self.count > self.rule.limit


class Throttled(TooManyRequests):
    """Too many attempts; ``retry_after_s`` says when the window has passed."""

    def __init__(self, code: str, message: str, retry_after_s: int):
        super().__init__(code, message, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


def rule(name: str) -> Rule:
    """The rule named in ``GRIDGOV["THROTTLE"]`` (e.g. ``login.account``)."""
    conf = settings.GRIDGOV["THROTTLE"][name]
    return Rule(name, int(conf["limit"]), int(conf["window_s"]))


def _now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def key_of(rule_: Rule, subject: str) -> str:
    digest = salted_hmac("gridgov.throttle", f"{rule_.name}\x00{subject}", algorithm="sha256").hexdigest()
    return f"{rule_.name[:30]}:{digest[:40]}"


def hit(rule_: Rule, subject: str) -> Hit:
    """Count one attempt of ``subject`` under ``rule_`` (atomic; commits at once outside a transaction)."""
    key = key_of(rule_, subject)
    now = _now_ms()
    with connection.cursor() as cursor:
        cursor.execute(_HIT, [key, now + rule_.window_s * 1000, now, now])
        count, window_end = cursor.fetchone()
        if count == 1:  # a new window began: drop the counters whose windows are over (keeps the table small)
            cursor.execute(f"DELETE FROM {_TABLE} WHERE window_end <= %s", [now])
    return Hit(rule_, key, int(window_end), int(count))


def forgive(h: Hit) -> None:
    """Take the attempt back (it succeeded, or it was refused by another rule) — in its own window only."""
    with connection.cursor() as cursor:
        cursor.execute(_FORGIVE, [h.key, h.window_end])


def reset(rule_: Rule, subject: str) -> None:
    """Clear the subject's counter (e.g. a right password clears the account's failures)."""
    ThrottleCounter.objects.filter(key=key_of(rule_, subject)).delete()


def retry_after_s(h: Hit) -> int:
    return max(1, math.ceil((h.window_end - _now_ms()) / 1000))


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def attempt(checks, code: str, message: str) -> list[Hit]:
    """Count one attempt on every ``(rule, subject)`` of ``checks``; raise :class:`Throttled` if any is over.

    ``message`` may contain ``{minutes}`` (minutes until the fullest window has passed). When refused, the
    attempt is taken back on the counters that were not full, so a refused attempt spends nobody's budget.
    """
    hits = [hit(r, s) for r, s in checks if s]
    over = [h for h in hits if h.over]
    if over:
        for h in hits:
            if not h.over:
                forgive(h)
        wait = max(retry_after_s(h) for h in over)
        raise Throttled(code, message.format(minutes=minutes(wait)), wait)
    return hits


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header named by ``GRIDGOV["CLIENT_ADDRESS_HEADER"]`` when
    gridgov runs behind a proxy that sets it (e.g. ``HTTP_X_REAL_IP``; the first address of a list)."""
    header = settings.GRIDGOV.get("CLIENT_ADDRESS_HEADER") or ""
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() if value else ""
    return (value or request.META.get("REMOTE_ADDR", "") or "unknown")[:64]
