"""What an inspection's answers amount to, and 门前三包 履约率 — ONE definition, pure, no Django.

Seed 001 篇2: 「通過商家之間的互相監督，提高門責履約率」. gridgov counts it per street and period as

    履约率 = inspections of 门前三包 agreements that passed / inspections of agreements that count

- an inspection *passed* when no item failed and at least one item was answered 合格 (不适用 is neither);
- an inspection whose items were all 不适用 (nothing could be judged) does not count, either way;
- the rate is a percentage with one decimal (half up), or None when no inspection counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PASS, FAIL, NA = "pass", "fail", "na"
ANSWERS = {PASS: "合格", FAIL: "不合格", NA: "不适用"}


def outcome(answers: Iterable[str]) -> str:
    """``failed`` if any item failed, ``passed`` if none failed and one passed, ``empty`` when all were 不适用."""
    seen = set(answers)
    unknown = seen - set(ANSWERS)
    if unknown:
        raise ValueError(f"unknown answers {sorted(unknown)}")
    if FAIL in seen:
        return "failed"
    if PASS in seen:
        return "passed"
    return "empty"


def percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    passed: int
    counted: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.passed, self.counted)


def fulfilment(outcomes: Iterable[str]) -> Rate:
    """履约率 of a set of inspection outcomes (``passed`` / ``failed`` / ``empty``)."""
    passed = counted = 0
    for o in outcomes:
        if o == "empty":
            continue
        if o not in ("passed", "failed"):
            raise ValueError(f"unknown outcome {o!r}")
        counted += 1
        passed += o == "passed"
    return Rate(passed, counted)


def fulfilment_by(rows: Iterable[tuple[str, str]]) -> dict[str, Rate]:
    """履约率 per key (a street's code) of ``(key, outcome)`` rows, keys in sorted order."""
    groups: dict[str, list[str]] = {}
    for key, o in rows:
        groups.setdefault(key, []).append(o)
    return {key: fulfilment(groups[key]) for key in sorted(groups)}
