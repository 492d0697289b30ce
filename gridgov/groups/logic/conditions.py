"""Conditions of a dynamic group of residents (seed 000: 「将客户按照不同特征划分为不同的网格，例如年龄、性别……每个
网格都有对应的负责人」「针对一段时间内满足特定条件的人群进行划分」): stored as data — a list of
``{"field", "op", "value"}`` all of which must hold — checked here, turned into a query by ``services``.

Pure; no Django import.
"""

import datetime as dt

# field → (label, allowed operators, kind of value)
FIELDS = {
    "age": ("年龄", ("gte", "lte"), "int"),
    "gender": ("性别", ("eq",), ("M", "F")),
    "reg_type": ("人口类型", ("eq",), "str"),
    "living_alone": ("独居（户内仅一名在册人员）", ("eq",), "bool"),
    "tag": ("重点人群类别", ("eq",), "str"),
}
OPS = {"gte": "≥", "lte": "≤", "eq": "为"}
MAX_CONDITIONS = 8


def clean(conditions) -> list[dict]:
    """The conditions checked and normalised; a ValueError with a Chinese message when one is wrong."""
    if not isinstance(conditions, list) or not conditions:
        raise ValueError("请至少设置一个条件")
    if len(conditions) > MAX_CONDITIONS:
        raise ValueError(f"条件最多 {MAX_CONDITIONS} 个")
    out = []
    for i, c in enumerate(conditions, 1):
        if not isinstance(c, dict):
            raise ValueError(f"第 {i} 个条件格式不对")
        field, op, value = c.get("field"), c.get("op", "eq"), c.get("value")
        if field not in FIELDS:
            raise ValueError(f"第 {i} 个条件的字段应为：{'、'.join(f'{k}（{v[0]}）' for k, v in FIELDS.items())}")
        label, ops, kind = FIELDS[field]
        if op not in ops:
            raise ValueError(f"「{label}」只能用 {'、'.join(OPS[o] for o in ops)}")
        if kind == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"「{label}」应为整数") from None
            if not 0 <= value <= 150:
                raise ValueError(f"「{label}」应在 0 至 150 之间")
        elif kind == "bool":
            if value not in (True, False, "true", "false", 1, 0, "1", "0"):
                raise ValueError(f"「{label}」应为 true 或 false")
            value = value in (True, "true", 1, "1")
        elif isinstance(kind, tuple):
            if value not in kind:
                raise ValueError(f"「{label}」应为 {'/'.join(kind)}")
        else:
            value = str(value or "").strip()
            if not value or len(value) > 40:
                raise ValueError(f"请填写「{label}」（最多 40 个字符）")
        out.append({"field": field, "op": op, "value": value})
    return out


def birth_bounds(conditions: list[dict], today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The age conditions as birth dates: (born on or before, born after). Age ≥ N: born on or before today N years
    ago; age ≤ N: born after today N + 1 years ago. (29 February moves to 28 February in a year without it.)"""
    latest = earliest = None
    for c in conditions:
        if c["field"] != "age":
            continue
        if c["op"] == "gte":
            day = years_before(today, c["value"])
            latest = day if latest is None else min(latest, day)
        else:
            day = years_before(today, c["value"] + 1)
            earliest = day if earliest is None else max(earliest, day)
    return latest, earliest


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def describe(conditions: list[dict], labels: dict[str, str] | None = None) -> str:
    """「年龄 ≥ 80 且 独居」 — for pages; ``labels`` names key categories and population types."""
    labels = labels or {}
    parts = []
    for c in conditions:
        label = FIELDS[c["field"]][0]
        if c["field"] == "living_alone":
            parts.append("独居" if c["value"] else "非独居")
        elif c["field"] == "gender":
            parts.append({"M": "男性", "F": "女性"}[c["value"]])
        elif c["field"] == "age":
            parts.append(f"年龄 {OPS[c['op']]} {c['value']} 岁")
        else:
            parts.append(f"{label}为「{labels.get(c['value'], c['value'])}」")
    return " 且 ".join(parts)
