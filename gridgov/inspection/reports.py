"""Reads of the inspection app shared by the pages and the API: templates, plans, agreements, results with their
filters, and the results file (one row per item; through ``gridgov.spreadsheets``, the one export writer)."""

import datetime as dt

from django.db.models import Prefetch

from gridgov import spreadsheets
from gridgov.accounts.scope import require, scoped
from gridgov.errors import DomainError

from .models import Answer, ChecklistItem, ChecklistTemplate, FrontageAgreement, Plan, Target
from .services import SHANGHAI, VIEW, check_day, inspections


def templates(user):
    require(user, VIEW)
    return ChecklistTemplate.objects.prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "code"))).order_by("code")


def plans(user):
    return scoped(Plan.objects.select_related("template", "inspector"), user, VIEW).prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("name", "id"))).order_by("name", "id")


def agreements(user):
    return scoped(FrontageAgreement.objects.all(), user, VIEW).order_by("name", "id")


def results(user, template: str | None = None, outcome: str | None = None, street: str | None = None,
            date_from: dt.date | None = None, date_to: dt.date | None = None):
    check_day(date_from, "起始日期")
    check_day(date_to, "截止日期")
    qs = inspections(user)
    if template:
        qs = qs.filter(template__code=template)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if street:
        qs = qs.filter(scope_key__startswith=street)
    if date_from:
        qs = qs.filter(inspected_at__gte=dt.datetime.combine(date_from, dt.time(), tzinfo=SHANGHAI))
    if date_to:
        qs = qs.filter(inspected_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(),
                                                            tzinfo=SHANGHAI))
    return qs.order_by("-inspected_at", "-id")


EXPORT_HEAD = ["检查记录", "检查时间", "检查表", "检查对象", "范围键", "检查人", "结果", "检查项", "检查内容", "项目结果",
               "说明", "上报案件"]
EXPORT_MAX = 50_000  # rows (items) in one file


def export(user, fmt: str, **filters) -> tuple[bytes, str]:
    if fmt not in spreadsheets.FORMATS:
        raise DomainError("invalid_format", "格式应为 xlsx 或 csv")
    rows = []
    qs = Answer.objects.filter(inspection__in=results(user, **filters)).select_related(
        "inspection", "inspection__template", "item", "case").order_by("-inspection__inspected_at",
                                                                      "-inspection_id", "item__order", "id")
    for a in qs[:EXPORT_MAX]:
        i = a.inspection
        rows.append([i.pk, i.inspected_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), i.template.name, i.place,
                     i.scope_key, i.inspector_name, i.get_outcome_display(), a.item.code, a.item.text,
                     a.get_answer_display(), a.note, a.case.number if a.case_id else ""])
    return spreadsheets.write(fmt, EXPORT_HEAD, rows, title="检查结果")
