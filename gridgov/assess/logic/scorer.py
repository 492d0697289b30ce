"""The scorer — pure, no Django import: check a facts document and score it with the scheme it carries.

``check(doc, today)`` refuses a document that cannot be scored (``FactsError`` with a stable code and a Chinese
message naming every problem); ``score(doc, today)`` scores it: per unit each item's points and its one-line
explanation, the six parts, the total and the rank (tied totals share the rank: 1, 2, 2, 4); ``annual(docs)`` the
year (parts 1, 2, 4, 5, 6 as at the year's last scored month + the mean of part 3 over the scored months);
``allocation`` the 差额拨付 by annual rank; ``bulletin`` a 通报 draft.

The document's format is in the README (「考评 (assessment)」) and ``data/example_facts_2026-11.json``.
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from . import rules
from .rules import fmt, q
from .scheme import RANKED, RULES, items, params_of, validate

FORMAT = "gridgov.assess.facts/1"
RESULT_FORMAT = "gridgov.assess.result/1"
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class FactsError(ValueError):
    def __init__(self, code: str, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.code, self.message, self.problems = code, message, list(problems)


def parse_period(period) -> tuple[int, int]:
    m = PERIOD_RE.match(str(period or ""))
    if not m:
        raise FactsError("invalid_period", f"考评月份「{period}」应写作 YYYY-MM（如 2026-11）")
    return int(m.group(1)), int(m.group(2))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The month's first day and the next month's first day (half-open)."""
    y, m = parse_period(period)
    return dt.date(y, m, 1), dt.date(y + (m == 12), m % 12 + 1, 1)


def check_period(period, today: dt.date) -> tuple[int, int]:
    y, m = parse_period(period)
    if (y, m) > (today.year, today.month):
        raise FactsError("period_in_future", f"考评月份 {period} 尚未开始（今天是 {today.isoformat()}）")
    return y, m


# ---------------------------------------------------------------- checking a document

def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**9


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and 0 <= v < 1e12


def _input_problems(item: Mapping, inp) -> list[tuple[str, str]]:
    """(code, what is wrong) for one unit's inputs of one item."""
    rule = item["rule"]
    if not isinstance(inp, Mapping):
        return [("missing_inputs", "缺少输入")]
    need = [k for k in RULES[rule][2] if k not in inp and k not in ("upgrades", "usable", "last_year")]
    if need:
        return [("missing_inputs", f"缺少 {'、'.join(need)}")]
    out: list[tuple[str, str]] = []
    bad = "invalid_input"
    if RULES[rule][1] and inp.get("tier") is not None:
        if not (isinstance(inp["tier"], int) and not isinstance(inp["tier"], bool)
                and 1 <= inp["tier"] <= len(item["tiers"])):
            out.append((bad, f"档位 tier 应为 1～{len(item['tiers'])} 的整数（或 null：未评定）"))
    if rule == "points" and inp.get("points") is not None:
        if not _num(inp["points"]) or inp["points"] > item["points"]:
            out.append((bad, f"分值 points 应在 0～{fmt(q(item['points']))} 之间"))
    if rule == "special_tasks" and not isinstance(inp.get("receiver"), bool):
        out.append((bad, "receiver 应为 true 或 false"))
    if rule == "system_uptime":
        for k in ("fault_hours", "upgrade_hours"):
            if not _num(inp[k]):
                out.append((bad, f"{k} 应为非负数"))
        if "usable" in inp and not isinstance(inp["usable"], bool):
            out.append((bad, "usable 应为 true 或 false"))
    if rule == "case_count":
        if not _num(inp["quota"]) or inp["quota"] <= 0:
            out.append(("invalid_quota", "月均指标 quota 应为正数（附件2 的分配数未定：请先录入人口、面积和全区案件数）"))
        if not _int(inp["completed"]):
            out.append((bad, "completed 应为非负整数"))
        if inp.get("last_year") is not None and not _int(inp["last_year"]):
            out.append((bad, "last_year 应为非负整数或 null"))
    ints = {"quality_sample": ("closed", "sampled", "passed"), "type_diversity": ("simple", "self_handled", "total"),
            "discovery": ("checked", "found_in_time"), "closure_rate": ("closed", "due"),
            "staffing": ("staff", "communities"), "training": ("whole", "partial"),
            "city_dispatch": ("received", "timely", "closed"),
            "public_channels": ("public", "total", "public_closed_on_time"), "publicity": ("reports", "submissions")}
    for k in ints.get(rule, ()):
        if not _int(inp[k]):
            out.append((bad, f"{k} 应为非负整数"))
    if out:
        return out
    le = {"quality_sample": [("passed", "sampled")], "type_diversity": [("simple", "total"), ("self_handled", "total")],
          "discovery": [("found_in_time", "checked")], "city_dispatch": [("timely", "received"), ("closed", "received")],
          "public_channels": [("public", "total"), ("public_closed_on_time", "public")]}
    for a, b in le.get(rule, ()):
        if inp[a] > inp[b]:
            out.append((bad, f"{a}（{inp[a]}）不应大于 {b}（{inp[b]}）"))
    if rule == "type_diversity" and inp["simple"] + inp["self_handled"] > inp["total"]:
        out.append((bad, "简单类与自处置案件之和不应大于案件总数"))
    if rule == "staffing" and inp["communities"] == 0:
        out.append((bad, "社区数 communities 应为正整数"))
    return out


def check(doc, today: dt.date) -> None:
    """Raise FactsError unless ``doc`` can be scored (nothing about it is guessed)."""
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        raise FactsError("invalid_format", f"不是考评数据文件：format 应为「{FORMAT}」")
    check_period(doc.get("period"), today)
    scheme = doc.get("scheme")
    problems = validate(scheme) if isinstance(scheme, Mapping) else ["缺少考评方案（scheme）"]
    if problems:
        raise FactsError("invalid_scheme", "考评方案有误：" + "；".join(problems), problems)
    totals = doc.get("totals")
    if not isinstance(totals, Mapping):
        raise FactsError("invalid_input", "缺少全区汇总数（totals）")
    found: list[tuple[str, str]] = []
    for k in ("closure_rate", "public_share"):
        v = totals.get(k)
        if not _num(v) or v > 1:
            found.append(("invalid_input", f"totals.{k} 应为 0～1 之间的数"))
    units = doc.get("units")
    if not isinstance(units, list) or not units:
        raise FactsError("invalid_input", "没有考评对象（units 为空）")
    codes = [u.get("code") if isinstance(u, Mapping) else None for u in units]
    if len(set(codes)) != len(codes) or any(not isinstance(c, str) or not c for c in codes):
        found.append(("invalid_input", "每个考评对象应有唯一的编码（code）"))
    all_items = {it["key"]: it for it in items(scheme)}
    for u in units:
        if not isinstance(u, Mapping):
            continue
        who = f"{u.get('name') or ''}（{u.get('code')}）"
        inputs = u.get("inputs") if isinstance(u.get("inputs"), Mapping) else {}
        unknown = set(inputs) - set(all_items)
        if unknown:
            found.append(("unknown_item", f"{who} 的输入有方案中没有的考评项：{'、'.join(sorted(unknown))}"))
        for key, it in all_items.items():
            if key not in inputs:
                found.append(("missing_inputs", f"{who} 缺少考评项「{it['name']}」（{key}）的输入"))
                continue
            for code, text in _input_problems(it, inputs[key]):
                found.append((code, f"{who}「{it['name']}」（{key}）：{text}"))
        for field in ("falsified", "adjusted"):
            marks = u.get(field) or {}
            if not isinstance(marks, Mapping) or set(marks) - set(all_items):
                found.append(("invalid_input", f"{who} 的 {field} 只能列出方案中的考评项"))
        for key, adj in (u.get("adjusted") or {}).items() if isinstance(u.get("adjusted"), Mapping) else ():
            if key in all_items and (not isinstance(adj, Mapping) or not _num(adj.get("points"))
                                     or adj["points"] > all_items[key]["points"]):
                found.append(("invalid_input", f"{who} 的改正分值（adjusted.{key}.points）应在 0～该项分值之间"))
    if found:
        shown = [t for _, t in found[:8]]
        more = f"（另有 {len(found) - 8} 处）" if len(found) > 8 else ""
        raise FactsError(found[0][0], "考评数据有误：" + "；".join(shown) + more, [t for _, t in found])


# ---------------------------------------------------------------- scoring


def score(doc: Mapping, today: dt.date) -> dict:
    """The month's result: units best first, each with items, parts, total and rank."""
    check(doc, today)
    scheme, totals = doc["scheme"], doc["totals"]
    all_items = items(scheme)
    units = doc["units"]
    ranked: dict[str, dict] = {}
    for it in all_items:
        if it["rule"] in RANKED:
            value = rules.discovery_value if it["rule"] == "discovery" else rules.dispatch_value
            values = {u["code"]: value(u["inputs"][it["key"]]) for u in units}
            bands = rules.rank_bands({c: v for c, (v, _) in values.items()}, params_of(it)["bands"])
            ranked[it["key"]] = {c: (values[c][1], bands[c], len(units)) for c in values}
    out_units = []
    for u in units:
        item_rows, parts = [], {p["no"]: Fraction(0) for p in scheme["parts"]}
        for it in all_items:
            pts, text = _item_points(it, u, totals, ranked)
            row = {"key": it["key"], "name": it["name"], "part": it["part"], "points": _num_out(pts),
                   "max": it["points"], "explanation": text}
            mark = (u.get("falsified") or {}).get(it["key"])
            if mark:
                row["falsified"] = dict(mark)
            adj = (u.get("adjusted") or {}).get(it["key"])
            if adj and not mark:
                row["adjusted"] = dict(adj)
            parts[it["part"]] += pts
            item_rows.append(row)
            row["_exact"] = pts
        total = sum(parts.values(), Fraction(0))
        out_units.append({"code": u["code"], "name": u.get("name", ""), "items": item_rows,
                          "parts": [{"no": p["no"], "name": p["name"], "points": _num_out(parts[p["no"]]),
                                     "max": p["points"]} for p in scheme["parts"]],
                          "total": _num_out(total), "_total": total})
    _rank(out_units, "_total")
    for u in out_units:
        for row in u["items"]:
            del row["_exact"]
        del u["_total"]
    return {"format": RESULT_FORMAT, "period": doc["period"], "district": doc.get("district") or {},
            "scheme": {"name": scheme["name"], "total": scheme["total"]}, "units": out_units}


def _item_points(it: Mapping, unit: Mapping, totals: Mapping, ranked: Mapping) -> tuple[Fraction, str]:
    key = it["key"]
    mark = (unit.get("falsified") or {}).get(key)
    if mark:
        return Fraction(0), (f"发现弄虚作假（{mark.get('by', '')} {str(mark.get('at', ''))[:10]}：{mark.get('reason', '')}"
                             f"{'，' + mark['source'] if mark.get('source') else ''}），当月该项记 0 分")
    inputs = unit["inputs"][key]
    rule = it["rule"]
    if rule in RANKED:
        text, (position, band, pts), n = ranked[key][unit["code"]]
        got, why = pts, (f"{text}；{n} 个单位中排第 {position + 1} 位（并列取前），"
                         f"第 {band + 1} 档：{fmt(pts)} 分")
    elif rule == "closure_rate":
        got, why = rules.closure_rate(it, inputs, totals["closure_rate"])
    elif rule == "public_channels":
        got, why = rules.public_channels(it, inputs, totals["public_share"])
    else:
        got, why = rules.SIMPLE[rule](it, inputs)
    adj = (unit.get("adjusted") or {}).get(key)
    if adj:
        new = q(adj["points"])
        why = (f"改正为 {fmt(new)} 分（{adj.get('source') or adj.get('reason') or '复核'}"
               f"{'，' + adj['by'] if adj.get('by') else ''}）；原计算：{why}")
        got = new
    return got, why


def _num_out(x: Fraction) -> float:
    return round(float(x), 4)


def _rank(units: list[dict], key: str) -> None:
    """Sort best first; tied values share the rank (1, 2, 2, 4); ties listed by code."""
    units.sort(key=lambda u: (-u[key], u["code"]))
    for i, u in enumerate(units):
        u["rank"] = units[i - 1]["rank"] if i and u[key] == units[i - 1][key] else i + 1


# ---------------------------------------------------------------- the year


def annual(docs: Sequence[Mapping], today: dt.date) -> dict:
    """The year's result from its monthly facts documents (one year; a month given twice is refused)."""
    if not docs:
        raise FactsError("invalid_input", "没有月度考评数据")
    results = sorted((score(d, today) for d in docs), key=lambda r: r["period"])
    years = {r["period"][:4] for r in results}
    periods = [r["period"] for r in results]
    if len(years) != 1:
        raise FactsError("invalid_input", f"年度考评的月份应属同一年（现为 {'、'.join(sorted(years))}）")
    if len(set(periods)) != len(periods):
        raise FactsError("invalid_input", "同一月份的数据给了两次")
    return annual_of_results(results, docs[-1]["scheme"])


def annual_of_results(results: Sequence[Mapping], scheme: Mapping) -> dict:
    """The year from monthly results (oldest first): parts at year end + mean of the monthly parts."""
    params = scheme.get("params") or {}
    end_parts = set(params.get("annual_parts_at_year_end", [1, 2, 4, 5, 6]))
    mean_parts = set(params.get("annual_mean_parts", [3]))
    seen: dict[str, dict] = {}
    for r in sorted(results, key=lambda r: r["period"]):
        for u in r["units"]:
            e = seen.setdefault(u["code"], {"code": u["code"], "name": u["name"], "months": [], "monthly": []})
            parts = {p["no"]: q(p["points"]) for p in u["parts"]}
            e["months"].append(r["period"])
            e["monthly"].append(sum((v for k, v in parts.items() if k in mean_parts), Fraction(0)))
            e["last"] = sum((v for k, v in parts.items() if k in end_parts), Fraction(0))
            e["last_period"] = r["period"]
    units = []
    for e in seen.values():
        mean = sum(e["monthly"], Fraction(0)) / len(e["monthly"])
        total = e["last"] + mean
        units.append({"code": e["code"], "name": e["name"], "months": e["months"],
                      "part3_monthly": [_num_out(x) for x in e["monthly"]], "part3_mean": _num_out(mean),
                      "year_end_parts": _num_out(e["last"]), "year_end_period": e["last_period"],
                      "total": _num_out(total), "_total": total,
                      "explanation": (f"第一、二、四、五、六部分（{e['last_period']}）{fmt(e['last'])} + 第三部分月均 "
                                      f"（{' + '.join(fmt(x) for x in e['monthly'])}）/ {len(e['monthly'])} = "
                                      f"{fmt(mean)}；合计 {fmt(total)}")})
    _rank(units, "_total")
    for u in units:
        del u["_total"]
    year = results[0]["period"][:4] if results else ""
    return {"format": "gridgov.assess.annual/1", "year": year, "periods": [r["period"] for r in results],
            "scheme": {"name": scheme["name"], "total": scheme["total"]}, "units": units}


def allocation(units: Sequence[Mapping], pool, shares: Sequence) -> list[dict]:
    """差额拨付: units (with ``rank``) split into len(shares) groups by position (position = rank − 1, so tied units
    share the better group; group = position × groups // units); each group's share of the pool is divided equally
    among its members. A group left empty by ties keeps its share (listed as unallocated by the caller)."""
    n = len(units)
    groups = [(u["rank"] - 1) * len(shares) // n for u in units]
    sizes = {g: groups.count(g) for g in set(groups)}
    out = []
    for u, g in zip(units, groups, strict=True):
        amount = q(pool) * q(shares[g]) / sizes[g]
        out.append({"code": u["code"], "name": u["name"], "rank": u["rank"], "group": g + 1,
                    "share": shares[g], "amount": round(float(amount), 2)})
    return out


def bulletin(result: Mapping, top: int = 3) -> str:
    """A 通报 draft from a month's (or a year's) result: praise the first ``top``, criticise the last ``top``."""
    units = list(result["units"])
    when = result.get("period") or f"{result.get('year')} 年度"
    lines = [f"关于 {when} 城市网格化管理专项考评结果的通报（草稿）", "",
             f"依据《{result['scheme']['name']}》，对 {len(units)} 个街道（地区）进行了考评，结果如下。", "",
             "一、表扬"]
    k = min(top, len(units) // 2) or min(top, len(units))
    best = units[:k]
    worst = [u for u in units[-k:] if u not in best]
    for u in best:
        lines.append(f"  第 {u['rank']} 名 {u['name']}：{fmt(u['total'])} 分{_detail(u, best=True)}。")
    lines += ["", "二、批评"]
    for u in worst:
        lines.append(f"  第 {u['rank']} 名 {u['name']}：{fmt(u['total'])} 分{_detail(u, best=False)}，请认真分析原因，限期整改。")
    lines += ["", "请各街道（地区）对照考评细则，查找不足，持续提升网格化管理水平。"]
    return "\n".join(lines)


def _detail(u: Mapping, best: bool) -> str:
    if "items" not in u:
        return f"（第三部分月均 {fmt(u['part3_mean'])} 分）"
    lost = sorted(u["items"], key=lambda r: r["points"] - r["max"])
    if best:
        part3 = next((p for p in u["parts"] if p["no"] == 3), None)
        return f"（案件管理 {fmt(part3['points'])}/{fmt(part3['max'])}）" if part3 else ""
    worst = [r for r in lost if r["points"] < r["max"]][:2]
    return ("，主要失分项：" + "、".join(f"{r['name']} {fmt(r['points'])}/{fmt(r['max'])}" for r in worst)) if worst else ""


def table(result: Mapping) -> tuple[list[str], list[list]]:
    """The ranking table of a month's result: 名次, 编码, 名称, the six parts, 总分 (head, rows) — for the command
    line and the Excel export."""
    parts = result["units"][0]["parts"] if result["units"] else []
    head = ["名次", "编码", "街道（地区）"] + [f"{p['name']}（{fmt(p['max'])}）" for p in parts] + ["总分"]
    rows = [[u["rank"], u["code"], u["name"], *[p["points"] for p in u["parts"]], u["total"]] for u in result["units"]]
    return head, rows


def item_table(result: Mapping) -> tuple[list[str], list[list]]:
    """Every unit's items with their points and explanations (the drill-down as a sheet)."""
    head = ["名次", "编码", "街道（地区）", "部分", "考评项", "得分", "分值", "计分说明"]
    rows = [[u["rank"], u["code"], u["name"], r["part"], r["name"], r["points"], r["max"], r["explanation"]]
            for u in result["units"] for r in u["items"]]
    return head, rows
