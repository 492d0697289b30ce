"""Which old grid went where (新旧网格对照): area overlap shares between two sets of polygons, and points to polygons.

Pure shapely, no Django. Shares are measured in lon/lat degrees²: every grid of one change lies in one district,
where the metric scale is the same for every piece, so the ratios equal the metric ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import shapely

#: overlaps smaller than this share of the old grid are round-off along shared edges, not a mapping
MIN_SHARE = 1e-6


def overlap_shares(old: Mapping[str, object], new: Mapping[str, object]) -> dict[str, list[tuple[str, float]]]:
    """For each old polygon: the new polygons it overlaps, with the share of the old polygon's area that went to
    each, largest first (ties by code). An old polygon overlapping nothing maps to an empty list."""
    new_codes = list(new)
    out: dict[str, list[tuple[str, float]]] = {code: [] for code in old}
    if not new_codes or not old:
        return out
    geoms = np.array([new[c] for c in new_codes], dtype=object)
    tree = shapely.STRtree(geoms)
    for code, shape in old.items():
        area = shape.area
        if area <= 0:
            continue
        hits = tree.query(shape, predicate="intersects")
        pieces = []
        for i in sorted(hits.tolist()):
            share = shapely.intersection(shape, geoms[i]).area / area
            if share > MIN_SHARE:
                pieces.append((new_codes[i], round(share, 6)))
        out[code] = sorted(pieces, key=lambda p: (-p[1], p[0]))
    return out


def largest(shares: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, str]:
    """Each old code → the new code that received the largest share of it (old codes overlapping nothing omitted)."""
    return {old: pieces[0][0] for old, pieces in shares.items() if pieces}


def points_in(points: Sequence[tuple[float, float]], polygons: Mapping[str, object]) -> list[str | None]:
    """The code of the polygon containing each point (on a shared edge: the smallest code), or None."""
    codes = sorted(polygons)
    if not codes or not points:
        return [None] * len(points)
    geoms = np.array([polygons[c] for c in codes], dtype=object)
    tree = shapely.STRtree(geoms)
    pts = shapely.points(np.asarray(points, dtype=float))
    src, dst = tree.query(pts, predicate="intersects")
    out: list[str | None] = [None] * len(points)
    for p, g in sorted(zip(src.tolist(), dst.tolist(), strict=True)):
        if out[p] is None:
            out[p] = codes[g]
    return out
