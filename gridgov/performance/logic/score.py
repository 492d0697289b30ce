"""人员考核: a grid worker's or an inspector's monthly score from their month's facts, and the pay band it falls in
(差异化管理, 003 篇7: 网格员考核与绩效挂钩). Pure — the weights, targets, deductions and bands are data
(``performance.models.PayScheme``, edited by the administrator, audited); these are the shipped defaults.

The score (0–100):
- 出勤 attendance = weight × days on duty ÷ working days                    (no working days: not applicable)
- 巡查 patrols    = weight × min(1, patrols done ÷ patrols the plan asks)    (no plan: not applicable)
- 上报 reports    = weight × min(1, valid reports ÷ target)                  (valid: not 不予立案/作废)
- 走访 visits     = weight × min(1, visits ÷ target)
- 办结 settled    = weight × min(1, cases settled ÷ target)  (grid worker: 自行处置/处置反馈 by them; inspector: 核实+核查)
- 质量 quality    = max(0, weight − rework × d_rework − invalid reports × d_invalid − confirmed flags × d_flag)
Parts that do not apply to a person (an inspector keeps no patrol duty, attendance nor visits) are left out and
the rest scaled to 100: score = Σ points ÷ Σ weights of the parts that apply × 100, rounded to 0.1.

Band: the first band (highest minimum first) whose minimum the score reaches; the band's coefficient multiplies
the performance pay.
"""

from dataclasses import dataclass, field

PARTS = {"attendance": "出勤", "patrols": "巡查", "reports": "上报", "visits": "走访", "settled": "办结",
         "quality": "质量"}
DEFAULT_WEIGHTS = {"attendance": 30.0, "patrols": 20.0, "reports": 20.0, "visits": 10.0, "settled": 10.0,
                   "quality": 10.0}
DEFAULT_TARGETS = {"reports": 20.0, "visits": 20.0, "settled": 10.0}
DEFAULT_DEDUCTIONS = {"rework": 2.0, "invalid": 1.0, "flag": 5.0}
DEFAULT_BANDS = [{"band": "A", "min": 90.0, "coefficient": 1.2}, {"band": "B", "min": 75.0, "coefficient": 1.0},
                 {"band": "C", "min": 60.0, "coefficient": 0.8}, {"band": "D", "min": 0.0, "coefficient": 0.6}]
NOT_FOR_INSPECTORS = frozenset({"attendance", "patrols", "visits"})


@dataclass
class Facts:
    workdays: int = 0
    days_on_duty: int = 0
    patrols: int = 0
    patrols_planned: int = 0
    valid_reports: int = 0
    invalid_reports: int = 0
    visits: int = 0
    settled: int = 0
    rework: int = 0
    flags: int = 0
    inspector: bool = False


@dataclass
class Result:
    score: float
    points: dict[str, float | None] = field(default_factory=dict)  # None: not applicable


def _ratio(done: float, target: float) -> float:
    return min(1.0, done / target) if target > 0 else 1.0


def person_score(f: Facts, weights: dict, targets: dict, deductions: dict) -> Result:
    w = {k: float(weights.get(k, 0)) for k in PARTS}
    pts: dict[str, float | None] = {}
    pts["attendance"] = w["attendance"] * f.days_on_duty / f.workdays if f.workdays else None
    pts["patrols"] = w["patrols"] * _ratio(f.patrols, f.patrols_planned) if f.patrols_planned else None
    pts["reports"] = w["reports"] * _ratio(f.valid_reports, float(targets.get("reports", 0)))
    pts["visits"] = w["visits"] * _ratio(f.visits, float(targets.get("visits", 0)))
    pts["settled"] = w["settled"] * _ratio(f.settled, float(targets.get("settled", 0)))
    pts["quality"] = max(0.0, w["quality"] - f.rework * float(deductions.get("rework", 0))
                         - f.invalid_reports * float(deductions.get("invalid", 0))
                         - f.flags * float(deductions.get("flag", 0)))
    if f.inspector:
        for k in NOT_FOR_INSPECTORS:
            pts[k] = None
    applies = [k for k, v in pts.items() if v is not None]
    total_w = sum(w[k] for k in applies)
    score = round(sum(pts[k] for k in applies) / total_w * 100, 1) if total_w > 0 else 0.0
    return Result(score, {k: None if v is None else round(v, 2) for k, v in pts.items()})


def band_of(score: float, bands: list[dict]) -> tuple[str, float]:
    for b in sorted(bands, key=lambda b: -b["min"]):
        if score >= b["min"]:
            return b["band"], float(b["coefficient"])
    last = min(bands, key=lambda b: b["min"])
    return last["band"], float(last["coefficient"])


def check_bands(bands: list[dict]) -> str | None:
    """The problem with a band table, in Chinese, or None."""
    if not bands:
        return "至少需要一个档次"
    names = [str(b.get("band", "")).strip() for b in bands]
    if any(not n for n in names) or len(set(names)) != len(names):
        return "档次名称不能为空，也不能重复"
    mins = [b.get("min") for b in bands]
    if any(not isinstance(m, int | float) or not 0 <= m <= 100 for m in mins):
        return "每档的最低分应在 0～100 之间"
    if sorted(mins, reverse=True) != mins or len(set(mins)) != len(mins):
        return "各档最低分应从高到低排列，且不能相同"
    if mins[-1] != 0:
        return "最后一档的最低分应为 0（每个分数都要有档次）"
    if any(not isinstance(b.get("coefficient"), int | float) or not 0 <= b["coefficient"] <= 5 for b in bands):
        return "绩效系数应在 0～5 之间"
    return None


def ranks(scores: list[float]) -> list[int]:
    """Competition ranking, best first: equal scores share a rank (1, 1, 3)."""
    order = sorted(scores, reverse=True)
    return [order.index(s) + 1 for s in scores]
