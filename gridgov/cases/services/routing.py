"""Routing rules (matter × level × area class → department or level): the suggestion made at 立案."""

from dataclasses import dataclass

from django.db import transaction

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import NotFound
from gridgov.fresh import Fresh

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


@dataclass(frozen=True)
class _Rule:
    id: int
    matter_id: int | None
    level: str
    area_class: str
    department_id: int | None
    target_level: str
    priority: int
    active: bool
    department_district_id: int | None
    department_name: str | None


_COLUMNS = ("id", "matter_id", "level", "area_class", "department_id", "target_level", "priority", "active",
            "department__district_id", "department__name")


def _all_rules():
    return tuple(RoutingRule.objects.order_by("id").values_list(*_COLUMNS))


# The rules table is small and asked at every 派遣 (and on every case page): kept in memory. Its fingerprint is
# the table itself (a few dozen rows), so any edit — also of a rule's department — is seen (gridgov.fresh).
_rules: Fresh[list[_Rule]] = Fresh(_all_rules, lambda rows: [_Rule(*r) for r in rows])


def suggest(case, level: str = "district") -> Suggestion:
    """The most specific active rule wins: matter over any matter, area class over any, then priority."""
    rules = [r for r in _rules.get()
             if r.active and r.level == level and r.matter_id in (case.matter_id, None)
             and r.area_class in (case.area_class, "")
             and (r.department_id is None or r.department_district_id == case.district_id)]
    best = sorted(rules, key=lambda r: (r.matter_id is not None, r.area_class != "", r.priority, -r.id), reverse=True)
    if not best:
        return Suggestion()
    rule = best[0]
    if rule.department_id:
        return Suggestion(rule.department_id, rule.department_name, "", rule.id)
    if rule.target_level == "grid" and case.management_grid_id:
        node = case.management_grid.scope_key
    else:
        node = case.scope_key[: NODE_LENGTH.get(rule.target_level, 9)] if case.scope_key else ""
    return Suggestion(None, "", node, rule.id)


# ---------------------------------------------------------------- editing the rules (the admin writes here)

RULE_FIELDS = ("matter", "level", "area_class", "department", "target_level", "priority", "active")


@transaction.atomic
def save_rule(user, data: dict, pk: int | None = None) -> RoutingRule:
    """Create or change a routing rule (``data``: matter — a CatalogItem or None —, level, area_class,
    department — a Department or None —, target_level, priority, active); audited."""
    require(user, roles.CASE_CONFIGURE)
    rule = RoutingRule.objects.select_for_update().filter(pk=pk).first() if pk else RoutingRule()
    if rule is None:
        raise NotFound("rule_not_found", "派遣规则不存在")
    for k in RULE_FIELDS:
        if k in data:
            setattr(rule, k, data[k])
    audit.save_row(user, rule, RULE_FIELDS, "routing_rule")
    return rule


@transaction.atomic
def delete_rule(user, pk: int) -> None:
    require(user, roles.CASE_CONFIGURE)
    rule = RoutingRule.objects.select_for_update().filter(pk=pk).first()
    if rule is None:
        raise NotFound("rule_not_found", "派遣规则不存在")
    audit.delete_row(user, rule, RULE_FIELDS, "routing_rule")
