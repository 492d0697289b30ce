"""Patrol plans by grid class (三岗巡查) — pure data, no Django.

Seed 001 第三篇: 「"三崗巡查"就是對網格中（一類網格）主要道路、窗口重點進行徒步巡查，對其它地域（二、三類網格）機動巡查，
對難點、重點地段實行錯時督查管理。」 So the METHOD by class is the seed's: 一类 徒步, 二类 and 三类 机动, and 错时督查 is
not a grid class at all but the treatment of a list of 难点/重点地段 (``KeyPlace``), each with its own times.

The seeds give no frequency, duration or hours for a patrol. The numbers below are DEFAULTS of this platform
(``basis`` says so on every plan); each grid's plan is data in the database, edited by the grid leader, the street's
supervisor or an administrator. Duty hours default to the 五定 default (周一至周五 8:30–17:30); 弹性上下班 (seed 003
篇1: 「网格员每周一至周四的上班时间调整为下午2:00-晚上9:00」) is a per-person or per-grid window (``WorkHours``).
"""

from dataclasses import dataclass

FOOT, VEHICLE = "foot", "vehicle"
METHOD_LABELS = {FOOT: "徒步巡查", VEHICLE: "机动巡查"}

SEED_QUOTE = ("三岗巡查：对网格中（一类网格）主要道路、窗口重点进行徒步巡查，对其它地域（二、三类网格）机动巡查，"
              "对难点、重点地段实行错时督查管理（素材 001 第三篇）")
SEED_BASIS = "巡查方式依据素材 001 第三篇「三岗巡查」"
DEFAULT_BASIS = "巡查频次、时长、里程和覆盖要求为平台默认值（素材未规定），可按网格调整"


@dataclass(frozen=True)
class PlanDefaults:
    method: str
    per_week: int  # patrols a week
    min_minutes: int  # a patrol lasts at least this long
    min_km: float  # and is at least this long
    min_share: float  # and visits at least this share of the grid's unit grids (0–1)
    hours: str  # the duty hours written on the plan


# grid class ("1", "2", "3" as geo.GridClass) → the shipped plan
CLASS_PLANS: dict[str, PlanDefaults] = {
    "1": PlanDefaults(FOOT, 5, 60, 2.0, 0.6, "周一至周五 8:30–17:30"),
    "2": PlanDefaults(VEHICLE, 5, 30, 5.0, 0.5, "周一至周五 8:30–17:30"),
    "3": PlanDefaults(VEHICLE, 3, 30, 5.0, 0.4, "周一至周五 8:30–17:30"),
}

# (the 定标准 words of the 五定 by class are geo.services.CLASS_STANDARD)
KEY_PLACE_STANDARD = "难点、重点地段：错时督查"


def expected_patrols(per_week: int, days: int) -> int:
    """Patrols the plan asks for in a period of ``days`` calendar days (rounded to the nearest whole patrol)."""
    return int(per_week * days / 7 + 0.5)
