"""Finding a 管理事项 on a phone: by a part of its name, its code, or the pinyin initials of its name
("bllj" or, as people type the words' initials, "blj" → 暴露垃圾; "zdjy" → 占道经营).

The initials are computed once per catalog version (``logic.initials``) and kept in memory with THE catalog
snapshot (``cache``), so a matter deactivated in the admin is no longer offered.
"""

from . import cache
from .cache import Entry
from .logic.initials import initials_of

__all__ = ["Entry", "initials_of", "matters_by_code", "search_matters"]


def _skips(letters: str, initials: str) -> int | None:
    """How many letters of ``initials`` are skipped to read ``letters`` in it from its first letter (people
    type the initials of the words they think of: "blj" for 暴露垃圾, whose characters' initials are "bllj");
    None when it cannot be read so."""
    if not initials or initials[0] != letters[0]:
        return None
    it = iter(initials)
    if not all(c in it for c in letters):
        return None
    return len(initials) - len(letters)


def _rank(e: Entry, q: str, letters: str) -> tuple[int, int] | None:
    """Smaller is better; None: no match."""
    if q == e.code or q == e.name:
        return 0, 0
    if letters:
        if letters in e.initials:
            return 1, 0
        if any(i.startswith(letters) for i in e.initials):
            return 2, min(len(i) for i in e.initials)
        skips = [k for i in e.initials if (k := _skips(letters, i)) is not None]
        if len(letters) >= 2 and skips:
            return 3, min(skips)
    if e.name.startswith(q):
        return 4, len(e.name)
    if q in e.name:
        return 5, len(e.name)
    if q.isdigit() and e.code.startswith(q):
        return 6, 0
    if letters and len(letters) >= 2 and any(letters in i for i in e.initials):
        return 7, 0
    if q in e.major_name:
        return 8, 0
    return None


def search_matters(query: str, limit: int = 12) -> list[Entry]:
    """Active matters matching ``query`` (name, code, or pinyin initials), best first."""
    q = (query or "").strip()
    if not q:
        return []
    letters = q.lower() if q.isascii() and q.isalpha() else ""
    hits = []
    for e in cache.snapshot().entries:
        r = _rank(e, q, letters)
        if r is not None:
            hits.append((r, e.code, e))
    hits.sort(key=lambda h: (h[0], h[1]))  # rank, then code
    return [e for _, _, e in hits[:limit]]


def matters_by_code(codes) -> dict[str, Entry]:
    wanted = set(codes)
    return {e.code: e for e in cache.snapshot().entries if e.code in wanted}
