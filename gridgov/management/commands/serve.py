from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "启动 Web 服务（waitress，多进程），默认 http://127.0.0.1:8000"

    def add_arguments(self, parser):
        from gridgov.serving import DEFAULT_THREADS, default_workers

        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help=f"工作进程数（默认为 CPU 核数，最多 8；本机 {default_workers()}）")
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="每个工作进程的线程数")
        parser.add_argument("--demo", action="store_true",
                            help="演示模式：允许使用源代码中公开的默认密钥（只可用于演示数据）")

    def start_loops(self, outbox: bool = True):
        """The periodic work: threads of this process without a broker; with one (GRIDGOV_BROKER_URL) the same
        calls register it for `gridgov beat` instead (serving.every), and this process runs only the outbox sweep.
        `gridgov worker` / `gridgov beat` call this too, so a loop added here is scheduled there as well."""
        from django.conf import settings

        from gridgov import background, serving
        from gridgov.audit.anchoring import anchor_file, start_background_anchor
        from gridgov.cases.services import start_background_scan
        from gridgov.privacy.services import start_background_purge

        interval = settings.GRIDGOV["SCAN_INTERVAL_S"]
        if start_background_scan(interval):  # in this process only: one scan however many workers serve
            self.stdout.write(f"案件时限扫描：每 {interval:g} 秒一次（GRIDGOV_SCAN_INTERVAL_S）")
        # tasks: tasks past their deadline are flagged to their unit and sender once (same process as the scan)
        from gridgov.tasks.services import start_background_scan as start_tasks_scan

        if start_tasks_scan(interval):
            self.stdout.write(f"逾期任务提醒：每 {interval:g} 秒检查一次")
        # integrity: the 弄虚作假 detectors (each finding recorded once), in the same process as the scan
        from gridgov.integrity.services import start_background_scan as start_integrity_scan

        integrity_every = settings.GRIDGOV["INTEGRITY_SCAN_INTERVAL_S"]
        if start_integrity_scan(integrity_every):
            self.stdout.write(f"弄虚作假核查：每 {integrity_every:g} 秒检测一次（GRIDGOV_INTEGRITY_SCAN_INTERVAL_S）")
        anchor_every = settings.GRIDGOV["AUDIT_ANCHOR_INTERVAL_S"]
        if start_background_anchor(anchor_every):  # one writer of the anchor file, like the scan
            self.stdout.write(f"审计链锚点：每 {anchor_every:g} 秒一次，写入 {anchor_file()}")
        elif anchor_every > 0:
            self.stdout.write("警告：没有审计签名密钥（GRIDGOV_AUDIT_SIGNING_KEY），不写审计链锚点，"
                              "无法发现整条审计链被改写；生成：gridgov audit keygen PATH")
        purge_every = settings.GRIDGOV["PURGE_INTERVAL_S"]
        if start_background_purge(purge_every):  # like the scan: one purge loop, in the supervising process
            self.stdout.write(f"个人信息保存期限：每 {purge_every / 3600:g} 小时删除一次到期数据（GRIDGOV_PURGE_INTERVAL_S）")
        from gridgov.briefs.services import start_background_subscriptions  # briefs: 简报订阅

        start_background_subscriptions(settings.GRIDGOV["BRIEF_SUBSCRIPTIONS_INTERVAL_S"])
        from gridgov.notices.services import start_background_digest  # notices: 社区每日摘要 (hourly check)

        start_background_digest(float(settings.GRIDGOV.get("NOTICES_DIGEST_INTERVAL_S", 3600)))
        from gridgov.exports.services import (
            start_background_purge as start_export_purge,  # exports: old files
        )

        start_export_purge(3600.0)
        from gridgov.hotline.services import start_background_sweep  # open311: the 12345 outbox

        if start_background_sweep(settings.GRIDGOV["HOTLINE_SWEEP_INTERVAL_S"]):
            self.stdout.write(f"12345 回传：每 {settings.GRIDGOV['HOTLINE_SWEEP_INTERVAL_S']:g} 秒发送到期的回传")
        from gridgov.notify.services import start_background_sweep  # notify: retries and held messages

        if start_background_sweep(settings.GRIDGOV["NOTIFY"]["SWEEP_INTERVAL_S"]):
            self.stdout.write("消息投递重试：每 {:g} 秒一次".format(settings.GRIDGOV["NOTIFY"]["SWEEP_INTERVAL_S"]))
        from gridgov.ops.health import start_background_watch  # scale: health checks feed the 系统运行 record

        health_every = settings.GRIDGOV["HEALTH_INTERVAL_S"]
        if start_background_watch(health_every):
            self.stdout.write(f"健康检查：每 {health_every:g} 秒一次，持续故障自动登记系统运行记录（/healthz）")
        if outbox and background.mode() == "celery":
            from gridgov import workers

            serving.every("background-outbox", workers.OUTBOX_SWEEP_S, workers.sweep_outbox, local=True)
            self.stdout.write(f"后台任务：Celery（{workers.queue_name()} 队列）；以上定时工作由 gridgov beat 调度到 "
                              "gridgov worker 上执行；代理不可达时任务暂存于发件箱，恢复后补发")

    def handle(self, host, port, workers, threads, demo=False, **options):

        from gridgov import keys, serving

        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 至少为 1")
        problems = keys.problems()
        if problems and not (demo or keys.is_demo_site()):
            self.stderr.write("gridgov serve 拒绝启动：本站点没有自己的密钥 / refusing to start: this site has no keys "
                              "of its own\n" + "".join(f"  - {p}\n" for p in problems) + "\n" + keys.HOWTO)
            raise SystemExit(2)
        if problems:
            self.stdout.write("演示模式：使用公开的默认密钥，切勿存放真实的个人信息（demo mode: public default keys）")
        try:
            sock = serving.bind(host, port)
        except OSError as e:
            raise CommandError(f"无法在 {host}:{port} 上启动：{e.strerror}（端口被占用时请用 --port 换一个）") from e
        self.start_loops()
        if workers > 1:  # the worker processes' request metrics, summed by whichever answers /metrics
            serving.metrics_folder(port)
        self.stdout.write(f"gridgov 已启动：http://{host}:{port}/ （{workers} 个工作进程 × {threads} 线程；Ctrl+C 停止）")
        self.stdout.flush()
        if workers == 1:
            serving.serve_socket(sock, threads)  # one process: serve here, next to the scan
        else:
            serving.supervise(sock, workers, threads, out=self.stdout.write)
