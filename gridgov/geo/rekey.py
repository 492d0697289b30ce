"""Re-keying everything scoped under a grid that moves to another community (called by ``services`` inside its
transaction; nothing here opens one).

Scope keys are prefixes (``<community>W<serial>`` for a management grid, ``<management grid>.<unit grid>``
for its unit grids), so a grid that changes community changes the keys of every row below it. Which rows those
are is not listed by hand: every model of every app is looked at, and each of its *key fields* (``KEY_FIELDS``:
the scope key of a row, the node an account is bound to, the node a case is delegated to) holding the old key or
a key below it is rewritten. The denormalised place columns of the same rows follow (``community`` →
the new community, ``community_code``, ``management_grid`` and ``unit_grid`` codes). So a new model with a
``scope_key`` is re-keyed without anyone remembering it here; only history is exempt (``KEEPS_HISTORY``).
"""

from django.apps import apps
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr

# the fields that hold a scope key (or a node of the tree, which is a key prefix)
KEY_FIELDS = ("scope_key", "node_key", "assignee_node")
# rows that record what happened where, at that time: not rewritten (the access log is append-only)
KEEPS_HISTORY = {"basedata.AccessLog": "访问日志记录查看时数据所在的范围，只能追加"}
# gridchange: rows whose every move by a grid change is kept one by one in the 历史案件对照表 (geo.RowMapping):
# model → (the field naming the row, the values of its ``status`` that count as settled)
MAPPED = {"cases.Case": ("number", frozenset({"closed", "archived", "declined", "voided", "merged"}))}


def keyed_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, key field) of the installed apps — what a move must rewrite, history excepted."""
    out = []
    for model in apps.get_models():
        if model._meta.label in KEEPS_HISTORY or model._meta.proxy:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        out.extend((model, name) for name in KEY_FIELDS if name in names)
    return out


def _under(field: str, old: str) -> Q:
    return Q(**{field: old}) | Q(**{f"{field}__startswith": f"{old}."})


def _mapped(field: str, old: str, keys: dict[str, str], new: str):
    """``keys`` exactly where known (a unit grid's key changes with its code), else the prefix replaced."""
    whens = [models.When(**{field: k}, then=Value(v)) for k, v in keys.items()]
    fallback = Concat(Value(new), Substr(field, len(old) + 1), output_field=models.CharField())
    return models.Case(*whens, default=fallback, output_field=models.CharField()) if whens else fallback


def rekey(old: str, new: str, keys: dict[str, str], *, community, codes: dict[str, str],
          management_code: str) -> dict[str, int]:
    """Rewrite every key ``old`` or below it (``old.…``) to ``new``; ``keys`` maps whole old keys to new ones
    (unit grids renumbered in the new community), ``codes`` old unit grid codes to new ones. Rows scoped there
    also get the new community (``community`` / ``community_code``) and grid codes. Returns rows per model."""
    counts: dict[str, int] = {}
    for model, field in keyed_fields():
        names = {f.name: f for f in model._meta.concrete_fields}
        changes = {field: _mapped(field, old, keys, new)}
        if field == "scope_key":  # the place columns of a row follow its scope
            if isinstance(names.get("community"), models.ForeignKey) and \
                    names["community"].related_model is type(community):
                changes["community"] = community
            if isinstance(names.get("community_code"), models.CharField):
                changes["community_code"] = Value(community.code)
            if isinstance(names.get("management_grid"), models.CharField):
                changes["management_grid"] = Value(management_code)
            if codes and isinstance(names.get("unit_grid"), models.CharField):
                changes["unit_grid"] = models.Case(
                    *[models.When(unit_grid=a, then=Value(b)) for a, b in codes.items()],
                    default=F("unit_grid"), output_field=models.CharField())
        n = model._base_manager.filter(_under(field, old)).update(**changes)
        if n:
            label = f"{model._meta.label}.{field}"
            counts[label] = counts.get(label, 0) + n
    return counts
