"""Background work on Celery over RabbitMQ (issue #12): the Celery app, its one generic task, the outbox, the beat.

With ``GRIDGOV_BROKER_URL`` set (``amqp://guest:guest@127.0.0.1:5672//``), ``background.submit(name, *ids)``:

1. writes an :class:`~gridgov.ops.models.OutboxJob` row **in the caller's transaction** (rolled back with it);
2. after the commit publishes ``gridgov.run(name, args)`` to the queue ``GRIDGOV_BROKER_QUEUE`` (default
   ``gridgov``) and deletes the row;
3. a broker that is down leaves the row (attempts + 1, next try after gridgov/backoff.py's schedule); the
   outbox sweep (``background-outbox``, a thread of every `gridgov serve` every 15 s — it must work while the
   broker is down, so it is not a beat task) publishes it again once the broker is back; a sweeper claims a row
   before publishing it, so two machines sweeping do not publish one row twice. The action that submitted the job has succeeded all along.

Workers (`gridgov worker` = ``celery worker``): ``acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1, so a
message is acknowledged only after its job ran; a worker killed mid-job (even SIGKILL: its broker connection
drops) leaves the message unacknowledged and RabbitMQ gives it to another worker. A job may therefore run again
after a crash: jobs take ids and are idempotent (gridgov/background.py).

Beat (`gridgov beat`, ONE per site): the periodic work `gridgov serve` runs in-process without a broker
(``serving.every``: deadline scan, tasks scan, integrity scan, retention purge, audit anchor, and any sweep others
register there) is scheduled as ``gridgov.periodic(name)`` on the workers. Every periodic message expires after
its interval, so a backlog does not pile up scans.
"""

import logging
import os
import threading

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import close_old_connections, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from kombu import Connection  # noqa: E402

from gridgov import background, backoff  # noqa: E402

log = logging.getLogger("gridgov.workers")

OUTBOX_SWEEP_S = 15.0  # how often the outbox is looked at for jobs the broker did not take
STALE_S = 60.0  # a row never tried this long after its creation: the process died between commit and publish


def broker_url() -> str:
    return settings.GRIDGOV.get("BROKER_URL", "")


def queue_name() -> str:
    return settings.GRIDGOV.get("BROKER_QUEUE", "gridgov") or "gridgov"


app = Celery("gridgov")
app.conf.update(
    broker_url=broker_url() or None,
    task_default_queue=queue_name(),
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    task_acks_late=True,  # acknowledged after the job ran…
    task_reject_on_worker_lost=True,  # …and given to another worker when this one dies mid-job
    worker_prefetch_multiplier=1,  # a worker holds one unacknowledged message at a time
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_heartbeat=30,
    timezone=settings.TIME_ZONE,
    enable_utc=True,
)


@worker_process_init.connect
def _fresh_connections(**_kw):  # a forked pool process must not share its parent's database sockets
    for conn in connections.all(initialized_only=True):
        conn.close()


@task_prerun.connect
def _before(**_kw):
    close_old_connections()


@task_postrun.connect
def _after(**_kw):
    close_old_connections()


@app.task(name="gridgov.run", acks_late=True, reject_on_worker_lost=True)
def run_job(name: str, args: list) -> None:
    """The one generic task: the registered background job ``name`` with its (id) arguments."""
    load_jobs()
    background.run(name, *args)


@app.task(name="gridgov.periodic", acks_late=True, reject_on_worker_lost=True)
def run_periodic(name: str) -> None:
    """One pass of the periodic work ``name`` (a ``serving.every`` loop), as the beat asks."""
    from gridgov import serving

    load_periodic()
    item = serving.PERIODIC.get(name)
    if item is None:
        log.error("periodic work %s is not registered on this worker", name)
        return
    from gridgov.ops.runs import timed

    timed(name, item.work)  # ops: the run recorded for /ops/


# ---------------------------------------------------------------- what the workers know


_loaded = threading.Lock()
_state = {"jobs": False, "periodic": False}


def load_jobs() -> None:
    """Every app's ``jobs`` module (gridgov.ops imports them at start-up already: this is for a bare worker)."""
    if _state["jobs"]:
        return
    with _loaded:
        background.autodiscover()
        _state["jobs"] = True


def load_periodic() -> None:
    """Register the periodic work exactly as `gridgov serve` does (with a broker, ``serving.every`` registers it
    for the beat instead of starting a thread)."""
    if _state["periodic"]:
        return
    with _loaded:
        if _state["periodic"]:
            return
        from io import StringIO

        from gridgov.management.commands.serve import Command

        Command(stdout=StringIO()).start_loops(outbox=False)
        _state["periodic"] = True


def beat_schedule() -> dict:
    from gridgov import serving

    load_periodic()
    return {name: {"task": "gridgov.periodic", "schedule": item.interval_s, "args": (name,),
                   "options": {"expires": max(1.0, item.interval_s), "queue": queue_name()}}
            for name, item in sorted(serving.PERIODIC.items())}


# ---------------------------------------------------------------- publishing, the outbox


_pools: dict[str, object] = {}
_pools_lock = threading.Lock()


def _acquire(url: str):
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            pool = _pools[url] = Connection(url, connect_timeout=3).Pool(limit=16)
    return pool.acquire(block=True, timeout=10)


def send(name: str, args, *, url: str | None = None, queue: str | None = None) -> None:
    """Publish ``gridgov.run(name, args)`` (raises when the broker cannot be reached)."""
    with _acquire(url or broker_url()) as conn:
        run_job.apply_async((name, list(args)), connection=conn, queue=queue or queue_name(), retry=True,
                            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                                          "interval_max": 0.5})


def stash(name: str, args) -> int:
    """The outbox row of a job (in the caller's transaction)."""
    from gridgov.ops.models import OutboxJob

    return OutboxJob.objects.create(name=name, args=list(args)).pk


_down = {"until": 0.0}  # after a failed publish, requests do not wait for the broker again for a while
DOWN_PAUSE_S = 10.0


def publish(job_id: int, *, sweeping: bool = False) -> bool:
    """Hand the outbox row ``job_id`` to the broker and delete it; on failure keep it for the sweep (True: published
    now, or already)."""
    return publish_many([job_id], sweeping=sweeping) == 1


def publish_many(job_ids: list[int], *, sweeping: bool = False) -> int:
    """Hand these outbox rows to the broker and delete them: one SELECT, the messages, one DELETE (a commit that
    queued fifty delivery jobs costs two statements, not a hundred). A failure keeps the rows not yet published for
    the sweep (attempts + 1, next try after gridgov/backoff.py). Within ``DOWN_PAUSE_S`` of a failure a request does
    not try at all (it would wait for the connection timeout): the rows stay for the sweep. Returns how many rows
    are gone (published now, or already)."""
    import time

    from gridgov.ops.models import OutboxJob

    if not sweeping and time.monotonic() < _down["until"]:
        return 0
    rows = list(OutboxJob.objects.filter(pk__in=job_ids).order_by("id"))
    gone = len(set(job_ids)) - len(rows)  # published already (by the sweep), or rolled back with their transaction
    done: list[int] = []
    try:
        for row in rows:
            send(row.name, row.args)
            done.append(row.pk)
        _down["until"] = 0.0
    except Exception as e:  # broker down, refused, timed out: the rest stays, the sweep tries again
        _down["until"] = time.monotonic() + DOWN_PAUSE_S
        now = timezone.now()
        for row in rows[len(done):]:
            OutboxJob.objects.filter(pk=row.pk).update(attempts=row.attempts + 1,
                                                       next_try_at=backoff.next_attempt(row.attempts + 1, now),
                                                       last_error=f"{type(e).__name__}: {e}"[:300])
        log.warning("broker unreachable, %d job(s) kept in the outbox: %s", len(rows) - len(done), type(e).__name__)
    finally:
        if done:
            OutboxJob.objects.filter(pk__in=done).delete()
    return gone + len(done)


_waiting = threading.local()  # this thread's outbox rows whose transaction has not committed yet


def enqueue(name: str, args) -> None:
    """``background.submit`` with a broker: outbox row now (in the transaction), published after the commit —
    all the rows a transaction wrote by the first of its commit callbacks, together (:func:`publish_many`). A row
    of a transaction that rolled back is simply not found then."""
    job_id = stash(name, args)
    _waiting.__dict__.setdefault("ids", []).append(job_id)
    transaction.on_commit(_publish_waiting, robust=True)


def _publish_waiting() -> None:
    ids, _waiting.ids = _waiting.__dict__.get("ids") or [], []
    if ids:
        publish_many(ids)


def sweep_outbox(limit: int = 500) -> int:
    """Publish the outbox rows that are due (a failed try whose wait is over, or a row never tried for a minute);
    stops at the first failure (the broker is still down). Returns how many were published."""
    from django.db.models import Q

    from gridgov.ops.models import OutboxJob

    now = timezone.now()
    stale = now - timezone.timedelta(seconds=STALE_S)
    due = (OutboxJob.objects.filter(Q(next_try_at__lte=now) | Q(next_try_at__isnull=True, created_at__lte=stale))
           .order_by("id")[:limit])
    done = 0
    for pk, attempts, next_try in list(due.values_list("id", "attempts", "next_try_at")):
        claimed = OutboxJob.objects.filter(pk=pk, attempts=attempts, next_try_at=next_try).update(
            next_try_at=now + timezone.timedelta(seconds=STALE_S))  # another sweeper skips it meanwhile
        if not claimed:
            continue
        if not publish(pk, sweeping=True):
            break
        done += 1
    return done


def outbox_depth() -> int:
    from gridgov.ops.models import OutboxJob

    return OutboxJob.objects.count()
