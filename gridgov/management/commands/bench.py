from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("基准测试（不是测试）：gridgov bench locate | grids | intake | loop | import | audit | pages | tracks | kpi | notify。"
            "intake/loop 在临时 SQLite 和 PostgreSQL 数据库上各跑一遍（--backends 选择）")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["locate", "grids", "intake", "loop", "import", "audit", "pages", "tracks",
                                             "kpi", "notify",
                                             "analytics"])
        parser.add_argument("--workers-month", type=int, default=1000, help="tracks: 覆盖率计算的网格员数（0 不测）")  # patrol
        parser.add_argument("--format", choices=["columns", "objects"], default="columns",
                            help="tracks: 轨迹上传格式（columns 按列 /patrol/track/columns，objects 每点一个对象 /patrol/track）")
        parser.add_argument("--grids", type=int, default=100_000, help="locate: 合成网格数")
        parser.add_argument("--points", type=int, default=1_000_000, help="locate: 批量定位点数")
        parser.add_argument("--single", type=int, default=200_000, help="locate: 单点定位次数")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--n", type=int, default=None, help="intake/loop: 案件数")
        parser.add_argument("--backends", default="sqlite,postgresql", help="intake/loop: sqlite,postgresql")
        parser.add_argument("--workers", type=int, default=2, help="intake/loop: 服务层并行进程数")
        parser.add_argument("--clients", type=int, default=16, help="intake: HTTP 并发连接数（keep-alive）")
        parser.add_argument("--client-procs", type=int, default=2, help="intake: 发起 HTTP 请求的客户端进程数")
        parser.add_argument("--server-workers", type=int, default=None,
                            help="intake: gridgov serve 的工作进程数（默认同 gridgov serve）")
        parser.add_argument("--batch", type=int, default=100,
                            help="intake/loop: 批量路径每次调用的案件数（intake_many、/cases/batch、transition_many）；0 只测逐件路径")
        parser.add_argument("--requests", type=int, default=30, help="pages: 每个页面的请求次数")
        parser.add_argument("--cases", type=int, default=100_000, help="analytics: 案件数（100000、1000000、10000000）")
        parser.add_argument("--keep", action="store_true", help="analytics: 复用已建的 gg_analytics_bench 数据库")
        parser.add_argument("--celery", action="store_true",
                            help="notify: 经 RabbitMQ 交给 --celery-workers 个 Celery worker 进程投递（只在 PostgreSQL 上）")
        parser.add_argument("--celery-workers", type=int, default=2, help="notify --celery: worker 进程数")
        parser.add_argument("--concurrency", type=int, default=4, help="notify --celery: 每个 worker 的投递线程数")

    def handle(self, what, grids, points, single, seed, n, backends, workers, clients, client_procs, server_workers,
               requests, batch, **options):
        chosen = [b.strip() for b in backends.split(",") if b.strip()]
        if what != "locate" and (not chosen or set(chosen) - {"sqlite", "postgresql"}):
            raise CommandError("--backends 只能是 sqlite、postgresql 或二者（逗号分隔）")
        if what == "grids":
            from gridgov.geo.bench import bench_grids, format_grids

            self.stdout.write("bench grids: 东城区 → 17 streets × 8 communities, unit and management grids (best of 3)")
            for line in format_grids(bench_grids()):
                self.stdout.write(line)
            return
        if what == "tracks":  # patrol: ingestion through the API per backend, then coverage of a month
            self._per_backend(chosen, ["bench-tracks"] + (["--points", str(n)] if n else [])
                              + ["--batch", str(batch if batch != 100 else 500), "--format", options["format"]])
            from gridgov.patrol.bench import coverage

            if options["workers_month"] > 0:
                coverage(options["workers_month"], seed, out=self.stdout.write)
            return
        if what == "notify":  # notify: deliveries per second to a local test gateway, 1 and 4 sending threads
            worker = ["bench-notify"] + (["--messages", str(n)] if n else [])
            if options["celery"]:  # issue #12: through RabbitMQ to real worker processes — several processes: PostgreSQL
                worker += ["--celery", "--workers", str(options["celery_workers"]),
                           "--concurrency", str(options["concurrency"])]
                chosen = ["postgresql"]
            self._per_backend(chosen, worker)
            return
        if what in ("import", "audit"):
            worker = {"import": ["bench-import"] + (["--rows", str(n)] if n else []),
                      "audit": ["bench-audit"] + (["--records", str(n)] if n else [])}[what]
            self._per_backend(chosen, worker)
            return
        if what == "pages":
            from gridgov.dashboard.bench import run as run_pages

            closed = n or 100_000
            self.stdout.write(f"bench pages: {closed // 10:,} open + {closed:,} closed cases, {requests} requests a page")
            run_pages(requests, chosen, closed // 10, closed, out=self.stdout.write)
            return
        if what == "analytics":  # analytics: every dashboard view at --cases cases, PostgreSQL (gg_analytics_bench)
            from gridgov.analytics.bench import DB
            from gridgov.analytics.bench import run as run_analytics

            self.stdout.write(f"bench analytics: {options['cases']:,} cases over three years, PostgreSQL "
                              f"(database {DB}, kept with --keep; GRIDGOV_BENCH_DB names another)")
            run_analytics(options["cases"], min(requests, 20), options["keep"], out=self.stdout.write)
            return
        if what == "kpi":  # kpi: the KPI table by street for a month and a year
            from gridgov.kpi.bench import run as run_kpi

            closed = n or 100_000
            self.stdout.write(f"bench kpi: {closed // 10:,} open + {closed:,} closed cases, {min(requests, 10)} requests each")
            run_kpi(min(requests, 10), chosen, closed // 10, closed, out=self.stdout.write)
            return
        if what in ("intake", "loop"):
            from gridgov.cases.bench import run

            count = n or (3000 if what == "intake" else 500)
            self.stdout.write(f"bench {what}: {count:,} cases per backend and path")
            from gridgov.serving import default_workers

            if batch < 0 or batch > 500:
                raise CommandError("--batch 应在 0～500 之间")
            run(what, count, chosen, workers, clients, out=self.stdout.write, client_procs=client_procs,
                server_workers=server_workers or default_workers(), batch=batch)
            return
        from gridgov.geo.logic.synthetic import bench_locate, format_bench

        if grids < 1 or points < 1 or single < 1:
            raise CommandError("--grids、--points、--single 必须为正整数")
        self.stdout.write(f"bench locate: synthetic layer of {grids:,} grids, {points:,} bulk points, {single:,} single lookups")
        result = bench_locate(n_grids=grids, n_points=points, n_single=single, seed=seed)
        for line in format_bench(result):
            self.stdout.write(line)

    def _per_backend(self, backends, worker):
        """Run a benchmark worker command in a throw-away database of each backend; print its lines."""
        from gridgov.benchtools import LABELS, run_per_backend

        try:
            for backend, line in run_per_backend(backends, worker):
                if line.strip():
                    self.stdout.write(f"{LABELS[backend]} {line}")
        except RuntimeError as e:
            raise CommandError(str(e)) from None
