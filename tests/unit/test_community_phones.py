"""The format of a published number (服务热线, 监督电话): what is accepted, how it is written, what is refused."""

import pytest

from gridgov.community.logic import phones

OK = [
    ("010-65123456", "010-65123456"),
    ("01065123456", "010-65123456"),       # a 3-digit area code (010, 02x) gets its dash
    ("0353-2021234", "0353-2021234"),
    ("03532021234", "0353-2021234"),       # the others have 4 digits
    ("020 8888 8888", "020-88888888"),
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("65123456", "65123456"),              # a local landline
    ("12345", "12345"),                    # 政务服务便民热线
    ("96010", "96010"),
    ("（010）65123456", "010-65123456"),
]
BAD = ["", "123", "1234567", "12345678901", "23812345678", "010-123", "010-123456789", "0353-20212", "abc",
       "138-1234-567a", "00086-65123456", "99999"]


@pytest.mark.parametrize("given,published", OK)
def test_accepted_numbers_are_written_the_one_way(given, published):
    assert phones.clean(given) == published


@pytest.mark.parametrize("given", BAD)
def test_not_a_phone_number(given):
    assert phones.clean(given) is None
