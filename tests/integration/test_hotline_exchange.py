"""12345 exchange (issue #12, item 4): work orders in with the hotline's id kept (a repeated id makes no second case),
the caller's phone protected; every state change of a 12345 case out through the outbox as a signed webhook,
retried until acknowledged, in order per case, not lost while the receiver is down for an hour.

The receiver is a small real HTTP server on 127.0.0.1 that records what it got and can be told to answer 500 or to
hang; the signature is checked here with hmac and the shared secret typed below.
"""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from gridgov.cases import services as cases
from gridgov.cases.models import Case, CaseReport
from gridgov.hotline import services
from gridgov.hotline.models import Delivery, Order

pytestmark = pytest.mark.django_db

SECRET = "hotline-shared-secret-0123456789"


class Receiver:
    """What the 12345 system received; ``mode`` is "ok", "500" or "hang" (answers after ``hang_s``)."""

    def __init__(self):
        self.got, self.mode, self.hang_s = [], "ok", 2.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.mode == "hang":
                    time.sleep(outer.hang_s)
                elif outer.mode == "ok":
                    outer.got.append((dict(self.headers), body))
                self.send_response(500 if outer.mode == "500" else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [json.loads(b)["event"] for _, b in self.got]


@pytest.fixture
def receiver():
    r = Receiver()
    services.save_receiver(None, system="bj12345", name="北京 12345", url=r.url, secret=SECRET, timeout_s=0.5)
    yield r
    r.server.shutdown()
    r.server.server_close()


def order(point, order_id="GD20261203001", **more):
    return {"order_id": order_id, "lon": point[0], "lat": point[1], "description": "小区门口垃圾无人清运",
            "caller_name": "赵六", "caller_phone": "13600001111", "deadline": "2026-12-05T18:00:00+08:00", **more}


def file(users, point, **more):
    [(o, created)] = services.receive_orders(users["intake"], "bj12345", [order(point, **more)])
    return o


def test_an_order_keeps_its_id_deadline_and_protects_the_phone(users, point, receiver):
    o = file(users, point)
    assert (o.receiver.system, o.order_id) == ("bj12345", "GD20261203001")
    assert o.deadline == dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
    case = Case.objects.get(pk=o.case_id)
    assert (case.source, case.status, case.verified) == ("hotline", "reported", False)
    report = CaseReport.objects.get(case=case)
    assert report.reporter_phone_masked == "136****1111"
    assert b"13600001111" not in bytes(report.reporter_phone_cipher)


def test_a_repeated_order_id_answers_the_existing_case(users, point, receiver):
    first = file(users, point)
    again = services.receive_orders(users["intake"], "bj12345", [order(point), order(point, order_id="GD-2"),
                                                                  order(point, order_id="GD-2")])
    assert again[0] == (first, False) or (again[0][0].case_id, again[0][1]) == (first.case_id, False)
    assert again[1][1] is True and again[2][1] is False and again[1][0].case_id == again[2][0].case_id
    assert Order.objects.filter(receiver__system="bj12345").count() == 2
    assert Case.objects.filter(hotline_order__receiver__system="bj12345").count() == 2


def test_the_api_takes_orders_each_checked(client_for, point, receiver):
    c = client_for("intake")
    r = c.post("/api/v1/hotline/orders", {"system": "bj12345", "orders": [
        order(point), order(point, order_id="GD-BAD", deadline="明天"), order(point)]}, content_type="application/json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["created"], out["failed"]) == (1, 1)
    assert out["results"][1]["error"]["code"] == "invalid_deadline"
    assert out["results"][2]["created"] is False and out["results"][2]["number"] == out["results"][0]["number"]
    unknown = c.post("/api/v1/hotline/orders", {"system": "sh12345", "orders": [order(point)]},
                     content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_hotline"


def _walk(users, number):
    cases.transition(users["intake"], number, "assign_verify")
    cases.transition(users["inspector"], number, "confirm")
    cases.transition(users["intake"], number, "register", {"matter": "06010"})
    cases.transition(users["dispatcher"], number, "dispatch", {"department": "110101-HW"})


def test_changes_go_out_signed_after_the_commit(users, point, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        o = file(users, point)
    with django_capture_on_commit_callbacks(execute=True):
        cases.transition(users["intake"], o.case.number, "assign_verify")
    assert receiver.events() == ["receive", "assign_verify"]
    headers, body = receiver.got[1]
    stamp = headers["X-Gridgov-Timestamp"]
    want = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Gridgov-Signature"] == f"sha256={want}"
    payload = json.loads(body)
    assert payload["order_id"] == "GD20261203001" and payload["system"] == "bj12345"
    assert payload["case_number"] == o.case.number
    assert (payload["event_label"], payload["state"], payload["state_label"]) == ("派核实", "verifying", "核实中")
    assert "13600001111" not in body.decode() and "赵六" not in body.decode()
    assert set(Delivery.objects.filter(order=o).values_list("status", flat=True)) == {"sent"}


def test_a_receiver_answering_500_then_recovering_gets_everything_in_order(users, point, receiver):
    receiver.mode = "500"
    o = file(users, point)
    _walk(users, o.case.number)
    now = timezone.now()
    assert services.sweep(now) == 0
    head = Delivery.objects.filter(order=o).order_by("id").first()
    assert (head.attempts, head.last_error) == (1, "HTTP 500")
    assert head.next_attempt_at == now + dt.timedelta(seconds=30)
    assert Delivery.objects.filter(order=o, attempts__gt=0).count() == 1  # the later ones waited
    receiver.mode = "ok"
    assert services.sweep(now + dt.timedelta(seconds=10)) == 0  # not due yet
    assert services.sweep(now + dt.timedelta(seconds=31)) == 5
    assert receiver.events() == ["receive", "assign_verify", "confirm", "register", "dispatch"]
    assert [json.loads(b)["event_id"] for _, b in receiver.got] == sorted(json.loads(b)["event_id"]
                                                                          for _, b in receiver.got)
    assert services.sweep(now + dt.timedelta(hours=1)) == 0  # nothing is sent twice


def test_a_receiver_down_for_an_hour_loses_nothing(users, point, receiver):
    receiver.mode = "500"
    o = file(users, point)
    start = timezone.now()
    for minute in range(0, 61):  # the minute loop, for an hour, while changes keep coming
        if minute == 20:
            _walk(users, o.case.number)
        services.sweep(start + dt.timedelta(minutes=minute))
    head = Delivery.objects.filter(order=o).order_by("id").first()
    assert head.attempts == 7  # minutes 0, 1, 2, 4, 8, 16, 32 (gridgov.backoff, on the minute loop), the next at 62
    assert Delivery.objects.filter(order=o, status="pending").count() == 5
    receiver.mode = "ok"
    services.sweep(start + dt.timedelta(minutes=62))
    assert receiver.events() == ["receive", "assign_verify", "confirm", "register", "dispatch"]


def test_a_hanging_receiver_times_out_and_is_retried(users, point, receiver):
    receiver.mode = "hang"
    o = file(users, point)
    now = timezone.now()
    services.sweep(now)
    head = Delivery.objects.get(order=o)
    assert head.status == "pending" and head.attempts == 1 and "超时" in head.last_error
    receiver.mode = "ok"
    services.sweep(now + dt.timedelta(minutes=1))
    assert receiver.events() == ["receive"]
    assert Delivery.objects.get(order=o).status == "sent"


def test_retry_now_and_the_outbox_page(users, point, receiver, client_for):
    receiver.mode = "500"
    o = file(users, point)
    services.sweep(timezone.now())
    head = Delivery.objects.get(order=o)
    page = client_for("shift").get("/hotline/")
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()
    assert client_for("gridworker").get("/hotline/").status_code == 403
    assert client_for("shift").get("/hotline/receivers/").status_code == 403
    receiver.mode = "ok"
    services.retry_now(users["shift"], head.pk)
    services.deliver_case(o.case_id)
    assert Delivery.objects.get(pk=head.pk).status == "sent"


def test_cases_not_from_12345_write_no_outbox(users, point, receiver):
    from tests.loop import close_loop

    r = cases.intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1], description="井盖缺失")
    close_loop(users, r.case.number)
    assert not Delivery.objects.filter(case=r.case).exists()


def test_the_receivers_page_is_the_administrators_and_keeps_the_secret(client_for):
    from gridgov.audit.models import AuditRecord
    from gridgov.hotline.models import Receiver

    page = client_for("admin").post("/hotline/receivers/", {
        "system": "tj12345", "name": "天津 12345", "url": "https://12345.example.cn/hook",
        "secret": "tianjin-shared-secret-000", "timeout_s": "8", "active": "on"})
    assert page.status_code == 302
    row = Receiver.objects.get(system="tj12345")
    assert (row.name, row.url, row.timeout_s, row.active) == ("天津 12345", "https://12345.example.cn/hook", 8.0, True)
    assert b"tianjin-shared-secret-000" not in bytes(row.secret_cipher)
    rec = AuditRecord.objects.filter(object_type="hotline_receiver", object_id="tj12345").get()
    assert "tianjin-shared-secret-000" not in json.dumps(rec.after, ensure_ascii=False)
    short = client_for("admin").post("/hotline/receivers/", {"system": "x1", "name": "x", "url": "https://x.cn/",
                                                             "secret": "short"})
    assert short.status_code == 400 and "至少 16 个字符" in short.content.decode()
    assert not Receiver.objects.filter(system="x1").exists()
