from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.worktime import services
from gridgov.worktime.logic.calendar import SHANGHAI

WEEKDAYS = "一二三四五六日"


class Command(BaseCommand):
    help = "检查一年的工作日历：列出节假日、调休上班日和人工调整；超出 chinese_calendar 数据且无人工调整时给出警告"

    def add_arguments(self, parser):
        parser.add_argument("year", nargs="?", type=int, help="年份，默认今年")
        parser.add_argument("--strict", action="store_true", help="有警告时以非零状态退出（供定时检查使用）")

    def handle(self, year=None, strict=False, **options):
        year = year or timezone.localtime(timezone.now(), SHANGHAI).year
        try:
            report = services.year_report(year)
        except DomainError as e:
            raise CommandError(f"{e.message}（{e.code}）") from e
        calendar = services.current_calendar()
        self.stdout.write(f"{year} 年工作日历（办公时段 {calendar.office_hours}）")
        self.stdout.write(f"chinese_calendar 数据范围：{report.library_first}–{report.library_last} 年；"
                          f"本年人工调整 {report.overrides} 条")
        rest = [d for d in report.days if not d.is_workday]
        work = [d for d in report.days if d.is_workday]
        for title, rows in (("休息日（节假日）", rest), ("上班日（调休上班）", work)):
            self.stdout.write(f"\n{title}：{len(rows)} 天")
            for d in rows:
                self.stdout.write(f"  {d.day:%Y-%m-%d} 星期{WEEKDAYS[d.day.weekday()]}  {d.name or '—':<10}"
                                  f"  来源：{services.source_label(d.source)}")
        if report.warning:
            self.stderr.write(self.style.WARNING(f"\n警告：{report.warning}"))
            if strict:
                raise CommandError(f"{year} 年的放假安排尚未录入")
        elif not report.library_covers:
            self.stdout.write(f"\n提示：{year} 年超出 chinese_calendar 的数据范围，按人工调整 {report.overrides} 条"
                              "和默认规则计算；请核对是否已录入全部放假和调休安排。")
