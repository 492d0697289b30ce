"""统计分析 (/dashboard/figures/): the figures for any period (日 / 周 / 月 / 季度 / 年 / 自定义) and level, with
同比 and 环比, drill-down 区县 → 街道 → 社区 → 管理网格, and by 专业部门, 事项大类 and 来源 within the area drilled
into; the trend of the period; every table as Excel. Read from the roll-up (``gridgov.analytics.figures``, through
``kpi.queries.table``); within the user's scope: drilling into an area outside it is a 404."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone

from gridgov import spreadsheets
from gridgov.accounts.scope import scope_prefix
from gridgov.analytics import figures, periods
from gridgov.geo.models import Jurisdiction
from gridgov.kpi import queries as kq
from gridgov.kpi.logic import indicators as ind
from gridgov.kpi.views import _cells

LEVELS = {"district": "区县", "street": "街道（镇）", "community": "社区", "grid": "管理网格", "department": "专业部门",
          "major": "事项大类", "source": "来源"}
GEO = ("district", "street", "community", "grid")
NEXT = {"district": "street", "street": "community", "community": "grid"}
DEPTH = {6: "district", 9: "street", 12: "community"}
COUNTS = [("reported", "上报"), ("registered", "立案"), ("dispatched", "派遣"), ("handled", "处置"), ("closed", "结案"),
          ("closed_on_time", "按期结案")]
STEP = {"day": "day", "week": "day", "month": "day", "quarter": "week", "year": "month"}


def _within(request, user) -> str:
    """The area drilled into: '' or a district / street / community code the user may see (404 otherwise)."""
    within = request.GET.get("within", "").strip()
    if not within:
        return ""
    prefix = scope_prefix(user) or ""
    if (not within.isdigit() or len(within) not in DEPTH
            or not (within.startswith(prefix) or prefix.startswith(within))
            or not Jurisdiction.objects.filter(code=within).exists()):
        raise Http404("不在您的管辖范围内")
    return within


def _period(request) -> tuple[ind.Period, str, str]:
    kind = request.GET.get("kind", "month")
    kind = kind if kind in periods.KINDS else "month"
    today = timezone.localdate()
    value = request.GET.get("date", "").strip() or today.isoformat()
    try:
        return periods.parse(kind, value, request.GET.get("until", "")), kind, ""
    except ValueError as e:
        return periods.of("month", today), "month", str(e)


def context(request) -> dict:
    user = request.user
    within = _within(request, user)
    p, kind, error = _period(request)
    default = NEXT.get(DEPTH.get(len(within), ""), "street") if within else "street"
    level = request.GET.get("level", default)
    if level not in LEVELS or (level in GEO and within and GEO.index(level) <= GEO.index(DEPTH[len(within)])):
        level = default
    t = kq.table(user, level, p, within=within)
    crumbs = [{"code": "", "name": "全部"}]
    if within:
        names = dict(Jurisdiction.objects.filter(code__in=[within[:n] for n in DEPTH if n <= len(within)])
                     .values_list("code", "name"))
        crumbs += [{"code": within[:n], "name": names.get(within[:n], within[:n])} for n in DEPTH if n <= len(within)]
    step = STEP.get(kind) or ("day" if (p.end - p.start).days <= 62 else "week")
    s = figures.series(user, p, step, "district" if not within else DEPTH[len(within)], within or None)
    trend = {"days": [b.isoformat()[5:] if step != "month" else b.isoformat()[:7] for b, _ in s],
             "dates": [b.isoformat() for b, _ in s], "reported": [t_.reported for _, t_ in s],
             "closed": [t_.closed for _, t_ in s]}
    rows = [{**r, "cells": _cells(r), "counts": [getattr(r["tally"], k) for k, _ in COUNTS],
             "drill": NEXT.get(level) if level in NEXT else ""} for r in t["rows"]]
    return {
        "period": p, "kind": kind, "kinds": list(periods.KINDS.items()), "error": error, "level": level,
        "levels": [(k, v) for k, v in LEVELS.items() if not (within and k in GEO and GEO.index(k) <= GEO.index(
            DEPTH[len(within)]))],
        "within": within, "crumbs": crumbs, "rows": rows,
        "total": {**t["total"], "cells": _cells(t["total"]), "counts": [getattr(t["total"]["tally"], k)
                                                                         for k, _ in COUNTS]},
        "count_labels": [label for _, label in COUNTS],
        "indicators": [{"key": i.key, "label": i.label, "definition": i.definition} for i in ind.INDICATORS],
        "date": request.GET.get("date", "") or timezone.localdate().isoformat(),
        "until": request.GET.get("until", "") or (p.end.date() - dt.timedelta(days=1)).isoformat(),
        "start": p.start.date().isoformat(), "end": (p.end.date() - dt.timedelta(days=1)).isoformat(),
        "trend": trend, "query": request.GET.urlencode(), "level_label": LEVELS[level],
        "last_quarter": periods.last_quarter(timezone.localdate()).start.date().isoformat(),
    }


def export(ctx: dict) -> HttpResponse:
    """The page's table as .xlsx: the counts, then each indicator (rates in %, hours in working hours), its 同比
    and 环比 changes (percentage points for rates); one row per group and the total."""
    head = ["代码", ctx["level_label"], *ctx["count_labels"]]
    for i in ind.INDICATORS:
        unit = "（%）" if i.kind == "rate" else ""
        head += [f"{i.label}{unit}", f"{i.label}同比", f"{i.label}环比"]
    body = []
    for r in [*ctx["rows"], ctx["total"]]:
        line = [r["code"], r["name"], *r["counts"]]
        for i in ind.INDICATORS:
            line += [_num(i, r["values"][i.key]), _num(i, r["yoy"].get(i.key)), _num(i, r["pop"].get(i.key))]
        body.append(line)
    p = ctx["period"]
    data, content_type = spreadsheets.write("xlsx", head, body, title=f"统计 {p.label}"[:31])
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = (f'attachment; filename="figures-{ctx["level"]}-{ctx["within"] or "all"}-'
                                   f'{p.start.date():%Y%m%d}.xlsx"')
    return resp


def _num(i: ind.Indicator, v):
    if v is None:
        return None
    return round(v * 100, 1) if i.kind == "rate" else round(v, 2)
