"""The 15-minute service circle (15分钟便民服务圈, seed 001 篇4) — pure, no Django import.

The one rule: walking at 5 km/h for 15 minutes covers 1,250 m of path; streets do not run straight, so a path is
taken as 1.25 × the straight line between two points (the detour factor), which gives 1,000 m straight-line.
A facility is "within 15 minutes' walk" of a place when its straight-line distance is at most WALK_RADIUS_M.
"""

from gridgov.addresses.logic import distance_m

WALK_SPEED_KMH = 5.0
WALK_MINUTES = 15
DETOUR_FACTOR = 1.25  # path length / straight-line distance in a city's street grid
WALK_PATH_M = WALK_SPEED_KMH * 1000 * WALK_MINUTES / 60  # 1,250 m
WALK_RADIUS_M = WALK_PATH_M / DETOUR_FACTOR  # 1,000 m straight line


def walk_minutes(straight_m: float) -> int:
    """Minutes on foot for a straight-line distance (rounded up)."""
    path = straight_m * DETOUR_FACTOR
    return max(1, -int(-path * 60 // (WALK_SPEED_KMH * 1000)))


def within_walk(lon: float, lat: float, places, radius_m: float = WALK_RADIUS_M) -> list[tuple[object, float]]:
    """``places`` (objects with ``lon`` and ``lat``) within ``radius_m`` of the point, nearest first, with the distance."""
    near = [(p, distance_m(lon, lat, p.lon, p.lat)) for p in places]
    return sorted([(p, d) for p, d in near if d <= radius_m], key=lambda t: t[1])
