"""Demo: every demo account has unread messages, three people have message preferences (synthetic phone numbers,
企业微信 ids, quiet hours), and a few delivery records show what SMS / 企业微信 deliveries look like.

No gateway is configured in the demo: the records are examples (marked 演示, never sent, never retried — they are
not due). Rebuilt on every run: the demo's own messages and records are removed first."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.demo import DEMO_ACCOUNTS

from . import services
from .models import Delivery, Notification

WELCOME = "system.welcome"
PREFS = {  # username: (synthetic phone, 企业微信 userid, channels by group, quiet hours)
    "handler": ("13900000001", "demo.handler", {"case": ["sms", "wecom"], "task": ["wecom"]}, (dt.time(22), dt.time(7))),
    "gridworker": ("13900000002", "demo.gridworker", {"case": ["wecom"]}, None),
    "shift": ("13900000003", "", {}, (dt.time(23), dt.time(6, 30))),
}


@transaction.atomic
def build(stdout=print, scale: str = "demo") -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}
    Notification.objects.filter(kind=WELCOME).delete()  # the demo's own, with their example deliveries
    for name, (phone, wecom, chosen, quiet) in PREFS.items():
        if name in users:
            services.set_preference(None, users[name], phone=phone, wecom_userid=wecom, channels_by_group=chosen,
                                    quiet=quiet or (None, None))
    rows = services.notify_many([([u], WELCOME, "欢迎使用消息中心",
                                  "案件派遣、临期和超期提醒、督办、任务都会出现在这里；在「接收设置」里可开通短信和企业微信、设置免打扰时段。",
                                  "", "") for u in users.values()])
    by_user = {n.user_id: n for n in rows}
    now = timezone.now()
    examples = []
    if "handler" in users:
        n = by_user[users["handler"].pk]
        examples += [
            Delivery(notification=n, channel="sms", key="demo:sms", status=Delivery.SENT, to="139****0001",
                     attempts=1, answer='{"Code": "OK", "Message": "OK"}（演示记录，未实际发送）', sent_at=now),
            Delivery(notification=n, channel="wecom", key="demo:wecom", status=Delivery.FAILED, to="demo.handler",
                     attempts=8, answer="81013：user & party & tag all invalid（演示记录，已停止重试）"),
        ]
    if "shift" in users:
        examples.append(Delivery(notification=by_user[users["shift"].pk], channel="sms", key="demo:held",
                                 status=Delivery.SENT, to="139****0003", attempts=1, sent_at=now,
                                 answer="免打扰时段结束后发送（演示记录，未实际发送）"))
    Delivery.objects.bulk_create(examples)  # examples only: not due, never picked up by the sweep
    unread = Notification.objects.filter(read_at__isnull=True, user__in=users.values()).count()
    stdout(f"消息：{len(users)} 个演示账号共 {unread} 条未读，{len(PREFS)} 人设置了接收偏好，{len(examples)} 条投递记录示例")
