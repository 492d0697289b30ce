"""`gridgov serve`: several waitress processes on one listening socket, and one deadline scan.

Django code holds Python's interpreter lock while it works, so one process serves at most one core's worth of
requests however many threads it has. ``serve`` therefore binds the socket itself and starts ``workers``
processes (``python -m gridgov.serving worker``, fresh interpreters — no fork of a running Django) that all
accept on it; the kernel hands each connection to one of them. The serving process itself answers no
requests: it runs the background deadline scan (so there is exactly one, whatever the number of workers),
restarts a worker that dies, and stops them all on Ctrl+C or SIGTERM. A worker whose supervisor disappears
(killed without a chance to clean up) notices within a second and exits.

In-memory values (locator indexes, rule tables) are per process and re-check the database at most every
``GRIDGOV_FRESH_CHECK_S`` seconds (gridgov/fresh.py), so what one worker writes the others see.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

DEFAULT_THREADS = 6


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def serve_socket(sock: socket.socket, threads: int) -> None:
    """Serve the Django application on an already listening socket in this process (blocks)."""
    from waitress import create_server

    from gridgov.wsgi import application

    create_server(application, sockets=[sock], threads=threads, ident="gridgov").run()


class Supervisor:
    """Keeps ``workers`` worker processes serving ``sock`` until :meth:`stop`."""

    def __init__(self, sock: socket.socket, workers: int, threads: int, out=print):
        self.sock, self.workers, self.threads, self.out = sock, workers, threads, out
        self.procs: list[subprocess.Popen] = []
        self.stopping = threading.Event()

    def _spawn(self) -> subprocess.Popen:
        fd = self.sock.fileno()
        cmd = [sys.executable, "-m", "gridgov.serving", "worker", "--fd", str(fd), "--threads", str(self.threads),
               "--parent", str(os.getpid())]
        return subprocess.Popen(cmd, pass_fds=(fd,), env=os.environ.copy())

    def run(self) -> None:
        self.procs = [self._spawn() for _ in range(self.workers)]
        restarts: list[float] = []
        while not self.stopping.wait(0.5):
            for i, p in enumerate(self.procs):
                if p.poll() is None:
                    continue
                now = time.monotonic()
                restarts = [t for t in restarts if now - t < 60] + [now]
                if len(restarts) > 5 * self.workers:  # dying over and over: give up rather than spin
                    self.out(f"工作进程反复退出（退出码 {p.returncode}），服务停止")
                    self.stop()
                    break
                self.out(f"工作进程 {p.pid} 已退出（退出码 {p.returncode}），重新启动")
                self.procs[i] = self._spawn()
        self._terminate()

    def stop(self, *_args) -> None:
        self.stopping.set()

    def _terminate(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 8
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def metrics_folder(port: int) -> str:
    """A fresh folder for prometheus_client's multiprocess mode, set as ``PROMETHEUS_MULTIPROC_DIR`` for the worker
    processes started after this (gridgov/ops/metrics.py): each writes its counters there, /metrics sums them."""
    import shutil
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "metrics" / str(port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return str(folder)


def supervise(sock: socket.socket, workers: int, threads: int, out=print) -> None:
    sup = Supervisor(sock, workers, threads, out)
    signal.signal(signal.SIGTERM, sup.stop)
    signal.signal(signal.SIGINT, sup.stop)
    sup.run()


def _watch_parent(parent: int) -> None:
    def loop():
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=loop, name="gridgov-parent-watch", daemon=True).start()


def worker_main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="gridgov.serving worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    _watch_parent(args.parent)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # no request state worth saving: transactions roll back
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the supervisor, which stops the workers
    sock = socket.socket(fileno=args.fd)
    serve_socket(sock, args.threads)


if __name__ == "__main__":
    if sys.argv[1:2] != ["worker"]:
        sys.exit("usage: python -m gridgov.serving worker --fd N --parent PID [--threads N]")
    worker_main(sys.argv[2:])


class Periodic:
    """Periodic work handed to the Celery beat (with a broker): truthy, like the thread ``every`` starts."""

    def __init__(self, name: str, interval_s: float, work):
        self.name, self.interval_s, self.work = name, interval_s, work

    def __bool__(self) -> bool:
        return True


PERIODIC: dict[str, Periodic] = {}  # with a broker: the periodic work by name (gridgov.workers.beat_schedule)


def every(name: str, interval_s: float, work, *, first_after: float | None = None, local: bool = False):
    """THE background loop of `gridgov serve` (deadline scan, task scan, integrity scan, retention purge, audit
    anchor): ``work()`` in a daemon thread every ``interval_s`` seconds — the first pass after ``first_after`` (default:
    one interval) — with its own database connection; a failing pass is logged and the next one retries. None (no
    thread) when ``interval_s`` ≤ 0.

    With a broker configured (``GRIDGOV_BROKER_URL``) no thread starts: the work is registered in ``PERIODIC`` and
    `gridgov beat` (one per site) schedules it on the Celery workers (gridgov/workers.py) — one scheduler however
    many machines serve. ``local=True``: always a thread here (the outbox sweep, which must work while the broker
    is down)."""
    import logging

    if interval_s <= 0:
        return None
    if not local:
        from gridgov import background

        if background.mode() == "celery":
            PERIODIC[name] = Periodic(name, interval_s, work)
            return PERIODIC[name]

    stop = threading.Event()  # set by whoever owns the loop (a test) to end it after the current pass

    def loop():
        from django.db import close_old_connections

        from gridgov.ops.runs import timed

        wait = interval_s if first_after is None else first_after
        while not stop.wait(wait):
            wait = interval_s
            try:
                close_old_connections()
                timed(name, work)  # ops: the run recorded for /ops/
            except Exception:  # keep the loop alive; the next pass retries
                logging.getLogger("gridgov.serving").exception("%s failed", name)
            finally:
                close_old_connections()

    t = threading.Thread(target=loop, name=f"gridgov-{name}", daemon=True)
    t.stop = stop
    t.start()
    return t
