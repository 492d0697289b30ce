"""The 附件2 table as rows (the page and the API's export share it): base, adjustment, final and monthly indicator
per street, rounded to 2 decimals for display (the facts carry the monthly indicator rounded the same way)."""

from gridgov import spreadsheets

from . import services

HEAD = ["镇街代码", "镇街", "常住人口", "面积（平方公里）", "分配基数（件/年）", "调整（件/年）", "最终指标（件/年）",
        "月均指标（件/月）"]


def quota_rows(user, year: int, district_code: str | None = None) -> tuple[object, list[list]]:
    total, rows = services.allocation(user, year, district_code)
    return total, [[r.code, r.name, r.population, round(r.area_km2, 2), round(r.base, 2), round(r.adjustment, 2),
                    round(r.final, 2), round(r.monthly, 2)] for r in rows]


def export_quota(user, year: int, district_code: str | None, fmt: str) -> tuple[bytes, str]:
    _, rows = quota_rows(user, year, district_code)
    return spreadsheets.write(fmt, HEAD, rows, title=f"{year}年考核数量分配")
