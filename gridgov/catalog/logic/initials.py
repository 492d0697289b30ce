"""Pinyin initials of a name, for finding a 管理事项 by typing them — pure, no Django import.

Phrase-aware (``pypinyin``), so 行道树 is "xds"; a name whose characters have several readings also answers to
each reading's initials (up to ``MAX_VARIANTS``), so a guess at either reading finds it.
"""

import itertools

from pypinyin import Style, lazy_pinyin, pinyin

MAX_VARIANTS = 8


def initials_of(name: str) -> tuple[str, ...]:
    """'暴露垃圾' → ('bllj', …); letters and digits in the name are kept, other signs dropped; the first one is the
    usual reading."""
    usual = "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default") if p).lower()
    usual = "".join(c for c in usual if c.isalnum())
    readings = [sorted({r[0].lower() for r in rs if r}) or [""] for rs in
                pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="default")]
    variants = [usual]
    for combo in itertools.islice(itertools.product(*readings), MAX_VARIANTS):
        v = "".join(c for c in "".join(combo) if c.isalnum())
        if v and v not in variants:
            variants.append(v)
    return tuple(variants)
