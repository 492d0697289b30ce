"""统计分析 (/dashboard/figures/): the three typed cases of test_analytics_rollup seen through the page — a custom
range by street, the drill-down into a street's communities, a street-bound account refused another street (404),
and the table as Excel (opened with openpyxl: numbers are numbers)."""

import io
import re

import openpyxl
import pytest

from gridgov.accounts.models import User
from tests.integration.test_analytics_rollup import three  # noqa: F401  (the typed cases)

pytestmark = pytest.mark.django_db
S1, S2 = "110101001", "110101002"
RANGE = "kind=range&date=2025-03-31&until=2025-04-01"


def counts_of(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r"<td>(\d+)</td>", row)


def test_a_range_by_street_and_the_drill_down(three, client_for):  # noqa: F811
    c = client_for("leader")
    html = c.get(f"/dashboard/figures/?{RANGE}&level=street").content.decode()
    assert "2025-03-31～2025-04-01" in html
    # 上报, 立案, 派遣, 处置, 结案, 按期结案: A B C reported; A B C registered; A B dispatched; A C handled and closed,
    # C on time (A's 处置 was late)
    assert counts_of(html, S1) == ["3", "3", "2", "2", "2", "1"]
    assert f'data-drill="{S1}"' in html
    down = c.get(f"/dashboard/figures/?{RANGE}&level=community&within={S1}")
    assert down.status_code == 200
    codes = re.findall(r'<tr data-code="(\d+)">', down.content.decode())
    assert codes and all(code.startswith(S1) and len(code) == 12 for code in codes)
    community = next(code for code in codes if counts_of(down.content.decode(), code)[0] != "0")
    assert counts_of(down.content.decode(), community)[:2] == ["3", "3"], "all three in the same community"
    by_source = c.get(f"/dashboard/figures/?{RANGE}&level=source&within={S1}").content.decode()
    assert counts_of(by_source, "grid_worker")[0] == "2" and counts_of(by_source, "hotline")[0] == "1"


def test_a_street_account_cannot_drill_into_another_street(three, client_for):  # noqa: F811
    User.objects.create(username="an-leader-s2", role="leader", node_key=S2, display_name="街道领导")
    c = client_for("an-leader-s2")
    assert c.get(f"/dashboard/figures/?{RANGE}&level=community&within={S1}").status_code == 404
    assert c.get(f"/dashboard/figures/export.xlsx?{RANGE}&level=community&within={S1}").status_code == 404
    own = c.get(f"/dashboard/figures/?{RANGE}&level=street").content.decode()
    assert re.findall(r'<tr data-code="(\d+)">', own) == [S2], "its own street only"
    assert c.get(f"/dashboard/figures/?{RANGE}&level=community&within={S2}").status_code == 200
    assert client_for("gridworker").get("/dashboard/figures/").status_code == 403


def test_the_table_as_excel(three, client_for):  # noqa: F811
    r = client_for("leader").get(f"/dashboard/figures/export.xlsx?{RANGE}&level=street")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:8] == ("代码", "街道（镇）", "上报", "立案", "派遣", "处置", "结案", "按期结案")
    s1 = next(row for row in rows if row[0] == S1)
    assert s1[2:8] == (3, 3, 2, 2, 2, 1)
    assert s1[head.index("按期结案率（%）")] == 50.0, "C on time, A late"
    assert s1[head.index("结案率（%）")] == round(2 / 3 * 100, 1), "A and C of the three registered"
    assert s1[head.index("平均处理时间")] == 4.25, "(7.5 + 1) / 2 work hours"
    assert rows[-1][1] == "合计"
