"""`gridgov bench grids`: how long the pure grid pipeline takes on a real district (not a test).

The district's bundled boundary is partitioned into streets and communities (weighted bisection), tiled with
100 m unit grids and grouped into management grids of ≈ 300 households — the steps `gridgov demo` and
`generate-grids` run. Times are wall-clock seconds of each step, best of ``repeat`` runs.
"""

import time

from gridgov.geo.logic.boundary import clean_geometry, read_features
from gridgov.geo.logic.gridgen import make_lattice, management_grids, unit_grids
from gridgov.geo.logic.partition import partition


def bench_grids(district: str = "东城区", streets: int = 17, communities: int = 8, cell_m: float = 100.0,
                households_per_km2: float = 8000, repeat: int = 3) -> dict:
    from gridgov.demo import boundary_file

    feature = next(f for f in read_features(boundary_file()) if f["properties"]["name"] == district)
    shape = clean_geometry(feature["geometry"], district).geometry
    best: dict[str, float] = {}
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        pieces = partition(shape, [1] * streets)
        named = [(f"999999{i:03d}{j:03d}", c) for i, s in enumerate(pieces, 1)
                 for j, c in enumerate(partition(s, [1] * communities), 1)]
        t1 = time.perf_counter()
        units = unit_grids(named, make_lattice(shape.bounds, cell_m))
        t2 = time.perf_counter()
        groups = management_grids(units, households_per_km2=households_per_km2, target_households=300)
        t3 = time.perf_counter()
        for key, value in (("partition_s", t1 - t0), ("unit_grids_s", t2 - t1), ("management_s", t3 - t2)):
            best[key] = min(best.get(key, value), value)
    return {"district": district, "communities": len(named), "unit_grids": len(units),
            "management_grids": len(groups), **best}


def format_grids(r: dict) -> list[str]:
    return [
        f"partition: {r['partition_s']:.2f} s ({r['district']} into {r['communities']} communities)",
        f"unit grids: {r['unit_grids_s']:.2f} s ({r['unit_grids']:,} grids)",
        f"management grids: {r['management_s']:.2f} s ({r['management_grids']:,} grids)",
    ]
