"""gridgov analytics rebuild [--from 2026-01-01] [--to 2026-03-31]   recompute the roll-up from the cases
gridgov analytics check [--period 2026-11 …]                         compare it with a plain GROUP BY"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gridgov.kpi.logic import indicators as ind


class Command(BaseCommand):
    help = "统计汇总：rebuild（从案件表重算每日汇总）或 check（与案件表直接分组统计比对）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "check"])
        parser.add_argument("--from", dest="date_from", help="rebuild: 起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="date_to", help="rebuild: 结束日期 YYYY-MM-DD（含）")
        parser.add_argument("--period", action="append", default=[],
                            help="check: 期间（2026-11、2026-Q4、2026、2026-11-01~2026-11-15），可重复")

    def handle(self, *args, **o):
        if o["action"] == "rebuild":
            from gridgov.analytics.rollup import rebuild

            try:
                lo = dt.date.fromisoformat(o["date_from"]) if o["date_from"] else None
                hi = dt.date.fromisoformat(o["date_to"]) if o["date_to"] else None
            except ValueError:
                raise CommandError("日期应为 YYYY-MM-DD") from None
            s = rebuild(lo, hi)
            self.stdout.write(f"汇总已重算：{s['cases']:,} 件案件，{s['daily_rows']:,} 行每日汇总，"
                              f"{s['cohort_rows']:,} 行应结案/应处理汇总，{s['open_rows']:,} 行在办案件计数")
            return
        from gridgov.analytics.check import default_periods, differences, open_differences

        try:
            periods = [ind.parse_period(t) for t in o["period"]] or default_periods()
        except ValueError as e:
            raise CommandError(str(e)) from None
        diffs = differences(periods) + open_differences()
        for d in diffs[:50]:
            self.stdout.write(d)
        labels = "、".join(p.label for p in periods)
        if diffs:
            raise CommandError(f"汇总与案件表不一致：{len(diffs)} 处（{labels}）；请运行 gridgov analytics rebuild")
        self.stdout.write(f"汇总与案件表一致（{labels}；各层级；在办与超期案件）")
