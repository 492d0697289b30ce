"""(internal) `gridgov bench notify` runs this in a throw-away database of each backend: deliveries per second to a
local test gateway (gridgov/notify/testgateway.py, a real HTTP server on 127.0.0.1), in-process with 1 and more
sending threads; with ``--celery`` (`gridgov bench notify --celery`, PostgreSQL): through RabbitMQ to ``--workers``
real Celery worker processes, from the queueing of the jobs to the last delivery recorded as sent."""

import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notify import services
from gridgov.notify.models import Delivery
from gridgov.notify.testgateway import Gateway


class Command(BaseCommand):
    help = "消息投递基准（请通过 gridgov bench notify 调用，它会使用临时数据库）"

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=2000)
        parser.add_argument("--threads", default="1,4")
        parser.add_argument("--celery", action="store_true", help="经 RabbitMQ 交给 Celery worker 进程投递")
        parser.add_argument("--workers", type=int, default=2, help="--celery：worker 进程数")
        parser.add_argument("--concurrency", type=int, default=4, help="--celery：每个 worker 的线程数")
        parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")

    def handle(self, messages, threads, **options):
        if options["celery"]:
            from gridgov.notify.bench import celery_run

            for line in celery_run(messages, options["workers"], options["concurrency"], options["broker"]):
                self.stdout.write(line)
            return
        with Gateway(record=False) as gw:
            settings.GRIDGOV["NOTIFY"] = gw.settings()
            settings.GRIDGOV["BACKGROUND"] = "inline"
            user = User.objects.create(username="bench-notify", display_name="压测", role="handler")
            services.set_preference(None, user, phone="13900000009", wecom_userid="bench")
            for t in [int(x) for x in threads.split(",") if x.strip()]:
                ids = self._prepare(user, messages)
                start = time.perf_counter()
                self._send(ids, t)
                seconds = time.perf_counter() - start
                sent = Delivery.objects.filter(pk__in=ids, status=Delivery.SENT).count()
                self.stdout.write(f"threads={t}: {sent:,} of {len(ids):,} deliveries sent in {seconds:.2f} s — "
                                  f"{sent / seconds:,.0f} deliveries/s (gateway requests {gw.count:,})")
                gw.count = 0

    def _prepare(self, user, n) -> list[int]:
        """n inbox messages, each with an SMS and a 企业微信 delivery, recorded but not yet sent."""
        from gridgov.notify.models import Notification

        now = timezone.now()
        rows = Notification.objects.bulk_create([Notification(user=user, kind="case.dispatch", title=f"案件 B{i}：派遣",
                                                              body="压测", object_type="case", object_id=f"B{i}")
                                                 for i in range(n)], batch_size=500)
        if rows and rows[0].pk is None:
            rows = list(Notification.objects.filter(user=user).order_by("-id")[:n])
        ds = Delivery.objects.bulk_create([Delivery(notification=r, channel=c, key=f"{c}:{r.pk}", next_attempt=now)
                                           for r in rows for c in ("sms", "wecom")], batch_size=500)
        return [d.pk for d in ds] if ds and ds[0].pk else list(
            Delivery.objects.filter(notification__in=rows).values_list("pk", flat=True))

    def _send(self, ids, t):
        if t <= 1:
            services.deliver_ids(ids)
            return
        chunks = [ids[i::t] for i in range(t)]

        def work(part):
            try:
                services.deliver_ids(part)
            finally:
                close_old_connections()

        workers = [threading.Thread(target=work, args=(c,)) for c in chunks]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
