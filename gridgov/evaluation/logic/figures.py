"""满意度回访与条块双向评价: the figures, as pure functions on plain rows — no Django here.

A survey row is a dict ``{"street", "department", "outcome", "attitude", "efficiency", "result", "resolved"}``
(``outcome`` "surveyed" or "unreachable"; the dimensions 1–5, None when unreachable). The definitions:

- 回访数 (surveyed): surveys that reached the person; 无法联系 (unreachable): recorded after MAX_ATTEMPTS calls;
- 回访率 = surveyed / closed, where ``closed`` is the number of cases closed in the month (given by the caller);
- 各维度均值: the mean of 态度 / 效率 / 结果 over the surveyed, two decimals;
- 满意率 (share satisfied) = surveys whose 结果 is 3 (基本满意) or more / surveyed;
- 解决率 = surveys answering 「问题已解决」 / surveyed.

The case's one overall 满意度 (``Case.satisfaction``) is the 结果 dimension: ``overall``.

Ratings: a row is ``{"rater", "ratee", "scores": {dimension key: 1–5}, "remark"}``; ``rating_summary`` gives, per
ratee, the number of raters, the mean of each dimension over the raters who gave it, the overall mean of those
means, and the remarks (without who wrote them).
"""

from collections import defaultdict
from collections.abc import Iterable

DIMENSIONS = (("attitude", "态度"), ("efficiency", "效率"), ("result", "结果"))
SATISFIED_FROM = 3  # 基本满意 (3), 满意 (4), 非常满意 (5)
MAX_ATTEMPTS = 3  # calls without reaching the person → 无法联系
SCORE_MIN, SCORE_MAX = 1, 5


def overall(result: int) -> int:
    """The case's overall satisfaction: the 结果 dimension (what the person says about the outcome)."""
    return result


def valid_score(value) -> int | None:
    """A 1–5 integer (an int or a string of digits), or None when it is not one."""
    if isinstance(value, bool) or isinstance(value, float):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if SCORE_MIN <= n <= SCORE_MAX else None


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def satisfaction(surveys: Iterable[dict], closed: int) -> dict:
    """The figures of one unit's surveys; ``closed``: the unit's cases closed in the month."""
    done = [s for s in surveys]
    reached = [s for s in done if s["outcome"] == "surveyed"]
    unreachable = len(done) - len(reached)
    return {
        "closed": closed,
        "surveyed": len(reached),
        "unreachable": unreachable,
        "follow_up_rate": _share(len(reached), closed),
        "means": {key: _mean([s[key] for s in reached if s.get(key) is not None]) for key, _ in DIMENSIONS},
        "satisfied_share": _share(sum(1 for s in reached if (s.get("result") or 0) >= SATISFIED_FROM), len(reached)),
        "resolved_share": _share(sum(1 for s in reached if s.get("resolved")), len(reached)),
    }


def by_unit(surveys: Iterable[dict], closed: dict[str, int], key: str) -> dict[str, dict]:
    """``satisfaction`` per street (``key="street"``) or department (``key="department"``); ``closed`` per unit.
    A unit with closed cases but no survey appears with zeros; a survey without the unit (a case settled at a level,
    no department) is not counted for departments."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for s in surveys:
        if s.get(key):
            groups[s[key]].append(s)
    units = set(groups) | {u for u, n in closed.items() if n}
    return {u: satisfaction(groups.get(u, []), closed.get(u, 0)) for u in sorted(units)}


def rating_summary(ratings: Iterable[dict], dimensions: Iterable[str]) -> dict[str, dict]:
    """Per ratee: raters, the mean per dimension, the overall mean of the dimension means, the remarks."""
    dims = list(dimensions)
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in ratings:
        groups[r["ratee"]].append(r)
    out = {}
    for ratee, rows in sorted(groups.items()):
        means = {d: _mean([r["scores"][d] for r in rows if r["scores"].get(d) is not None]) for d in dims}
        given = [m for m in means.values() if m is not None]
        out[ratee] = {"raters": len({r["rater"] for r in rows}), "means": means,
                      "overall": round(sum(given) / len(given), 2) if given else None,
                      "remarks": [r["remark"] for r in rows if r.get("remark")]}
    return out
