"""The tiered path 网格 → 社区 → 街道 → 区 → 市 — pure, no Django import.

A case is held at a *node*: ``Case.assignee_node`` is a management grid's scope key (``<community>W<serial>``), a
community (12 digits), a street (9), the city (4 digits, the city centre) — or ``""``: the district's centre (as
the closed loop always had it). The level of a node follows from its code; who holds a node is the transition
table's guard (``lifecycle._is_assignee_node``). Seeds: 001 篇4 四级互动 (「能在网格内协调解决的网格内协调解决，不能在
网格内解决的上报社区」; 小事不出网格、大事不出社区、难事不出街道), 003 篇8 (海淀 大/小/微 三级循环: 「社区统一受理街镇
分中心下派、网格员上报……的问题」; the street 「受理区指挥中心下派、社区上报的问题」).

Here: the level of a node (``level_of``), one level up (``ascent``: to the level that sent the case down where there
is one, else the parent level), where a report enters (``entry_level``, from the district's entry rules) and the
「小事不出网格、大事不出社区」 figures (``settled_shares``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GRID, COMMUNITY, STREET, DISTRICT, CITY = "grid", "community", "street", "district", "city"
LEVELS = (GRID, COMMUNITY, STREET, DISTRICT, CITY)  # bottom to top
LEVEL_LABELS = {GRID: "网格", COMMUNITY: "社区", STREET: "街道", DISTRICT: "区", CITY: "市"}
DEPARTMENT = "department"  # settled by a department the district (or city) dispatched it to

# where a report enters: with the 网格长 of its grid (受理第一人), or at the centre (数字城管, as before)
ENTRY_GRID, ENTRY_CENTRE = "grid", "centre"
ENTRY_LABELS = {ENTRY_GRID: "网格（网格长受理）", ENTRY_CENTRE: "区指挥中心"}

ASCENT_MESSAGES = {
    "no_upper_level": "已是最高层级，没有可上报的上级",
    "no_city": "本区之上没有市级平台，不能上报上级",
}


def level_of(node: str) -> str:
    """The level of a holding node: "" is the district centre; a key with a grid serial is a grid."""
    if not node:
        return DISTRICT
    if "W" in node or len(node) > 12:
        return GRID
    return {12: COMMUNITY, 9: STREET, 6: DISTRICT}.get(len(node), CITY if len(node) < 6 else GRID)


def is_top(node: str) -> bool:
    """The city centre is the top: nothing above it."""
    return level_of(node) == CITY


def parent_node(node: str, city: str | None) -> str | None:
    """One level up the tree from ``node``: grid → its community → its street → the district centre ("") → the
    city (``city``, when the district has one) → nothing (None)."""
    level = level_of(node)
    if level == GRID:
        return node.split("W")[0][:12]
    if level == COMMUNITY:
        return node[:9]
    if level == STREET:
        return ""
    if level == DISTRICT:
        return city or None
    return None


def ascent(node: str, sent_down_from: list[str], city: str | None) -> tuple[str | None, str]:
    """上报上级 goes exactly one level up: to the level that sent the case down (the last entry of
    ``sent_down_from``) where there is one, else to the parent level. Returns (target, "") or (None, refusal code)."""
    if is_top(node):
        return None, "no_upper_level"
    if sent_down_from:
        return sent_down_from[-1], ""
    target = parent_node(node, city)
    if target is None:
        return None, "no_city"
    return target, ""


def entry_node(level: str, scope_key: str) -> str:
    """The node a report entering at ``level`` is held at: its management grid (the scope key before the unit
    grid), or its community when it lies in no grid; "" for the centre."""
    if level != ENTRY_GRID:
        return ""
    return scope_key.split(".")[0]


@dataclass(frozen=True)
class EntryRule:
    """Where reports of a class (``major``: the 2-digit major code, "" any) or of one matter (``matter``: its
    5-digit code, "" any) from ``source`` ("" any) enter: ``level`` grid or centre."""

    id: int
    major: str
    matter: str
    source: str
    level: str
    priority: int = 0
    active: bool = True


def entry_level(rules: Iterable[EntryRule], matter: str | None, source: str) -> str:
    """The most specific active rule that applies wins — a matter over a class over any, a named source over any,
    then the higher priority, then the older rule; no rule: the centre (today's path)."""
    matter = matter or ""
    best = None
    for r in rules:
        if not r.active or (r.source and r.source != source):
            continue
        if r.matter and r.matter != matter:
            continue
        if r.major and not (matter and matter.startswith(r.major)):
            continue
        key = (bool(r.matter), bool(r.major), bool(r.source), r.priority, -r.id)
        if best is None or key > best[0]:
            best = (key, r)
    return best[1].level if best else ENTRY_CENTRE


def settled_level(assignee_node: str, department: bool) -> str:
    """The level at which a case was settled, when it is handled: its holder's level, or a department's."""
    return DEPARTMENT if department else level_of(assignee_node)


def settled_shares(counts: Mapping[str, int]) -> dict:
    """「小事不出网格、大事不出社区」 as figures — THE definition. ``counts``: settled cases by settled level (grid,
    community, street, district, city, department). Shares are of all settled cases, in percent with one
    decimal (None when there are none): at the grid, at the community, at the street, above (district, its
    departments and the city); and cumulative — within the grid (小事不出网格), within the community (大事不出社区),
    within the street (难事不出街道)."""
    grid, community, street = (int(counts.get(k, 0)) for k in (GRID, COMMUNITY, STREET))
    above = sum(int(v) for k, v in counts.items() if k not in (GRID, COMMUNITY, STREET))
    total = grid + community + street + above

    def pct(n: int) -> float | None:
        return round(100 * n / total, 1) if total else None

    return {"total": total, "grid": grid, "community": community, "street": street, "above": above,
            "grid_pct": pct(grid), "community_pct": pct(community), "street_pct": pct(street),
            "above_pct": pct(above), "within_grid_pct": pct(grid), "within_community_pct": pct(grid + community),
            "within_street_pct": pct(grid + community + street)}
