"""Notifications: one inbox per user, channels only after the commit, and the API of one's own inbox."""

import json

import pytest
from django.db import transaction

from gridgov.notify import channels, services
from gridgov.notify.models import Notification

FAKE = ["gridgov.notify.channels.InAppChannel", "gridgov.notify.channels.FakeChannel"]


@pytest.fixture(autouse=True)
def empty_inboxes(db):
    """Each test starts from empty inboxes (the demo's replay notifies its accounts, as real use would — levels: the
    grid leader hears of the reports that enter at her grids); the test's transaction rolls this back."""
    Notification.objects.all().delete()


@pytest.fixture
def fake(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY_CHANNELS": FAKE}
    channel = channels.get("fake")
    channel.reset()
    yield channel
    channel.reset()


class Boom:
    name = "boom"
    external = True

    def send(self, message):
        raise TimeoutError("gateway down")


@pytest.mark.django_db
def test_each_user_sees_only_their_own_inbox(users):
    worker, leader = users["gridworker"], users["gridleader"]
    services.notify([worker, leader, worker], "case.dispatched", "新案件", "请处置", "case", 17)
    services.notify([leader.pk], "case.overdue", "案件超期", "")
    assert [n.kind for n in services.inbox(worker)] == ["case.dispatched"]
    assert [n.kind for n in services.inbox(leader)] == ["case.overdue", "case.dispatched"]
    assert services.unread_count(worker) == 1 and services.unread_count(leader) == 2
    n = services.inbox(worker)[0]
    assert (n.object_type, n.object_id) == ("case", "17")
    assert services.notify([], "x", "y", "z") == []


@pytest.mark.django_db
def test_mark_read_touches_only_own_unread(users):
    worker, leader = users["gridworker"], users["gridleader"]
    mine = services.notify([worker], "k", "t", "b")[0]
    theirs = services.notify([leader], "k", "t", "b")[0]
    assert services.mark_read(worker, [mine.pk, theirs.pk, 10**9]) == 1
    assert services.mark_read(worker, [mine.pk]) == 0  # already read
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert services.unread_count(worker) == 0 and services.unread_count(leader) == 1
    assert list(services.inbox(worker, unread_only=True)) == []


@pytest.mark.django_db
def test_default_is_in_app_only_and_sends_nothing_outside(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify([users["gridworker"]], "k", "t", "b")
    assert callbacks == []


@pytest.mark.django_db
def test_channels_are_called_after_the_commit(users, fake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            rows = services.notify([users["gridworker"], users["gridleader"]], "case.dispatched", "新案件", "请处置",
                                   "case", "C1")
        assert fake.sent == []  # written, not yet committed: nothing sent
    assert len(callbacks) == 1
    callbacks[0]()
    assert [(m.notification_id, m.user_id, m.kind, m.object_id) for m in fake.sent] == [
        (rows[0].pk, users["gridworker"].pk, "case.dispatched", "C1"),
        (rows[1].pk, users["gridleader"].pk, "case.dispatched", "C1"),
    ]
    assert Notification.objects.get(pk=rows[0].pk).channel_results == {"fake": "sent"}


@pytest.mark.django_db
def test_a_rolled_back_write_notifies_nobody(users, fake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify([users["gridworker"]], "case.dispatched", "新案件", "请处置")
            raise RuntimeError("the dispatch fails")
    assert callbacks == [] and fake.sent == []
    assert services.unread_count(users["gridworker"]) == 0


@pytest.mark.django_db
def test_a_failing_channel_does_not_stop_the_others(users, fake, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = services.notify([users["gridworker"]], "case.overdue", "王伟的案件超期", "b")[0]
    (callback,) = callbacks
    services.deliver([Boom(), fake], callback.args[1])  # the messages, through a failing channel and the fake
    assert len(fake.sent) == 1
    assert Notification.objects.get(pk=row.pk).channel_results == {"boom": "error: TimeoutError", "fake": "sent"}
    assert "王伟" not in caplog.text


# ---------------------------------------------------------------- API


@pytest.mark.django_db
def test_api_requires_sign_in(client_for):
    anon = client_for(None)
    assert anon.get("/api/v1/notifications").status_code == 401
    assert anon.get("/api/v1/notifications/count").status_code == 401
    r = anon.post("/api/v1/notifications/read", data=json.dumps({"ids": [1]}), content_type="application/json")
    assert r.status_code == 401


@pytest.mark.django_db
def test_api_own_inbox_count_and_read(users, client_for):
    worker, leader = users["gridworker"], users["gridleader"]
    mine = services.notify([worker], "case.dispatched", "新案件", "请处置", "case", 5)
    services.notify([worker], "case.overdue", "超期", "")
    theirs = services.notify([leader], "case.dispatched", "别人的", "")[0]
    client = client_for("gridworker")
    body = client.get("/api/v1/notifications").json()["items"]
    assert [n["kind"] for n in body] == ["case.overdue", "case.dispatched"]
    assert theirs.pk not in [n["id"] for n in body]
    assert client.get("/api/v1/notifications/count").json() == {"unread": 2}
    r = client.post("/api/v1/notifications/read", data=json.dumps({"ids": [mine[0].pk, theirs.pk]}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json() == {"updated": 1, "unread": 1}
    assert [n["kind"] for n in client.get("/api/v1/notifications?unread=1").json()["items"]] == ["case.overdue"]
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    resident = client_for("resident")  # every signed-in account has an inbox, whatever its post
    assert resident.get("/api/v1/notifications/count").json() == {"unread": 0}


@pytest.mark.django_db
def test_api_inbox_query_count_does_not_grow(users, client_for, django_assert_max_num_queries):
    for _ in range(30):
        services.notify([users["gridworker"]], "k", "t", "b")
    client = client_for("gridworker")
    with django_assert_max_num_queries(4):
        page = client.get("/api/v1/notifications?limit=20").json()
    assert (len(page["items"]), page["count"], page["limit"], page["offset"]) == (20, 30, 20, 0)
