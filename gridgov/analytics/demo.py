"""Demo: the roll-up recomputed from the demo's cases (the grid change of the geo demo re-keys cases after they
were filed, as a real re-division would: a rebuild is what an operator runs after one)."""

from .rollup import rebuild


def build(stdout=print, scale: str = "demo") -> None:
    s = rebuild()
    stdout(f"统计汇总：{s['cases']:,} 件案件 → {s['daily_rows']:,} 行每日汇总，{s['cohort_rows']:,} 行应结案/应处理汇总")
