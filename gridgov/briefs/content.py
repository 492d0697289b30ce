"""What goes into a brief: the figures (read through ``kpi``, ``duty`` and ``mining`` — never a second definition of
an indicator) and the template (a TOML file per kind, shipped in ``doc_templates/`` and overridable from
``<DATA_DIR>/brief-templates/<kind>.toml``), put together into the plain description ``render`` draws."""

import datetime as dt
import tomllib
from pathlib import Path

from django.conf import settings

from gridgov.accounts import roles
from gridgov.kpi import queries as kpi
from gridgov.kpi.logic import indicators as ind

from .logic import layout

SHIPPED = Path(__file__).parent / "doc_templates"


def template_path(kind: str) -> Path:
    own = Path(settings.DATA_DIR) / "brief-templates" / f"{kind}.toml"
    return own if own.exists() else SHIPPED / f"{kind}.toml"


def template(kind: str) -> dict:
    with open(template_path(kind), "rb") as f:
        return tomllib.load(f)


class _Values(dict):
    def __missing__(self, key):  # a name the figures do not have stays visible, it does not break the document
        return "{" + key + "}"


def fill(text: str, values: dict) -> str:
    return (text or "").format_map(_Values(values))


def short_name(name: str) -> str:
    for suffix in ("街道办事处", "街道", "地区", "区", "县", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _pct(v: float | None) -> str:
    return ind.fmt("rate", v)


def _change(now: int, before: int) -> str:
    if before == 0:
        return "上期无数据" if now else "持平"
    d = (now - before) / before
    return "持平" if d == 0 else f"{'上升' if d > 0 else '下降'}{abs(d) * 100:.1f}%"


def kpi_figures(user, scope_key: str, span: layout.Span) -> dict:
    """The KPI figures of the scope for the span: totals, 环比 of 上报, a row per street (a district's brief) or
    community (a street's), and the charts."""
    p = ind.day_range(span.first, span.last)
    days = (span.last - span.first).days + 1
    before = ind.day_range(span.first - dt.timedelta(days=days), span.first - dt.timedelta(days=1))
    level = "street" if len(scope_key) == 6 else "community"
    now = {k: t for k, t in kpi.tallies(user, level, p).items() if k and str(k).startswith(scope_key)}
    prev = {k: t for k, t in kpi.tallies(user, level, before).items() if k and str(k).startswith(scope_key)}
    groups = [(k, c, n) for k, c, n in kpi._groups(user, level, set(now)) if str(c).startswith(scope_key)]
    tot, tot_prev = ind.total(now.values()), ind.total(prev.values())
    v = ind.values(tot)
    unit_word = "街道" if level == "street" else "社区"
    rows = []
    for key, code, name in groups:
        t = now.get(key, ind.Tally())
        tv = ind.values(t)
        rows.append({"code": code, "name": name, "reported": t.reported, "registered": t.registered,
                     "closed": t.closed, "closure": tv["closure"], "on_time": tv["on_time"], "rework": tv["rework"],
                     "on_time_base": t.closed})
    by_reported = sorted(rows, key=lambda r: (-r["reported"], r["code"]))
    ranked = sorted([r for r in rows if r["on_time"] is not None], key=lambda r: (-r["on_time"], -r["closed"], r["code"]))
    k = min(3, len(ranked) // 2)
    values = {
        "reported": tot.reported, "registered": tot.registered, "closed": tot.closed,
        "closure": _pct(v["closure"]), "on_time": _pct(v["on_time"]), "rework": _pct(v["rework"]),
        "handling_hours": ind.fmt("hours", v["handling_hours"]).replace(" h", " 小时"),
        "reported_change": _change(tot.reported, tot_prev.reported), "reported_before": tot_prev.reported,
        "unit_word": unit_word,
        "top_unit": by_reported[0]["name"] if by_reported and by_reported[0]["reported"] else "无",
        "top_unit_reported": by_reported[0]["reported"] if by_reported else 0,
        "low_unit": ranked[-1]["name"] if ranked else "无", "low_unit_on_time": _pct(ranked[-1]["on_time"]) if ranked else "—",
        "best_units": "、".join(r["name"] for r in ranked[:k]) or "无",
        "worst_units": "、".join(r["name"] for r in ranked[-k:][::-1]) if k else "无",
    }
    header = [unit_word, "上报", "立案", "结案", "结案率", "按期结案率", "返工率"]
    table_rows = [[r["name"], r["reported"], r["registered"], r["closed"], _pct(r["closure"]), _pct(r["on_time"]),
                   _pct(r["rework"])] for r in rows]
    table_rows.append(["合计", tot.reported, tot.registered, tot.closed, _pct(v["closure"]), _pct(v["on_time"]),
                       _pct(v["rework"])])
    ranking = [[i, r["name"], r["closed"], _pct(r["on_time"]), _pct(r["closure"])] for i, r in enumerate(ranked, 1)]
    return {
        "values": values,
        "tables": {"by_unit": {"header": header, "rows": table_rows},
                   "ranking": {"header": ["名次", unit_word, "结案", "按期结案率", "结案率"], "rows": ranking}},
        "charts": {"reported_by_unit": {"title": f"各{unit_word}上报问题数（件）", "labels": [r["name"] for r in rows],
                                        "values": [r["reported"] for r in rows]},
                   "on_time_by_unit": {"title": "按期结案率（%）", "labels": [r["name"] for r in ranked],
                                       "values": [round(r["on_time"] * 100, 1) for r in ranked]}},
    }


def duty_figures(user, scope_key: str, span: layout.Span) -> dict:
    """The 值班日报's figures, as the duty app counts them (``duty.services.daily_report``)."""
    from gridgov.duty import presenting
    from gridgov.duty.services import daily_report

    rep = daily_report(user, span.first, scope_key)
    f = rep["figures"]
    sections = dict(presenting.report_sections(rep))
    values = {"incoming": f.incoming, "cleared": f.cleared, "clear_rate": presenting.percent(f.rate),
              "overdue": rep["overdue"], "urgent": len(f.urgent), "activations": len(rep["activations"])}

    def table(*titles):
        return {"header": ["栏目", "项目", "数值/内容"],
                "rows": [[t, item, value] for t in titles for item, value in sections.get(t, [])]}

    src = sections.get("来件来源", [])
    return {"values": values,
            "tables": {"duty_overview": table("概况"), "duty_sources": table("来件来源", "来件类别"),
                       "duty_events": table("紧急案件", "预案启动"), "duty_people": table("值班人员", "交班记录")},
            "charts": {"duty_by_source": {"title": "来件来源（件）", "labels": [a for a, _ in src if a != "无"],
                                          "values": [int(b) for a, b in src if a != "无"]}}}


def analysis_figures(user, scope_key: str, span: layout.Span) -> dict:
    """The 大数据分析报告: the KPI totals and the mining results of the span (``gridgov.mining``)."""
    from gridgov.mining import services as mining

    base = kpi_figures(user, scope_key, span)
    res = mining.analyse(user, scope_key, span.first, span.last)
    words = mining.words(res)
    values = {**base["values"], **words}
    tables = {k: mining.table(res, k) for k in ("hotspots", "repeats", "weak", "forecast")}
    fc = res["forecast"]["total"]
    charts = {"forecast_chart": {"title": "近期每周上报与预测（件）",
                                 "labels": [w[5:] for w in fc["weeks"][-8:]] + [f"预{i + 1}" for i in range(len(fc["values"]))],
                                 "values": list(fc["history"][-8:]) + list(fc["values"])}}
    return {"values": values, "tables": tables, "charts": charts}


def assessment_figures(user, scope_key: str, span: layout.Span) -> dict:
    """A 情况通报 of a district for a month quotes the month's published 考评 (``gridgov.assess``: its ranking, not
    a second scoring); nothing when there is none or the reader may not see it."""
    from gridgov.accounts.roles import has_right
    from gridgov.assess.logic import scorer
    from gridgov.assess.services.runs import current_run

    if len(scope_key) != 6 or not (user.is_superuser or has_right(user.role, roles.ASSESS_VIEW)):
        return {}
    run = current_run(user, span.label, scope_key)
    if run is None or run.published_at is None:
        return {}
    units = run.result.get("units", [])
    return {"values": {"assessment_scheme": run.result.get("scheme", {}).get("name", "")},
            "tables": {"assessment": {"header": ["名次", "街道", "总分"],
                                      "rows": [[u["rank"], u["name"], scorer.fmt(u["total"])] for u in units]}}}


def figures(kind: str, user, scope_key: str, span: layout.Span) -> dict:
    if kind == "duty":
        return duty_figures(user, scope_key, span)
    if kind == "analysis":
        return analysis_figures(user, scope_key, span)
    out = kpi_figures(user, scope_key, span)
    if kind == "notice":
        extra = assessment_figures(user, scope_key, span)
        out["values"].update(extra.get("values", {}))
        out["tables"].update(extra.get("tables", {}))
    return out


def compose(kind: str, figs: dict, narrative: dict, scope_name: str, span: layout.Span, number: str,
            on: dt.date, draft: bool) -> dict:
    """The description ``render`` draws: the template's structure, the generated tables and charts, the narrative
    (the template's text filled with the figures, unless the author rewrote it)."""
    tpl = template(kind)
    values = {**figs["values"], "scope_name": scope_name, "short_name": short_name(scope_name),
              "period_words": span.words}
    sections = []
    for s in tpl.get("sections", []):
        if s.get("only_if") and not figs["tables"].get(s["only_if"]):
            continue  # a section about figures that do not exist for this period (no published 考评)
        key = s.get("key", "")
        text = narrative.get(key) if s.get("editable") and key in narrative else fill(s.get("text", ""), values)
        sections.append({"key": key, "heading": fill(s.get("heading", ""), values), "text": text,
                         "editable": bool(s.get("editable")),
                         "table": figs["tables"].get(s["table"]) if s.get("table") else None,
                         "chart": figs["charts"].get(s["chart"]) if s.get("chart") else None})
    title = fill(tpl.get("title", ""), values)
    return {"title": title + ("（草稿）" if draft else ""), "subtitle": fill(tpl.get("subtitle", ""), values),
            "red_header": bool(tpl.get("red_header")), "issuer": fill(tpl.get("issuer", ""), values),
            "number": number, "date_words": layout.chinese_date(on), "sections": sections,
            "number_prefix": fill(tpl.get("number_prefix", ""), values)}


def default_narrative(kind: str, figs: dict, scope_name: str, span: layout.Span) -> dict:
    doc = compose(kind, figs, {}, scope_name, span, "", span.last, True)
    return {s["key"]: s["text"] for s in doc["sections"] if s["editable"]}
