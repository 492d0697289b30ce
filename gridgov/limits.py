"""Input limits taken from the models themselves — the one place that says how big a value may be.

PostgreSQL with server-side binding stores what it is sent: a floor of 99999 in a ``smallint`` wrapped round to
-31073 before this module existed. Every integer field's range comes from its Django type (Django's documented,
backend-independent ranges: ``SmallIntegerField`` −32768…32767, ``PositiveIntegerField`` 0…2147483647 …, tightened
by the field's own Min/MaxValueValidators), every text field's length from its ``max_length``, decimals from
``max_digits``/``decimal_places``. The same limits serve

- the API's input schemas: ``floor: int | None = limits.field(Dwelling, "floor", None)`` (pydantic ``ge``/``le``/
  ``max_length`` and the field's Chinese name as title, so a 422 names the field: 「楼层：应在 -32768～32767 之间」);
- the importers and services that take raw values: ``limits.check_value(Dwelling, "floor", 99999)`` or
  ``limits.check_fields(Model, values)`` raise ``DomainError("invalid_input", "楼层：应在 -32768～32767 之间")``;
- and the API's parameters that are not fields: ``Id`` (a database key), ``Offset``, ``Limit``, ``Text``.

Pure Django metadata, no queries.
"""

import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core import validators as dj_validators
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import Field

from gridgov.errors import DomainError

BIGINT_MIN, BIGINT_MAX = BaseDatabaseOperations.integer_field_ranges["BigIntegerField"]
OFFSET_MAX = 1_000_000_000  # far beyond any table here; keeps offset + limit inside a 64-bit integer
TEXT_MAX = 1000  # a query parameter that is not a stored field (search text, a reason given for a read)
LONG_TEXT_MAX = 10_000  # a TextField (no max_length of its own): notes, descriptions, diary entries
ACTION_TEXT_MAX = 2000  # a reason, feedback or note given with a case action (kept in the case's timeline)

# API parameter types: a database key, paging, and free text that is not stored
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, title="编号")]
BigInt = Annotated[int, Field(ge=BIGINT_MIN, le=BIGINT_MAX)]  # any 64-bit integer (a cursor, an id to ignore)
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX, title="offset")]
Limit = Annotated[int, Field(ge=-OFFSET_MAX, le=OFFSET_MAX, title="limit")]  # callers clamp to their own maximum
Text = Annotated[str, Field(max_length=TEXT_MAX)]


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def label(model: type[models.Model], name: str) -> str:
    return str(getattr(_field(model, name), "verbose_name", name) or name)


def int_range(model: type[models.Model], name: str) -> tuple[int, int] | None:
    """(lowest, highest) an integer field may hold on every backend, or None for a field that is not an integer."""
    f = _field(model, name)
    internal = f.get_internal_type()
    if internal not in BaseDatabaseOperations.integer_field_ranges:
        return None
    lo, hi = BaseDatabaseOperations.integer_field_ranges[internal]
    for v in f.validators:
        limit = getattr(v, "limit_value", None)
        limit = limit() if callable(limit) else limit
        if isinstance(v, dj_validators.MinValueValidator) and isinstance(limit, int):
            lo = max(lo, limit)
        elif isinstance(v, dj_validators.MaxValueValidator) and isinstance(limit, int):
            hi = min(hi, limit)
    return lo, hi


def max_length(model: type[models.Model], name: str) -> int | None:
    f = _field(model, name)
    if isinstance(f, models.TextField) and not f.max_length:
        return LONG_TEXT_MAX
    return getattr(f, "max_length", None)


def decimal_bound(model: type[models.Model], name: str) -> tuple[Decimal, int] | None:
    """(the largest absolute value, decimal places) of a DecimalField."""
    f = _field(model, name)
    if not isinstance(f, models.DecimalField):
        return None
    places = f.decimal_places
    return Decimal(10) ** (f.max_digits - places) - Decimal(1).scaleb(-places), places


def field(model: type[models.Model], name: str, default: Any = ..., **extra) -> Any:
    """A pydantic Field with the model field's limits and Chinese name (``title``) — for an input schema."""
    kw: dict[str, Any] = {"title": label(model, name)}
    rng = int_range(model, name)
    if rng is not None:
        kw["ge"], kw["le"] = rng
    elif (dec := decimal_bound(model, name)) is not None:
        kw["ge"], kw["le"] = -float(dec[0]), float(dec[0])
    elif (n := max_length(model, name)) is not None:
        kw["max_length"] = n
    if isinstance(_field(model, name), models.FloatField | models.DecimalField):
        kw["allow_inf_nan"] = False
    kw.update(extra)
    return Field(default, **kw)


def range_message(lo, hi) -> str:
    return f"应在 {lo}～{hi} 之间"


def problem(model: type[models.Model], name: str, value: Any) -> str | None:
    """What is wrong with ``value`` for ``model.name`` ('应在 …'), or None. None and '' are not checked here."""
    if value is None or value == "":
        return None
    rng = int_range(model, name)
    if rng is not None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "应为整数"
        return None if rng[0] <= value <= rng[1] else range_message(*rng)
    dec = decimal_bound(model, name)
    if dec is not None:
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            return "应为数字"
        if not d.is_finite():
            return "应为数字"
        return None if abs(d) <= dec[0] else range_message(-dec[0], dec[0])
    if isinstance(_field(model, name), models.FloatField):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return "应为数字"
        return None
    n = max_length(model, name)
    if n is not None and isinstance(value, str) and len(value) > n:
        return f"不能超过 {n} 个字符"
    return None


def check_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` when it fits ``model.name``; else DomainError invalid_input naming the field."""
    why = problem(model, name, value)
    if why:
        raise DomainError("invalid_input", f"{label(model, name)}：{why}")
    return value


def check_fields(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Every value of ``values`` whose key is a field of ``model`` checked against that field's limits (a service
    taking raw values calls this before writing); other keys pass untouched."""
    names = {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    for k, v in values.items():
        if k in names:
            check_value(model, k, v)
    return values


def has_nul(value: Any) -> bool:
    """A NUL character anywhere in a (nested) JSON-like value — PostgreSQL cannot store one in text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


NUL_MESSAGE = "输入含有不允许的控制字符（NUL）"
