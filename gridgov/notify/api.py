"""API of the notify app (django-ninja router, mounted at /api/v1/notifications): the signed-in user's own inbox."""

from datetime import datetime

from ninja import Router, Schema

from gridgov.limits import BigInt, Id, Limit

from . import services

router = Router(tags=["消息通知"])
MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    object_type: str
    object_id: str
    created: datetime
    read_at: datetime | None


@router.get("", response=list[NotificationOut], summary="我的消息（unread=1 只看未读；before_id 翻页，最新在前）")
def inbox(request, unread: bool = False, before_id: Id | None = None, limit: Limit = 50):
    return services.inbox(request.user, unread_only=unread, before_id=before_id, limit=max(1, min(limit, MAX_LIMIT)))


class ReadIn(Schema):
    ids: list[BigInt]


class ReadOut(Schema):
    updated: int
    unread: int


@router.post("/read", response=ReadOut, summary="标记为已读（只处理本人的消息，其他编号忽略）")
def read(request, payload: ReadIn):
    updated = services.mark_read(request.user, payload.ids[:1000])
    return {"updated": updated, "unread": services.unread_count(request.user)}


class CountOut(Schema):
    unread: int


@router.get("/count", response=CountOut, summary="未读消息数")
def count(request):
    return {"unread": services.unread_count(request.user)}
