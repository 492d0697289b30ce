"""(internal) `gridgov bench tracks` runs this in a throw-away database of each backend."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "轨迹入库基准（在当前数据库中运行；请通过 gridgov bench tracks 调用，它会使用临时数据库）"

    def add_arguments(self, parser):
        parser.add_argument("--points", type=int, default=200_000)
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--procs", type=int, default=2)
        parser.add_argument("--format", choices=["columns", "objects"], default="columns")

    def handle(self, points, batch, procs, format, **options):
        from gridgov.patrol import bench

        bench.pipes(procs)
        bench.ingest(points, batch, procs, format, out=self.stdout.write)
