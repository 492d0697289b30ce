"""Which 应急预案 an urgent case starts, and a step's time limit in words — pure, no Django import."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanRule:
    id: int
    matter_codes: frozenset[str]
    majors: frozenset[str]


def matches(rule: PlanRule, matter_code: str | None, urgency: str) -> bool:
    """A plan starts for an urgent case of one of its matters (or of one of its majors)."""
    if not matter_code or urgency != "urgent":
        return False
    return matter_code in rule.matter_codes or matter_code[:2] in rule.majors


def plans_for(rules: Iterable[PlanRule], matter_code: str | None, urgency: str) -> list[int]:
    return [r.id for r in rules if matches(r, matter_code, urgency)]


def limit_label(minutes: int) -> str:
    """30 → 「30 分钟」, 120 → 「2 小时」, 90 → 「1 小时 30 分钟」."""
    hours, mins = divmod(int(minutes), 60)
    if hours and mins:
        return f"{hours} 小时 {mins} 分钟"
    return f"{hours} 小时" if hours else f"{mins} 分钟"
