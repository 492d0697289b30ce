"""China's statistical division codes (bundled, see data/README.md) — read-only look-ups, no Django."""

import csv
import gzip
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "divisions"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent_code: str


def _rows(name: str):
    with gzip.open(DATA / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


@cache
def cities() -> dict[str, Division]:
    return {r["code"]: Division(r["code"], r["name"], r["provinceCode"]) for r in _rows("cities")}


@cache
def provinces() -> dict[str, Division]:
    return {r["code"]: Division(r["code"], r["name"], "") for r in _rows("provinces")}


@cache
def areas() -> dict[str, Division]:
    return {r["code"]: Division(r["code"], r["name"], r["cityCode"]) for r in _rows("areas")}


@cache
def streets_by_area() -> dict[str, list[Division]]:
    out: dict[str, list[Division]] = {}
    for r in _rows("streets"):
        out.setdefault(r["areaCode"], []).append(Division(r["code"], r["name"], r["areaCode"]))
    return out


def communities_of_area(area_code: str) -> list[Division]:
    """All 社区/村 of one county-level area (streams the 600,000-row file once, keeps only this area)."""
    return [
        Division(r["code"], r["name"], r["streetCode"]) for r in _rows("villages") if r["areaCode"] == area_code
    ]


def city_of(area: Division) -> Division:
    """The city of an area; for 直辖市 districts the statistical city is e.g. 1101 市辖区, named after the province."""
    city = cities().get(area.parent_code)
    if city is None or city.name in ("市辖区", "县"):
        prov = provinces().get(area.code[:2])
        return Division(area.code[:4], prov.name if prov else area.code[:4], area.code[:2])
    return city


def areas_named(name: str, city_code: str | None = None) -> list[Division]:
    return [
        a for a in areas().values() if a.name == name and (city_code is None or a.code.startswith(city_code))
    ]


def guess_city(names: list[str]) -> str | None:
    """The 4-digit city code whose districts match most of ``names`` (a city boundary file's features)."""
    score: dict[str, int] = {}
    wanted = set(names)
    for a in areas().values():
        if a.name in wanted:
            score[a.code[:4]] = score.get(a.code[:4], 0) + 1
    if not score:
        return None
    best = max(score.items(), key=lambda kv: (kv[1], kv[0]))
    return best[0] if best[1] >= max(1, len(wanted) // 2) else None
