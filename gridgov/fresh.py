"""Values built from the database and kept in memory (indexes, calendars, rule tables), kept fresh.

A ``Fresh`` value is rebuilt when its *fingerprint* (a cheap query: a revision, counts, sums) changes. The
fingerprint is checked at most every ``settings.GRIDGOV["FRESH_CHECK_S"]`` seconds (default 1 s, 0 = on every
use), so hot paths do not pay a query per call; writes made by this process call ``invalidate()`` and are seen
at once, writes by other processes within that interval.
"""

import threading
import time
from collections.abc import Callable

from django.conf import settings


class Fresh[T]:
    def __init__(self, fingerprint: Callable[[], object], build: Callable[[object], T]):
        self._fingerprint = fingerprint
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._key: object = None
        self._checked = float("-inf")

    def get(self) -> T:
        interval = settings.GRIDGOV.get("FRESH_CHECK_S", 1.0)
        now = time.monotonic()
        if self._value is not None and now - self._checked < interval:
            return self._value
        key = self._fingerprint()
        with self._lock:
            if self._value is None or key != self._key:
                self._value = self._build(key)
                self._key = key
            self._checked = now
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._checked = float("-inf")
