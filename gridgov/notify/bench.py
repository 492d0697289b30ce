"""`gridgov bench notify --celery` (issue #12: "notification delivery through Celery to the local test gateway:
≥ 500 messages/s with 2 workers"), run by bench_notify in a throw-away PostgreSQL database.

N inbox messages, each with an SMS and a 企业微信 delivery, are recorded; then, the clock started, their
deliveries are queued exactly as ``notify`` queues them (``background.submit("notify.deliver", *50 ids)`` in one
transaction: an outbox row each, published to RabbitMQ after the commit) and ``workers`` real ``celery worker`` processes (the threads
pool, ``concurrency`` threads each; a queue of this run's own, deleted afterwards) claim and send them to the test
gateway (a real HTTP server on 127.0.0.1, in this process). The figure is deliveries recorded as sent / (the last
``sent_at`` − the start). Every delivery must be sent once: the gateway's SMS and 企业微信 requests are counted.
"""

import os
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone


def _env(gw, broker: str, queue: str) -> dict:
    env = {**os.environ, "GRIDGOV_BROKER_URL": broker, "GRIDGOV_BROKER_QUEUE": queue,
           "DJANGO_SETTINGS_MODULE": "gridgov.settings"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    for key, value in gw.settings().items():
        if isinstance(value, str):
            env[f"GRIDGOV_NOTIFY_{key}"] = value
    return env


def celery_run(n: int, workers: int, concurrency: int, broker: str, timeout_s: float = 600.0):
    from kombu import Connection

    from gridgov import background
    from gridgov.accounts.models import User

    from . import services
    from .management.commands.bench_notify import Command
    from .models import Delivery
    from .testgateway import Gateway

    queue = f"gridgov-bench-{uuid.uuid4().hex[:10]}"
    procs = []
    with Gateway(record=False) as gw:
        settings.GRIDGOV["NOTIFY"] = gw.settings()
        settings.GRIDGOV["BROKER_URL"], settings.GRIDGOV["BROKER_QUEUE"] = broker, queue
        env = _env(gw, broker, queue)
        try:
            for i in range(workers):
                log = open(os.path.join(settings.DATA_DIR, f"worker{i}.log"), "w")  # noqa: SIM115
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "gridgov.workers", "worker", "-Q", queue, "--pool", "threads",
                     "--concurrency", str(concurrency), "--prefetch-multiplier", "1", "--without-gossip",
                     "--without-mingle", "--without-heartbeat", "-n", f"bench{i}-{queue}@%h", "--loglevel", "WARNING"],
                    env=env, stdout=subprocess.DEVNULL, stderr=log))
            user = User.objects.create(username="bench-notify", display_name="压测", role="handler")
            services.set_preference(None, user, phone="13900000009", wecom_userid="bench")
            _warm_up(procs, user, gw)
            ids = Command()._prepare(user, n)
            load = os.getloadavg()
            parts = {"workers": [p.pid for p in procs], "gateway": [os.getpid()], "PostgreSQL": _backends(),
                     "RabbitMQ": _pids_of("beam.smp")}
            before = {k: _cpu(v) for k, v in parts.items()}
            start = timezone.now()
            t0 = time.perf_counter()
            with transaction.atomic():  # as notify queues them: in the notifying transaction, published at its commit
                for i in range(0, len(ids), services.BATCH):
                    background.submit("notify.deliver", *ids[i:i + services.BATCH])
            queued = time.perf_counter() - t0
            deadline = time.monotonic() + timeout_s
            while Delivery.objects.filter(pk__in=ids, status=Delivery.SENT).count() < len(ids):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"deliveries not all sent (workers: {[p.poll() for p in procs]})\n{_logs()}")
                time.sleep(0.05)
            last = max(Delivery.objects.filter(pk__in=ids).values_list("sent_at", flat=True))
            cpu = {k: (_cpu(v) - before[k]) / len(ids) * 1000 for k, v in parts.items()}  # ms a delivery
            seconds = (last - start).total_seconds()
            sms, wecom = gw.paths.get("/sms", 0), gw.paths.get("/cgi-bin/message/send", 0)
            yield (f"celery: {len(ids):,} deliveries ({n:,} messages × SMS + 企业微信) sent by {workers} workers × "
                   f"{concurrency} threads in {seconds:.2f} s — {len(ids) / seconds:,.0f} deliveries/s, "
                   f"{n / seconds:,.0f} messages/s (queued in {queued:.2f} s; gateway: {sms:,} SMS, "
                   f"{wecom:,} 企业微信 requests; load average before {load[0]:.1f})")
            total = sum(cpu.values())
            yield ("        CPU a delivery: " + ", ".join(f"{k} {v:.2f} ms" for k, v in cpu.items())
                   + f" = {total:.2f} ms, i.e. ≈ {2000 / total:,.0f} deliveries/s on two free cores")
            if sms != n or wecom != n:
                raise RuntimeError(f"sent twice or not at all: {sms} SMS, {wecom} 企业微信 for {n} messages")
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
            with Connection(broker) as conn:
                try:
                    conn.default_channel.queue_delete(queue)
                except Exception:
                    pass


def _warm_up(procs, user, gw, timeout_s: float = 180.0) -> None:
    """One message through every worker thread's path (imports, connections, the 企业微信 token) before the clock
    starts; the gateway's counters are reset afterwards."""
    from gridgov import background

    from .management.commands.bench_notify import Command
    from .models import Delivery

    ids = Command()._prepare(user, 8)
    for i in ids:
        background.submit("notify.deliver", i)
    deadline = time.monotonic() + timeout_s
    while Delivery.objects.filter(pk__in=ids, status=Delivery.SENT).count() < len(ids):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError(f"the workers did not start\n{_logs()}")
        time.sleep(0.2)
    gw.paths.clear()


def _logs() -> str:
    from pathlib import Path

    return "\n".join(p.read_text()[-1500:] for p in sorted(Path(settings.DATA_DIR).glob("worker*.log")))


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes (those that ended count 0: measure live ones)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _backends() -> list[int]:
    """The PostgreSQL server processes serving this database (the workers' connections, kept open)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [r[0] for r in cur.fetchall()]


def _pids_of(name: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        out.append(int(entry))
            except OSError:
                pass
    return out
