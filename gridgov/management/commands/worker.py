from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "启动后台任务执行进程（Celery worker，需 GRIDGOV_BROKER_URL）；其余参数原样交给 celery worker"

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", "-c", type=int, default=0, help="并发数（默认 CPU 核数）")
        parser.add_argument("--pool", default="prefork", help="prefork（默认）、threads 或 solo")
        parser.add_argument("--probe", action="store_true", help="只做自检：提交一个测试任务并等它在某个 worker 上完成")

    def handle(self, concurrency, pool, probe=False, **options):
        from django.conf import settings

        if not settings.GRIDGOV.get("BROKER_URL"):
            raise CommandError("没有配置消息代理：请设置 GRIDGOV_BROKER_URL（如 amqp://guest:guest@127.0.0.1:5672//）")
        from gridgov import workers

        if probe:
            return self._probe(workers)
        workers.load_jobs()
        argv = ["worker", "-Q", workers.queue_name(), "--pool", pool, "--prefetch-multiplier", "1",
                "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        if concurrency:
            argv += ["--concurrency", str(concurrency)]
        workers.app.worker_main(argv)

    def _probe(self, workers):
        import time

        from gridgov.ops.models import Probe

        p = Probe.objects.create()
        workers.send("ops.probe", [p.pk])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            p.refresh_from_db()
            if p.finished:
                self.stdout.write(f"自检通过：测试任务 #{p.pk} 由进程 {p.finished_by} 执行完成")
                return
            time.sleep(0.5)
        raise CommandError(f"自检失败：测试任务 #{p.pk} 60 秒内未被执行（worker 是否在运行？队列 {workers.queue_name()}）")
