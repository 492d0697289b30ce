"""Where a report enters (levels): the district's entry rules (``EntryRule``) → grid (the 网格长 of its grid) or
centre. The ONE place that decides it (``entry_of``), used by intake for single and batch reports; the rules are
kept in memory (gridgov.fresh) and edited in the admin through ``save_rule`` / ``delete_rule`` (audited)."""

from django.db import transaction

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import NotFound
from gridgov.fresh import Fresh

from ..logic import levels
from ..models import EntryRule

_COLUMNS = ("id", "major", "matter__code", "source", "level", "priority", "active")


def _all_rules():
    return tuple(EntryRule.objects.order_by("id").values_list(*_COLUMNS))


_rules: Fresh[list[levels.EntryRule]] = Fresh(
    _all_rules, lambda rows: [levels.EntryRule(i, major, matter or "", source, level, priority, active)
                              for i, major, matter, source, level, priority, active in rows])


def entry_of(matter_code: str | None, source: str, scope_key: str) -> str:
    """The node a new report is held at: a management grid's key (or its community) when its class enters at the
    grid, "" (the district centre) otherwise."""
    return levels.entry_node(levels.entry_level(_rules.get(), matter_code, source), scope_key)


# ---------------------------------------------------------------- editing the rules (the admin writes here)

RULE_FIELDS = ("major", "matter", "source", "level", "priority", "active", "note")


@transaction.atomic
def save_rule(user, data: dict, pk: int | None = None) -> EntryRule:
    """Create or change an entry rule (``data``: major, matter — a CatalogItem or None —, source, level, priority,
    active, note); audited."""
    require(user, roles.CASE_CONFIGURE)
    rule = EntryRule.objects.select_for_update(of=("self",)).filter(pk=pk).first() if pk else EntryRule()
    if rule is None:
        raise NotFound("rule_not_found", "上报入口规则不存在")
    for k in RULE_FIELDS:
        if k in data:
            setattr(rule, k, data[k])
    audit.save_row(user, rule, RULE_FIELDS, "entry_rule")
    _rules.invalidate()
    return rule


@transaction.atomic
def delete_rule(user, pk: int) -> None:
    require(user, roles.CASE_CONFIGURE)
    rule = EntryRule.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if rule is None:
        raise NotFound("rule_not_found", "上报入口规则不存在")
    audit.delete_row(user, rule, RULE_FIELDS, "entry_rule")
    _rules.invalidate()
