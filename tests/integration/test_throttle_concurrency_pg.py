"""Concurrent guesses on PostgreSQL: 30 wrong phones at once from one address for one case number — exactly the
limit (5) are evaluated, the other 25 refused without being looked at; and 30 concurrent wrong passwords for one
account likewise. (The guess throttles used to live in Django's DatabaseCache, read-then-write: 30 concurrent
guesses got 14 answers against a limit of 5.)

As in test_audit_concurrency_pg.py, the test keeps its rolled-back transaction and the guesses run in threads
with connections of their own, so their counts really commit and really contend; what they committed (the
counters, the audit records of the failed sign-ins) is removed afterwards.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from gridgov.accounts import services as accounts
from gridgov.accounts import throttle
from gridgov.accounts.models import ThrottleCounter
from gridgov.audit import services as audit
from gridgov.audit.models import AuditHead
from gridgov.cases.services import public

GUESSES = 30
NUMBER = "110101-20261203-9999"  # the throttle counts before looking: any well-formed number will do


class Request:
    def __init__(self, address):
        self.META = {"REMOTE_ADDR": address}


def at_once(fn) -> list[str]:
    """Run ``fn(i)`` in GUESSES threads released together; the outcome of each (its error code or 'ok')."""
    barrier = threading.Barrier(GUESSES)
    out, lock = [], threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=60)
            fn(i)
            result = "ok"
        except Exception as e:  # noqa: BLE001 - the outcome is the test's subject
            result = getattr(e, "code", repr(e))
        finally:
            connections.close_all()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(GUESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def cleanup(keys: list[str], head: tuple[int, str]) -> None:
    def run():
        try:
            with transaction.atomic():
                ThrottleCounter.objects.filter(key__in=keys).delete()
                with audit.maintenance(), connection.cursor() as cursor:
                    cursor.execute("DELETE FROM audit_auditrecord WHERE id > %s", [head[0]])
                    cursor.execute("UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1", list(head))
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)


@pytest.mark.django_db
def test_thirty_concurrent_wrong_phones_from_one_address_get_exactly_five_answers(monkeypatch):
    assert connection.vendor == "postgresql"  # collected only in the PostgreSQL pass (tests/conftest.py)
    address = "203.0.113.77"
    evaluated, lock = [], threading.Lock()

    class Cases:  # stands in for Case.objects in the threads: counts the look-ups, finds nothing
        @staticmethod
        def filter(**lookup):
            with lock:
                evaluated.append(lookup)
            return Cases

        @staticmethod
        def first():
            return None

    monkeypatch.setattr(public, "Case", type("Case", (), {"objects": Cases}))
    keys = [throttle.key_of(r, s) for r, s in public._checks(NUMBER, address)]
    head = AuditHead.objects.values_list("last_id", "last_hash").get(pk=1)
    try:
        outcomes = at_once(lambda i: public.check_phone(NUMBER, f"139000000{i:02d}", address=address))
    finally:
        cleanup(keys, head)
    assert sorted(outcomes) == ["too_many_attempts"] * 25 + ["wrong_number_or_phone"] * 5
    assert len(evaluated) == 5


@pytest.mark.django_db
def test_thirty_concurrent_wrong_passwords_for_one_account_get_exactly_five_answers():
    assert connection.vendor == "postgresql"
    address = "203.0.113.78"
    keys = [throttle.key_of(r, s) for r, s in accounts._checks("gridleader", address)]
    head = AuditHead.objects.values_list("last_id", "last_hash").get(pk=1)
    try:
        outcomes = at_once(lambda i: accounts.sign_in(Request(address), "gridleader", f"wrong-{i}", via="api"))
    finally:
        cleanup(keys, head)
    assert sorted(outcomes) == ["bad_credentials"] * 5 + ["too_many_attempts"] * 25
