"""考评方案 (a scheme) as data — pure, no Django import: the rules it may name and its validation.

A scheme document (``data/scheme_003_7.json`` is 003 篇7's) is::

    {"name", "total": 100, "params": {...}, "parts": [{"no", "name", "points",
        "items": [{"key", "name", "points", "method", "rule", "params", "tiers", "tier_labels", "content"}]}]}

``validate(doc)`` returns the problems in Chinese (empty: valid): the parts add up to the total, each part's items
to the part, every item names a known rule, its tiers lie within its points, its parameters are numbers where the
rule reads numbers, item keys are unique.
"""

import json
from collections.abc import Mapping
from importlib import resources

SHIPPED_FILE = "data/scheme_003_7.json"  # 003 篇7 附件1, exactly


def shipped_document() -> dict:
    """The shipped scheme as data (the package's JSON file)."""
    return json.loads(resources.files("gridgov.assess").joinpath(SHIPPED_FILE).read_text("utf-8"))


def shipped_items() -> dict[str, str]:
    """key → 名称 of the shipped scheme's items, in order — what other apps name an item by (integrity's zeroings)."""
    return {i["key"]: i["name"] for p in shipped_document()["parts"] for i in p["items"]}


METHODS = {"computed": "计算机统计", "material": "提交材料、专人评判", "judgement": "专人评判"}

# rule name → (what it is, does it read tiers, the inputs it reads)
RULES: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "tiers": ("按档打分", True, ("tier",)),
    "points": ("专人评判分值", False, ("points",)),
    "system_uptime": ("系统故障时数", False, ("fault_hours", "upgrade_hours", "upgrades", "usable")),
    "case_count": ("月完成量对月均指标及去年同期", False, ("completed", "quota", "last_year")),
    "quality_sample": ("抽查合格率", False, ("closed", "sampled", "passed")),
    "type_diversity": ("简单及自处置案件占比", False, ("simple", "self_handled", "total")),
    "discovery": ("发现率排名分档", False, ("checked", "found_in_time")),
    "closure_rate": ("结案率对全区平均", False, ("closed", "due")),
    "staffing": ("每社区网格员人数", False, ("staff", "communities")),
    "training": ("培训次数", False, ("whole", "partial")),
    "city_dispatch": ("及时率×结案率排名分档", False, ("received", "timely", "closed")),
    "special_tasks": ("专人接收＋专项分档", True, ("receiver", "tier")),
    "public_channels": ("社会渠道占比及按期办结", False, ("public", "total", "public_closed_on_time")),
    "publicity": ("媒体报道及报送次数", False, ("reports", "submissions")),
}
RANKED = {"discovery", "city_dispatch"}  # rules whose points depend on the other units (排名分档)
REVIEWER_RULES = {"tiers", "points", "special_tasks"}  # the reviewer's judgement sets the inputs

# default parameters of each rule (a scheme's item may override any of them)
DEFAULT_PARAMS: dict[str, dict] = {
    "system_uptime": {"allowance_hours": 240, "upgrade_allowance_hours": 720, "hours_per_deduction": 24,
                      "deduction": 1},
    "case_count": {"base_points": 24, "over_step_pct": 10, "over_max": 3, "yoy_step_pct": 5, "yoy_max": 3},
    "type_diversity": {"bands": [[0.10, 3], [0.20, 2], [0.30, 1]]},
    "discovery": {"bands": [5, 4, 3, 2, 1, 0]},
    "closure_rate": {"points_per_pp": 0.5},
    "staffing": {"full_ratio": 0.8, "step": 0.1, "deduction": 1},
    "training": {"whole": 1, "partial": 0.5},
    "city_dispatch": {"bands": [2, 1, 0]},
    "special_tasks": {"receiver_points": 1},
    "public_channels": {"closed_on_time_share": 0.8},
    "publicity": {"per_report": 0.3, "reports_max": 0.6, "submissions": [[12, 0.4], [6, 0.2]]},
}


def params_of(item: Mapping) -> dict:
    return {**DEFAULT_PARAMS.get(item.get("rule", ""), {}), **(item.get("params") or {})}


def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) < 1e12


def _numbers(value) -> bool:
    if isinstance(value, list):
        return all(_numbers(v) for v in value)
    return _number(value)


def items(doc: Mapping) -> list[dict]:
    """Every item of the scheme, each with its part's number (``part``), in order."""
    return [{**it, "part": p["no"]} for p in doc.get("parts", []) for it in p.get("items", [])]


def validate(doc: Mapping) -> list[str]:
    """The scheme's problems, each a Chinese sentence naming what is wrong; [] when the scheme is valid."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        return ["考评方案应为一个对象（JSON）"]
    total = doc.get("total")
    parts = doc.get("parts")
    if not str(doc.get("name") or "").strip():
        problems.append("考评方案缺少名称")
    if not _number(total) or total <= 0:
        problems.append("考评方案的总分应为正数")
    if not isinstance(parts, list) or not parts:
        return problems + ["考评方案没有任何考评部分"]
    seen: set[str] = set()
    numbers = [p.get("no") for p in parts if isinstance(p, Mapping)]
    if len(set(numbers)) != len(numbers) or len(numbers) != len(parts):
        problems.append("考评部分的序号应唯一")
    part_sum = 0.0
    for p in parts:
        if not isinstance(p, Mapping):
            problems.append("考评部分应为对象")
            continue
        label = f"第{p.get('no')}部分「{p.get('name', '')}」"
        points = p.get("points")
        if not _number(points) or points < 0:
            problems.append(f"{label}的分值应为非负数")
            continue
        part_sum += points
        its = p.get("items")
        if not isinstance(its, list) or not its:
            problems.append(f"{label}没有考评项")
            continue
        item_sum = 0.0
        for it in its:
            problems += _item_problems(it, label, seen)
            if isinstance(it, Mapping) and _number(it.get("points")):
                item_sum += it["points"]
        if abs(item_sum - points) > 1e-9:
            problems.append(f"{label}各考评项分值之和为 {_fmt(item_sum)}，应等于该部分分值 {_fmt(points)}")
    if _number(total) and abs(part_sum - total) > 1e-9:
        problems.append(f"各部分分值之和为 {_fmt(part_sum)}，应等于总分 {_fmt(total)}")
    params = doc.get("params") or {}
    if not isinstance(params, Mapping):
        problems.append("方案参数应为对象")
    else:
        problems += _scheme_param_problems(params)
    return problems


def _scheme_param_problems(params: Mapping) -> list[str]:
    out = []
    days = params.get("appeal_window_days", 5)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 60:
        out.append("申诉期限（appeal_window_days）应为 1～60 个工作日")
    pool = params.get("reward_pool", 0)
    if not _number(pool) or pool < 0:
        out.append("奖励经费总额（reward_pool）应为非负数")
    shares = params.get("reward_shares", [0.4, 0.35, 0.25])
    if not (isinstance(shares, list) and shares and _numbers(shares) and all(s >= 0 for s in shares)
            and abs(sum(shares) - 1) < 1e-9):
        out.append("差额拨付比例（reward_shares）应为非负数，合计 1（如 [0.4, 0.35, 0.25]）")
    return out


def _item_problems(it, label: str, seen: set[str]) -> list[str]:
    if not isinstance(it, Mapping):
        return [f"{label}的考评项应为对象"]
    key = it.get("key")
    name = f"{label}的考评项「{it.get('name') or key}」"
    out = []
    if not isinstance(key, str) or not key:
        out.append(f"{name}缺少键名（key）")
    elif key in seen:
        out.append(f"考评项键名「{key}」重复")
    else:
        seen.add(key)
    points = it.get("points")
    if not _number(points) or points < 0:
        return out + [f"{name}的分值应为非负数"]
    if it.get("method") not in METHODS:
        out.append(f"{name}的考评方式应为 {' / '.join(f'{k}（{v}）' for k, v in METHODS.items())}")
    rule = it.get("rule")
    if rule not in RULES:
        return out + [f"{name}没有已知的计分规则（{rule or '空'}），应为：{'、'.join(RULES)}"]
    if RULES[rule][1]:
        tiers = it.get("tiers")
        if not (isinstance(tiers, list) and tiers and _numbers(tiers)):
            out.append(f"{name}应列出各档分值（tiers）")
        else:
            extra = params_of(it).get("receiver_points", 0) if rule == "special_tasks" else 0
            if any(t < 0 for t in tiers) or max(tiers) + extra > points + 1e-9:
                out.append(f"{name}的档位分值应在 0～{_fmt(points)} 分之间"
                           + ("（含专人接收分）" if extra else ""))
            if sorted(tiers, reverse=True) != list(tiers):
                out.append(f"{name}的档位应从高到低排列（一档最高）")
            labels = it.get("tier_labels")
            if labels is not None and len(labels) != len(tiers):
                out.append(f"{name}的档位名称数应与档位数相同")
    params = it.get("params") or {}
    if not isinstance(params, Mapping):
        return out + [f"{name}的参数应为对象"]
    for k, v in params.items():
        if k not in DEFAULT_PARAMS.get(rule, {}):
            out.append(f"{name}的参数「{k}」不是规则 {rule} 的参数")
        elif not _numbers(v) or (_number(v) and v < 0):
            out.append(f"{name}的参数「{k}」应为非负数")
    p = params_of(it)
    if rule in RANKED and (not p["bands"] or max(p["bands"]) > points + 1e-9):
        out.append(f"{name}的排名分档分值应在 0～{_fmt(points)} 分之间")
    if rule == "case_count" and p["base_points"] > points + 1e-9:
        out.append(f"{name}的基础分（base_points）不应超过该项分值 {_fmt(points)}")
    return out


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")
