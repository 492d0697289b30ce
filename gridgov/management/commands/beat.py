from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "启动定时调度（Celery beat，全站只运行一个）：案件时限扫描等定时工作交给 gridgov worker 执行"

    def handle(self, **options):
        from django.conf import settings

        if not settings.GRIDGOV.get("BROKER_URL"):
            raise CommandError("没有配置消息代理：请设置 GRIDGOV_BROKER_URL（如 amqp://guest:guest@127.0.0.1:5672//）")
        from gridgov import workers

        schedule = workers.beat_schedule()
        for name, entry in schedule.items():
            self.stdout.write(f"定时工作 {name}：每 {entry['schedule']:g} 秒")
        workers.app.conf.beat_schedule = schedule
        state = settings.DATA_DIR / "celerybeat-schedule"
        workers.app.Beat(schedule=str(state), loglevel="INFO").run()
