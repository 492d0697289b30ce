"""倒查 matching (003 篇7 附件1 发现率) — pure: had a case been filed in time for a problem found by someone else?

A problem found by 现场检查, 首环办月检查, 媒体曝光, 领导批示 or 群众举报 counts as **found in time** when one of the
street's own cases (found by its grid workers, inspectors or sensors — ``OWN_SOURCES``) lies within ``RADIUS_M``
(50 m) of the problem, about the same matter (or any matter when the problem names none, or when
``same_matter`` is False), reported no earlier than ``LOOKBACK_DAYS`` (30) before the problem was found and no
later than ``GRACE_HOURS`` (2 h) after it. The nearest such case is suggested (ties: the earliest reported); a
reviewer confirms it or marks the problem 「未及时发现」.
"""

import datetime as dt
import math
from dataclasses import dataclass

RADIUS_M, GRACE_HOURS, LOOKBACK_DAYS = 50.0, 2.0, 30
OWN_SOURCES = ("grid_worker", "inspector", "sensor")
EARTH_M = 6_371_008.8


@dataclass(frozen=True)
class Candidate:
    number: str
    lon: float
    lat: float
    reported_at: dt.datetime
    matter: str | None
    source: str


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


def window(found_at: dt.datetime, grace_hours: float = GRACE_HOURS, lookback_days: int = LOOKBACK_DAYS
           ) -> tuple[dt.datetime, dt.datetime]:
    """[earliest, latest] reporting time of a case that counts (both inclusive)."""
    return found_at - dt.timedelta(days=lookback_days), found_at + dt.timedelta(hours=grace_hours)


def matches(c: Candidate, lon: float, lat: float, found_at: dt.datetime, matter: str | None, *,
            radius_m: float = RADIUS_M, grace_hours: float = GRACE_HOURS, lookback_days: int = LOOKBACK_DAYS,
            same_matter: bool = True, sources=OWN_SOURCES) -> bool:
    lo, hi = window(found_at, grace_hours, lookback_days)
    if c.source not in sources or not lo <= c.reported_at <= hi:
        return False
    if same_matter and matter and c.matter != matter:
        return False
    return distance_m(lon, lat, c.lon, c.lat) <= radius_m


def suggest(candidates: list[Candidate], lon: float, lat: float, found_at: dt.datetime, matter: str | None,
            **params) -> Candidate | None:
    """The matching case to suggest: the nearest, then the earliest reported; None when nothing matches."""
    hits = [c for c in candidates if matches(c, lon, lat, found_at, matter, **params)]
    if not hits:
        return None
    return min(hits, key=lambda c: (round(distance_m(lon, lat, c.lon, c.lat), 3), c.reported_at, c.number))


def degree_box(lat: float, radius_m: float = RADIUS_M) -> tuple[float, float]:
    """Half-width and half-height in degrees of a box that surely holds the radius (for a database pre-filter)."""
    dlat = radius_m / 111_000 * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return dlon, dlat
