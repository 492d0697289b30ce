"""Never sent twice, under real concurrency (issue #12: "delivery recorded, retried with back-off, never sent
twice"; the Celery bench runs 2 workers × 4 threads on the same queue). PostgreSQL only (the file name ends in
_pg.py): row locks between connections.

Six senders with connections of their own are handed the SAME 40 deliveries (20 messages × SMS + 企业微信) and
released together, as two workers would be if one job were delivered twice; each delivery is claimed by exactly one
of them, so the test gateway (a real HTTP server on 127.0.0.1) receives each message once. As in
test_throttle_concurrency_pg.py the test's own transaction stays open and rolled back; the rows the senders must
see are committed by a thread of their own and removed afterwards.
"""

import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.crypto import cipher
from gridgov.notify import services
from gridgov.notify.models import Delivery, Notification, Preference
from gridgov.notify.testgateway import Gateway

SENDERS, MESSAGES = 6, 20


def in_own_connection(fn):
    out = {}

    def run():
        try:
            out["value"] = fn()
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=120)
    return out.get("value")


def committed_deliveries() -> tuple[int, list[int]]:
    user = User.objects.create(username=f"claims-{uuid.uuid4().hex[:8]}", display_name="并发", role="handler")
    Preference.objects.create(user=user, phone_cipher=cipher().encrypt("13900000001", "notify.phone"),
                              phone_masked="139****0001", wecom_userid="claims.handler")
    now = timezone.now()
    ids = []
    for i in range(MESSAGES):
        n = Notification.objects.create(user=user, kind="case.dispatch", title=f"案件 C{i}：派遣", body="并发",
                                        object_type="case", object_id=f"C{i}")
        for channel in ("sms", "wecom"):
            ids.append(Delivery.objects.create(notification=n, channel=channel, key=f"{channel}:{n.pk}",
                                               next_attempt=now).pk)
    return user.pk, ids


@pytest.mark.django_db
def test_six_senders_given_the_same_deliveries_send_each_exactly_once(settings):
    assert connection.vendor == "postgresql"  # collected only in the PostgreSQL pass (tests/conftest.py)
    with Gateway() as gw:
        settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY": gw.settings()}
        user_id, ids = in_own_connection(committed_deliveries)
        try:
            barrier = threading.Barrier(SENDERS)
            outcomes, lock = [], threading.Lock()

            def send():
                try:
                    barrier.wait(timeout=60)
                    result = services.deliver_ids(ids)
                    with lock:
                        outcomes.append(result)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=send) for _ in range(SENDERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            rows = in_own_connection(lambda: set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")))
        finally:
            in_own_connection(lambda: (User.objects.filter(pk=user_id).delete(), cache.delete("notify:wecom-token")))
    assert len(outcomes) == SENDERS
    assert sum(o["sent"] for o in outcomes) == 40  # 20 messages × 2 channels, once each
    assert sum(o["failed"] for o in outcomes) == 0
    assert sum(o["skipped"] for o in outcomes) == 5 * 40  # every other sender found each one taken
    assert len(gw.on("/sms")) == 20
    assert len(gw.on("/cgi-bin/message/send")) == 20
    assert len({r.body["OutId"] for r in gw.on("/sms")}) == 20  # twenty different deliveries, none twice
    titles = sorted(r.body["text"]["content"].split("\n")[0] for r in gw.on("/cgi-bin/message/send"))
    assert titles == sorted(f"案件 C{i}：派遣" for i in range(MESSAGES))
    assert rows == {("sent", 1)}  # every delivery: sent, after one attempt
