"""考核数量分配 (003 篇7 第六条, 附件2) — pure, no Django import.

    基数 = 全区总案件数 / 总常住人口数 × 常住人口 × 0.6 + 全区总案件数 / 全区总面积 × 面积 × 0.4
    最终指标 = 基数 + 调整；月均指标 = 最终指标 / 12

The weights are parameters (the seed's 60 % / 40 % by default). A unit without a population (or with none, or a
negative area) makes the allocation impossible: :class:`QuotaInputError` names it, nothing is allocated.
"""

from dataclasses import dataclass

POPULATION_WEIGHT, AREA_WEIGHT = 0.6, 0.4


class QuotaInputError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class UnitBase:
    code: str
    name: str
    population: int | None
    area_km2: float | None


@dataclass(frozen=True)
class Allocation:
    code: str
    name: str
    population: int
    area_km2: float
    base: float
    adjustment: float
    final: float
    monthly: float


def allocate(total: float, units: list[UnitBase], adjustments: dict[str, float] | None = None,
             population_weight: float = POPULATION_WEIGHT, area_weight: float = AREA_WEIGHT) -> list[Allocation]:
    """Each unit's base, adjustment, final annual indicator and monthly indicator (unrounded), in ``units`` order."""
    if total is None or total <= 0:
        raise QuotaInputError("quota_total_missing", "请先填写全区年度总案件数（应大于 0）")
    if not units:
        raise QuotaInputError("quota_units_missing", "没有可分配的镇街")
    for u in units:
        if u.population is None or u.population <= 0:
            raise QuotaInputError("quota_population_missing", f"{u.name}（{u.code}）没有常住人口数，无法分配考核数量")
        if u.area_km2 is None or u.area_km2 <= 0:
            raise QuotaInputError("quota_area_missing", f"{u.name}（{u.code}）没有辖区面积，无法分配考核数量")
    if population_weight < 0 or area_weight < 0 or abs(population_weight + area_weight - 1) > 1e-9:
        raise QuotaInputError("quota_weights_invalid", "人口与面积两项权重应为非负数且合计为 1")
    people = sum(u.population for u in units)
    area = sum(u.area_km2 for u in units)
    adjustments = adjustments or {}
    out = []
    for u in units:
        base = total / people * u.population * population_weight + total / area * u.area_km2 * area_weight
        adj = float(adjustments.get(u.code, 0.0))
        out.append(Allocation(u.code, u.name, u.population, u.area_km2, base, adj, base + adj, (base + adj) / 12))
    return out
