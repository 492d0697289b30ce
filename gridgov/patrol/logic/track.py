"""Tracks: length, time on patrol, coverage, "patrol done" and anomalies — pure, no Django (numpy only).

A track is a list of points ``(t, lon, lat)`` with ``t`` in seconds (any origin), ordered by time. Distances are
great-circle distances on a sphere of the WGS84 mean radius (good to well under 1 % at a grid's scale).

- :func:`summary` → length (m), duration (s), points.
- :func:`coverage` → the share of a grid's unit grids a set of visited unit grids covers.
- :func:`patrol_done` → does a track meet the plan (minimum duration, length and coverage)? This is THE definition
  of 巡查完成 (one patrol); attendance, coverage pages and assessment all ask it.
- :func:`anomalies` → 异常: impossible speed (faster than the method allows, over a real distance), long stillness
  (staying within a small circle too long), the track outside the grid (consecutive points outside for too long).
  A check-in far from the grid is judged at check-in by :func:`checkin_far`. Thresholds are data (``Thresholds``;
  settings ``GRIDGOV["PATROL_THRESHOLDS"]`` overrides them).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

EARTH_R = 6_371_008.8  # m

SPEED, STILL, OUTSIDE, CHECKIN_FAR = "speed", "still", "outside", "checkin_far"
KIND_LABELS = {SPEED: "速度异常", STILL: "长时间静止", OUTSIDE: "轨迹超出网格", CHECKIN_FAR: "签到位置远离网格"}


@dataclass(frozen=True)
class Thresholds:
    max_kmh: dict = field(default_factory=lambda: {"foot": 20.0, "vehicle": 80.0})  # faster is impossible
    min_jump_m: float = 50.0  # a speed is only judged over at least this distance (GPS jitter is not speed)
    still_minutes: float = 30.0  # staying within still_radius_m at least this long
    still_radius_m: float = 30.0
    outside_minutes: float = 5.0  # consecutive points outside the grid at least this long
    checkin_far_m: float = 300.0  # a check-in farther than this from the grid

    @classmethod
    def of(cls, overrides: dict | None) -> "Thresholds":
        return cls(**(overrides or {}))


@dataclass(frozen=True)
class Anomaly:
    kind: str
    start: float  # t of the first point concerned
    end: float  # t of the last point concerned
    lon: float
    lat: float
    detail: str  # 中文


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(min(1.0, math.sqrt(a)))


def step_lengths(lons, lats) -> np.ndarray:
    """Distances (m) between consecutive points (vectorised; len n-1)."""
    lon, lat = np.radians(np.asarray(lons, float)), np.radians(np.asarray(lats, float))
    if len(lon) < 2:
        return np.zeros(0)
    dp, dl = np.diff(lat), np.diff(lon)
    a = np.sin(dp / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dl / 2) ** 2
    return 2 * EARTH_R * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@dataclass(frozen=True)
class Summary:
    points: int
    length_m: float
    duration_s: float


def summary(points: Sequence[tuple[float, float, float]]) -> Summary:
    if not points:
        return Summary(0, 0.0, 0.0)
    t = [p[0] for p in points]
    steps = step_lengths([p[1] for p in points], [p[2] for p in points])
    return Summary(len(points), float(steps.sum()), float(t[-1] - t[0]))


def coverage(visited: Iterable[str], grid_units: Iterable[str]) -> float:
    """Share (0–1) of ``grid_units`` (the unit grids of a management grid) found in ``visited``."""
    units = set(grid_units)
    if not units:
        return 0.0
    return len(units & set(visited)) / len(units)


@dataclass(frozen=True)
class Requirement:
    min_minutes: float
    min_km: float
    min_share: float


def patrol_done(s: Summary, share: float, req: Requirement) -> tuple[bool, list[str]]:
    """Does a track meet the plan? (True, []) or (False, what is missing, in Chinese)."""
    missing = []
    if s.duration_s < req.min_minutes * 60:
        missing.append(f"巡查时长 {s.duration_s / 60:.0f} 分钟，不足 {req.min_minutes:g} 分钟")
    if s.length_m < req.min_km * 1000:
        missing.append(f"巡查里程 {s.length_m / 1000:.2f} 公里，不足 {req.min_km:g} 公里")
    if share + 1e-9 < req.min_share:
        missing.append(f"单元网格覆盖 {share:.0%}，不足 {req.min_share:.0%}")
    return not missing, missing


def checkin_far(distance_from_grid_m: float, th: Thresholds) -> bool:
    return distance_from_grid_m > th.checkin_far_m


def anomalies(points: Sequence[tuple[float, float, float]], method: str, th: Thresholds,
              inside: Sequence[bool] | None = None) -> list[Anomaly]:
    """The anomalies of one track (ordered by time); ``inside[i]``: is point i inside the worker's grid."""
    out = _speed(points, method, th) + _still(points, th)
    if inside is not None:
        out += _outside(points, inside, th)
    return sorted(out, key=lambda a: (a.start, a.kind))


def _speed(points, method: str, th: Thresholds) -> list[Anomaly]:
    limit = th.max_kmh.get(method, max(th.max_kmh.values()))
    out = []  # [first index, last index, fastest km/h]: consecutive fast steps are one anomaly
    for i in range(1, len(points)):
        (t0, x0, y0), (t1, x1, y1) = points[i - 1], points[i]
        d = distance_m(x0, y0, x1, y1)
        dt = t1 - t0
        kmh = math.inf if dt <= 0 else d / dt * 3.6
        if d >= th.min_jump_m and kmh > limit:
            if out and out[-1][1] == i - 1:
                out[-1] = [out[-1][0], i, max(out[-1][2], kmh)]
            else:
                out.append([i - 1, i, kmh])
    result = []
    for a, b, kmh in out:
        fast = "瞬间移动" if math.isinf(kmh) else f"{kmh:.0f} 公里/小时"
        result.append(Anomaly(SPEED, points[a][0], points[b][0], points[b][1], points[b][2],
                              f"移动速度 {fast}，超过{'徒步' if method == 'foot' else '机动'}巡查上限 {limit:g} 公里/小时"))
    return result


def _still(points, th: Thresholds) -> list[Anomaly]:
    out, i, n = [], 0, len(points)
    while i < n:
        t0, x0, y0 = points[i]
        j = i
        while j + 1 < n and distance_m(x0, y0, points[j + 1][1], points[j + 1][2]) <= th.still_radius_m:
            j += 1
        if points[j][0] - t0 >= th.still_minutes * 60 and j > i:
            out.append(Anomaly(STILL, t0, points[j][0], x0, y0,
                               f"在 {th.still_radius_m:g} 米范围内停留 {(points[j][0] - t0) / 60:.0f} 分钟"))
            i = j + 1
        else:
            i += 1
    return out


def _outside(points, inside, th: Thresholds) -> list[Anomaly]:
    out, i, n = [], 0, len(points)
    while i < n:
        if inside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and not inside[j + 1]:
            j += 1
        end = points[j + 1][0] if j + 1 < n else points[j][0]  # outside until the next point inside
        if end - points[i][0] >= th.outside_minutes * 60:
            out.append(Anomaly(OUTSIDE, points[i][0], points[j][0], points[i][1], points[i][2],
                               f"连续 {(end - points[i][0]) / 60:.0f} 分钟在所负责网格之外（{j - i + 1} 个位置）"))
        i = j + 1
    return out
