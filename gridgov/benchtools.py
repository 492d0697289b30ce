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
