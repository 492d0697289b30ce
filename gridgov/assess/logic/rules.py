"""The scoring rules of 003 篇7 附件1 — pure, no Django import, exact arithmetic (fractions).

Each rule takes the item (its points, tiers and params) and one unit's inputs and returns ``(points, explanation)``:
the points as a Fraction and a one-line Chinese explanation a district can check with a calculator. The two ranked
rules (发现率, 市区两级平台派件) first compute each unit's value (``discovery_value``, ``dispatch_value``); their points
come from the unit's position among all units (``rank_bands``).

Numbers from a document are read through their decimal text (``q``), so 0.1 is one tenth, not the float nearest it:
a boundary such as "≤ 10 %" or "each full 10 percentage points" is decided exactly.
"""

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from .scheme import params_of


class InputError(ValueError):
    """An input a rule cannot read (the message names the unit, item and field)."""


def q(x) -> Fraction:
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(float(x)))


def fmt(x, digits: int = 2) -> str:
    """1 → 「1」, 0.5 → 「0.5」, 2/3 → 「0.67」."""
    v = round(float(x), digits)
    return f"{v:.{digits}f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def pct(x: Fraction, digits: int = 1) -> str:
    return f"{fmt(x * 100, digits)} %"


def floor_q(x: Fraction) -> int:
    return math.floor(x)


def ceil_q(x: Fraction) -> int:
    return math.ceil(x)


def _cap(value: Fraction, points) -> Fraction:
    return max(Fraction(0), min(value, q(points)))


# ---------------------------------------------------------------- reviewer items


def tiers(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    tier = inputs.get("tier")
    if tier is None:
        return Fraction(0), "尚未评定：0 分"
    levels = item["tiers"]
    labels = item.get("tier_labels") or [f"{_cn(i + 1)}档" for i in range(len(levels))]
    n = int(tier)
    pts = q(levels[n - 1])
    return pts, f"评定为第 {n} 档（{labels[n - 1]}）：{fmt(pts)} 分"


def points(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    value = inputs.get("points")
    if value is None:
        return Fraction(0), "尚未评定：0 分"
    return q(value), f"专人评判：{fmt(q(value))} 分（0～{fmt(q(item['points']))}）"


def special_tasks(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    receiver = q(p["receiver_points"]) if inputs.get("receiver") else Fraction(0)
    head = f"专人接收 {'+' + fmt(receiver) if receiver else '无（0）'}"
    tier = inputs.get("tier")
    if tier is None:
        return receiver, f"{head}；专项工作尚未评定；合计 {fmt(receiver)}"
    n = int(tier)
    got = q(item["tiers"][n - 1])
    return _cap(receiver + got, item["points"]), f"{head}；专项工作第 {n} 档 +{fmt(got)}；合计 {fmt(receiver + got)}"


# ---------------------------------------------------------------- computed items


def system_uptime(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    full = q(item["points"])
    if not inputs.get("usable", True):
        return Fraction(0), "无系统或系统无法使用：0 分"
    fault, upgrade = q(inputs.get("fault_hours", 0)), q(inputs.get("upgrade_hours", 0))
    extra = max(Fraction(0), upgrade - q(p["upgrade_allowance_hours"]))
    counted = fault + extra
    text = f"故障 {fmt(fault)} 小时"
    if extra:
        text += f" + 升级改造超出 {fmt(q(p['upgrade_allowance_hours']))} 小时的 {fmt(extra)} 小时 = {fmt(counted)} 小时"
    over = counted - q(p["allowance_hours"])
    if over <= 0:
        return full, f"{text}，未超过 {fmt(q(p['allowance_hours']))} 小时：{fmt(full)} 分"
    steps = ceil_q(over / q(p["hours_per_deduction"]))
    got = max(Fraction(0), full - steps * q(p["deduction"]))
    return got, (f"{text}，超出 {fmt(over)} 小时，每超 {fmt(q(p['hours_per_deduction']))} 小时（不足按 1 天）扣 "
                 f"{fmt(q(p['deduction']))} 分，扣 {steps} 分：{fmt(got)} 分")


def case_count(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    completed, quota = q(inputs["completed"]), q(inputs["quota"])
    base_max = q(p["base_points"])
    ratio = completed / quota
    raw = ratio * base_max
    base = min(base_max, raw)
    text = f"月完成量 {fmt(completed)} / 月均指标 {fmt(quota)} × {fmt(base_max)} = {fmt(raw)}"
    if raw > base_max:
        text += f"（封顶 {fmt(base_max)}）"
    over = 0
    if ratio > 1:
        over = min(int(p["over_max"]), floor_q((ratio - 1) * 100 / q(p["over_step_pct"])))
        text += f"；超指标 {fmt((ratio - 1) * 100, 1)} 个百分点 +{over}"
    yoy = 0
    last = inputs.get("last_year")
    if last is not None and q(last) > 0:
        growth = (completed - q(last)) / q(last)
        if growth > 0:
            yoy = min(int(p["yoy_max"]), floor_q(growth * 100 / q(p["yoy_step_pct"])))
            text += f"；超去年同期（{fmt(q(last))}）{pct(growth)} +{yoy}"
        else:
            text += f"；未超去年同期（{fmt(q(last))}）+0"
    else:
        text += "；无去年同期数据 +0"
    total = _cap(base + over + yoy, item["points"])
    return total, f"{text}；合计 {fmt(total)}"


def quality_sample(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    full = q(item["points"])
    closed, sampled, passed = int(inputs["closed"]), int(inputs["sampled"]), int(inputs["passed"])
    if closed == 0:
        return Fraction(0), "当月无结案案件：0 分"
    if sampled == 0:
        return Fraction(0), "未抽查：0 分"
    got = full * passed / sampled
    return got, f"{fmt(full)} × 合格 {passed} / 抽查 {sampled} = {fmt(got)}"


def type_diversity(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    simple, own, total = int(inputs["simple"]), int(inputs["self_handled"]), int(inputs["total"])
    if total == 0:
        return Fraction(0), "当月无案件：0 分"
    share = Fraction(simple + own, total)
    text = f"（简单类 {simple} + 自处置 {own}）/ {total} = {pct(share)}"
    for limit, pts in p["bands"]:
        if share <= q(limit):
            return q(pts), f"{text}，不高于 {pct(q(limit), 0)}：{fmt(q(pts))} 分"
    return Fraction(0), f"{text}，高于 {pct(q(p['bands'][-1][0]), 0)}：0 分"


def closure_rate(item: Mapping, inputs: Mapping, average) -> tuple[Fraction, str]:
    p = params_of(item)
    avg = q(average)
    closed, due = int(inputs["closed"]), int(inputs["due"])
    if due == 0:
        rate = avg
        text = f"应结案 0 件，按全区平均 {pct(avg)} 计"
    else:
        rate = Fraction(closed, due)
        text = f"结案率 {closed} / {due} = {pct(rate)}，全区平均 {pct(avg)}"
    above = floor_q((rate - avg) * 100) if rate > avg else 0
    got = _cap(above * q(p["points_per_pp"]), item["points"])
    if above <= 0:
        return Fraction(0), f"{text}，未高出整 1 个百分点：0 分"
    return got, f"{text}，高出 {above} 个整百分点 × {fmt(q(p['points_per_pp']))} = {fmt(above * q(p['points_per_pp']))}" \
                + ("（封顶）" if got < above * q(p["points_per_pp"]) else "") + f"：{fmt(got)} 分"


def staffing(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    full = q(item["points"])
    staff, communities = int(inputs["staff"]), int(inputs["communities"])
    if staff == 0:
        return Fraction(0), "无专人承担网格巡查员工作：0 分"
    ratio = Fraction(staff, communities)
    text = f"网格员 {staff} 人 / 社区 {communities} 个 = {fmt(ratio)} 人/社区"
    if ratio >= q(p["full_ratio"]):
        return full, f"{text}，不少于 {fmt(q(p['full_ratio']))}：{fmt(full)} 分"
    steps = ceil_q((q(p["full_ratio"]) - ratio) / q(p["step"]))
    got = max(Fraction(0), full - steps * q(p["deduction"]))
    return got, f"{text}，低于 {fmt(q(p['full_ratio']))}，每少 {fmt(q(p['step']))}（不足按一档）扣 {fmt(q(p['deduction']))}，扣 {steps} 档：{fmt(got)} 分"


def training(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    whole, partial = int(inputs["whole"]), int(inputs["partial"])
    raw = whole * q(p["whole"]) + partial * q(p["partial"])
    got = _cap(raw, item["points"])
    return got, (f"全员培训 {whole} 次 × {fmt(q(p['whole']))} + 部分人员培训 {partial} 次 × {fmt(q(p['partial']))} = "
                 f"{fmt(raw)}" + ("（封顶）" if got < raw else "") + f"：{fmt(got)} 分")


def public_channels(item: Mapping, inputs: Mapping, public_share) -> tuple[Fraction, str]:
    p = params_of(item)
    public, total, on_time = int(inputs["public"]), int(inputs["total"]), int(inputs["public_closed_on_time"])
    if total == 0 or public == 0:
        return Fraction(0), "当月无社会渠道案件：0 分"
    share, ok = Fraction(public, total), Fraction(on_time, public)
    text = (f"社会渠道 {public} / {total} = {pct(share)}（全区 {pct(q(public_share))}），"
            f"按期办结 {on_time} / {public} = {pct(ok)}（应不低于 {pct(q(p['closed_on_time_share']), 0)}）")
    if share >= q(public_share) and ok >= q(p["closed_on_time_share"]):
        return q(item["points"]), f"{text}：{fmt(q(item['points']))} 分"
    return Fraction(0), f"{text}：0 分"


def publicity(item: Mapping, inputs: Mapping) -> tuple[Fraction, str]:
    p = params_of(item)
    reports, subs = int(inputs["reports"]), int(inputs["submissions"])
    media = min(q(p["reports_max"]), reports * q(p["per_report"]))
    sent = Fraction(0)
    for least, pts in p["submissions"]:
        if subs >= least:
            sent = q(pts)
            break
    got = _cap(media + sent, item["points"])
    return got, (f"市级媒体报道 {reports} 次 × {fmt(q(p['per_report']))}（最多 {fmt(q(p['reports_max']))}）= {fmt(media)}；"
                 f"报送 {subs} 次 +{fmt(sent)}；合计 {fmt(got)}")


# ---------------------------------------------------------------- ranked items


def discovery_value(inputs: Mapping) -> tuple[Fraction, str]:
    checked, found = int(inputs["checked"]), int(inputs["found_in_time"])
    if checked == 0:
        return Fraction(1), "倒查 0 件（无遗漏），发现率按 100 %"
    rate = Fraction(found, checked)
    return rate, f"发现率 {found} / {checked} = {pct(rate)}"


def dispatch_value(inputs: Mapping) -> tuple[Fraction, str]:
    received, timely, closed = int(inputs["received"]), int(inputs["timely"]), int(inputs["closed"])
    if received == 0:
        return Fraction(1), "无市区派件，按 1 计"
    a, b = Fraction(timely, received), Fraction(closed, received)
    return a * b, f"及时率 {timely}/{received} × 结案率 {closed}/{received} = {fmt(a * b, 4)}"


def rank_bands(values: Mapping[str, Fraction], bands: Sequence) -> dict[str, tuple[int, int, Fraction]]:
    """unit → (position counted from 0, band index, points): ranked best first; tied values share the best
    position among them; band = floor(position × number of bands / number of units)."""
    n = len(values)
    ordered = sorted(values.values(), reverse=True)
    out = {}
    for unit, v in values.items():
        position = ordered.index(v)
        band = position * len(bands) // n
        out[unit] = (position, band, q(bands[band]))
    return out


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


SIMPLE = {"tiers": tiers, "points": points, "special_tasks": special_tasks, "system_uptime": system_uptime,
          "case_count": case_count, "quality_sample": quality_sample, "type_diversity": type_diversity,
          "staffing": staffing, "training": training, "publicity": publicity}
