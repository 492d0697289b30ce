import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "（内部）gridgov bench intake/loop 在一个临时数据库里运行的工作进程"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["intake", "loop"])
        parser.add_argument("--n", type=int, required=True)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--client-procs", type=int, default=2)
        parser.add_argument("--server-workers", type=int, default=2)
        parser.add_argument("--batch", type=int, default=0)

    def handle(self, what, n, workers, clients, client_procs, server_workers, batch, **options):
        from gridgov.cases import bench

        bench.prepare_world()
        if what == "intake":
            results = [bench.service_intake(n, workers), bench.http_intake(n, clients, server_workers, client_procs)]
            if batch:
                results += [bench.service_intake(n, workers, batch),
                            bench.http_intake(n, clients, server_workers, client_procs, batch)]
        else:
            results = [bench.service_loop(n, workers)] + ([bench.service_loop(n, workers, batch)] if batch else [])
        for r in results:
            self.stdout.write(json.dumps(r))
