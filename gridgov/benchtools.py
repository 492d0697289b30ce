"""Throw-away databases for the benchmark commands (`gridgov bench …`): one per backend, dropped afterwards."""

import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse


@contextmanager
def backend_database(backend: str):
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as d:
            yield f"sqlite:///{Path(d) / 'bench.sqlite3'}", d
        return
    import psycopg

    base = os.environ.get("GRIDGOV_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"gridgov_bench_{uuid.uuid4().hex[:8]}"
    admin = urlunparse(urlparse(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as d:
            yield urlunparse(urlparse(base)._replace(path=f"/{name}")), d
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


LABELS = {"sqlite": "SQLite    ", "postgresql": "PostgreSQL"}


def run_per_backend(backends: list[str], worker: list[str]):
    """Run ``gridgov <worker…>`` in a throw-away database of each backend (its own process, the deadline scan
    off); yields (backend, stdout line) as each worker finishes. A failing worker raises with its error output."""
    import subprocess
    import sys

    for backend in backends:
        with backend_database(backend) as (url, folder):
            env = {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_DATA_DIR": folder,
                   "GRIDGOV_SCAN_INTERVAL_S": "0"}
            p = subprocess.run([sys.executable, "-m", "gridgov.cli", *worker], env=env, capture_output=True,
                               text=True, timeout=3600)
            if p.returncode != 0:
                raise RuntimeError(f"{worker[0]} failed on {backend}:\n{p.stderr[-3000:]}")
            for line in p.stdout.splitlines():
                yield backend, line


def json_results(backends: list[str], worker: list[str], format_line, out=print) -> list[dict]:
    """The JSON lines a worker prints (one result each), tagged with the backend, each printed by ``format_line``."""
    import json

    results = []
    for backend, line in run_per_backend(backends, worker):
        if line.startswith("{"):
            r = {**json.loads(line), "backend": backend}
            results.append(r)
            out(format_line(r))
    return results
