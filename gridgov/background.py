"""Background work (后台任务): the one way to run a job later, outside the request that asked for it.

    from gridgov import background

    @background.task("exports.build")
    def build_export(export_id: int) -> None:      # arguments are plain JSON values (ids, not objects)
        ...                                        # and the job is idempotent: running it twice is harmless

    background.submit("exports.build", export.pk)  # queued when the caller's transaction commits

Where the job runs is configuration (``GRIDGOV_BACKGROUND``):

- ``thread`` (the default, and `make demo`): in this process, in a daemon thread, after the commit;
- ``inline``: in this process, at once after the commit (the test suite: one connection, deterministic);
- with a broker (``GRIDGOV_BROKER_URL``), on Celery workers (gridgov.workers, issue #12): an outbox row written in
  the caller's transaction, published after the commit; a broker that is down loses nothing (the outbox sweep).

A job submitted inside a transaction that rolls back never runs. A failing job is logged with its name and
arguments' ids, never with personal data.
"""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, transaction

log = logging.getLogger("gridgov.background")

_TASKS: dict[str, Callable] = {}


def task(name: str) -> Callable[[Callable], Callable]:
    """Register ``fn`` as the background job ``name`` (one name, one function)."""

    def register(fn: Callable) -> Callable:
        if _TASKS.get(name, fn) is not fn:
            raise RuntimeError(f"background job {name!r} is registered twice")
        _TASKS[name] = fn
        return fn

    return register


def registered() -> dict[str, Callable]:
    """Every registered job by name (importing the apps' ``jobs`` modules registers them)."""
    return dict(_TASKS)


def autodiscover() -> None:
    """Import every gridgov app's ``jobs`` module, where ``@task`` registrations live (gridgov.ops at start-up, so
    the web processes and the Celery workers know the same jobs)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for cfg in apps.get_app_configs():
        if cfg.name.startswith("gridgov") and find_spec(f"{cfg.name}.jobs") is not None:
            import_module(f"{cfg.name}.jobs")


def mode() -> str:
    if settings.GRIDGOV.get("BROKER_URL"):
        return "celery"
    return settings.GRIDGOV.get("BACKGROUND", "thread")


def run(name: str, *args) -> None:
    """Run the job ``name`` here and now (what every mode ends up calling)."""
    fn = _TASKS.get(name)
    if fn is None:
        raise KeyError(f"unknown background job {name!r}")
    fn(*args)


def _run_logged(name: str, args: tuple) -> None:
    try:
        run(name, *args)
    except Exception:
        log.exception("background job %s%r failed", name, tuple(a for a in args if isinstance(a, int)))


def _in_thread(name: str, args: tuple) -> None:
    def work():
        try:
            _run_logged(name, args)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"gridgov-job-{name}", daemon=True).start()


def submit(name: str, *args) -> None:
    """Queue the job ``name`` with ``args`` once the caller's transaction commits (at once outside one)."""
    if name not in _TASKS:
        raise KeyError(f"unknown background job {name!r}")
    how = mode()
    if how == "celery":
        from gridgov import workers  # issue #12: the Celery app, its one generic task and the outbox

        workers.enqueue(name, args)  # an outbox row in the caller's transaction, published after the commit
    elif how == "inline":
        transaction.on_commit(lambda: _run_logged(name, args), robust=True)
    else:
        transaction.on_commit(lambda: _in_thread(name, args), robust=True)
