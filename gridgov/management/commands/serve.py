from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "启动 Web 服务（waitress），默认 http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, host, port, threads, **options):
        from django.conf import settings
        from waitress import create_server

        from gridgov.cases.services import start_background_scan
        from gridgov.wsgi import application

        interval = settings.GRIDGOV["SCAN_INTERVAL_S"]
        if start_background_scan(interval):
            self.stdout.write(f"案件时限扫描：每 {interval:g} 秒一次（GRIDGOV_SCAN_INTERVAL_S）")
        try:
            server = create_server(application, host=host, port=port, threads=threads, ident="gridgov")
        except OSError as e:
            raise CommandError(f"无法在 {host}:{port} 上启动：{e.strerror}（端口被占用时请用 --port 换一个）") from e
        self.stdout.write(f"gridgov 已启动：http://{host}:{port}/ （Ctrl+C 停止）")
        server.run()
