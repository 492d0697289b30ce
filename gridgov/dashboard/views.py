"""The leader dashboard (领导看板): today and this month by street and department, open cases on a grid map,
the trend (ECharts). Read-only; everything within the user's jurisdiction (``scoped``); all counting in SQL
(``queries``), the rates in the pure ``kpi`` module."""

import json

from django.utils import timezone

from gridgov.accounts import roles
from gridgov.cases.services.levels import settled_figures
from gridgov.context import LEADERS
from gridgov.geo import services as geo_services
from gridgov.kpi import queries as kpi_queries
from gridgov.pages import page, render_page

from . import analysis, kpi, queries

HEADLINE = [  # (label, attribute of kpi.Tally or a rate, kind)
    ("上报", "reported", "count"), ("立案", "registered", "count"), ("结案", "closed", "count"),
    ("按期结案率", "on_time_rate", "rate"), ("返工率", "rework_rate", "rate"),
]


def _cards(t: kpi.Tally) -> list[dict]:
    out = []
    for label, attr, kind in HEADLINE:
        value = getattr(t, attr)
        out.append({"label": label, "key": attr, "value": kpi.percent(value) if kind == "rate" else value,
                    "raw": "" if value is None else value})
    return out


@page(roles.CASE_VIEW, posts=LEADERS)
def home(request):
    now = timezone.now()
    open_rows = queries.open_groups(request.user, now)  # one scan of the open cases for the cards and the map
    s = queries.summary(request.user, now, open_rows)
    trend = queries.trend(request.user, s["now"])
    ctx = {
        "s": s, "today_cards": _cards(s["today"]), "month_cards": _cards(s["month"]),
        "overdue": s["month"].overdue, "open": s["month"].open,
        "trend": trend, "trend_rows": list(zip(trend["dates"], trend["reported"], trend["closed"], strict=True)),
        "grids": queries.open_by_grid(request.user, s["now"], open_rows),
        # the streets' outlines under the markers (a few kB: generated or imported street boundaries)
        "outlines": [{"name": r["name"], "geometry": json.loads(r["geometry"])} for r in s["streets"] if r["geometry"]],
        "schematic": geo_services.schematic_note(request.user),
    }
    # levels: 小事不出网格、大事不出社区 — this month's settled cases by the level that settled them
    p = kpi.periods(s["now"], timezone.get_current_timezone())
    ctx["levels"] = settled_figures(request.user, p.month, p.next_month)
    return render_page(request, "dashboard/home.html", ctx)


# ---------------------------------------------------------------- 统计分析: any period, any level, drill-down


def _analysis(request) -> dict:
    """The figures of the query string: period (kind, date, until), level, ``within`` (the area drilled into);
    404 when ``within`` is not the user's to see."""
    return analysis.context(request)


@page(roles.CASE_VIEW, posts=kpi_queries.POSTS)
def figures(request):
    return render_page(request, "dashboard/figures.html", _analysis(request))


@page(roles.CASE_VIEW, posts=kpi_queries.POSTS)
def figures_export(request):
    return analysis.export(_analysis(request))
