"""Benchmark of audit appends: ``record()`` calls per second on one connection, in transactions of 8.

    GRIDGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov python -m gridgov.audit.bench [--records 16000]

It never touches the configured database's log: on PostgreSQL it creates a throw-away database next to it
(dropped afterwards), on SQLite a file in a temporary folder; then migrates it and appends.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse


@contextmanager
def throwaway_database():
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    if not url.startswith("postgres"):
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    name = f"gridgov_auditbench_{uuid.uuid4().hex[:8]}"
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=16000)
    parser.add_argument("--per-transaction", type=int, default=8)
    args = parser.parse_args(argv)
    with throwaway_database() as url:
        os.environ["GRIDGOV_DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from gridgov.accounts.models import User
        from gridgov.audit import services

        call_command("migrate", verbosity=0, interactive=False)
        actor = User.objects.create(username="bench", display_name="压测", role="dispatcher")
        per = args.per_transaction

        def run(n):
            for start in range(0, n, per):
                with transaction.atomic():
                    for i in range(start, min(n, start + per)):
                        services.record(actor, "dispatch", "case", f"C{i:08d}",
                                        before={"state": "registered", "deadline": "2025-03-01T08:00:00+08:00"},
                                        after={"state": "dispatched", "department": "D0012", "assignee": 17})

        run(min(800, args.records))  # warm up
        t0 = time.perf_counter()
        run(args.records)
        elapsed = time.perf_counter() - t0
        print(f"{connection.vendor}: {args.records} record() calls in transactions of {per}: "
              f"{args.records / elapsed:,.0f} records/s ({elapsed * 1e6 / args.records:.0f} µs each)")
        if connection.vendor == "postgresql":  # the same without waiting for the WAL flush at each commit
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            t0 = time.perf_counter()
            run(args.records)
            relaxed = time.perf_counter() - t0
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = on")
            print(f"  with synchronous_commit=off: {args.records / relaxed:,.0f} records/s "
                  f"({relaxed * 1e6 / args.records:.0f} µs each): the WAL flush costs ≈ "
                  f"{(elapsed - relaxed) / (args.records / per) * 1e3:.2f} ms per commit")
        t0 = time.perf_counter()
        report = services.verify_chain()
        verify_s = time.perf_counter() - t0
        print(f"  verify: {report.count} records in {verify_s:.2f} s ({report.count / verify_s:,.0f} records/s), "
              f"ok={report.ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
