"""文号 under concurrency on PostgreSQL: eight drafts of one kind, scope and year issued at the same moment by eight
threads with connections of their own get 1 … 8 — no gap, no duplicate (one counter row, locked in the issuing
transaction). As in test_throttle_concurrency_pg.py, what the threads commit is removed afterwards."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from gridgov.accounts.models import User
from gridgov.audit import services as audit
from gridgov.audit.models import AuditHead
from gridgov.briefs import services
from gridgov.briefs.models import Brief, Counter, Status
from gridgov.notify.models import Notification

N = 8
YEAR = 2031  # a year nobody else numbers in


def _in_thread(fn):
    out = []

    def run():
        try:
            out.append(fn())
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=120)
    return out[0] if out else None


@pytest.mark.django_db
def test_eight_concurrent_issues_get_one_to_eight():
    assert connection.vendor == "postgresql"  # collected only in the PostgreSQL pass (tests/conftest.py)
    head = AuditHead.objects.values_list("last_id", "last_hash").get(pk=1)
    shift_id = User.objects.get(username="shift").pk
    empty = {"values": {}, "tables": {}, "charts": {}}
    now = dt.datetime(YEAR, 3, 2, 10, tzinfo=dt.UTC)

    def make():
        with transaction.atomic():
            return [Brief.objects.create(kind="weekly", scope_key="110101", scope_name="东城区", period=f"{YEAR}-W{w:02d}",
                                         first_day=dt.date.fromisocalendar(YEAR, w, 1),
                                         last_day=dt.date.fromisocalendar(YEAR, w, 7), title="并发测试",
                                         status=Status.DRAFT, figures=empty, narrative={}, created_at=now).pk
                    for w in range(1, N + 1)]

    ids = _in_thread(make)
    barrier = threading.Barrier(N)
    numbers, lock = [], threading.Lock()

    def issue(pk):
        try:
            barrier.wait(timeout=60)
            b = services.issue(User.objects.get(pk=shift_id), pk, now=now)
            with lock:
                numbers.append(b.seq)
        except Exception as e:  # noqa: BLE001 - the outcome is the test's subject
            with lock:
                numbers.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)

    def cleanup():
        with transaction.atomic():
            Notification.objects.filter(object_type="brief", object_id__in=[str(i) for i in ids]).delete()
            Brief.objects.filter(pk__in=ids).delete()
            Counter.objects.filter(year=YEAR).delete()
            with audit.maintenance(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditrecord WHERE id > %s", [head[0]])
                cursor.execute("UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1", list(head))

    _in_thread(cleanup)
    assert sorted(numbers) == list(range(1, N + 1))
