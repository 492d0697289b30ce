"""Demo (called by ``gridgov.demo.build``): a 12345 system (demo12345), a few of its work orders in the loop, and an
outbox where the changes so far were acknowledged by a receiver and the last one is pending.

While the demo writes, the receiver is switched off (the queued delivery jobs find nothing to do, so no thread
writes beside the demo); at the end a throw-away receiver on 127.0.0.1 acknowledges what was there, then one more
change waits for the configured address (nothing listens there in the demo: 「待发送」 on the 12345 page)."""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.cases.services.transitions import transition
from gridgov.geo.models import Grid

from . import services
from .models import Order

SYSTEM, NAME = "demo12345", "演示 12345 接诉即办平台"
URL = "http://127.0.0.1:8999/12345/webhook"  # nothing listens here in the demo: the last change stays pending
SECRET = "demo-12345-shared-secret-0000"  # public: a demo only
ORDERS = [("GD202612030001", "小区南门外垃圾堆放多日无人清运，气味很大", "06010"),
          ("GD202612030002", "人行道上的雨水井盖缺失，晚上很危险", None),
          ("GD202612030003", "早市摊贩占道经营，堵塞交通", "09005")]


class _Ack(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def build(stdout=print, scale: str = "demo") -> None:
    if Order.objects.filter(receiver__system=SYSTEM).exists():
        stdout("12345 对接：演示工单已存在")
        return
    if scale == "test":  # the suite's world: the receiver only (no cases beside the others')
        services.save_receiver(None, system=SYSTEM, name=NAME, url=URL, secret=SECRET, active=True)
        return
    services.save_receiver(None, system=SYSTEM, name=NAME, url=URL, secret=SECRET, active=False)
    u = {n: User.objects.get(username=n) for n in ("intake", "inspector", "dispatcher")}
    grids = list(Grid.objects.filter(layer__code="unit", community__code__startswith="110101001").order_by("code")[:40])
    wanted = ORDERS
    orders = []
    for i, (oid, text, matter) in enumerate(wanted):
        p = grids[(i * 11 + 3) % len(grids)].shape.representative_point()
        [(order, _)] = services.receive_orders(u["intake"], SYSTEM, [{
            "order_id": oid, "lon": p.x, "lat": p.y, "description": text, "matter": matter,
            "caller_name": "演示来电人", "caller_phone": f"1360000{i:04d}",
            "deadline": (timezone.now() + dt.timedelta(days=3)).isoformat()}])
        orders.append(order)
    first = orders[0].case.number
    transition(u["intake"], first, "assign_verify")
    transition(u["inspector"], first, "confirm", {"note": "现场核实属实"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        services.save_receiver(None, system=SYSTEM, name=NAME, url=f"http://127.0.0.1:{server.server_address[1]}/",
                               active=True, timeout_s=5)
        sent = services.sweep()
    finally:
        server.shutdown()
        server.server_close()
    services.save_receiver(None, system=SYSTEM, name=NAME, url=URL, active=False)
    transition(u["intake"], first, "register", {"matter": "06010"})
    services.save_receiver(None, system=SYSTEM, name=NAME, url=URL, active=True, timeout_s=5)
    stdout(f"12345 对接：系统 {SYSTEM}（共享密钥 {SECRET}），{len(orders)} 件工单，已回传 {sent} 条，1 条待发送")
