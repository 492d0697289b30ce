from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "基准测试（不是测试）：gridgov bench locate [--grids 100000] [--points 1000000]"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["locate"])
        parser.add_argument("--grids", type=int, default=100_000)
        parser.add_argument("--points", type=int, default=1_000_000)
        parser.add_argument("--single", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, what, grids, points, single, seed, **options):
        from gridgov.geo.logic.synthetic import bench_locate, format_bench

        if grids < 1 or points < 1 or single < 1:
            raise CommandError("--grids、--points、--single 必须为正整数")
        self.stdout.write(f"bench locate: synthetic layer of {grids:,} grids, {points:,} bulk points, {single:,} single lookups")
        result = bench_locate(n_grids=grids, n_points=points, n_single=single, seed=seed)
        for line in format_bench(result):
            self.stdout.write(line)
