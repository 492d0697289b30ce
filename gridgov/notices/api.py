"""API of 通知公告, mounted at /api/v1/notices: notices and warnings, read receipts, residents' subscriptions.

Parse → call a service → serialise. Every list is paged; every write goes through ``services``.
"""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import TOPICS, Kind, Level, Notice

router = Router(tags=["通知公告"])

Code = Annotated[str, Field(pattern=r"^\d{6}(\d{3}){0,2}$", title="区划代码（区、街道或社区）")]
CommunityCode = Annotated[str, Field(pattern=r"^\d{12}$", title="社区代码")]
Post = Literal[tuple(services.STAFF_POSTS)]  # type: ignore[valid-type]


class NoticePublishIn(Schema):
    kind: Kind = Field(title="类型（community 社区动态 / warning 预警 / staff 工作通知）")
    title: str = Field(max_length=100, title="标题")
    body: str = Field(max_length=2000, title="内容")
    scope: Code
    starts_at: AwareDatetime | None = Field(None, title="生效时间（默认现在）")
    ends_at: AwareDatetime | None = Field(None, title="失效时间（预警必填）")
    level: Level | Literal[""] = Field("", title="预警级别（blue/yellow/orange/red）")
    topic: Literal[tuple(TOPICS)] | Literal[""] = Field("", title="预警类别")  # type: ignore[valid-type]
    posts: list[Post] = Field([], max_length=len(services.STAFF_POSTS), title="接收岗位（工作通知）")


class NoticeItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    topic: str
    level: str
    level_label: str
    scope: str
    area_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    posts: list[str]
    author: str
    published_at: dt.datetime
    current: bool
    withdrawn: bool
    withdrawn_at: dt.datetime | None


def _out(n: Notice) -> dict:
    return {"id": n.pk, "kind": n.kind, "kind_label": n.get_kind_display(), "title": n.title, "body": n.body,
            "topic": n.topic, "level": n.level, "level_label": n.get_level_display() if n.level else "",
            "scope": n.scope_key, "area_name": n.area_name, "starts_at": n.starts_at, "ends_at": n.ends_at,
            "posts": n.posts, "author": n.author.display_name or n.author.username, "published_at": n.published_at,
            "current": n.current(), "withdrawn": n.withdrawn, "withdrawn_at": n.withdrawn_at}


@router.get("", response=answers(page_of(NoticeItemOut), 403, 422),
            summary="通知公告（本辖区的社区动态和预警、发给本人的工作通知）；kind 筛选")
def notices(request, page: Query[PageIn], kind: Kind | None = None):
    qs = services.visible(request.user).select_related("author").order_by("-published_at", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    return paginate(qs, page, _out)


@router.post("", response=answers(NoticeItemOut, 400, 403, 422, status=201),
             summary="发布社区动态、预警（级别、有效期）或工作通知（接收岗位，阅读回执）")
def publish(request, payload: NoticePublishIn):
    n = services.publish(request.user, services.Draft(**payload.dict()))
    return Status(201, _out(n))


class NoticeSubscriptionIn(Schema):
    community: CommunityCode


class NoticeSubscriptionOut(Schema):
    community: str
    name: str
    since: dt.datetime


def _sub_out(s) -> dict:
    return {"community": s.community.code, "name": s.community.name, "since": s.created}


class NoticeSubscriptionsOut(Schema):
    subscriptions: list[NoticeSubscriptionOut]


@router.get("/subscriptions/mine", response=answers(NoticeSubscriptionsOut, 403), summary="我订阅的社区（居民）")
def my_subscriptions(request):
    return {"subscriptions": [_sub_out(s) for s in services.subscriptions(request.user)]}


@router.post("/subscriptions", response=answers(NoticeSubscriptionOut, 400, 403, 409, 422, status=201),
             summary="订阅社区的每日摘要：通知和案件进展（居民）")
def subscribe(request, payload: NoticeSubscriptionIn):
    return Status(201, _sub_out(services.subscribe(request.user, payload.community)))


@router.delete("/subscriptions/{code}", response=answers(NoticeSubscriptionOut, 403, 404, 422), summary="退订社区（居民）")
def unsubscribe(request, code: CommunityCode):
    return _sub_out(services.unsubscribe(request.user, code))


@router.get("/{pk}", response=answers(NoticeItemOut, 403, 404, 422), summary="通知详情（接收人打开即记录已读）")
def notice(request, pk: Id):
    return _out(services.open_notice(request.user, pk))


class NoticeWithdrawIn(Schema):
    reason: str = field(Notice, "withdraw_reason", "")


@router.post("/{pk}/withdraw", response=answers(NoticeItemOut, 403, 404, 409, 422), summary="撤回通知（保留记录）")
def withdraw(request, pk: Id, payload: NoticeWithdrawIn):
    return _out(services.withdraw(request.user, pk, payload.reason))


class NoticeReaderOut(Schema):
    username: str
    name: str
    post: str
    read_at: dt.datetime | None


class NoticeReceiptsOut(Schema):
    total: int
    read_count: int
    unread_count: int
    read: list[NoticeReaderOut]
    unread: list[NoticeReaderOut]


@router.get("/{pk}/receipts", response=answers(NoticeReceiptsOut, 403, 404, 409, 422),
            summary="阅读回执：已读和未读的人（姓名、岗位）及人数")
def receipts(request, pk: Id):
    r = services.receipts(request.user, pk)

    def person(u, at=None):
        return {"username": u.username, "name": u.display_name or u.username, "post": u.role_label, "read_at": at}

    return {"total": r.total, "read_count": len(r.read), "unread_count": len(r.unread),
            "read": [person(u, at) for u, at in r.read], "unread": [person(u) for u in r.unread]}


class NoticeRemindOut(Schema):
    reminded: int


@router.post("/{pk}/remind", response=answers(NoticeRemindOut, 403, 404, 409, 422), summary="提醒未读的接收人")
def remind(request, pk: Id):
    return {"reminded": services.remind(request.user, pk)}
