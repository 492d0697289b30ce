"""Resident ID (GB 11643), unified social credit code (GB 32100), phones, masking, encryption — no database."""

import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag

from gridgov.basedata.logic import ids
from gridgov.basedata.logic.synthetic import resident_rows, synthetic_id, wrong_check
from gridgov.crypto import Cipher, KeyError_

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize("good", [
    "11010519491231002X",  # the example of GB 11643-1999
    "440308199901010012",
    ids.make_id("110101", dt.date(1980, 2, 29), 123),
    "810000199408230021",  # 港澳台居民居住证 (region 810000)
])
def test_good_id_numbers(good):
    assert ids.id_problem(good, TODAY) is None


@pytest.mark.parametrize("bad, reason", [
    ("110105194912310021", "校验位错误"),
    ("11010519491231002", "应为 18 位"),
    ("1101051949123100211", "应为 18 位"),
    ("11010519491231002A", "格式错误"),
    ("11010519491331002X", "出生日期无效"),  # month 13
    ("110105190002290010", "出生日期无效"),  # 1900 was not a leap year
    ("110105209901010010", "出生日期超出合理范围"),
    ("990105194912310021", "地区码无效"),
    ("110000194912310021", "地区码无效"),
    ("", "为空"),
])
def test_bad_id_numbers(bad, reason):
    problem = ids.id_problem(bad, TODAY)
    assert problem is not None and reason in problem
    if bad:
        assert bad not in problem  # the reason never repeats the value


def test_check_character_algorithm():
    # ISO 7064 MOD 11-2 by hand for the standard example
    first17 = "11010519491231002"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    assert "10X98765432"[s % 11] == "X" == ids.id_check_char(first17)
    for i in range(0, 200_000, 997):
        idn = synthetic_id(i)
        assert ids.id_problem(idn, TODAY) is None
        assert ids.id_problem(wrong_check(idn), TODAY) == "身份证号校验位错误"


def test_gender_and_birth_from_id():
    assert ids.id_gender("11010519491231002X") == "F"
    assert ids.id_gender(ids.make_id("110101", dt.date(1990, 1, 1), 1)) == "M"
    assert ids.id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)


@pytest.mark.parametrize("good", ["91350100M000100Y43", "91110000600037341L", ids.make_credit("12", "110000", "400000770"),
                                  ids.make_credit("92", "110101", "MA01ABCD9")])
def test_good_credit_codes(good):
    assert ids.credit_problem(good) is None


@pytest.mark.parametrize("bad, reason", [
    ("91350100M000100Y44", "校验位错误"),
    ("91350100M000100Y4", "应为 18 位"),
    ("91350100M0001O0Y43", "无效字符"),  # letter O is not in the charset
    ("B1350100M000100Y43", "登记管理部门"),
    ("91990100M000100Y43", "行政区划码"),
])
def test_bad_credit_codes(bad, reason):
    problem = ids.credit_problem(bad)
    assert problem is not None and reason in problem


def test_credit_check_algorithm_by_hand():
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    first17 = "91350100M000100Y4"
    check = 31 - sum(charset.index(c) * w for c, w in zip(first17, weights, strict=True)) % 31
    assert charset[0 if check == 31 else check] == "3" == ids.credit_check_char(first17)


@pytest.mark.parametrize("phone, ok", [("13812345678", True), ("19912345678", True), ("12812345678", False),
                                       ("1381234567", False), ("138123456789", False), ("0105551234", False)])
def test_phone(phone, ok):
    assert (ids.phone_problem(phone) is None) is ok


def test_normalisation_and_masking():
    assert ids.normalize_id(" 11010519491231002x ") == "11010519491231002X"
    assert ids.normalize_phone("+86 138-1234-5678") == "13812345678"
    assert ids.mask_id("11010519491231002X") == "110105********002X"
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_name("欧阳娜娜") == "欧***"


def test_cipher_round_trip_random_nonce_and_blind_index():
    c = Cipher(bytes(range(32)))
    a, b = c.encrypt("11010519491231002X", "f"), c.encrypt("11010519491231002X", "f")
    assert a != b  # a random nonce per value
    assert b"11010519491231002X" not in a and b"0519491231" not in a
    assert c.decrypt(a, "f") == c.decrypt(b, "f") == "11010519491231002X"
    assert c.index("11010519491231002X", "f") == c.index("11010519491231002X", "f")
    assert c.index("11010519491231002X", "f") != c.index("11010519491231002X", "g")
    assert c.index("x", "f") != Cipher(bytes(32)).index("x", "f")  # keyed
    with pytest.raises(InvalidTag):  # bound to its column: cannot be moved to another field
        c.decrypt(a, "g")
    tampered = a[:-1] + bytes([a[-1] ^ 1])
    with pytest.raises(InvalidTag):
        c.decrypt(tampered, "f")
    assert c.encrypt("", "f") == b"" and c.decrypt(b"", "f") == ""


def test_cipher_refuses_short_keys():
    with pytest.raises(KeyError_):
        Cipher(b"short")


def test_synthetic_rows_are_valid_and_marked_bad_rows_are_not():
    rows = list(resident_rows(100, ["D1"], bad={3, 50}))
    problems = [ids.id_problem(r[1], TODAY) for r in rows]
    assert [i for i, p in enumerate(problems) if p] == [3, 50]
    assert all(ids.phone_problem(r[2]) is None for r in rows)
