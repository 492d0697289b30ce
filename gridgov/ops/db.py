"""The read replica (``GRIDGOV_REPLICA_DATABASE_URL``): the dashboards' read-only queries go there — ONE place.

:func:`reading` marks a block of read-only work (``with reading(): …``); inside it, and only while no transaction
is open on the primary, the router (:class:`ReplicaRouter`) sends reads of business tables to ``replica``. Writes,
and reads of accounts, sessions, the audit chain, privacy and ops tables, always go to the primary (a session just
written must not be looked up on a replica that lags behind). :class:`ReplicaReadsMiddleware` wraps the GET
requests of the dashboard pages and APIs (``READ_PATHS``) in :func:`reading`, so the dashboard, kpi and analytics
code needs no change; other read-only code calls ``reading()`` itself. Raw SQL on ``django.db.connection`` stays on
the primary: use ``connections[ops.db.alias()]`` for it. Without a replica everything is as before.
"""

import contextlib
import contextvars

from django.conf import settings
from django.db import connections

REPLICA = "replica"
READ_PATHS = ("/dashboard/", "/kpi/", "/analytics/", "/api/v1/kpi/", "/api/v1/dashboard/", "/api/v1/analytics/")
PRIMARY_ONLY = {"sessions", "accounts", "auth", "contenttypes", "admin", "audit", "privacy", "ops"}

_reading = contextvars.ContextVar("gridgov_replica_reading", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reading():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _in_transaction() -> bool:
    """A transaction is open on the primary. The test case's own outer block (Django's TestCase wraps every test in
    one and marks it ``_from_testcase``, as Django's own ``durable`` check reads it) is not the code's transaction:
    without this, no test could see a dashboard read go to the replica (tests/integration/test_ops_replica_pg.py)."""
    conn = connections["default"]
    return conn.in_atomic_block and any(not getattr(a, "_from_testcase", False) for a in conn.atomic_blocks)


def alias() -> str:
    """The database for a read-only query here: ``replica`` inside :func:`reading` (with a replica, outside any
    transaction on the primary), else ``default``."""
    if _reading.get() and has_replica() and not _in_transaction():
        return REPLICA
    return "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY:
            return "default"
        return alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: rows relate across them

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def is_read_path(path: str) -> bool:
    """A dashboard page or API: under one of ``READ_PATHS``, or one of them without its slash (``/api/v1/kpi``, the
    KPI table itself)."""
    return path.startswith(READ_PATHS) or path + "/" in READ_PATHS


@contextlib.contextmanager
def custom_plans():
    """Inside the block PostgreSQL plans each statement for its own parameters (``plan_cache_mode``) on the
    connection the reads go to. With server-side binding (settings) a statement run twice is prepared, and after
    five runs PostgreSQL may keep a generic plan, blind to the values: an area prefix (``LIKE $1``) or a date range
    it then cannot narrow — at 10 M cases a community's grids over 45 days took 240 ms instead of 80 once the
    figures' statements had run a few times on the connection. The dashboards' queries are few and their values
    matter; the case engine keeps its cached plans. Other backends: nothing."""
    name = alias()
    if name not in settings.DATABASES or connections[name].vendor != "postgresql":
        yield
        return
    conn = connections[name]
    with conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        try:
            with conn.cursor() as cur:
                cur.execute("RESET plan_cache_mode")
        except Exception:  # a broken connection: Django closes it (and its setting) at the request's end
            pass


class ReplicaReadsMiddleware:
    """The dashboards' GET requests: reads on the replica when there is one (``reading``), planned for their own
    values (``custom_plans``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and is_read_path(request.path):
            with contextlib.ExitStack() as stack:
                if has_replica():
                    stack.enter_context(reading())
                stack.enter_context(custom_plans())
                return self.get_response(request)
        return self.get_response(request)
