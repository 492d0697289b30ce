"""API of the notify app (django-ninja router, mounted at /api/v1/notifications): the signed-in user's own inbox."""

from datetime import datetime

from ninja import Query, Router, Schema

from gridgov.limits import BigInt, Id
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services

router = Router(tags=["消息通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    object_type: str
    object_id: str
    created: datetime
    read_at: datetime | None


@router.get("", response=answers(page_of(NotificationOut), 422),
            summary="我的消息（unread=1 只看未读；before_id 只看更早的，最新在前）")
def inbox(request, page: Query[PageIn], unread: bool = False, before_id: Id | None = None):
    return paginate(services.inbox(request.user, unread_only=unread, before_id=before_id), page)


class ReadIn(Schema):
    ids: list[BigInt] = []
    all: bool = False  # true: every unread message of mine (ids are then ignored)


class ReadOut(Schema):
    updated: int
    unread: int


@router.post("/read", response=answers(ReadOut, 422),
             summary="标记为已读（只处理本人的消息，其他编号忽略；all=true 全部标为已读）")
def read(request, payload: ReadIn):
    if payload.all:
        updated = services.mark_all_read(request.user)
    else:
        updated = services.mark_read(request.user, payload.ids[:1000])
    return {"updated": updated, "unread": services.unread_count(request.user)}


class CountOut(Schema):
    unread: int


@router.get("/count", response=answers(CountOut), summary="未读消息数")
def count(request):
    return {"unread": services.unread_count(request.user)}
