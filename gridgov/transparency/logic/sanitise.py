"""What may be published of a case's free text (公开信息): phone numbers, ID numbers and other long digit runs, and
e-mail addresses are replaced by 「***」; a name cannot be recognised in free text, so the public pages publish no
reporter field at all and only the description goes through here. Pure Python, no Django.

- 18-digit resident ID numbers (the last may be X) and 15-digit old ones;
- mobile phones (1[3-9] + 9 digits, also written with spaces or dashes: 139 0000 1111, +86 139-0000-1111);
- fixed lines (010-12345678, (010)1234-5678, 12345678 with 7–8 digits);
- any other run of 7 or more digits (a bank card, a plate written in digits, an account);
- e-mail addresses.
"""

import re

MASK = "***"
# separators people put inside a number: space, dash, dot, full-width forms
_SEP = r"[\s\-－.·]?"
_PATTERNS = [
    re.compile(r"[0-9０-９]{17}[0-9Xx０-９Ｘｘ]"),  # ID number (18)
    re.compile(r"(?:\+?86" + _SEP + r")?1[3-9][0-9]" + _SEP + r"[0-9]{4}" + _SEP + r"[0-9]{4}"),  # mobile
    re.compile(r"[(（]?0[0-9]{2,3}[)）]?" + _SEP + r"[0-9]{3,4}" + _SEP + r"[0-9]{4}"),  # fixed line with area code
    re.compile(r"[0-9０-９](?:" + _SEP + r"[0-9０-９]){6,}"),  # any other run of 7+ digits (with separators)
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),  # e-mail
]


def sanitise(text: str | None) -> str:
    """``text`` with every phone, ID number, long number and e-mail replaced by ``***``."""
    out = text or ""
    for p in _PATTERNS:
        out = p.sub(MASK, out)
    return out
