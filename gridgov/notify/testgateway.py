"""A small real HTTP server on 127.0.0.1 that plays the SMS gateway and 企业微信 (the tests and `gridgov bench notify`).

It records every request (method, path, query, JSON body) and answers as the real services do; ``mode`` makes a
path refuse (a business error code), answer HTTP 500, or hang (no answer until the server stops)::

    with Gateway() as gw:
        gw.url("/sms")           # http://127.0.0.1:PORT/sms
        gw.mode["/sms"] = "refuse" | "500" | "hang" | "ok"
        gw.received              # [Received(...), ...]
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Received:
    method: str
    path: str
    query: dict
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


OK = {
    "/sms": {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"},
    "/cgi-bin/gettoken": {"errcode": 0, "errmsg": "ok", "access_token": "TEST-TOKEN", "expires_in": 7200},
    "/cgi-bin/message/send": {"errcode": 0, "errmsg": "ok", "invaliduser": ""},
    "/cgi-bin/webhook/send": {"errcode": 0, "errmsg": "ok"},
}
REFUSE = {
    "/sms": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控Permits:10"},
    "/cgi-bin/gettoken": {"errcode": 40013, "errmsg": "invalid corpid"},
    "/cgi-bin/message/send": {"errcode": 81013, "errmsg": "user & party & tag all invalid"},
    "/cgi-bin/webhook/send": {"errcode": 93000, "errmsg": "invalid webhook url"},
}


class Gateway:
    def __init__(self, record: bool = True):
        self.received: list[Received] = []
        self.mode: dict[str, str] = {}
        self.record = record
        self.count = 0
        self.paths: dict[str, int] = {}  # requests by path (counted also when not recording)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # header and body go at once (no 40 ms delayed-ACK stall)

            def log_message(self, *args):  # quiet
                return None

            def _answer(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode()) if raw else {}
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                with gateway._lock:
                    gateway.count += 1
                    gateway.paths[url.path] = gateway.paths.get(url.path, 0) + 1
                    if gateway.record:
                        gateway.received.append(Received(method, url.path, {k: v[0] for k, v in
                                                                             parse_qs(url.query).items()},
                                                          body, dict(self.headers)))
                how = gateway.mode.get(url.path, "ok")
                if how == "hang":
                    gateway._stop.wait(30)
                    return
                if how == "500":
                    data, status = b'{"error": "internal"}', 500
                else:
                    data = json.dumps((REFUSE if how == "refuse" else OK).get(url.path, {"errcode": 0}),
                                      ensure_ascii=False).encode()
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # many senders connecting at once (the bench) are not refused

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="test-gateway", daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def settings(self, **extra) -> dict:
        """GRIDGOV["NOTIFY"] pointing every channel here (SMS and 企业微信 application messages; robot with robot=True)."""
        robot = extra.pop("robot", False)
        return {"SMS_URL": self.url("/sms"), "SMS_KEY": "test-key", "SMS_SECRET": "test-secret",
                "SMS_SIGN": "东城网格", "SMS_TEMPLATE": "SMS_0001", "WECOM_API": self.url(""),
                "WECOM_CORP_ID": "ww-test", "WECOM_SECRET": "s3cret", "WECOM_AGENT_ID": "1000002",
                "WECOM_ROBOT_URL": self.url("/cgi-bin/webhook/send?key=robot-key") if robot else "",
                "EMAIL": False, "TIMEOUT_S": 5, "MAX_ATTEMPTS": 8, "SWEEP_INTERVAL_S": 0, "TIME_ZONE": "Asia/Shanghai",
                **extra}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
