"""`gridgov tasks_scan`: notify the units and senders of tasks past their deadline (once per task)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "逾期任务提醒：完成期限已过仍未反馈的任务，通知承办单位和派发人（每项任务只提醒一次）"

    def handle(self, *args, **options):
        from gridgov.tasks.services import scan_overdue

        self.stdout.write(f"逾期任务提醒：{scan_overdue()} 项")
