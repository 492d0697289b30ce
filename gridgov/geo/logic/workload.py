"""Division by workload (按工作量划分网格): unit grids are the atoms; N contiguous parts of near-equal load.

Seed 001 篇1: a sound division must 「避免劃分不均造成的忙閑不均」. The load of a unit grid is its expected work —
cases of recent months, patrol length (a perimeter proxy) and places to inspect (organisations, components) —
weighted by :class:`LoadWeights`. :func:`divide` splits a connected set of atoms into N parts, each connected,
with loads as even as it can make them:

1. *recursive bisection*: a part for k people is split into ⌊k/2⌋ and ⌈k/2⌉ by growing a region from the atom at
   one end of the set's longer axis, through neighbours only, in sweep order, to the prefix whose load is nearest
   its share; pieces of the rest that the growth cut off join the grown region (so both stay connected);
2. *refinement*: while some atom on the border of two parts can move from the heavier to the lighter one, lowering
   the sum of squared part loads and leaving the donor connected, the best such move is made.

Pure Python, deterministic (ties broken by the atoms' order), no Django.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadWeights:
    """How much one unit of each kind of work counts (工作量折算)."""

    per_case: float = 1.0       # a case of the recent months
    per_patrol_km: float = 10.0  # a kilometre of patrol (half the unit grid's perimeter: shared edges count once)
    per_place: float = 0.5      # an organisation or a component to inspect


def unit_load(cases: int, patrol_km: float, places: int, weights: LoadWeights = LoadWeights()) -> float:
    """The expected work of one unit grid, in the weights' units."""
    return cases * weights.per_case + patrol_km * weights.per_patrol_km + places * weights.per_place


@dataclass(frozen=True)
class Atom:
    id: str
    load: float
    x: float  # position (e.g. the lattice column or the centroid's longitude)
    y: float


@dataclass
class Division:
    parts: list[list[str]]  # atom ids per part, parts in the order of their first atom
    loads: list[float]

    @property
    def spread(self) -> float:
        """max load / mean load − 1 (0 is a perfect balance)."""
        mean = sum(self.loads) / len(self.loads)
        return max(self.loads) / mean - 1 if mean else 0.0


def _connected(ids: set[str], graph: Mapping[str, set[str]]) -> bool:
    if not ids:
        return True
    start = next(iter(ids))
    seen, todo = {start}, [start]
    while todo:
        a = todo.pop()
        for b in graph[a]:
            if b in ids and b not in seen:
                seen.add(b)
                todo.append(b)
    return len(seen) == len(ids)


def _components(ids: list[str], graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Connected components of ``ids`` (each in the atoms' order), largest first, ties by first atom."""
    members, out = set(ids), []
    seen: set[str] = set()
    for s in ids:
        if s in seen:
            continue
        comp, todo = [], [s]
        seen.add(s)
        while todo:
            a = todo.pop()
            comp.append(a)
            for b in graph[a]:
                if b in members and b not in seen:
                    seen.add(b)
                    todo.append(b)
        out.append(comp)
    return out


def _link_islands(atoms: Sequence[Atom], graph: dict[str, set[str]]) -> None:
    """Join separate pieces of the area (islands) to their nearest neighbour piece, so a division exists."""
    order = [a.id for a in atoms]
    pos = {a.id: (a.x, a.y) for a in atoms}
    comps = _components(order, graph)
    while len(comps) > 1:
        first, rest = comps[0], [a for c in comps[1:] for a in c]
        _, a, b = min(((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2, a, b)
                      for a in first for b in rest)
        graph[a].add(b)
        graph[b].add(a)
        comps = _components(order, graph)


def _bisect(ids: list[str], k: int, atoms: Mapping[str, Atom], graph, rank) -> list[list[str]]:
    if k == 1:
        return [ids]
    k1 = k // 2
    total = sum(atoms[a].load for a in ids)
    target = total * k1 / k
    xs, ys = [atoms[a].x for a in ids], [atoms[a].y for a in ids]
    along_x = (max(xs) - min(xs)) >= (max(ys) - min(ys))

    def key(a):  # sweep order: along the longer axis (west→east or north→south), then across, then the atoms' order
        at = atoms[a]
        return (at.x, -at.y, rank[a]) if along_x else (-at.y, at.x, rank[a])

    members = set(ids)
    start = min(ids, key=key)
    grown, loads, heap, queued = [], [], [(key(start), start)], {start}
    acc = 0.0
    while heap:
        _, a = heapq.heappop(heap)
        grown.append(a)
        acc += atoms[a].load
        loads.append(acc)
        for b in graph[a]:
            if b in members and b not in queued:
                queued.add(b)
                heapq.heappush(heap, (key(b), b))
    n = len(ids)
    # the prefix nearest the share that leaves at least one atom per person on each side
    m = min(range(k1, n - (k - k1) + 1), key=lambda i: (abs(loads[i - 1] - target), i))
    part_a = set(grown[:m])
    rest = [a for a in ids if a not in part_a]
    comps = _components(rest, graph)
    if len(comps) > 1:  # the largest piece of the rest stays; the others are enclosed by the grown region
        keep = max(comps, key=lambda c: (len(c), -min(rank[a] for a in c)))
        for c in comps:
            if c is not keep:
                part_a.update(c)
        rest = [a for a in ids if a not in part_a]
        if len(rest) < k - k1:  # pragma: no cover - only for pathological shapes; give back atoms on the border
            raise ValueError("cannot divide this area into that many contiguous parts")
    a_ids = [a for a in ids if a in part_a]
    return _bisect(a_ids, k1, atoms, graph, rank) + _bisect(rest, k - k1, atoms, graph, rank)


def _refine(parts: list[set[str]], atoms: Mapping[str, Atom], graph, rank, max_moves: int) -> None:
    loads = [sum(atoms[a].load for a in p) for p in parts]
    owner = {a: i for i, p in enumerate(parts) for a in p}
    for _ in range(max_moves):
        best = None  # (delta, rank, atom, from, to)
        for a in sorted(owner, key=rank.__getitem__):
            p = owner[a]
            w = atoms[a].load
            if len(parts[p]) == 1:
                continue
            for q in sorted({owner[b] for b in graph[a]} - {p}):
                if not w < loads[p] - loads[q]:
                    continue
                delta = 2 * w * (loads[q] - loads[p] + w)
                if best is not None and (delta, rank[a]) >= best[:2]:
                    continue
                if not _connected(parts[p] - {a}, graph):
                    continue
                best = (delta, rank[a], a, p, q)
        if best is None or best[0] >= -1e-12:
            return
        _, _, a, p, q = best
        parts[p].discard(a)
        parts[q].add(a)
        owner[a] = q
        loads[p] -= atoms[a].load
        loads[q] += atoms[a].load


def divide(atoms: Sequence[Atom], neighbours: Mapping[str, Sequence[str]], n: int) -> Division:
    """Split ``atoms`` (given in their serial order) into ``n`` contiguous parts of near-equal load.

    ``neighbours`` maps an atom id to the ids sharing an edge with it. Raises ``ValueError`` when ``n`` is below 1
    or above the number of atoms, for an unknown id or a negative load.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError("n must be at least 1")
    if n > len(atoms):
        raise ValueError("n must not exceed the number of atoms")
    by_id = {a.id: a for a in atoms}
    if len(by_id) != len(atoms):
        raise ValueError("atom ids must be unique")
    if any(a.load < 0 for a in atoms):
        raise ValueError("loads must not be negative")
    graph: dict[str, set[str]] = {a.id: set() for a in atoms}
    for a, bs in neighbours.items():
        if a not in by_id:
            raise ValueError(f"unknown atom {a!r}")
        for b in bs:
            if b not in by_id:
                raise ValueError(f"unknown atom {b!r}")
            if b != a:
                graph[a].add(b)
                graph[b].add(a)
    _link_islands(atoms, graph)
    rank = {a.id: i for i, a in enumerate(atoms)}
    ids = [a.id for a in atoms]
    parts = [set(p) for p in _bisect(ids, n, by_id, graph, rank)]
    _refine(parts, by_id, graph, rank, max_moves=20 * len(atoms))
    ordered = sorted((sorted(p, key=rank.__getitem__) for p in parts), key=lambda p: rank[p[0]])
    return Division(parts=ordered, loads=[round(sum(by_id[a].load for a in p), 6) for p in ordered])
