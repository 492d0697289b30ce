"""12345 对接: work orders in (through the one intake), status changes out (the outbox, signed webhooks).

- ``receive_orders``: a 12345 system's work orders become cases (source 12345 热线, 核实 first) through
  ``cases.services.intake.intake_many``; the hotline's own id is kept, unique per system — an order id seen before
  is answered with its case, never a second one. The caller's phone is kept as a reporter's phone (encrypted,
  masked on the pages).
- ``on_transitions``: called by ``cases.services.transitions`` in the transaction that writes a change: each
  change of a 12345 case becomes an outbox row (``Delivery``) — committed with the change or not at all.
- ``deliver_case``: sends one case's pending rows **in order**, each as JSON signed with HMAC-SHA256 over
  ``<timestamp>.<body>`` with the receiver's shared secret, until the receiver answers 2xx; a failure (an error
  status, a refused connection, a timeout) waits ``gridgov.backoff`` and holds back the later rows of that case.
- ``sweep``: every due case (the ``hotline.sweep`` job, run by ``gridgov serve`` every minute).
"""

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone

from gridgov import background, backoff
from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit.services import Entry, record, record_many
from gridgov.crypto import cipher
from gridgov.errors import DomainError, Forbidden, NotFound

from .models import Delivery, Order, Receiver

SECRET_FIELD = "hotline.receiver.secret"
SIGNATURE_HEADER = "X-Gridgov-Signature"  # "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
TIMESTAMP_HEADER = "X-Gridgov-Timestamp"  # seconds since 1970 (UTC) when signed
EVENT_HEADER = "X-Gridgov-Event"  # the outbox row's id: a receiver that got it twice knows
MAX_ORDERS = 500
RECEIVED = "receive"  # the first event of an order: 受理 (the case is filed)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- receivers (configuration, audited)


def receiver(system: str) -> Receiver:
    r = Receiver.objects.filter(system=str(system or "").strip()).first()
    if r is None:
        raise NotFound("unknown_hotline", f"未登记的 12345 系统「{system}」：请管理员先在「12345 对接」页面登记")
    return r


def save_receiver(actor, *, system: str, name: str, url: str, secret: str = "", active: bool = True,
                  timeout_s: float = 10.0) -> Receiver:
    """Create or change a receiver; ``secret`` empty keeps the one stored (a new receiver needs one)."""
    if actor is not None:
        require(actor, roles.HOTLINE_MANAGE)
    system, name, url = (system or "").strip(), (name or "").strip(), (url or "").strip()
    if not system or len(system) > 40 or not system.replace("-", "").replace("_", "").isalnum():
        raise DomainError("invalid_system", "系统代码应为 1～40 位字母、数字、- 或 _")
    if not name or len(name) > 100:
        raise DomainError("invalid_name", "请填写名称（最多 100 字）")
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise DomainError("invalid_url", "回传地址应为 http(s) 链接")
    try:
        timeout_s = float(timeout_s)
    except (TypeError, ValueError):
        raise DomainError("invalid_timeout", "超时应为 1～60 秒") from None
    if not 0.5 <= timeout_s <= 60:
        raise DomainError("invalid_timeout", "超时应为 1～60 秒")
    with transaction.atomic():
        row = Receiver.objects.select_for_update().filter(system=system).first()
        if row is None and not secret:
            raise DomainError("secret_required", "新登记的系统须设置共享密钥")
        if secret and len(secret) < 16:
            raise DomainError("secret_too_short", "共享密钥至少 16 个字符")
        before = {} if row is None else {"name": row.name, "url": row.url, "active": row.active,
                                         "timeout_s": row.timeout_s}
        row = row or Receiver(system=system)
        row.name, row.url, row.active, row.timeout_s = name, url, bool(active), timeout_s
        if secret:
            row.secret_cipher = cipher().encrypt(secret, SECRET_FIELD)
        row.updated_at = timezone.now()
        row.save()
        after = {"name": name, "url": url, "active": bool(active), "timeout_s": timeout_s}
        record(actor, "update" if before else "create", "hotline_receiver", system, before=before,
               after=after | ({"secret": "已更换"} if secret else {}))
    return row


# ---------------------------------------------------------------- orders in


def receive_orders(user, system: str, orders: list[dict], now: dt.datetime | None = None) -> list:
    """File ``orders`` of the 12345 system ``system``. Each order: ``order_id`` and the report's fields (``lon``,
    ``lat``, ``description``, ``matter``, ``address``, ``urgency``, ``caller_name``, ``caller_phone``,
    ``deadline``). Returns per order ``(Order, created)`` or its DomainError (the others are filed)."""
    from gridgov.accounts.roles import Role
    from gridgov.cases.models import Source
    from gridgov.cases.services.intake import SOURCES_BY_ROLE, intake_many

    require(user, roles.CASE_REPORT)
    if not user.is_superuser and Source.HOTLINE not in SOURCES_BY_ROLE.get(Role(user.role), set()):
        raise Forbidden("source_not_allowed", "您的岗位不能接收 12345 工单（由受理员、值班长、信息员或对接账号接收）")
    if len(orders) > MAX_ORDERS:
        raise DomainError("too_many_orders", f"一次最多 {MAX_ORDERS} 条工单")
    rx = receiver(system)
    now = now or timezone.now()
    out: list = [None] * len(orders)
    ids = []
    for i, o in enumerate(orders):
        oid = str(o.get("order_id") or "").strip()
        if not oid or len(oid) > 40:
            out[i] = DomainError("invalid_order_id", "工单编号（order_id）须为 1～40 个字符")
        ids.append(oid)
    with transaction.atomic():
        known = {o.order_id: o for o in Order.objects.select_related("case").filter(
            receiver=rx, order_id__in=[i for i in ids if i])}
        todo = []  # (index, order id, intake fields) of the new orders; an id repeated in the batch: its first
        first: dict[str, int] = {}
        for i, o in enumerate(orders):
            if out[i] is not None:
                continue
            if ids[i] in known:
                out[i] = (known[ids[i]], False)
            elif ids[i] in first:
                continue
            else:
                try:
                    deadline = _deadline(o.get("deadline"))
                except DomainError as e:
                    out[i] = e
                    continue
                first[ids[i]] = i
                todo.append((i, ids[i], deadline, _report_fields(rx, ids[i], o)))
        results = intake_many(user, [f for *_, f in todo], now=now) if todo else []
        made, events = [], []
        for (i, oid, deadline, _), r in zip(todo, results, strict=True):
            if isinstance(r, DomainError):
                out[i] = r
                continue
            order = Order(receiver=rx, order_id=oid, case=r.case, deadline=deadline, received_at=now)
            made.append(order)
            out[i] = (order, True)
        Order.objects.bulk_create(made)
        for order in made:
            events.append(_delivery(order, RECEIVED, "reported", "受理", "", now))
        Delivery.objects.bulk_create(events)
        if made:
            record_many(user, [Entry("receive", "hotline_order", f"{rx.system}:{o.order_id}", before={},
                                     after={"case": o.case.number,
                                            "deadline": o.deadline.isoformat() if o.deadline else None})
                               for o in made], role=user.role)
        for order in made:
            background.submit("hotline.deliver", order.case_id)
    for i, oid in enumerate(ids):
        if out[i] is None:  # repeated within the batch: its first order's case (or its error)
            done = out[first[oid]]
            out[i] = done if isinstance(done, DomainError) else (done[0], False)
    return out


def _deadline(value) -> dt.datetime | None:
    """The 12345 deadline (办理时限): an ISO 8601 date-time with its offset, or none."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise DomainError("invalid_deadline", "办理时限（deadline）应为带时区的时间，如 2026-12-05T18:00:00+08:00")
    return value


def _report_fields(rx: Receiver, order_id: str, o: dict) -> dict:
    from gridgov.cases.models import Source

    return {"source": Source.HOTLINE, "lon": o.get("lon"), "lat": o.get("lat"),
            "description": o.get("description") or "", "matter": o.get("matter") or None,
            "address": o.get("address") or "", "urgency": o.get("urgency") or "normal",
            "reporter_name": (o.get("caller_name") or "")[:50], "reporter_phone": o.get("caller_phone") or "",
            "client_key": f"h{rx.pk}-{order_id}"}


# ---------------------------------------------------------------- status changes out


def _delivery(order: Order, event: str, state: str, label: str, text: str, at: dt.datetime) -> Delivery:
    from gridgov.cases.logic.lifecycle import STATE_LABELS, State

    payload = {"system": order.receiver.system, "order_id": order.order_id, "case_number": order.case.number,
               "event": event, "event_label": label, "state": state,
               "state_label": STATE_LABELS.get(State(state), state) if state else "", "text": text,
               "at": at.isoformat(timespec="seconds")}
    return Delivery(order=order, case_id=order.case_id, event=event, payload=payload, at=at,
                    next_attempt_at=at)


def on_transitions(events) -> None:
    """The hook in ``cases.services.transitions``: the case events just written (in the caller's transaction);
    those of 12345 cases go to the outbox, and a delivery is queued for after the commit."""
    ids = {e.case_id for e in events}
    if not ids:
        return
    orders = {o.case_id: o for o in Order.objects.select_related("receiver").filter(case_id__in=ids)}
    if not orders:
        return
    from gridgov.cases.logic.lifecycle import ACTION_LABELS, Action

    rows = []
    for e in events:
        order = orders.get(e.case_id)
        if order is None:
            continue
        order.case = e.case
        data = e.data or {}
        text = "；".join(str(data[k]) for k in ("reason", "feedback", "note", "department", "node") if data.get(k))
        label = ACTION_LABELS.get(Action(e.action), str(e.action)) if e.action in Action._value2member_map_ else e.action
        rows.append(_delivery(order, str(e.action), str(e.to_state), label, text[:500], e.at))
    Delivery.objects.bulk_create(rows)
    for case_id in {r.case_id for r in rows}:
        background.submit("hotline.deliver", case_id)


def _post(rx: Receiver, body: bytes, event_id: int, now: dt.datetime) -> str | None:
    """POST one signed body; None when acknowledged (2xx), else what went wrong."""
    secret = cipher().decrypt(rx.secret_cipher, SECRET_FIELD)
    timestamp = str(int(now.timestamp()))
    req = urllib.request.Request(rx.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body), EVENT_HEADER: str(event_id),
        "User-Agent": "gridgov-hotline/1"})
    try:
        with urllib.request.urlopen(req, timeout=rx.timeout_s) as resp:  # noqa: S310 — an administrator's URL
            if 200 <= resp.status < 300:
                return None
            return f"HTTP {resp.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except TimeoutError:
        return f"超时（{rx.timeout_s:g} 秒无应答）"
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, TimeoutError):
            return f"超时（{rx.timeout_s:g} 秒无应答）"
        return f"连接失败：{reason}"[:300]


def deliver_case(case_id: int, now: dt.datetime | None = None) -> int:
    """Send the pending rows of one case in order, until one is not acknowledged or not yet due. Returns how many
    were acknowledged. Idempotent: what was sent stays sent; two runs at once queue on the order row."""
    sent = 0
    while True:
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("receiver").filter(case_id=case_id).first()
            if order is None:
                return sent
            head = Delivery.objects.filter(case_id=case_id, status=Delivery.PENDING).order_by("id").first()
            at = now or timezone.now()
            if head is None or head.next_attempt_at > at or not order.receiver.active:
                return sent
            body = json.dumps({"event_id": head.pk, **head.payload}, ensure_ascii=False).encode()
            problem = _post(order.receiver, body, head.pk, at)
            head.attempts += 1
            if problem is None:
                head.status, head.sent_at, head.last_error = Delivery.SENT, at, ""
                head.save(update_fields=["status", "sent_at", "attempts", "last_error"])
                record(None, "sent", "hotline_delivery", head.pk, after={"attempts": head.attempts})
                sent += 1
                continue
            head.last_error = problem[:300]
            head.next_attempt_at = backoff.next_attempt(head.attempts, at)
            head.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            record(None, "failed", "hotline_delivery", head.pk,
                   after={"attempts": head.attempts, "error": head.last_error,
                          "next_attempt_at": head.next_attempt_at.isoformat()})
            return sent


def due_cases(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return sorted(set(Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now).values_list(
        "case_id", flat=True)))


def sweep(now: dt.datetime | None = None) -> int:
    """Deliver every case with a due row (what the minute loop and the ``hotline.sweep`` job run)."""
    return sum(deliver_case(case_id, now) for case_id in due_cases(now))


def retry_now(actor, delivery_id: int) -> Delivery:
    """「立即重试」: the row (the head of its case) is due now; the delivery runs after the commit."""
    require(actor, roles.HOTLINE_VIEW)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if row is None:
            raise NotFound("unknown_delivery", "回传记录不存在")
        if row.status != Delivery.PENDING:
            raise DomainError("already_sent", "该回传已送达，无需重试")
        row.next_attempt_at = timezone.now()
        row.save(update_fields=["next_attempt_at"])
        record(actor, "retry", "hotline_delivery", row.pk, after={"attempts": row.attempts})
        background.submit("hotline.deliver", row.case_id)
    return row


def start_background_sweep(interval_s: float):
    """The loop `gridgov serve` runs (``serving.every``): :func:`sweep`."""
    from gridgov.serving import every

    return every("hotline-sweep", interval_s, sweep)
