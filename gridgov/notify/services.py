"""The only writer of notifications (消息通知), of their outside deliveries and of people's message preferences.

:func:`notify` writes the inbox rows in one INSERT inside the caller's transaction (or its own) and calls the
external channels only after that transaction commits (``transaction.on_commit``): a rolled-back change
notifies nobody, and a channel never announces something that is not in the database.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from gridgov import sqlrows

from . import channels
from .models import Delivery, Notification, Preference, Template

log = logging.getLogger("gridgov.notify")


def notify(users: Iterable, kind: str, title: str, body: str, object_type: str = "", object_id="") -> list[Notification]:
    """One inbox message per user (users or user ids; duplicates and None are dropped), in one INSERT.

    External channels are called after the commit; their outcome is stored in ``channel_results``.
    """
    return notify_many([(users, kind, title, body, object_type, object_id)])


def notify_many(messages: Iterable[tuple]) -> list[Notification]:
    """:func:`notify` for several messages ``(users, kind, title, body, object_type, object_id)`` at once: all
    their inbox rows in one INSERT (a bulk action on many cases notifies in one statement)."""
    now = timezone.now()
    rows = []
    for users, kind, title, body, object_type, object_id in messages:
        object_id = "" if object_id is None else str(object_id)
        user_ids = dict.fromkeys(getattr(u, "pk", u) for u in users if u is not None)
        rows += [Notification(user_id=uid, kind=kind, title=title, body=body, object_type=object_type,
                              object_id=object_id, created=now) for uid in user_ids]
    if not rows:
        return []
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint round trips
        sqlrows.insert_many(rows)  # one INSERT, as bulk_create (every case transition notifies: plain SQL)
        if rows[0].pk is None:  # a backend that does not return ids from a bulk insert
            rows = list(Notification.objects.filter(created=now, user_id__in={r.user_id for r in rows})
                        .order_by("id"))
        plan_deliveries(rows, now)  # SMS, 企业微信, e-mail: recorded here, sent by a background job after the commit
        targets = [c for c in channels.external() if not getattr(c, "durable", False)]
        if targets:
            sent = [channels.Message(n.pk, n.user_id, n.kind, n.title, n.body, n.object_type, n.object_id)
                    for n in rows]
            transaction.on_commit(partial(deliver, targets, sent), robust=True)
    return rows


def deliver(targets, messages: list["channels.Message"]) -> None:
    """Send messages through the external channels (after the commit); failures are logged and recorded."""
    results: dict[int, dict[str, str]] = {}
    for message in messages:
        outcome = results.setdefault(message.notification_id, {})
        for channel in targets:
            try:
                channel.send(message)
                outcome[channel.name] = "sent"
            except Exception as e:  # one failing channel must not stop the others
                log.warning("notification %s kind=%s: channel %s failed (%s)", message.notification_id,
                            message.kind, channel.name, type(e).__name__)
                outcome[channel.name] = f"error: {type(e).__name__}"
    rows = list(Notification.objects.filter(pk__in=results).only("id", "channel_results"))
    for n in rows:
        n.channel_results = {**(n.channel_results or {}), **results[n.pk]}
    Notification.objects.bulk_update(rows, ["channel_results"], batch_size=500)


def mark_read(user, ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; ids of others' (or unknown) notifications are ignored."""
    ids = [int(i) for i in ids]
    if not ids or not getattr(user, "is_authenticated", False):
        return 0
    with transaction.atomic():
        return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user, unread_only: bool = False, before_id: int | None = None):
    """The user's own notifications, newest first (a queryset: the caller pages it)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    return qs.order_by("-id")


def mark_all_read(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    with transaction.atomic():
        return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# ---------------------------------------------------------------- outside deliveries (SMS, 企业微信, e-mail)

SENDABLE = (Delivery.PENDING, Delivery.HELD, Delivery.FAILED, Delivery.SENDING)  # SENDING: a lease that ran out
BATCH = 50  # delivery ids per background job


def _settings() -> dict:
    return channels.config()


def _local_now(now):
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(_settings().get("TIME_ZONE") or "Asia/Shanghai"))


def plan_deliveries(rows: list[Notification], now) -> list[int]:
    """Record the deliveries of fresh inbox rows (in the caller's transaction) and queue the due ones.

    One delivery per (notification, personal channel) the recipient can be reached by and wants for the kind; one
    robot message per event (the first row of each (kind, title, object)). Non-urgent personal messages inside the
    recipient's quiet hours are HELD until those end. Nothing at all when no outside channel is configured."""
    from .logic import rules

    enabled = channels.durable()
    if not enabled or not rows:
        return []
    extra_urgent = frozenset(_settings().get("URGENT_KINDS") or ())
    personal = [c.name for c in enabled if c.name != "robot"]
    prefs = {}
    emails = {}
    if personal:
        uids = {n.user_id for n in rows}
        prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=uids)}
        if "email" in personal:
            from gridgov.accounts.models import User

            emails = dict(User.objects.filter(pk__in=uids).exclude(email="").values_list("pk", "email"))
    local = _local_now(now)
    out: list[Delivery] = []
    events = set()
    for n in rows:
        urgent = rules.is_urgent(n.kind, extra_urgent)
        if "robot" in (c.name for c in enabled):
            event = (n.kind, n.title, n.object_type, n.object_id)
            if event not in events:
                events.add(event)
                out.append(Delivery(notification_id=n.pk, channel="robot", key=f"robot:{n.pk}", urgent=urgent,
                                    to="群机器人", next_attempt=now, created=now))
        p = prefs.get(n.user_id)
        reachable = [c for c in personal if (c == "sms" and p is not None and p.phone_masked)
                     or (c == "wecom" and p is not None and p.wecom_userid) or (c == "email" and n.user_id in emails)]
        wanted = rules.wanted(n.kind, p.channels if p else None, reachable)
        held_until = None if urgent or p is None else rules.quiet_until(local, p.quiet_start, p.quiet_end)
        for c in wanted:
            to = {"sms": p.phone_masked if p else "", "wecom": p.wecom_userid if p else "",
                  "email": _mask_email(emails.get(n.user_id, ""))}[c]
            out.append(Delivery(notification_id=n.pk, channel=c, key=f"{c}:{n.pk}", urgent=urgent, to=to,
                                status=Delivery.HELD if held_until else Delivery.PENDING,
                                next_attempt=held_until or now, created=now))
    if not out:
        return []
    Delivery.objects.bulk_create(out, batch_size=500, ignore_conflicts=True)
    due = list(Delivery.objects.filter(key__in=[d.key for d in out if d.status == Delivery.PENDING])
               .values_list("pk", flat=True))
    from gridgov import background

    for i in range(0, len(due), BATCH):
        background.submit("notify.deliver", *due[i:i + BATCH])
    return due


def _mask_email(address: str) -> str:
    if "@" not in address:
        return ""
    name, domain = address.split("@", 1)
    return f"{name[:1]}***@{domain}"


def _lease_s() -> float:
    return 2 * float(_settings().get("TIMEOUT_S", 5)) + 30


def claim_many(ids, now=None) -> list[int]:
    """Take the due deliveries among ``ids`` for this worker: one conditional UPDATE sets their lease end — a time
    of this call's own (a random microsecond added) — and the rows carrying it are this worker's. Of two workers, one
    wins each row (PostgreSQL re-checks the condition after the other's commit; SQLite has one writer)."""
    import datetime as dt
    import secrets

    now = now or timezone.now()
    ids = [int(i) for i in ids]
    if not ids:
        return []
    lease_end = now + dt.timedelta(seconds=_lease_s(), microseconds=secrets.randbelow(999_999))
    with transaction.atomic():
        Delivery.objects.filter(pk__in=ids, status__in=SENDABLE, next_attempt__lte=now).update(
            status=Delivery.SENDING, next_attempt=lease_end)
        return list(Delivery.objects.filter(pk__in=ids, status=Delivery.SENDING, next_attempt=lease_end)
                    .order_by("id").values_list("pk", flat=True))


def claim(delivery_id: int, now=None) -> bool:
    return claim_many([delivery_id], now) == [delivery_id]


def deliver_ids(ids, now=None) -> dict[str, int]:
    """Send the deliveries ``ids`` that are due and not taken by another worker (the job "notify.deliver")."""
    ids = list(ids)
    taken = claim_many(ids, now)
    return {**send_claimed_many(taken), "skipped": len(ids) - len(taken)}


DEFAULT_TEXT = {"wecom": "{title}\n{body}", "robot": "**{title}**\n{body}", "email": "{body}\n\n（gridgov 消息通知）"}


def send_claimed_many(pks: list[int]) -> dict[str, int]:
    """Send claimed deliveries one by one (outside any transaction: a request may take up to the timeout); what they
    need is read once for the batch (templates, preferences). A refusal is recorded at once; the accepted ones are
    recorded together at the end of the batch (one UPDATE: ≤ ``BATCH`` rows — a worker that dies mid-batch leaves
    their lease to run out, and the sweep sends those of them again: at most once more, as README says)."""
    result = {"sent": 0, "failed": 0}
    if not pks:
        return result
    rows = list(Delivery.objects.select_related("notification").filter(pk__in=pks).order_by("id"))
    templates = {(t.channel, t.kind): t for t in Template.objects.filter(active=True)}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in={d.notification.user_id for d in rows})
             .only("user_id", "phone_cipher", "wecom_userid")}
    sent: list[tuple[int, str]] = []
    try:
        for d in rows:
            answer = _send_one(d, templates.get((d.channel, d.notification.kind)) or templates.get((d.channel, "")),
                               prefs.get(d.notification.user_id))
            if answer is None:
                result["failed"] += 1
            else:
                sent.append((d.pk, answer))
                result["sent"] += 1
    finally:
        _record_sent(sent)
    return result


def _record_sent(sent: list[tuple[int, str]]) -> None:
    """The accepted deliveries: SENT, their answers, one attempt more — one UPDATE (still ours only while SENDING)."""
    from django.db.models import Case, F, TextField, Value, When

    if not sent:
        return
    Delivery.objects.filter(pk__in=[pk for pk, _ in sent], status=Delivery.SENDING).update(
        status=Delivery.SENT, attempts=F("attempts") + 1, sent_at=timezone.now(), next_attempt=None,
        answer=Case(*[When(pk=pk, then=Value(answer[:1000])) for pk, answer in sent], output_field=TextField()))


def _send_one(d: Delivery, tpl: Template | None, pref: Preference | None) -> str | None:
    """Send one claimed delivery: the gateway's answer when it was accepted (recorded by the caller), None when it
    was refused — then recorded here as FAILED with the next attempt from gridgov/backoff.py (none after the last
    attempt)."""
    from gridgov import backoff, crypto

    from .logic import rules

    pk, n = d.pk, d.notification
    adapter = channels.DURABLE.get(d.channel)
    text = rules.render(tpl.text if tpl and tpl.text else DEFAULT_TEXT.get(d.channel, "{title}"), n.title, n.body,
                        n.object_id)
    try:
        if adapter is None or not adapter.enabled():
            raise channels.Refused(f"渠道 {d.channel} 未配置")
        if d.channel == "robot":
            answer = adapter.send_text(text)
        elif d.channel == "sms":
            phone = crypto.cipher().decrypt(pref.phone_cipher, "notify.phone") if pref else ""
            if not phone:
                raise channels.Refused("没有手机号")
            params = ({k: rules.render(str(v), n.title, n.body, n.object_id) for k, v in tpl.params.items()}
                      if tpl and tpl.params else {"title": n.title[:35], "number": n.object_id})
            answer = adapter.send_text(phone, tpl.template_code if tpl else "", params, d.key)
        elif d.channel == "wecom":
            if not pref or not pref.wecom_userid:
                raise channels.Refused("没有企业微信账号")
            answer = adapter.send_text(pref.wecom_userid, text)
        else:
            from gridgov.accounts.models import User

            address = User.objects.filter(pk=n.user_id).values_list("email", flat=True).first()
            if not address:
                raise channels.Refused("没有电子邮件地址")
            answer = adapter.send_text(address, n.title, text)
    except channels.Refused as e:
        now = timezone.now()
        attempts = d.attempts + 1
        last = attempts >= int(_settings().get("MAX_ATTEMPTS", 8))
        Delivery.objects.filter(pk=pk, status=Delivery.SENDING).update(
            status=Delivery.FAILED, attempts=attempts, answer=e.answer,
            next_attempt=None if last else backoff.next_attempt(attempts, now))
        log.warning("delivery %s channel=%s kind=%s failed (attempt %s)", pk, d.channel, n.kind, attempts)
        return None
    return answer


def sweep(now=None, limit: int = 500) -> dict[str, int]:
    """Send what is due: held messages whose quiet hours ended, failed ones whose back-off passed, pending ones a
    lost job never sent, and ones whose sender died mid-way (lease ran out). Safe to run anywhere, any number of
    times at once: PostgreSQL hands each row to one sweep (SKIP LOCKED), and every row is claimed before it is sent."""
    from django.db import connection

    now = now or timezone.now()
    with transaction.atomic():
        qs = Delivery.objects.filter(status__in=SENDABLE, next_attempt__lte=now).order_by("next_attempt", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        taken = claim_many(ids, now)
    return {**send_claimed_many(taken), "skipped": len(ids) - len(taken)}


def start_background_sweep(interval_s: float):
    """The retry loop that `gridgov serve` runs (``serving.every``)."""
    from gridgov.serving import every

    def once():
        result = sweep()
        if result["sent"] or result["failed"]:
            log.info("delivery sweep: %(sent)d sent, %(failed)d failed", result)

    return every("notify-sweep", interval_s, once)


# ---------------------------------------------------------------- preferences and templates (audited)


def preference_of(user) -> Preference:
    """The person's preferences (an unsaved default row when none was saved yet)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def set_preference(actor, user, *, phone: str | None = None, wecom_userid: str | None = None,
                   channels_by_group: dict | None = None, quiet: tuple | None = None) -> Preference:
    """Change one person's contact points and wishes (their own, or an administrator's change). ``phone`` "" clears
    it; None leaves a field as it is. The audit records which fields changed, never a phone number."""
    from gridgov.audit import services as audit
    from gridgov.basedata.logic import ids as idlogic
    from gridgov.crypto import cipher
    from gridgov.errors import DomainError

    from .logic import rules
    from .models import CHANNEL_LABELS

    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=user).first() or Preference(user=user)
        before = audit.values(pref, ["wecom_userid", "channels", "quiet_start", "quiet_end"]) if pref.pk else {}
        changed_personal = []
        if phone is not None:
            phone = idlogic.normalize_phone(phone)
            if phone and idlogic.phone_problem(phone):
                raise DomainError("invalid_phone", idlogic.phone_problem(phone))
            if phone != (cipher().decrypt(pref.phone_cipher, "notify.phone") if pref.phone_cipher else ""):
                changed_personal.append("phone")
            pref.phone_cipher = cipher().encrypt(phone, "notify.phone") if phone else b""
            pref.phone_masked = idlogic.mask_phone(phone)
        if wecom_userid is not None:
            wecom_userid = wecom_userid.strip()
            if len(wecom_userid) > 64 or any(ch.isspace() for ch in wecom_userid):
                raise DomainError("invalid_wecom_userid", "企业微信账号应为不含空格的 64 个字符以内")
            pref.wecom_userid = wecom_userid
        if channels_by_group is not None:
            bad = [c for cs in channels_by_group.values() for c in cs if c not in CHANNEL_LABELS]
            if bad or any(g not in rules.GROUP_LABELS for g in channels_by_group):
                raise DomainError("invalid_channels", "未知的消息类别或渠道：" + "、".join(
                    bad or [g for g in channels_by_group if g not in rules.GROUP_LABELS]))
            pref.channels = {g: sorted(set(cs)) for g, cs in channels_by_group.items()}
        if quiet is not None:
            start, end = quiet
            if (start is None) != (end is None):
                raise DomainError("invalid_quiet_hours", "免打扰时段应同时填写开始和结束时间")
            pref.quiet_start, pref.quiet_end = start, end
        created = pref.pk is None
        pref.save()
        after = audit.values(pref, ["wecom_userid", "channels", "quiet_start", "quiet_end"])
        b, a = audit.changed(before, after)
        if changed_personal:
            a = {**a, **audit.names(changed_personal)}
        if created or a:
            audit.record(actor, "create" if created else "update", "notify_preference", user.pk, before=b or None,
                         after=a)
    return pref


TEMPLATE_FIELDS = ["channel", "kind", "template_code", "text", "params", "active"]


def save_template(actor, data: dict, pk: int | None = None) -> Template:
    """Create or change a message template (the admin page); checked and audited."""
    from gridgov.audit import services as audit

    with transaction.atomic():
        tpl = Template.objects.select_for_update().get(pk=pk) if pk else Template()
        for k in TEMPLATE_FIELDS:
            if k in data:
                setattr(tpl, k, data[k])
        audit.save_row(actor, tpl, TEMPLATE_FIELDS, "notify_template")
    return tpl


def delete_template(actor, pk: int) -> None:
    from gridgov.audit import services as audit

    with transaction.atomic():
        audit.delete_row(actor, Template.objects.select_for_update().get(pk=pk), TEMPLATE_FIELDS, "notify_template")
