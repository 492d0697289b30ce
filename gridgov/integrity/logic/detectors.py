"""弄虚作假核查: the four detectors, pure (no Django) — each takes plain facts and returns what it found, with the
figures that raised it (the flag's evidence). The scan (``integrity.services.scan``) feeds them from the database.

1. ``photo_place`` / ``photo_time``: a case photo whose EXIF position is farther than ``photo_max_m`` from the
   case's point, or whose EXIF time (local time, Asia/Shanghai) lies outside the report window: from
   ``photo_before_h`` hours before the case was reported to ``photo_after_min`` minutes after the photo was
   uploaded (a photo cannot be taken after it was sent; one taken days before the report is an old picture).
2. ``reused_photos``: two photos of different cases whose dHash (64 bits) differ in at most ``hash_max_bits`` bits.
   Candidate pairs come from the pigeonhole principle: split the 64 bits into ``hash_max_bits + 1`` bands; two
   hashes within the distance agree on at least one band, so only photos sharing a band value are compared.
3. ``impossible_speeds``: consecutive positions of one person (case reports, 签到/签退) whose distance / time
   exceeds ``max_kmh``; steps shorter than ``speed_min_m`` are ignored (positioning error).
4. ``repeat_closures`` / ``quick_reopens`` — cases closed to inflate the counts:
   - 重复结案: the same matter at the same place (the same unit grid; without one, the same ≈ 100 m cell of
     the position) closed ``repeat_min`` or more times in one month — one problem filed and closed again and again;
   - 结案后短期重办: a case closed and then reopened (回访未解决) within ``reopen_within_h`` hours — closed before it
     was done, so that the month counts a closure.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import chain

from gridgov.patrol.logic.track import distance_m  # the one haversine (pure)


@dataclass(frozen=True)
class Thresholds:
    photo_max_m: float = 500.0
    photo_before_h: float = 24.0
    photo_after_min: float = 10.0
    hash_max_bits: int = 4
    max_kmh: float = 120.0
    speed_min_m: float = 1000.0
    repeat_min: int = 3
    reopen_within_h: float = 72.0

    @classmethod
    def of(cls, overrides: dict | None) -> "Thresholds":
        return cls(**{**asdict(cls()), **(overrides or {})})


# ---------------------------------------------------------------- 1. EXIF position and time


def photo_place(case_lon: float, case_lat: float, exif_lon: float | None, exif_lat: float | None,
                th: Thresholds) -> dict | None:
    if exif_lon is None or exif_lat is None:
        return None
    d = distance_m(case_lon, case_lat, exif_lon, exif_lat)
    if d <= th.photo_max_m:
        return None
    return {"distance_m": round(d), "limit_m": th.photo_max_m, "exif": [exif_lon, exif_lat],
            "case": [case_lon, case_lat],
            "summary": f"照片拍摄位置距案件位置 {d:,.0f} 米（超过 {th.photo_max_m:,.0f} 米）"}


def parse_exif_time(text: str) -> dt.datetime | None:
    """EXIF's ``YYYY:MM:DD HH:MM:SS`` (local, no zone) → a naive datetime; anything else → None."""
    text = (text or "").strip()
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            return dt.datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def photo_time(taken: dt.datetime | None, reported_at: dt.datetime, uploaded_at: dt.datetime,
               th: Thresholds) -> dict | None:
    """All three in the same local time (naive) or all aware."""
    if taken is None:
        return None
    start = reported_at - dt.timedelta(hours=th.photo_before_h)
    end = uploaded_at + dt.timedelta(minutes=th.photo_after_min)
    if start <= taken <= end:
        return None
    if taken < start:
        hours = (reported_at - taken).total_seconds() / 3600
        summary = f"照片拍摄于上报前 {hours:,.1f} 小时（允许 {th.photo_before_h:g} 小时）"
    else:
        minutes = (taken - uploaded_at).total_seconds() / 60
        summary = f"照片拍摄时间晚于上传时间 {minutes:,.0f} 分钟"
    fmt = "%Y-%m-%d %H:%M:%S"
    return {"taken": taken.strftime(fmt), "window": [start.strftime(fmt), end.strftime(fmt)], "summary": summary}


# ---------------------------------------------------------------- 2. the same photo on another case


def _bands(max_bits: int) -> list[tuple[int, int]]:
    n = max_bits + 1
    size, extra = divmod(64, n)
    out, start = [], 0
    for i in range(n):
        width = size + (1 if i < extra else 0)
        out.append((start, width))
        start += width
    return out


def reused_photos(photos: list[tuple[int, int, str]], th: Thresholds, only: set[int] | None = None
                  ) -> list[tuple[int, int, int]]:
    """``photos``: (photo id, case id, dhash hex). Pairs (smaller photo id, larger photo id, distance) of photos of
    DIFFERENT cases within ``hash_max_bits``, each pair once, ordered. With ``only``, just the pairs that include
    one of those photo ids (the scan: the new photos against the past year's)."""
    bands = _bands(th.hash_max_bits)
    buckets: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for pid, cid, h in photos:
        if not h:
            continue
        v = int(h, 16)
        for i, (start, width) in enumerate(bands):
            buckets[(i, (v >> (64 - start - width)) & ((1 << width) - 1))].append((pid, cid, v))
    found: dict[tuple[int, int], int] = {}
    for group in buckets.values():
        if len(group) < 2:
            continue
        if only is None:
            pairs = ((p, q) for i, p in enumerate(group) for q in group[i + 1:])
        else:
            fresh = [g for g in group if g[0] in only]
            if not fresh:
                continue
            rest = [g for g in group if g[0] not in only]
            pairs = chain(((p, q) for i, p in enumerate(fresh) for q in fresh[i + 1:]),
                          ((p, q) for p in fresh for q in rest))
        for (p1, c1, v1), (p2, c2, v2) in pairs:
            d = (v1 ^ v2).bit_count()
            if d <= th.hash_max_bits and c1 != c2:
                found[(min(p1, p2), max(p1, p2))] = d
    return sorted((a, b, d) for (a, b), d in found.items())


# ---------------------------------------------------------------- 3. impossible speeds


@dataclass(frozen=True)
class Position:
    person: int
    at: dt.datetime
    lon: float
    lat: float
    what: str  # 中文: 「上报案件 110101…」「上班签到」


def impossible_speeds(points: list[Position], th: Thresholds) -> list[dict]:
    """Per person, consecutive positions (by time) faster than ``max_kmh`` over at least ``speed_min_m``."""
    by_person: dict[int, list[Position]] = defaultdict(list)
    for p in points:
        by_person[p.person].append(p)
    out = []
    for person, rows in by_person.items():
        rows.sort(key=lambda p: p.at)
        for a, b in zip(rows, rows[1:], strict=False):
            d = distance_m(a.lon, a.lat, b.lon, b.lat)
            if d < th.speed_min_m:
                continue
            seconds = (b.at - a.at).total_seconds()
            kmh = math.inf if seconds <= 0 else d / 1000 / (seconds / 3600)
            if kmh <= th.max_kmh:
                continue
            speed = "瞬间" if math.isinf(kmh) else f"{kmh:,.0f} km/h"
            out.append({"person": person, "from": a, "to": b, "distance_m": round(d), "seconds": round(seconds),
                        "kmh": None if math.isinf(kmh) else round(kmh, 1),
                        "summary": f"{a.what} → {b.what}：{seconds / 60:,.1f} 分钟移动 {d / 1000:,.2f} 公里"
                                   f"（{speed}，超过 {th.max_kmh:g} km/h）"})
    return out


# ---------------------------------------------------------------- 4. closures that inflate the counts


@dataclass(frozen=True)
class Closure:
    case: int
    number: str
    street: str
    matter: str
    place: str  # the unit grid's code, or a cell of the position (``cell_of``)
    closed_at: dt.datetime  # local time


def cell_of(lon: float, lat: float) -> str:
    """A ≈ 100 m cell of a position (0.001° of latitude ≈ 111 m; of longitude at Beijing ≈ 85 m)."""
    return f"{math.floor(lon * 1000)}:{math.floor(lat * 1000)}"


def repeat_closures(closures: list[Closure], th: Thresholds) -> list[dict]:
    """Groups of at least ``repeat_min`` closures of one matter at one place in one street within one month."""
    groups: dict[tuple[str, str, str, str], list[Closure]] = defaultdict(list)
    for c in closures:
        if not c.matter or not c.place:
            continue
        groups[(c.street, c.matter, c.place, c.closed_at.strftime("%Y-%m"))].append(c)
    out = []
    for (street, matter, place, month), rows in sorted(groups.items()):
        if len(rows) < th.repeat_min:
            continue
        rows.sort(key=lambda c: (c.closed_at, c.case))
        out.append({"street": street, "matter": matter, "place": place, "month": month,
                    "cases": [c.number for c in rows], "case_ids": [c.case for c in rows],
                    "summary": f"同一地点同一事项 {month} 结案 {len(rows)} 次（{'、'.join(c.number for c in rows)}）"})
    return out


def quick_reopens(events: list[tuple[int, str, dt.datetime]], th: Thresholds) -> list[dict]:
    """``events``: (case id, "close" | "reopen", at), any order. Each close followed by a reopen of the same case
    within ``reopen_within_h`` hours."""
    by_case: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for case, action, at in events:
        by_case[case].append((at, action))
    out = []
    for case, rows in sorted(by_case.items()):
        rows.sort()
        for (t1, a1), (t2, a2) in zip(rows, rows[1:], strict=False):
            if a1 == "close" and a2 == "reopen":
                hours = (t2 - t1).total_seconds() / 3600
                if hours <= th.reopen_within_h:
                    out.append({"case": case, "closed_at": t1, "reopened_at": t2, "hours": round(hours, 1),
                                "summary": f"结案后 {hours:,.1f} 小时即重新办理（{th.reopen_within_h:g} 小时内）"})
    return out
