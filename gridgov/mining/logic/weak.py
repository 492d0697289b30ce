"""薄弱环节 (weak spots): the grids and departments with the worst figures. Pure.

The figures are the KPI definitions of ``gridgov/kpi/logic/indicators.py`` (按期结案率, 返工率) and the open cases
past their deadline (超期, ``cases.services.lights``); this module only ranks. A group with too few cases behind a
rate (``MIN_BASE``) is not ranked on it: 0 of 1 on time is no weak spot.
"""

from dataclasses import dataclass

MIN_BASE = 5
TOP = 5


@dataclass(frozen=True)
class Weak:
    code: str
    name: str
    measure: str  # on_time / rework / overdue
    value: float  # the rate (0..1) or the count
    base: int  # the rate's denominator (cases), or the count


def worst(rows: list[tuple[str, str, float | None, int]], measure: str, higher_is_better: bool,
          top: int = TOP, min_base: int = MIN_BASE) -> list[Weak]:
    """The ``top`` worst of (code, name, value, base) rows on one measure."""
    ok = [(c, n, v, b) for c, n, v, b in rows if v is not None and b >= min_base]
    ok.sort(key=lambda r: (r[2] if higher_is_better else -r[2], -r[3], r[0]))
    if measure == "overdue":
        ok = [r for r in ok if r[2] > 0]
    return [Weak(c, n, measure, v, b) for c, n, v, b in ok[:top]]
