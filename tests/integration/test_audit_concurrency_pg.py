"""Concurrent appends on PostgreSQL: two connections appending at once still form one gap-free chain.

Why not ``django_db(transaction=True)``: a transactional test flushes every table when it ends, which would
destroy the session-wide demo world of tests/conftest.py. Instead the test keeps its ordinary (rolled-back)
transaction and runs the appenders in two threads; Django gives each thread its own connection, so each
thread's transactions really commit and really contend for the chain's head, through the service code.
What the threads committed is removed afterwards, in a thread of its own, under the maintenance switch, and
the head is put back — so the database is as before for the tests that follow.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from gridgov.audit import services
from gridgov.audit.models import AuditHead, AuditRecord

THREADS, TRANSACTIONS, PER_TRANSACTION = 2, 50, 4  # 200 records per thread


def in_thread(fn, *args):
    """Run fn on a fresh connection in another thread; return its result or raise its error."""
    out = {}

    def run():
        try:
            out["result"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            out["error"] = e
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=120)
    if "error" in out:
        raise out["error"]
    return out.get("result")


def restore(last_id: int, last_hash: str) -> None:
    with transaction.atomic(), services.maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id > %s", [last_id])
        cursor.execute("UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1", [last_id, last_hash])


@pytest.mark.django_db
def test_two_connections_appending_at_once_form_one_chain():
    assert connection.vendor == "postgresql"  # collected only in the PostgreSQL pass (tests/conftest.py)
    head = AuditHead.objects.get(pk=1)
    start_id, start_hash = head.last_id, head.last_hash
    barrier = threading.Barrier(THREADS)
    errors = []

    def appender(n: int):
        try:
            barrier.wait(timeout=30)
            for i in range(TRANSACTIONS):
                with transaction.atomic():
                    for j in range(PER_TRANSACTION):
                        services.record(None, "tick", "bench", f"T{n}-{i:03d}-{j}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(THREADS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        ids = list(AuditRecord.objects.filter(id__gt=start_id).order_by("id").values_list("id", "object_id"))
        total = THREADS * TRANSACTIONS * PER_TRANSACTION
        assert [i for i, _ in ids] == list(range(start_id + 1, start_id + total + 1))  # gap-free, no duplicates
        for n in range(THREADS):  # each thread's records in its own order
            mine = [o for _, o in ids if o.startswith(f"T{n}-")]
            assert mine == sorted(mine) and len(mine) == total // THREADS
        # the transactions interleaved: both threads appear before the other finished
        firsts = [next(k for k, (_, o) in enumerate(ids) if o.startswith(f"T{n}-")) for n in range(THREADS)]
        lasts = [max(k for k, (_, o) in enumerate(ids) if o.startswith(f"T{n}-")) for n in range(THREADS)]
        assert max(firsts) < min(lasts)
        report = services.verify_chain(batch=64)
        assert report.ok, services.describe(report)
    finally:
        in_thread(restore, start_id, start_hash)
    assert AuditHead.objects.get(pk=1).last_id == start_id
    assert services.verify_chain().ok
