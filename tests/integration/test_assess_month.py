"""A month of 考评 end to end: June 2025 with cases in three streets of 东城区, the registers and the judgements,
`gridgov assess facts` writes the month's document, `gridgov assess score` scores it, the table is the one worked
out by hand below; then a run is published, 东华门街道 appeals its 抽查 score, the appeal is upheld and the history
shows both scores.

The month (the clock is frozen; nothing else of the test world happens in 2025):
- 东华门街道 110101001: three cases of 09012 through the whole loop and one 06010 the grid worker settled on the
  spot (自行处置), all closed in June; the centre samples its four closed cases (抽查): three 合格, one 不合格.
- 景山街道 110101002: two 06010 reported by residents (a public channel), closed in June.
- 交道口街道 110101003: two 09012, one closed in June, one dispatched and still open.
- 附件2 for 2025: 17 streets of 40,000 people and 2.00 km² each, 20,400 cases a year for the district, so every
  street's base = 20,400 / 680,000 × 40,000 × 0.6 + 20,400 / 34 × 2 × 0.4 = 720 + 480 = 1,200 a year: 100 a month.
- The reviewer's tiers for the three streets: 分中心建设 1 (4), 地理信息 2 (1), 网格信息 1 (2), 部件信息 2 (2),
  及时反馈 1 (2), 规范管理 2 (2), 市区两级专项 receiver + tier 2 (1 + 5), 大数据分析 3 (1), 创新 2.5 points. The
  other 14 streets are not judged (those items 0, 「尚未评定」).

Worked by hand (003 篇7 附件1 as the scheme says), district 结案率 = 7 closed / 8 registered = 87.5 %, public share
= 2 of the 8 reported = 25 %:

| item | 东华门 | 景山 | 交道口 |
|---|---|---|---|
| 系统运行 (no outage) | 4 | 4 | 4 |
| 案件数量 completed / 100 × 24 | 4 → 0.96 | 2 → 0.48 | 1 → 0.24 |
| 抽查 5 × passed / sampled | 5 × 3/4 = 3.75 | 未抽查 0 | 未抽查 0 |
| 类型多样性 (simple + self) / total | 1/4 = 25 % → 1 | 2/2 → 0 | 0/1 → 3 |
| 发现率 (no 倒查: rate 1, all tied first) | 5 | 5 | 5 |
| 结案率 vs 87.5 % | 100 %: +12 pp × 0.5 → 5 (cap) | 100 % → 5 | 50 % → 0 |
| 市区两级平台派件 (none: all tied first) | 2 | 2 | 2 |
| 社会参与 share ≥ 25 % and on time ≥ 80 % | 0/4 → 0 | 2/2, 2/2 → 1 | 0/2 → 0 |
| judged items (4 + 1 + 2 + 2 + 2 + 2 + 6 + 1 + 2.5) | 22.5 | 22.5 | 22.5 |
| 人员到位 (51/10, 41/8, 36/7 grid workers a community, ≥ 0.8) | 5 | 5 | 5 |

Totals: 东华门 4 + 0.96 + 3.75 + 1 + 5 + 5 + 2 + 0 +
22.5 + 5 = 49.21; 景山 4 + 0.48 + 0 + 0 + 5 + 5 + 2 + 1 + 22.5 + 5 = 44.98; 交道口 4 + 0.24 + 0 + 3 + 5 + 0 + 2 + 0 +
22.5 + 5 = 41.74. The appeal upheld (抽查 4 of 4 合格): 东华门 3.75 → 5, 49.21 → 50.46.
"""

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gridgov.assess import services as assess
from gridgov.cases.services import intake, transition
from gridgov.geo.models import Grid, Jurisdiction
from gridgov.ledgers import services as ledgers

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
A, B, C = "110101001", "110101002", "110101003"
JUDGED = {"subcentre": {"tier": 1}, "geo_update": {"tier": 2}, "grid_update": {"tier": 1},
          "component_update": {"tier": 2}, "feedback": {"tier": 1}, "management": {"tier": 2},
          "special_tasks": {"tier": 2, "receiver": True}, "big_data": {"tier": 3}, "innovation": {"points": 2.5}}
INSPECTORS: dict = {}  # each street's 监督员 (the test world's is 东华门街道's)


def at(day: int, hour: float) -> dt.datetime:
    return dt.datetime(2025, 6, day, 9, 0, tzinfo=SH) + dt.timedelta(hours=hour - 9)


def point_in(street: str):
    g = Grid.objects.filter(layer__code="unit", community__code__startswith=street).order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


def loop(users, street, matter, day, *, who="gridworker", source="grid_worker", close=True):
    """One case through 上报 (→ 核实) → 立案 → 派遣 → 签收 → 处置 → 核查 → 结案 on ``day`` of June 2025."""
    lon, lat = point_in(street)
    n = intake(users[who], source=source, lon=lon, lat=lat, matter=matter, description="路面有垃圾需要清理",
               find_duplicates=False, now=at(day, 9)).case.number
    if source == "resident":  # a resident's report is verified on site before 立案
        transition(users["intake"], n, "assign_verify", now=at(day, 9.2))
        transition(INSPECTORS[street], n, "confirm", now=at(day, 9.5))
    transition(users["intake"], n, "register", now=at(day, 10))
    transition(users["dispatcher"], n, "dispatch", {"department": "110101-HW"}, now=at(day, 11))
    if not close:
        return n
    transition(users["handler"], n, "accept", now=at(day, 12))
    transition(users["handler"], n, "handle", {"feedback": "已清理"}, now=at(day, 14))
    transition(INSPECTORS[street], n, "inspect_pass", now=at(day, 15))
    transition(users["intake"], n, "close", now=at(day, 16))
    return n


def self_handled(users, street, day):
    lon, lat = point_in(street)
    n = intake(users["gridworker"], source="grid_worker", lon=lon, lat=lat, matter="06010",
               description="路边暴露垃圾，已当场清理", find_duplicates=False, now=at(day, 9)).case.number
    transition(users["gridworker"], n, "self_handle", {"feedback": "当场清理完毕"}, now=at(day, 9.5))
    transition(INSPECTORS[street], n, "inspect_pass", now=at(day, 11))
    transition(users["intake"], n, "close", now=at(day, 12))
    return n


@pytest.fixture
def june(users, time_machine):
    time_machine.move_to(at(2, 8), tick=False)
    admin, shift = users["admin"], users["shift"]
    from gridgov.accounts.services import create_user

    INSPECTORS.clear()
    INSPECTORS[A] = users["inspector"]
    INSPECTORS[B] = create_user("inspector_jingshan", "inspector", node=B, actor=admin)[0]
    INSPECTORS[C] = create_user("inspector_jiaodaokou", "inspector", node=C, actor=admin)[0]
    streets = list(Jurisdiction.objects.filter(level="street", code__startswith="110101").values_list("code", flat=True))
    assert len(streets) == 17
    for code in streets:
        ledgers.save_unit_base(shift, code, 2025, 40_000, "2.00", "2020年上报", "2019版年鉴")
    ledgers.set_district_total(admin, "110101", 2025, 20_400)
    numbers = {A: [loop(users, A, "09012", d) for d in (9, 10, 11)] + [self_handled(users, A, 12)],
               B: [loop(users, B, "06010", d, who="resident", source="resident") for d in (16, 17)],
               C: [loop(users, C, "09012", 18), loop(users, C, "09012", 19, close=False)]}
    time_machine.move_to(dt.datetime(2025, 7, 1, 10, 0, tzinfo=SH), tick=False)
    draw = ledgers.draw_sample(shift, "2025-06", A)
    sampled = sorted(draw.cases.all(), key=lambda s: s.case.number)
    assert sorted(s.case.number for s in sampled) == sorted(numbers[A]), "four closed cases: all sampled (min 5)"
    for s in sampled[:3]:
        ledgers.mark_sample(shift, s.pk, "passed")
    ledgers.mark_sample(shift, sampled[3].pk, "failed", "处置照片与现场不符")
    for code in (A, B, C):
        for key, inputs in JUDGED.items():
            assess.judge(shift, "2025-06", code, key, remark="依据报送材料评定", **inputs)
    time_machine.move_to(dt.datetime(2025, 7, 2, 10, 0, tzinfo=SH), tick=False)  # a Wednesday
    return numbers


def test_a_month_from_the_cases_to_the_table_and_an_appeal_in_the_history(june, users, tmp_path):
    path = tmp_path / "facts-2025-06.json"
    call_command("assess", "facts", "--period", "2025-06", "-o", str(path), stdout=io.StringIO())
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["format"], doc["period"], doc["district"]["code"]) == ("gridgov.assess.facts/1", "2025-06", "110101")
    assert doc["totals"]["closure_rate"] == 0.875 and doc["totals"]["public_share"] == 0.25
    assert (doc["totals"]["population"], doc["totals"]["area_km2"], doc["totals"]["annual_cases"]) == (
        680_000, 34.0, 20_400)
    inputs = {u["code"]: u["inputs"] for u in doc["units"]}
    assert len(inputs) == 17
    assert {c: inputs[c]["case_count"] for c in (A, B, C)} == {
        A: {"completed": 4, "last_year": None, "quota": 100.0}, B: {"completed": 2, "last_year": None, "quota": 100.0},
        C: {"completed": 1, "last_year": None, "quota": 100.0}}
    assert {c: inputs[c]["type_diversity"] for c in (A, B, C)} == {
        A: {"simple": 0, "self_handled": 1, "total": 4}, B: {"simple": 2, "self_handled": 0, "total": 2},
        C: {"simple": 0, "self_handled": 0, "total": 1}}
    assert {c: inputs[c]["closure_rate"] for c in (A, B, C)} == {
        A: {"closed": 4, "due": 4}, B: {"closed": 2, "due": 2}, C: {"closed": 1, "due": 2}}
    assert {c: inputs[c]["quality_sample"] for c in (A, B, C)} == {
        A: {"closed": 4, "sampled": 4, "passed": 3}, B: {"closed": 2, "sampled": 0, "passed": 0},
        C: {"closed": 1, "sampled": 0, "passed": 0}}
    assert {c: inputs[c]["public_channels"] for c in (A, B, C)} == {
        A: {"public": 0, "total": 4, "public_closed_on_time": 0}, B: {"public": 2, "total": 2, "public_closed_on_time": 2},
        C: {"public": 0, "total": 2, "public_closed_on_time": 0}}

    out = io.StringIO()
    call_command("assess", "score", str(path), "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    units = {u["code"]: u for u in result["units"]}
    pts = {c: {i["key"]: i["points"] for i in units[c]["items"]} for c in (A, B, C)}
    expected = {
        A: {"system_uptime": 4, "case_count": 0.96, "quality_sample": 3.75, "type_diversity": 1, "discovery": 5,
            "closure_rate": 5, "city_dispatch": 2, "public_channels": 0},
        B: {"system_uptime": 4, "case_count": 0.48, "quality_sample": 0, "type_diversity": 0, "discovery": 5,
            "closure_rate": 5, "city_dispatch": 2, "public_channels": 1},
        C: {"system_uptime": 4, "case_count": 0.24, "quality_sample": 0, "type_diversity": 3, "discovery": 5,
            "closure_rate": 0, "city_dispatch": 2, "public_channels": 0},
    }
    judged = {"subcentre": 4, "geo_update": 1, "grid_update": 2, "component_update": 2, "feedback": 2, "management": 2,
              "special_tasks": 6, "big_data": 1, "innovation": 2.5}
    for c in (A, B, C):
        assert {k: float(pts[c][k]) for k in expected[c]} == expected[c], c
        assert {k: float(pts[c][k]) for k in judged} == judged, c
        assert {k: float(pts[c][k]) for k in ("training", "publicity")} == {"training": 0, "publicity": 0}
    # 人员到位: the test world's grid workers in post per community — 51/10, 41/8, 36/7, all ≥ 0.8: 5 points each
    assert {c: inputs[c]["staffing"] for c in (A, B, C)} == {
        A: {"staff": 51, "communities": 10}, B: {"staff": 41, "communities": 8}, C: {"staff": 36, "communities": 7}}
    totals = {A: 49.21, B: 44.98, C: 41.74}  # 44.21, 39.98, 36.74 (the table above) + 5
    for c in (A, B, C):
        assert float(pts[c]["staffing"]) == 5
        assert round(float(units[c]["total"]), 2) == totals[c], c
    assert units[A]["rank"] < units[B]["rank"] < units[C]["rank"]
    assert "5 × 合格 3 / 抽查 4 = 3.75" in next(i["explanation"] for i in units[A]["items"] if i["key"] == "quality_sample")

    # the month as a run: published, appealed by 东华门街道, upheld — the history shows both scores
    admin, shift, supervisor = users["admin"], users["shift"], users["supervisor"]
    run = assess.run_period(admin, "2025-06", "110101")
    assess.publish(admin, run.pk)
    first_total = float(next(r.total for r in run.results.all() if r.unit_code == A))
    assert round(first_total, 2) == 49.21
    appeal = assess.file_appeal(supervisor, run.pk, "quality_sample", "不合格的那件是照片上传失败，现场已处置完毕。")
    assess.rule_appeal(shift, appeal.pk, True, "经复核，处置照片补传后合格。", corrected={"passed": 4})
    rows = assess.history(admin, "2025-06", A)
    assert [r["revision"] for r in rows] == [1, 2]
    assert [round(float(r["total"]), 2) for r in rows] == [49.21, 50.46]  # 抽查 5 × 4/4 = 5: +1.25
    assert [float(r["items"]["quality_sample"]) for r in rows] == [3.75, 5.0]
    appeal.refresh_from_db()
    assert (appeal.status, float(appeal.old_points), float(appeal.new_points)) == ("upheld", 3.75, 5.0)
