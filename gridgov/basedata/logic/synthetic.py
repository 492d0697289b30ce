"""Synthetic resident files for tests and the import benchmark — pure, no Django.

Deterministic: row i gets a name from fixed lists and an ID number with a valid checksum (region 110101,
a birth date between 1940 and 1994, a sequence number), a 170/171 phone, a household of about three.
Rows listed in ``bad`` get a wrong check character.
"""

import csv
import datetime as dt
import io

from .ids import id_check_char

HEADER = ["姓名", "身份证号", "手机号", "人口类型", "户编号", "与户主关系", "房屋编码", "迁入日期"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚华红兰海燕东文博浩宇"
TYPES = ["户籍", "户籍", "户籍", "流动", "户籍", "流动", "户籍", "户籍"]
RELATIONS = ["户主", "配偶", "子女"]
_EPOCH = dt.date(1940, 1, 1)


def synthetic_id(i: int, region: str = "110119") -> str:
    birth = _EPOCH + dt.timedelta(days=i % 20000)
    first17 = f"{region}{birth:%Y%m%d}{(i // 20000) % 1000:03d}"
    return first17 + id_check_char(first17)


def wrong_check(idn: str) -> str:
    return idn[:17] + ("0" if idn[17] != "0" else "1")


def resident_rows(n: int, dwelling_codes: list[str], bad: set[int] = frozenset(), start: int = 0):
    """Rows (without header) for residents start … start+n-1; 0-based row index i is file line i + 2."""
    for k in range(n):
        i = start + k
        idn = synthetic_id(i)
        if k in bad:
            idn = wrong_check(idn)
        hh = i // 3
        yield [SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)],
               idn, f"17{i % 2}{i % 100_000_000:08d}", TYPES[i % len(TYPES)], f"BH{hh:07d}", RELATIONS[i % 3],
               dwelling_codes[hh % len(dwelling_codes)], "2020-01-01"]


def resident_file(n: int, dwelling_codes: list[str], bad: set[int] = frozenset(), fmt: str = "csv",
                  start: int = 0) -> bytes:
    rows = resident_rows(n, dwelling_codes, bad, start)
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("实有人口")
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")
