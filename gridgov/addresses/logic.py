"""Address text, pinyin initials, distance — pure, no Django import."""

import math
import re

from gridgov.catalog.logic.initials import initials_of

_EARTH_M = 6371008.8


def address_text(kind: str, road: str, number: str, building: str, unit: str, name: str) -> str:
    """The full address as shown and searched: 「多福巷12号 3号楼 2单元」, a POI 「社区卫生服务站（多福巷1号）」."""
    if number and re.fullmatch(r"[\d\-]+", number):
        number += "号"
    door = " ".join(p for p in (road + number, building, unit) if p)
    if kind == "poi":
        return f"{name}（{door}）" if door else name
    return door


def initials_for(text: str, name: str) -> str:
    """The pinyin initials searched (space-separated): of the address text and of the name."""
    words = [initials_of(re.sub(r"\s+", "", text))[0]] if text else []
    if name:
        words.append(initials_of(name)[0])
    return " ".join(dict.fromkeys(w for w in words if w))[:200]


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(h))


def box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) around a point that holds every point within ``radius_m``."""
    dlat = math.degrees(radius_m / _EARTH_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat
