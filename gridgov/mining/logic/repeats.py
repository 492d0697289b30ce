"""屡禁不止 (recurring problems): a place and matter that keeps coming back after its cases are closed. Pure.

A *re-report* is a case of the same matter at the same place reported within ``days`` days after an earlier case
there was closed. A place/matter with at least ``times`` re-reports in the period is 屡禁不止. The place is the unit
grid, or a 50 m square when positions are known (two reports of one pothole fall in different unit grids when it
lies on their border less often than on a 50 m square's — both are offered).
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

DAYS = 30  # a re-report counts within this many days of a closure
TIMES = 2  # re-reports that make a place 屡禁不止
CELL_M = 50.0


@dataclass(frozen=True)
class Report:
    place: str  # unit grid code or a 50 m cell key
    matter: str
    number: str  # the case number
    reported_at: dt.datetime
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class Recurrence:
    place: str
    matter: str
    cases: int  # cases of the matter at the place in the period
    re_reports: int  # of those, reported within DAYS of an earlier closure there
    numbers: tuple[str, ...]  # the re-reported cases, in order
    last_reported: dt.datetime


def cell(lon: float, lat: float, size_m: float = CELL_M) -> str:
    """The 50 m square holding a position (equirectangular: exact enough at a city's size)."""
    y = math.floor(lat * 110_574.0 / size_m)
    x = math.floor(lon * 111_320.0 * math.cos(math.radians(lat)) / size_m)
    return f"{x}:{y}"


def find(reports: Iterable[Report], days: int = DAYS, times: int = TIMES) -> list[Recurrence]:
    """Places and matters with at least ``times`` re-reports, most re-reports first."""
    groups: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in reports:
        groups[(r.place, r.matter)].append(r)
    window = dt.timedelta(days=days)
    out = []
    for (place, matter), rs in groups.items():
        rs.sort(key=lambda r: (r.reported_at, r.number))
        again = []
        for i, r in enumerate(rs):
            closures = [e.closed_at for e in rs[:i] if e.closed_at is not None and e.closed_at <= r.reported_at]
            if closures and r.reported_at - max(closures) <= window:
                again.append(r.number)
        if len(again) >= times:
            out.append(Recurrence(place, matter, len(rs), len(again), tuple(again), rs[-1].reported_at))
    return sorted(out, key=lambda x: (-x.re_reports, -x.cases, x.place, x.matter))
