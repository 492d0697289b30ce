"""The format of a published phone number (服务热线, 监督电话): a work number everybody may call.

Accepted, after spaces and a leading +86 are dropped:
- a mobile number: 1 and 10 more digits, second digit 3–9 (13812345678);
- a landline with its area code: 0 + 2–3 digits, an optional dash, 7–8 digits (010-65123456, 0353-2021234), shown
  with the dash (010 and 02x are 3-digit area codes, the others 4);
- a local landline without area code: 7–8 digits not starting with 0 or 1 (65123456);
- a short public service number: 5 digits starting with 1 or 96 (12345, 12319, 96010).
"""

import re

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")
LOCAL = re.compile(r"^[2-9]\d{6,7}$")
SHORT = re.compile(r"^(1\d{4}|96\d{3})$")

PROBLEM = "电话号码格式不正确：应为手机号（1 开头的 11 位）、带区号的座机（如 010-65123456）、本地座机（如 65123456）或服务号码（如 12345）"


def normalize(value: str) -> str:
    v = re.sub(r"[\s()（）]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    return v


def clean(value: str) -> str | None:
    """The number as it is published, or None when it is not a phone number (see the module's list)."""
    v = normalize(value)
    if MOBILE.match(v) or LOCAL.match(v) or SHORT.match(v):
        return v
    m = LANDLINE.match(v)
    if m is None:
        return None
    area, number = m.groups()
    if "-" not in v:  # 010 / 02x are 3-digit area codes, the others 4
        area, number = (v[:3], v[3:]) if v[1] in "12" else (v[:4], v[4:])
        if not 7 <= len(number) <= 8:
            return None
    return f"{area}-{number}"
