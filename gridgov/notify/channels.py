"""Notification channels: where a message goes besides the in-app inbox.

The interface (a port, in the Cosmic Python sense)::

    class Channel(Protocol):
        name: str                              # short and stable: "inapp", "log", "sms", "wechat"
        def send(self, message: Message) -> None: ...

``send`` is called after the notifying transaction has committed, once per message, with a
:class:`Message` that carries ids and the text — never a phone number or an OpenID: an adapter that needs
one looks it up itself from ``message.user_id`` (so personal data stays where it is kept and is fetched only
by the adapter that must have it). ``send`` raises to report a failure; the failure is logged (ids and kind
only) and kept in ``Notification.channel_results``, and the other channels still run. An adapter that talks
to a slow service should not be one of these: SMS, 企业微信 and e-mail are the *durable* channels further down,
sent by a background job from a recorded Delivery row (retried, never twice).

Channels are configured by dotted paths in ``settings.GRIDGOV["NOTIFY_CHANNELS"]`` (default: in-app only).
Each path is instantiated once per configuration and reused (``configured()``), so a test can configure
``FakeChannel`` and read what it sent from ``get("fake").sent``.
"""

import hashlib
import hmac
import http.client
import json
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("gridgov.notify")

DEFAULT_CHANNELS = ("gridgov.notify.channels.InAppChannel",)


@dataclass(frozen=True, slots=True)
class Message:
    notification_id: int
    user_id: int
    kind: str
    title: str
    body: str
    object_type: str = ""
    object_id: str = ""


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class InAppChannel:
    """The inbox itself: the ``Notification`` row is the delivery, so there is nothing more to send."""

    name = "inapp"
    external = False

    def send(self, message: Message) -> None:
        return None


class FakeChannel:
    """Records what it was asked to send, in memory (tests)."""

    name = "fake"
    external = True

    def __init__(self):
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)

    def reset(self) -> None:
        self.sent.clear()


class LogChannel:
    """Writes one log line per message — ids and kind only, never names, titles or bodies."""

    name = "log"
    external = True

    def send(self, message: Message) -> None:
        log.info("notification %s kind=%s user=%s object=%s:%s", message.notification_id, message.kind,
                 message.user_id, message.object_type, message.object_id)


def _paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "GRIDGOV", {}).get("NOTIFY_CHANNELS") or DEFAULT_CHANNELS)


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    out = []
    for path in paths:
        channel = import_string(path)()
        if not isinstance(channel, Channel):
            raise TypeError(f"{path} 不是通知渠道（需要 name 属性和 send(message) 方法）")
        out.append(channel)
    return tuple(out)


def configured() -> tuple[Channel, ...]:
    """The configured channels (instances are reused while the configuration stays the same)."""
    return _load(_paths())


def external() -> tuple[Channel, ...]:
    """The channels to call after the commit (all but the in-app inbox)."""
    return tuple(c for c in configured() if getattr(c, "external", True))


def get(name: str) -> Channel:
    for channel in configured():
        if channel.name == name:
            return channel
    raise LookupError(f"没有配置名为 {name} 的通知渠道")


# ---------------------------------------------------------------- outside channels with delivery records
#
# SMS, 企业微信 (application messages and the group robot) and e-mail are *durable*: ``notify`` records one
# ``Delivery`` row per (message, channel) in the notifying transaction, and a background job sends it, retried
# with gridgov/backoff.py until the outside service accepts it. Each adapter below does one thing: given the
# address and the rendered text, one request; it returns the service's answer (recorded) or raises Refused.
# Addresses (phones, userids, e-mail addresses) are passed in by the delivery job and never logged.


class Refused(Exception):
    """The outside service did not accept the message: ``answer`` is what it said (recorded on the delivery)."""

    def __init__(self, answer: str):
        super().__init__(answer)
        self.answer = answer[:1000]


def config() -> dict:
    return getattr(settings, "GRIDGOV", {}).get("NOTIFY") or {}


def _post_json(url: str, payload: dict, headers: dict | None = None) -> dict:
    """POST JSON, return the JSON answer. A timeout, a refused connection or an HTTP error raises Refused."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    return _open("POST", url, data, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def _get_json(url: str) -> dict:
    return _open("GET", url, None, {})


# One keep-alive connection per (thread, scheme, host): a worker sending hundreds of messages a second to one
# gateway does not open a TCP (and TLS) connection for each (measured: README "Tests and benchmarks", bench notify).
_connections = threading.local()
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)  # an idle connection the peer closed


def _connection(scheme: str, netloc: str, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
    """This thread's connection to ``netloc`` and whether it served a request before."""
    pool = _connections.__dict__.setdefault("pool", {})
    conn = pool.get((scheme, netloc))
    if conn is not None and conn.timeout == timeout:
        return conn, True
    if conn is not None:
        conn.close()
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn = pool[(scheme, netloc)] = cls(netloc, timeout=timeout)
    return conn, False


def _drop(scheme: str, netloc: str) -> None:
    conn = _connections.__dict__.get("pool", {}).pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def _open(method: str, url: str, body: bytes | None, headers: dict) -> dict:
    timeout = float(config().get("TIMEOUT_S", 5))
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    while True:
        conn, reused = _connection(parts.scheme, parts.netloc, timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            break
        except STALE as e:
            _drop(parts.scheme, parts.netloc)
            if reused:  # the gateway closed an idle connection before reading this request: once more, anew
                continue
            raise Refused(f"无法连接：{type(e).__name__}") from None
        except TimeoutError:
            _drop(parts.scheme, parts.netloc)
            raise Refused("超时（网关无应答）") from None
        except (OSError, http.client.HTTPException) as e:
            _drop(parts.scheme, parts.netloc)
            raise Refused(f"无法连接：{type(e).__name__}") from None
    if response.will_close:
        _drop(parts.scheme, parts.netloc)
    if response.status >= 300:
        raise Refused(f"HTTP {response.status}")
    try:
        answer = json.loads(raw[:65536].decode("utf-8"))
    except ValueError:
        raise Refused("应答不是 JSON：" + raw[:200].decode("utf-8", "replace")) from None
    return answer if isinstance(answer, dict) else {"raw": answer}


def _short(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False)[:1000]


OK_CODES = {"OK", "Ok", "ok", "0", 0}


class SmsChannel:
    """An HTTP SMS gateway in the common shape of Chinese cloud SMS services (阿里云 / 腾讯云 style)::

        POST GRIDGOV_NOTIFY_SMS_URL
        {"AccessKeyId": KEY, "PhoneNumbers": "13800138000", "SignName": "东城网格",
         "TemplateCode": "SMS_123", "TemplateParam": "{\\"number\\":\\"...\\"}", "OutId": "sms:42"}
        X-Signature: hex HMAC-SHA256(secret, body)           (when a secret is configured)
        → {"Code": "OK", "Message": "OK", "BizId": "..."}    accepted ("OK" / "0"); else the code and message

    ``OutId`` is the delivery's unique key: a gateway that de-duplicates on it never sends one message twice.
    """

    name, external, durable = "sms", True, True

    def enabled(self) -> bool:
        return bool(config().get("SMS_URL"))

    def send_text(self, address: str, template_code: str, params: dict, key: str) -> str:
        c = config()
        payload = {"AccessKeyId": c.get("SMS_KEY", ""), "PhoneNumbers": address, "SignName": c.get("SMS_SIGN", ""),
                   "TemplateCode": template_code or c.get("SMS_TEMPLATE", ""),
                   "TemplateParam": json.dumps(params, ensure_ascii=False), "OutId": key}
        headers = {}
        if c.get("SMS_SECRET"):
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers["X-Signature"] = hmac.new(c["SMS_SECRET"].encode(), body, hashlib.sha256).hexdigest()
        answer = _post_json(c["SMS_URL"], payload, headers)
        code = _answer_code(answer)
        if code not in OK_CODES:
            raise Refused(f"{code}：{_answer_message(answer)}")
        return _short(answer)


def _answer_code(answer: dict):
    for k in ("Code", "code", "errcode", "result", "status"):
        if k in answer:
            return answer[k]
    response = answer.get("Response")  # 腾讯云: {"Response": {"SendStatusSet": [{"Code": "Ok"}]}}
    if isinstance(response, dict):
        if "Error" in response:
            return (response["Error"] or {}).get("Code", "Error")
        status = (response.get("SendStatusSet") or [{}])[0]
        return status.get("Code", "")
    return ""


def _answer_message(answer: dict) -> str:
    for k in ("Message", "message", "errmsg", "msg"):
        if k in answer:
            return str(answer[k])[:300]
    return _short(answer)


class WecomRobotChannel:
    """企业微信群机器人: ``POST …/cgi-bin/webhook/send?key=KEY`` with {"msgtype": "markdown", …} → {"errcode": 0}.
    A group, not a person: one robot message per notified event (not one per recipient), no quiet hours."""

    name, external, durable = "robot", True, True

    def enabled(self) -> bool:
        return bool(config().get("WECOM_ROBOT_URL"))

    def send_text(self, text: str) -> str:
        answer = _post_json(config()["WECOM_ROBOT_URL"], {"msgtype": "markdown", "markdown": {"content": text}})
        if answer.get("errcode") != 0:
            raise Refused(f"{answer.get('errcode')}：{answer.get('errmsg', '')}")
        return _short(answer)


TOKEN_CACHE_KEY = "notify:wecom-token"
TOKEN_INVALID = {40014, 42001, 40001}  # invalid / expired access_token: fetch a new one next time


class WecomAppChannel:
    """企业微信应用消息: ``GET {api}/cgi-bin/gettoken?corpid=&corpsecret=`` (the token is kept in the shared cache
    until 5 minutes before it expires), then ``POST {api}/cgi-bin/message/send?access_token=`` with
    {"touser": <the account's 企业微信 userid>, "msgtype": "text", "agentid": N, "text": {"content": …}}."""

    name, external, durable = "wecom", True, True

    def enabled(self) -> bool:
        c = config()
        return bool(c.get("WECOM_CORP_ID") and c.get("WECOM_SECRET"))

    def _api(self) -> str:
        return (config().get("WECOM_API") or "https://qyapi.weixin.qq.com").rstrip("/")

    def token(self) -> str:
        from urllib.parse import urlencode

        from django.core.cache import cache

        token = cache.get(TOKEN_CACHE_KEY)
        if token:
            return token
        c = config()
        answer = _get_json(f"{self._api()}/cgi-bin/gettoken?"
                           + urlencode({"corpid": c["WECOM_CORP_ID"], "corpsecret": c["WECOM_SECRET"]}))
        if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
            raise Refused(f"gettoken {answer.get('errcode')}：{answer.get('errmsg', '')}")
        cache.set(TOKEN_CACHE_KEY, answer["access_token"], max(60, int(answer.get("expires_in", 7200)) - 300))
        return answer["access_token"]

    def send_text(self, address: str, text: str) -> str:
        from urllib.parse import quote

        from django.core.cache import cache

        payload = {"touser": address, "msgtype": "text", "agentid": int(config().get("WECOM_AGENT_ID") or 0),
                   "text": {"content": text}, "safe": 0}
        answer = _post_json(f"{self._api()}/cgi-bin/message/send?access_token={quote(self.token())}", payload)
        if answer.get("errcode") in TOKEN_INVALID:
            cache.delete(TOKEN_CACHE_KEY)
        if answer.get("errcode") != 0:
            raise Refused(f"{answer.get('errcode')}：{answer.get('errmsg', '')}")
        return _short(answer)


class EmailChannel:
    """E-mail through Django's mail settings (EMAIL_HOST …), to the account's e-mail address."""

    name, external, durable = "email", True, True

    def enabled(self) -> bool:
        return bool(config().get("EMAIL"))

    def send_text(self, address: str, subject: str, text: str) -> str:
        from django.core.mail import send_mail

        try:
            sent = send_mail(subject[:150], text, None, [address], fail_silently=False)
        except Exception as e:  # SMTP errors of every kind: recorded and retried
            raise Refused(f"邮件发送失败：{type(e).__name__}") from None
        if sent != 1:
            raise Refused("邮件未发出")
        return "已交给邮件服务器"


DURABLE = {c.name: c for c in (SmsChannel(), WecomAppChannel(), WecomRobotChannel(), EmailChannel())}


def durable() -> list:
    """The outside channels configured now (settings GRIDGOV["NOTIFY"]), in a fixed order."""
    return [c for c in DURABLE.values() if c.enabled()]
