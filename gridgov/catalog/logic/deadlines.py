"""Which deadline rule applies — pure, no Django import.

A rule has a matter (None = any matter), an urgency ("" = any), an area class ("" = any) and a stage.
A rule applies when each of its set fields equals the case's; among the applicable rules of the stage the
most specific wins, compared field by field in the order matter, urgency, area class:

    matter+urgency+area > matter+urgency > matter+area > matter > urgency+area > urgency > area > (none)

so any rule naming the matter beats every generic rule (a 私搭乱建 demolition keeps its 20 working days
even when urgent, unless an administrator adds a 私搭乱建 + 紧急 rule).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from gridgov.worktime.logic import sla


class Stage(StrEnum):
    """A stage of a case whose duration is limited — the one definition (the case lifecycle uses it too)."""

    VERIFY = "verify"
    REGISTER = "register"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    HANDLE = "handle"
    INSPECT = "inspect"
    CLOSE = "close"


STAGE_LABELS = {Stage.VERIFY: "核实", Stage.REGISTER: "立案", Stage.DISPATCH: "派遣", Stage.ACCEPT: "签收",
                Stage.HANDLE: "处置", Stage.INSPECT: "核查", Stage.CLOSE: "结案"}
STAGES = tuple(s.value for s in Stage)
URGENCY_LABELS = {"normal": "一般", "urgent": "紧急"}  # THE urgencies of a case (cases.models.Urgency)
URGENCIES = tuple(URGENCY_LABELS)
AREA_CLASSES = ("A", "B", "C")
UNITS = sla.UNITS  # the one units table is the SLA calculator's


@dataclass(frozen=True)
class Rule:
    matter: str | None  # class code, None = any matter
    urgency: str  # "" = any
    area_class: str  # "" = any
    stage: str
    amount: Decimal
    unit: str
    id: int | None = None


def applies(rule: Rule, matter: str | None, urgency: str, area_class: str, stage: str) -> bool:
    return (
        rule.stage == stage
        and (rule.matter is None or rule.matter == matter)
        and (rule.urgency == "" or rule.urgency == urgency)
        and (rule.area_class == "" or rule.area_class == area_class)
    )


def specificity(rule: Rule) -> tuple[int, int, int]:
    return (rule.matter is not None, rule.urgency != "", rule.area_class != "")


def pick(rules: Iterable[Rule], matter: str | None, urgency: str, area_class: str, stage: str) -> Rule | None:
    """The most specific applicable rule (ties, which constraints forbid, go to the lowest id)."""
    best = None
    for r in rules:
        if not applies(r, matter, urgency, area_class, stage):
            continue
        if best is None or specificity(r) > specificity(best) or (
            specificity(r) == specificity(best) and (r.id or 0) < (best.id or 0)
        ):
            best = r
    return best
