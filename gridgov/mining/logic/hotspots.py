"""热点 (hotspots): unit grids where a matter's cases concentrate beyond chance over a period. Pure; no Django.

The question a leader asks is "are there really more cases here, or is it luck?". With N cases of a matter in the
district over the period and a unit grid holding a share ``w`` of the exposure (by default every unit grid the
same share; an area or a population can be passed), the count of a unit grid under "no hotspot" is Binomial(N, w).
A unit grid is a hotspot when its count is so high that the chance of at least that many under that null is small
— after the Benjamini–Hochberg correction over all unit grids tested (with hundreds of grids, a few would pass a
plain 5 % test by luck alone). The p-values come from scipy, the correction from statsmodels.

Why not Getis-Ord Gi*: it needs neighbour weights of the unit grids (polygon adjacency) and answers "is this a
cluster of high values", a harder sentence to explain; the per-grid excess against the district rate is what the
seeds ask (where do problems concentrate) and reads as 「本网格 X 件，按全区水平应约 Y 件，偶然达到的可能性小于 Z」.
"""

from collections.abc import Mapping
from dataclasses import dataclass

ALPHA = 0.05  # the false discovery rate accepted over all unit grids of one test
MIN_CASES = 3  # a unit grid with fewer cases is never called a hotspot (too little to say anything)


@dataclass(frozen=True)
class Hotspot:
    unit: str  # the unit grid's code
    matter: str  # the matter (or major class) code, "" for all matters
    count: int  # cases in the unit grid
    expected: float  # cases expected at the district rate
    ratio: float  # count / expected (相对风险)
    p_value: float  # chance of at least ``count`` under the district rate
    q_value: float  # after the Benjamini–Hochberg correction


def find(counts: Mapping[str, int], units: list[str], matter: str = "", exposure: Mapping[str, float] | None = None,
         alpha: float = ALPHA, min_cases: int = MIN_CASES) -> list[Hotspot]:
    """The hotspots among ``units`` (every unit grid tested, those with no case too) for one matter, strongest
    first. ``counts``: unit → cases; ``exposure``: unit → weight (area, population; default equal)."""
    from scipy.stats import binom
    from statsmodels.stats.multitest import multipletests

    units = sorted(set(units) | {u for u, c in counts.items() if c})
    total = sum(int(counts.get(u, 0)) for u in units)
    if total == 0 or len(units) < 2:
        return []
    weights = {u: float((exposure or {}).get(u, 1.0)) for u in units}
    wsum = sum(weights.values())
    pvals, rows = [], []
    for u in units:
        k, share = int(counts.get(u, 0)), weights[u] / wsum
        p = float(binom.sf(k - 1, total, share)) if k > 0 else 1.0
        pvals.append(p)
        rows.append((u, k, total * share, p))
    _, qvals, _, _ = multipletests(pvals, alpha=alpha, method="fdr_bh")
    out = [Hotspot(u, matter, k, round(e, 2), round(k / e, 2) if e else 0.0, p, float(q))
           for (u, k, e, p), q in zip(rows, qvals, strict=True) if q <= alpha and k >= min_cases and k > e]
    return sorted(out, key=lambda h: (h.q_value, -h.count, h.unit))


def how_sure(q: float) -> str:
    """A q-value in words for the page."""
    if q < 0.001:
        return "几乎可以肯定不是偶然（偶然出现的可能性小于千分之一）"
    if q < 0.01:
        return "很有把握不是偶然（偶然出现的可能性小于百分之一）"
    return f"较有把握不是偶然（偶然出现的可能性约 {q * 100:.0f}%）"
