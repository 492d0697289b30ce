"""Routing rules (matter × level × area class → department or level): the suggestion made at 立案."""

from dataclasses import dataclass

from django.db.models import Q

from ..models import RoutingRule


@dataclass
class Suggestion:
    department_id: int | None = None
    department_name: str = ""
    node: str = ""
    rule_id: int | None = None

    @property
    def label(self) -> str:
        return self.department_name or (f"下派至 {self.node}" if self.node else "（无匹配规则，请人工派遣）")


NODE_LENGTH = {"street": 9, "community": 12}


def suggest(case, level: str = "district") -> Suggestion:
    """The most specific active rule wins: matter over any matter, area class over any, then priority."""
    rules = (RoutingRule.objects.filter(active=True, level=level)
             .filter(Q(matter=case.matter_id) | Q(matter__isnull=True) if case.matter_id else Q(matter__isnull=True))
             .filter(Q(area_class=case.area_class) | Q(area_class=""))
             .filter(Q(department__isnull=True) | Q(department__district_id=case.district_id))
             .select_related("department"))
    best = sorted(rules, key=lambda r: (r.matter_id is not None, r.area_class != "", r.priority, -r.id), reverse=True)
    if not best:
        return Suggestion()
    rule = best[0]
    if rule.department_id:
        return Suggestion(rule.department_id, rule.department.name, "", rule.id)
    if rule.target_level == "grid" and case.management_grid_id:
        node = case.management_grid.scope_key
    else:
        node = case.scope_key[: NODE_LENGTH.get(rule.target_level, 9)] if case.scope_key else ""
    return Suggestion(None, "", node, rule.id)
