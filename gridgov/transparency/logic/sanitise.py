"""What may be published of a case's free text (公开信息): phone numbers, ID numbers and other long digit runs, and
e-mail addresses are replaced by 「***」; a name cannot be recognised in free text, so the public pages publish no
reporter field at all, and the description goes through here with the case's own reporters' names. Pure Python, no Django.

- 18-digit resident ID numbers (the last may be X) and 15-digit old ones;
- mobile phones (1[3-9] + 9 digits, also written with spaces or dashes: 139 0000 1111, +86 139-0000-1111);
- fixed lines (010-12345678, (010)1234-5678, 12345678 with 7–8 digits);
- any other run of 7 or more digits (a bank card, a plate written in digits, an account);
- e-mail addresses;
- the names the caller knows belong to the case's people (its reporters' names), wherever they appear.
"""

import re

MASK = "***"
# separators people put inside a number: space, dash, dot, full-width forms
_SEP = r"[\s\-－.·]?"
_D = r"[0-9０-９]"
_NB, _NA = r"(?<![0-9０-９])(?<![0-9０-９][\s\-－.·])", r"(?![0-9０-９])(?![\s\-－.·][0-9０-９])"  # not inside a longer number
_PATTERNS = [  # in this order: a pattern never cuts a longer number of a later one in two
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(_NB + _D + r"{17}[0-9Xx０-９Ｘｘ]" + _NA),  # ID number (18)
    re.compile(r"(?:[+＋]?86" + _SEP + r")?" + _NB + r"1[3-9][0-9]" + _SEP + r"[0-9]{4}" + _SEP + r"[0-9]{4}" + _NA),
    re.compile(r"[(（]?" + _NB + r"0[0-9]{2,3}[)）]?" + _SEP + r"[0-9]{3,4}" + _SEP + r"[0-9]{4}" + _NA),  # fixed
    re.compile(r"[+＋]?" + _D + r"(?:" + _SEP + _D + r"){6,}"),  # any other run of 7+ digits (with separators)
]


def sanitise(text: str | None, names=()) -> str:
    """``text`` with every phone, ID number, long number, e-mail and each of ``names`` (2 characters or more; a
    name's surname alone is not removed) replaced by ``***``."""
    out = text or ""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, MASK)
    for p in _PATTERNS:
        out = p.sub(MASK, out)
    return out
