"""The only writer of notices (通知公告), their read receipts, residents' subscriptions and the daily digest.

Every write is one transaction, checks the actor's right and scope, and is appended to the audit chain. Messages go
through gridgov/notify (the inbox, and SMS / 企业微信 / e-mail when those channels are configured: the channel layer
decides who can be reached, and an urgent kind — a 橙色 or 红色 warning — ignores quiet hours the way notify does).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import User
from gridgov.accounts.scope import NoRight, OutOfScope, require, scope_prefix
from gridgov.audit.services import record
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.geo.models import Jurisdiction, Level
from gridgov.notify.services import notify

from .models import TOPICS, DigestSent, Kind, Notice, Receipt, Subscription
from .models import Level as WarnLevel

VIEW, PUBLISH, SUBSCRIBE = roles.NOTICES_VIEW, roles.NOTICES_PUBLISH, roles.NOTICES_SUBSCRIBE
# the posts a staff notice may be addressed to (every staff post; residents read the public page and the digest)
STAFF_POSTS = [r for r in roles.Role if r != roles.Role.RESIDENT]
URGENT_LEVELS = {WarnLevel.ORANGE, WarnLevel.RED}
DIGEST_LIST = 5  # cases named in a digest, per community
DIGEST_HOUR = 7  # the background loop sends yesterday's digest from 07:00 (Asia/Shanghai) on


# ---------------------------------------------------------------- reading


def ancestors(key: str) -> list[str]:
    """The district, street and community codes above (and at) a scope key: 110101001001W001 → 110101, 110101001,
    110101001001."""
    return [key[:n] for n in (6, 9, 12) if len(key) >= n]


def visible(user):
    """The notices a staff user may read: public ones (社区动态, 预警) of their area — above it (their district's,
    street's) and below it — and staff notices addressed to them, written by them, or (publishers) in their subtree."""
    require(user, VIEW)
    prefix = scope_prefix(user)
    if prefix is None:
        return Notice.objects.none()
    area = Q(scope_key__startswith=prefix) | Q(scope_key__in=ancestors(prefix))
    public = Q(kind__in=[Kind.COMMUNITY, Kind.WARNING]) & area
    staff = Q(kind=Kind.STAFF) & (Q(receipts__user=user) | Q(author=user))
    if user.is_superuser or roles.has_right(user.role, PUBLISH):
        staff |= Q(kind=Kind.STAFF, scope_key__startswith=prefix)
    return Notice.objects.filter(public | staff).distinct()


def get(user, pk: int) -> Notice:
    n = visible(user).select_related("author").filter(pk=pk).first()
    if n is None:
        raise OutOfScope()
    return n


def get_public(pk: int) -> Notice:
    """A community notice or a warning, as anyone may read it (a resident following the link of their message)."""
    n = Notice.objects.filter(pk=pk, kind__in=[Kind.COMMUNITY, Kind.WARNING]).select_related("author").first()
    if n is None:
        raise NotFound("no_notice", "没有这条通知")
    return n


def public_for(community_code: str, now=None) -> tuple[Jurisdiction, list[Notice], list[Notice]]:
    """The public page of one community (no account): its current warnings (the most severe first) and its current
    notices (newest first) — its own, its street's and its district's. Expired, not yet valid and withdrawn ones are
    not current."""
    now = now or timezone.now()
    j = Jurisdiction.objects.filter(code=community_code, level=Level.COMMUNITY).select_related("parent").first()
    if j is None:
        raise NotFound("no_community", "没有这个社区")
    rows = list(Notice.objects.filter(kind__in=[Kind.COMMUNITY, Kind.WARNING], scope_key__in=ancestors(j.code),
                                      withdrawn_at__isnull=True, starts_at__lte=now)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)))
    warnings = sorted((n for n in rows if n.kind == Kind.WARNING), key=lambda n: (-n.severity, -n.starts_at.timestamp()))
    notices = sorted((n for n in rows if n.kind == Kind.COMMUNITY), key=lambda n: -n.published_at.timestamp())
    return j, warnings, notices


def targets(user) -> list[Jurisdiction]:
    """The district, streets and communities a publisher may address (their own subtree)."""
    require(user, PUBLISH)
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    return list(Jurisdiction.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY],
                                            code__startswith=prefix).order_by("code"))


# ---------------------------------------------------------------- publishing


@dataclass
class Draft:
    kind: str
    title: str
    body: str
    scope: str
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    level: str = ""
    topic: str = ""
    posts: list[str] = field(default_factory=list)


def _check(d: Draft, now) -> None:
    """Bad input → a DomainError with a Chinese message (nothing is written)."""
    if d.kind not in Kind.values:
        raise DomainError("invalid_kind", "请选择通知类型：社区动态、预警或工作通知")
    if not d.title.strip():
        raise DomainError("invalid_title", "请填写标题")
    if len(d.title.strip()) > 100:
        raise DomainError("invalid_title", "标题不超过 100 个字")
    if not d.body.strip():
        raise DomainError("invalid_body", "请填写内容")
    if len(d.body) > 2000:
        raise DomainError("invalid_body", "内容不超过 2000 个字")
    start = d.starts_at or now
    if d.ends_at is not None and d.ends_at <= start:
        raise DomainError("invalid_period", "结束时间应晚于开始时间")
    if d.kind == Kind.WARNING:
        if d.level not in WarnLevel.values:
            raise DomainError("invalid_level", "请选择预警级别：蓝色、黄色、橙色或红色")
        if d.topic not in TOPICS:
            raise DomainError("invalid_topic", "请选择预警类别：" + "、".join(TOPICS))
        if d.ends_at is None:
            raise DomainError("invalid_period", "预警须填写有效期的结束时间")
    if d.kind == Kind.STAFF:
        if not d.posts:
            raise DomainError("invalid_posts", "工作通知请至少选择一个接收岗位")
        if any(p not in STAFF_POSTS for p in d.posts):
            raise DomainError("invalid_posts", "接收岗位不正确")


def _area(user, code: str) -> Jurisdiction:
    j = Jurisdiction.objects.filter(code=code, level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]).first()
    if j is None:
        raise DomainError("invalid_scope", "发布范围应为区、街道或社区")
    prefix = scope_prefix(user)
    if prefix is None or not j.code.startswith(prefix):
        raise NoRight(PUBLISH)  # beyond one's own area
    return j


def staff_recipients(scope: str, posts: list[str], author) -> list[int]:
    """Active staff of those posts within the area: bound to a node in it, or (an area of a whole district) a
    department of that district; never the author."""
    where = Q(node_key__startswith=scope)
    if len(scope) == 6:
        where |= Q(department__district__code=scope)
    return list(User.objects.filter(where, is_active=True, role__in=posts).exclude(pk=author.pk)
                .order_by("pk").values_list("pk", flat=True))


def subscribers(scope: str) -> list[int]:
    """Residents subscribed to a community in the area (a notice of a street reaches its communities' subscribers)."""
    return list(Subscription.objects.filter(active=True, community__code__startswith=scope, user__is_active=True)
                .order_by("user_id").values_list("user_id", flat=True).distinct())


def message_kind(n: Notice) -> str:
    if n.kind == Kind.WARNING:
        return "notices.urgent" if n.level in URGENT_LEVELS else "notices.warning"
    return f"notices.{n.kind}"


def headline(n: Notice) -> str:
    """The message's title (an SMS carries it): 「橙色预警 雨雪灾害：…」 for a warning."""
    if n.kind == Kind.WARNING:
        return f"{n.get_level_display()}预警 {n.topic}：{n.title}"
    return n.title


def _period(n: Notice) -> str:
    local = timezone.localtime
    if n.ends_at is None:
        return f"自 {local(n.starts_at):%m-%d %H:%M} 起"
    return f"{local(n.starts_at):%m-%d %H:%M} 至 {local(n.ends_at):%m-%d %H:%M}"


def publish(actor, d: Draft, now=None) -> Notice:
    """Publish a notice: checked, saved, audited; a staff notice gets one receipt per addressee and reaches their
    inbox; a community notice or a warning reaches the subscribed residents (inbox, and SMS when configured)."""
    require(actor, PUBLISH)
    now = now or timezone.now()
    _check(d, now)
    with transaction.atomic():
        j = _area(actor, d.scope)
        n = Notice.objects.create(
            kind=d.kind, title=d.title.strip(), body=d.body.strip(), scope_key=j.code, area_name=j.name,
            starts_at=d.starts_at or now, ends_at=d.ends_at, published_at=now, author=actor,
            level=d.level if d.kind == Kind.WARNING else "", topic=d.topic if d.kind == Kind.WARNING else "",
            posts=sorted(set(d.posts)) if d.kind == Kind.STAFF else [])
        if n.kind == Kind.STAFF:
            people = staff_recipients(j.code, n.posts, actor)
            Receipt.objects.bulk_create([Receipt(notice=n, user_id=u) for u in people])
            notify(people, "notices.staff", n.title, f"{actor.display_name or actor.username} 发布的工作通知，请阅读。",
                   "notices", n.pk)
        else:
            people = subscribers(j.code)
            notify(people, message_kind(n), headline(n), f"{j.name}，{_period(n)}。{n.body}", "notices", n.pk)
        record(actor, "publish", "notice", n.pk, after={
            "kind": n.kind, "title": n.title, "scope_key": n.scope_key, "level": n.level, "topic": n.topic,
            "starts_at": n.starts_at.isoformat(), "ends_at": n.ends_at.isoformat() if n.ends_at else None,
            "posts": n.posts, "recipients": len(people)})
    return n


def withdraw(actor, pk: int, reason: str = "", now=None) -> Notice:
    """Withdraw a notice (kept, marked; gone from the public page and the current lists)."""
    require(actor, PUBLISH)
    with transaction.atomic():
        n = _own(actor, pk, lock=True)
        if n.withdrawn_at is not None:
            raise Conflict("already_withdrawn", "该通知已撤回")
        n.withdrawn_at, n.withdrawn_by, n.withdraw_reason = now or timezone.now(), actor, reason.strip()[:200]
        n.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        record(actor, "withdraw", "notice", n.pk, before={"withdrawn": False},
               after={"withdrawn": True, "reason": n.withdraw_reason})
    return n


def may_manage(user, n: Notice) -> bool:
    """A publisher manages (withdraws, reads the receipts of, reminds) the notices of their subtree."""
    prefix = scope_prefix(user)
    return (user.is_superuser or roles.has_right(user.role, PUBLISH)) and prefix is not None \
        and n.scope_key.startswith(prefix)


def _own(actor, pk: int, lock: bool = False) -> Notice:
    """A notice the actor may manage: within their subtree (a publisher) — else 404, existence not revealed."""
    prefix = scope_prefix(actor)
    qs = Notice.objects.select_for_update() if lock else Notice.objects.all()
    n = qs.filter(pk=pk).first()
    if n is None or prefix is None or not n.scope_key.startswith(prefix):
        raise OutOfScope()
    return n


# ---------------------------------------------------------------- read receipts


def open_notice(user, pk: int, now=None) -> Notice:
    """The notice, as its reader opens it: an addressee's first opening records the read (and marks its inbox
    message read)."""
    n = get(user, pk)
    if n.kind == Kind.STAFF:
        with transaction.atomic():
            done = Receipt.objects.filter(notice=n, user=user, read_at__isnull=True).update(read_at=now or timezone.now())
            if done:
                from gridgov.notify.models import Notification

                Notification.objects.filter(user=user, object_type="notices", object_id=str(n.pk),
                                            read_at__isnull=True).update(read_at=now or timezone.now())
                record(user, "read", "notice", n.pk)
    return n


@dataclass
class Receipts:
    read: list[tuple[User, dt.datetime]]
    unread: list[User]

    @property
    def total(self) -> int:
        return len(self.read) + len(self.unread)


def receipts(actor, pk: int) -> Receipts:
    """Who has read a staff notice and who has not (the author, or a publisher of the area)."""
    require(actor, PUBLISH)
    n = _own(actor, pk)
    if n.kind != Kind.STAFF:
        raise Conflict("no_receipts", "只有工作通知有阅读回执")
    rows = list(Receipt.objects.filter(notice=n).select_related("user").order_by("user__username"))
    return Receipts(read=[(r.user, r.read_at) for r in rows if r.read_at],
                    unread=[r.user for r in rows if not r.read_at])


def remind(actor, pk: int, now=None) -> int:
    """Remind the addressees who have not read yet (one inbox message each); audited. Returns how many."""
    require(actor, PUBLISH)
    now = now or timezone.now()
    with transaction.atomic():
        n = _own(actor, pk, lock=True)
        if n.kind != Kind.STAFF:
            raise Conflict("no_receipts", "只有工作通知有阅读回执")
        if n.withdrawn_at is not None:
            raise Conflict("already_withdrawn", "该通知已撤回")
        unread = list(Receipt.objects.filter(notice=n, read_at__isnull=True).values_list("user_id", flat=True))
        if not unread:
            raise Conflict("all_read", "所有接收人均已阅读，无需提醒")
        from django.db.models import F

        Receipt.objects.filter(notice=n, user_id__in=unread).update(reminded=F("reminded") + 1)
        n.reminded_at = now
        n.save(update_fields=["reminded_at"])
        notify(unread, "notices.remind", f"请阅读：{n.title}", "您有一条工作通知尚未阅读。", "notices", n.pk)
        record(actor, "remind", "notice", n.pk, after={"reminded": len(unread)})
    return len(unread)


# ---------------------------------------------------------------- residents' subscriptions


def communities():
    return Jurisdiction.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("code")


def subscriptions(user):
    require(user, SUBSCRIBE)
    return Subscription.objects.filter(user=user, active=True).select_related("community").order_by("community__code")


def subscribe(user, code: str, now=None) -> Subscription:
    require(user, SUBSCRIBE)
    j = Jurisdiction.objects.filter(code=code, level=Level.COMMUNITY).first()
    if j is None:
        raise DomainError("invalid_community", "请选择要订阅的社区")
    with transaction.atomic():
        s, created = Subscription.objects.select_for_update().get_or_create(
            user=user, community=j, defaults={"created": now or timezone.now()})
        if not created and s.active:
            raise Conflict("already_subscribed", f"已订阅{j.name}")
        s.active, s.ended_at = True, None
        s.save(update_fields=["active", "ended_at"])
        record(user, "subscribe", "notice_subscription", s.pk, after={"community": j.code})
    return s


def unsubscribe(user, code: str, now=None) -> Subscription:
    require(user, SUBSCRIBE)
    with transaction.atomic():
        s = Subscription.objects.select_for_update().filter(user=user, community__code=code, active=True).first()
        if s is None:
            raise NotFound("not_subscribed", "没有订阅这个社区")
        s.active, s.ended_at = False, now or timezone.now()
        s.save(update_fields=["active", "ended_at"])
        record(user, "unsubscribe", "notice_subscription", s.pk, after={"community": s.community.code})
    return s


# ---------------------------------------------------------------- the daily digest


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


@dataclass
class CommunityDay:
    """One community's day, public information only: notices published, case counts, a few case numbers."""

    name: str
    notices: list[str]
    new: int
    closed: int
    overdue: int
    cases: list[str]


def community_day(j: Jurisdiction, day: dt.date) -> CommunityDay:
    from gridgov.cases.logic.lifecycle import OPEN_STATES, STATE_LABELS
    from gridgov.cases.models import Case

    start, end = _day_bounds(day)
    notices = [headline(n) for n in Notice.objects.filter(
        kind__in=[Kind.COMMUNITY, Kind.WARNING], scope_key__in=ancestors(j.code), withdrawn_at__isnull=True,
        published_at__gte=start, published_at__lt=end).order_by("published_at", "id")]
    # restricted classes (信访, 治安) are neither counted nor named: a digest is public information
    cases = Case.objects.filter(community=j).filter(Q(matter__isnull=True) | Q(matter__restricted_right=""))
    new = cases.filter(reported_at__gte=start, reported_at__lt=end)
    closed = cases.filter(closed_at__gte=start, closed_at__lt=end)
    overdue = cases.filter(status__in=[s.value for s in OPEN_STATES], stage_due_at__lt=end)
    listed = (new | closed).select_related("matter").order_by("number")[:DIGEST_LIST]
    return CommunityDay(
        name=j.name, notices=notices, new=new.count(), closed=closed.count(), overdue=overdue.count(),
        cases=[f"{c.number} {c.matter.name if c.matter_id else '其他问题'}（{STATE_LABELS.get(c.status, c.status)}）"
               for c in listed])


def digest_text(day: dt.date, parts: list[CommunityDay]) -> tuple[str, str]:
    title = f"社区每日摘要（{day:%Y-%m-%d}）"
    lines = []
    for p in parts:
        lines.append(f"【{p.name}】新上报 {p.new} 件，结案 {p.closed} 件，超期未办结 {p.overdue} 件。")
        lines += [f"通知：{t}" for t in p.notices] or ["通知：当日无新通知。"]
        lines += [f"案件：{c}" for c in p.cases]
    return title, "\n".join(lines)


def digest(day: dt.date, now=None) -> int:
    """Send the digest of ``day`` (a local date) to every subscriber: one message per subscriber per day, never two
    (a second run, or a concurrent one, finds the DigestSent row and sends nothing). Returns how many were sent."""
    now = now or timezone.now()
    by_user: dict[int, list[Jurisdiction]] = {}
    for s in Subscription.objects.filter(active=True, user__is_active=True, created__lt=_day_bounds(day)[1]) \
            .select_related("community").order_by("user_id", "community__code"):
        by_user.setdefault(s.user_id, []).append(s.community)
    done = set(DigestSent.objects.filter(day=day, user_id__in=by_user).values_list("user_id", flat=True))
    cache: dict[str, CommunityDay] = {}
    sent = 0
    for uid, places in by_user.items():
        if uid in done:
            continue
        for j in places:
            if j.code not in cache:
                cache[j.code] = community_day(j, day)
        parts = [cache[j.code] for j in places]
        title, body = digest_text(day, parts)
        try:
            with transaction.atomic():
                row = DigestSent.objects.create(user_id=uid, day=day, communities=[j.code for j in places],
                                                sent_at=now)
                (msg,) = notify([uid], "notices.digest", title, body, "notices_digest", day.isoformat())
                row.notification_id = msg.pk
                row.save(update_fields=["notification_id"])
                record(None, "digest", "notice_digest", row.pk, after={"day": day.isoformat(),
                                                                        "communities": row.communities})
        except IntegrityError:  # another run sent it a moment ago
            continue
        sent += 1
    return sent


def digest_due(now=None) -> int:
    """The background loop's pass: from 07:00 (local) on, yesterday's digest (idempotent: sent once)."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < DIGEST_HOUR:
        return 0
    return digest(local.date() - dt.timedelta(days=1), now)


def start_background_digest(interval_s: float):
    """The loop `gridgov serve` runs (``serving.every``): each pass the registered job ``notices.digest`` (so Celery
    beat can run it instead)."""
    from gridgov import background
    from gridgov.serving import every

    return every("notices-digest", interval_s, lambda: background.run("notices.digest"))
