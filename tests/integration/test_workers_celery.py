"""Background work on Celery over the real RabbitMQ on 127.0.0.1:5672 (issue #12, Done-when).

The workers are real ``celery worker`` processes started here. They must see the data the test writes, and the
suite's database is in memory (SQLite) or inside a rolled-back transaction: so these workers use a database file
of their own holding only the ops tables (``migrate ops``), which the test reads and writes with ``sqlite3``
directly — on either pass of the suite. Each test uses a queue of its own, deleted at the end, so workers of
other people's tests on the same broker never take our messages. No timing assertions: generous waits for
conditions.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
from kombu import Connection

from gridgov import workers

AMQP = os.environ.get("GRIDGOV_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
CLOSED = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1


def wait_for(condition, timeout=90.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def worker_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("celery-workers")
    path = folder / "workers.sqlite3"
    env = {**os.environ, "GRIDGOV_DATABASE_URL": f"sqlite:///{path}", "GRIDGOV_DATA_DIR": str(folder),
           "DJANGO_SETTINGS_MODULE": "gridgov.settings", "GRIDGOV_BROKER_URL": AMQP}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([sys.executable, "-m", "django", "migrate", "ops", "--verbosity", "0"], env=env, check=True,
                   timeout=300)
    return path, env


@pytest.fixture
def queue():
    name = f"gridgov-test-{uuid.uuid4().hex[:12]}"
    yield name
    with Connection(AMQP) as conn:
        try:
            conn.default_channel.queue_delete(name)
        except Exception:
            pass


class Workers:
    def __init__(self, env, queue):
        self.env, self.queue, self.procs = {**env, "GRIDGOV_BROKER_QUEUE": queue}, queue, []

    def start(self, log=None) -> subprocess.Popen:
        """A worker; with ``log`` (a path) its INFO lines go there (each task it received, and how it ended)."""
        n = len(self.procs)
        logging = ["--loglevel", "INFO", "--logfile", str(log)] if log else ["--loglevel", "WARNING"]
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "gridgov.workers", "worker", "-Q", self.queue,
                              "--pool", "solo", "--without-gossip", "--without-mingle", "-n", f"t{n}-{self.queue}@%h",
                              *logging], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture
def pool(worker_db, queue):
    w = Workers(worker_db[1], queue)
    yield w
    w.stop()


def probe_row(path, probe_id):
    with sqlite3.connect(path, timeout=30) as c:
        hold, starts, finished, finished_by = c.execute(
            "SELECT hold, starts, finished, finished_by FROM ops_probe WHERE id = ?", [probe_id]).fetchone()
    return {"hold": bool(hold), "starts": json.loads(starts), "finished": finished, "finished_by": finished_by}


def new_probe(path, hold: bool) -> int:
    with sqlite3.connect(path, timeout=30) as c:
        cur = c.execute("INSERT INTO ops_probe (hold, starts, finished, created_at) VALUES (?, '[]', 0, "
                        "'2026-01-01 00:00:00')", [int(hold)])
        return cur.lastrowid


def release(path, probe_id):
    with sqlite3.connect(path, timeout=30) as c:
        c.execute("UPDATE ops_probe SET hold = 0 WHERE id = ?", [probe_id])


def test_a_submitted_job_runs_on_a_worker(worker_db, pool, queue):
    path, _ = worker_db
    w = pool.start()
    pk = new_probe(path, hold=False)
    workers.send("ops.probe", [pk], url=AMQP, queue=queue)
    row = wait_for(lambda: (r := probe_row(path, pk))["finished"] and r, what="the probe to finish")
    assert row["starts"] == [w.pid] and row["finished_by"] == w.pid


def test_a_worker_killed_mid_job_hands_it_to_another_which_finishes_it_once(worker_db, pool, queue):
    path, _ = worker_db
    a, b = pool.start(), pool.start()
    pk = new_probe(path, hold=True)
    workers.send("ops.probe", [pk], url=AMQP, queue=queue)
    first = wait_for(lambda: probe_row(path, pk)["starts"], what="a worker to start the job")
    assert len(first) == 1 and first[0] in (a.pid, b.pid)
    killed, other = (a, b) if first[0] == a.pid else (b, a)
    os.kill(killed.pid, signal.SIGKILL)  # mid-job: the message was never acknowledged
    killed.wait(timeout=30)
    starts = wait_for(lambda: (lambda s: s if len(s) == 2 else None)(probe_row(path, pk)["starts"]),
                      what="the broker to give the job to the other worker")
    assert starts == [killed.pid, other.pid]
    release(path, pk)
    row = wait_for(lambda: (r := probe_row(path, pk))["finished"] and r, what="the job to finish")
    assert row["finished"] == 1 and row["finished_by"] == other.pid and row["starts"] == [killed.pid, other.pid]


@pytest.mark.django_db
def test_a_broker_that_is_down_loses_nothing_the_outbox_sweep_publishes_later(client_for, settings, queue,
                                                                             django_capture_on_commit_callbacks):
    """The action (a background import) succeeds while the broker is unreachable; its job waits in the outbox
    and is published by the sweep once the broker is back — found in the queue with its id."""
    from gridgov.basedata.logic import synthetic
    from gridgov.basedata.models import Dwelling
    from gridgov.ops.models import OutboxJob

    settings.GRIDGOV = {**settings.GRIDGOV, "BROKER_URL": CLOSED, "BROKER_QUEUE": queue}
    codes = list(Dwelling.objects.filter(scope_key__startswith="110101001001W001.").values_list("code", flat=True)[:3])
    data = synthetic.resident_file(5, codes, start=12_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for("gridleader").post("/api/v1/basedata/imports/residents?background=true", data=data,
                                             content_type="text/csv")
    assert resp.status_code == 200 and resp.json()["status"] == "running"
    job_id = resp.json()["id"]
    row = OutboxJob.objects.get()
    assert (row.name, row.args, row.attempts) == ("basedata.import", [job_id], 1)
    assert row.next_try_at is not None and row.last_error

    settings.GRIDGOV = {**settings.GRIDGOV, "BROKER_URL": AMQP}
    assert workers.sweep_outbox() == 0  # its wait (30 s after the first failure) is not over yet
    OutboxJob.objects.filter(pk=row.pk).update(next_try_at=row.created_at)
    assert workers.sweep_outbox() == 1
    assert not OutboxJob.objects.exists()
    with Connection(AMQP) as conn:
        message = wait_for(lambda: conn.SimpleQueue(queue).get(block=True, timeout=5), what="the message")
        message.ack()
    assert message.headers["task"] == "gridgov.run"
    assert message.payload[0] == ["basedata.import", [job_id]]


def test_with_a_broker_the_periodic_work_goes_to_the_beat(settings):
    from gridgov import serving

    saved = dict(serving.PERIODIC)
    settings.GRIDGOV = {**settings.GRIDGOV, "BROKER_URL": AMQP}
    workers._state["periodic"] = False
    try:
        handed = serving.every("tests-sweep", 30, lambda: None)
        assert handed and not hasattr(handed, "is_alive")  # registered, no thread started
        schedule = workers.beat_schedule()
        assert {"deadline-scan", "tasks-scan", "integrity-scan", "retention-purge", "health-watch",
                "tests-sweep"} <= set(schedule)
        assert "background-outbox" not in schedule  # the outbox sweep stays in `gridgov serve` (broker down)
        assert schedule["deadline-scan"]["task"] == "gridgov.periodic"
        assert schedule["deadline-scan"]["schedule"] == 60.0
    finally:
        serving.PERIODIC.clear()
        serving.PERIODIC.update(saved)
        workers._state["periodic"] = False
