"""Identity numbers and contact data — pure, no Django.

* 居民身份证号 (GB 11643-1999): 17 digits + a check character over ISO 7064 MOD 11-2.
* 统一社会信用代码 (GB 32100-2015): 18 characters over a 31-character alphabet, MOD 31 check.
* Chinese mobile numbers: ``1[3-9]`` + 9 digits.
* Masking for display: ``110101********1234``, ``138****5678``.

Validators return ``None`` when the value is good, or a short Chinese reason that never repeats the value
(so callers may put it in an error message or a log line: personal data never appears there).
"""

import datetime as dt
import re
from operator import mul

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# 省级行政区划代码 (GB/T 2260): the first two digits of every resident ID.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
# 登记管理部门码 (1st character: 1 机构编制, 5 民政, 9 工商/市场监管, N 农业, Y 其他…); the 2nd is the 机构类别码.
CREDIT_AUTHORITIES = frozenset("123456789ANY")

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]


def normalize_id(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def id_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why a (normalised) resident ID is invalid, or None."""
    if not value:
        return "身份证号为空"
    if len(value) != 18:
        return "身份证号应为 18 位"
    if not _ID_SHAPE.match(value):
        return "身份证号格式错误（前 17 位应为数字，末位为数字或 X）"
    if value[:2] not in PROVINCES or (value[2:6] == "0000" and value[:2] not in ("81", "82", "83")):
        return "身份证号地区码无效"
    birth = id_birth_date(value)
    if birth is None:
        return "身份证号出生日期无效"
    if birth.year < 1900 or birth > (today or dt.date.today()):
        return "身份证号出生日期超出合理范围"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号校验位错误"
    return None


def id_birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """'M' or 'F' from the sequence number's parity (17th digit)."""
    return "M" if int(value[16]) % 2 else "F"


def make_id(region: str, birth: dt.date, seq: int) -> str:
    """A well-formed ID (for synthetic data and tests): region 6 digits, birth date, sequence 0–999."""
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    check = 31 - total % 31
    return CREDIT_CHARSET[0 if check == 31 else check]


def normalize_credit(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def credit_problem(value: str) -> str | None:
    """Why a (normalised) unified social credit code is invalid, or None."""
    if not value:
        return "统一社会信用代码为空"
    if len(value) != 18:
        return "统一社会信用代码应为 18 位"
    if any(c not in _CREDIT_VALUE for c in value):
        return "统一社会信用代码含无效字符（不使用 I、O、Z、S、V）"
    if value[0] not in CREDIT_AUTHORITIES or value[1] not in "123456789":
        return "统一社会信用代码登记管理部门或机构类别码无效"
    if not value[2:8].isdigit() or value[2:4] not in PROVINCES:
        return "统一社会信用代码登记管理机关行政区划码无效"
    if credit_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def make_credit(prefix2: str, region: str, body9: str) -> str:
    """A well-formed credit code: 2 category chars, 6-digit region, 9-char organisation code."""
    first17 = f"{prefix2}{region}{body9}"
    return first17 + credit_check_char(first17)


def normalize_phone(value: str) -> str:
    v = re.sub(r"[\s-]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    return v


def phone_problem(value: str) -> str | None:
    if not MOBILE.match(value):
        return "手机号格式错误（应为 1 开头的 11 位手机号）"
    return None


def mask_id(value: str) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: used where a name must not be shown in full (logs, audit)."""
    return value[:1] + "*" * (len(value) - 1) if value else ""
