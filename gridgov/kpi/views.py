"""指标 (/kpi/): the seeds' KPIs for a level and a period — period picker (month, quarter, year, a range of
days), level tabs, each figure beside the seed's target (green when it meets it, red when not), 同比/环比 arrows,
Excel export. Read-only; within the user's scope (``queries``); the definitions in ``logic/indicators.py``."""

import datetime as dt

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from gridgov import spreadsheets
from gridgov.accounts import roles
from gridgov.pages import page, render_page

from . import queries
from .logic import indicators as ind


def _period(request) -> tuple[ind.Period, str]:
    """The period of the query string (``period`` or ``start``/``end``), this month by default; and an error
    message when what was given could not be read (then this month is shown)."""
    now = timezone.localtime()
    this_month = ind.month(now.year, now.month)
    text, start, end = (request.GET.get(k, "").strip() for k in ("period", "start", "end"))
    try:
        if start or end:
            if not (start and end):
                raise ValueError("自定义期间须同时给出开始日期和结束日期")
            return ind.day_range(dt.date.fromisoformat(start), dt.date.fromisoformat(end)), ""
        if text:
            return ind.parse_period(text), ""
    except ValueError as e:
        msg = str(e) if "期间" in str(e) or "日期" in str(e) else "日期格式应为 2026-11-01"
        return this_month, msg
    return this_month, ""


def _level(request) -> str:
    level = request.GET.get("level", "street")
    return level if level in queries.LEVELS else "street"


def _quick(now: dt.datetime) -> list[tuple[str, str]]:
    m = ind.month(now.year, now.month)
    q = (now.month - 1) // 3 + 1
    return [("本月", m.label), ("上月", m.previous().label), ("本季度", f"{now.year}-Q{q}"), ("本年", str(now.year)),
            ("去年", str(now.year - 1))]


def _arrow(d: float | None, i: ind.Indicator) -> dict:
    if d is None or abs(d) < 1e-9:
        return {"sign": "", "text": "—" if d is None else "持平", "good": None}
    better = (d > 0) == i.higher_is_better
    shown = (f"{abs(d) * 100:.1f} 个百分点" if i.kind == "rate" else f"{abs(d):.1f} h" if i.kind == "hours"
             else f"{abs(d):.2f}")
    return {"sign": "↑" if d > 0 else "↓", "text": shown, "good": better}


def _cells(row: dict) -> list[dict]:
    out = []
    for i in ind.INDICATORS:
        v = row["values"][i.key]
        out.append({"key": i.key, "text": ind.fmt(i.kind, v), "meets": ind.meets(i, v),
                    "yoy": _arrow(row["yoy"].get(i.key), i), "pop": _arrow(row["pop"].get(i.key), i)})
    return out


@page(roles.CASE_VIEW, posts=queries.POSTS)
def home(request):
    p, error = _period(request)
    level = _level(request)
    t = queries.table(request.user, level, p)
    query = request.GET.copy()
    query.pop("level", None)
    ctx = {
        "period": p, "error": error, "level": level, "levels": list(queries.LEVELS.items()),
        "indicators": [{"key": i.key, "label": i.label, "target": ind.fmt(i.kind, i.target) if i.target else "",
                        "definition": i.definition, "source": i.source} for i in ind.INDICATORS],
        "rows": [{**r, "cells": _cells(r)} for r in t["rows"]], "total": {**t["total"], "cells": _cells(t["total"])},
        "quick": _quick(timezone.localtime()), "rest": query.urlencode(),
        "start": p.start.date().isoformat(), "end": (p.end.date() - dt.timedelta(days=1)).isoformat(),
    }
    return render_page(request, "kpi/home.html", ctx)


@page(roles.CASE_VIEW, posts=queries.POSTS)
def export(request):
    """The page's table as .xlsx: one row per group and the total; rates in %, hours in working hours."""
    p, error = _period(request)
    if error:  # back to the page, which says what is wrong
        return HttpResponseRedirect(f"{reverse('kpi:home')}?{request.GET.urlencode()}")
    level = _level(request)
    t = queries.table(request.user, level, p)
    head = ["代码", queries.LEVELS[level]] + [f"{i.label}（%）" if i.kind == "rate" else i.label
                                               for i in ind.INDICATORS]
    body = []
    for r in [*t["rows"], t["total"]]:
        vals = []
        for i in ind.INDICATORS:
            v = r["values"][i.key]
            vals.append(None if v is None else round(v * 100, 1) if i.kind == "rate" else round(v, 2))
        body.append([r["code"], r["name"], *vals])
    body.append([])
    body.append(["目标值（种子材料）", ""] + [("" if i.target is None else
                                           i.target * 100 if i.kind == "rate" else i.target) for i in ind.INDICATORS])
    data, content_type = spreadsheets.write("xlsx", head, body, title=f"指标 {p.label}"[:31])
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="kpi-{level}-{p.start.date():%Y%m%d}.xlsx"'
    return resp
