"""The scoring rules of 003 篇7 附件1 (城市网格化管理专项考核评分表), each on cases worked out by hand.

The expected points are typed from the seed's text and the rules table of the README section 「考评 (assessment)」,
with the arithmetic written out beside each case — never computed by calling the scorer.
"""

import copy
import datetime as dt
import json
from importlib import resources

import pytest

from gridgov.assess.logic import scheme as scheme_logic
from gridgov.assess.logic import scorer

TODAY = dt.date(2026, 12, 3)


def shipped() -> dict:
    return json.loads(resources.files("gridgov.assess").joinpath("data/scheme_003_7.json").read_text("utf-8"))


def example() -> dict:
    return json.loads(resources.files("gridgov.assess").joinpath("data/example_facts_2026-11.json").read_text("utf-8"))


def item_points(inputs_by_unit: dict, key: str, totals=None) -> dict:
    """Score a document whose units differ only in ``key``'s inputs; the points of that item per unit."""
    doc = example()
    base = doc["units"][0]
    units = []
    for code, inp in inputs_by_unit.items():
        u = copy.deepcopy(base)
        u.update({"code": code, "name": code, "falsified": {}})
        u["inputs"][key] = inp
        units.append(u)
    doc["units"] = units
    if totals:
        doc["totals"].update(totals)
    result = scorer.score(doc, TODAY)
    return {u["code"]: next(r["points"] for r in u["items"] if r["key"] == key) for u in result["units"]}


def one(key: str, inp: dict, **totals) -> float:
    return item_points({"X": inp}, key, totals or None)["X"]


# ---------------------------------------------------------------- the shipped scheme


def test_the_shipped_scheme_is_003_7_exactly():
    s = shipped()
    assert s["name"] == "城市网格化管理专项考核评分表（003 篇7）"
    assert [(p["name"], p["points"]) for p in s["parts"]] == [
        ("体系建设", 8), ("数据维护更新", 7), ("案件管理", 50), ("网格员队伍", 15), ("重点任务", 10), ("创新创优", 10)]
    assert [(i["key"], i["points"]) for p in s["parts"] for i in p["items"]] == [
        ("subcentre", 4), ("system_uptime", 4), ("geo_update", 2), ("grid_update", 2), ("component_update", 3),
        ("case_count", 30), ("quality_sample", 5), ("type_diversity", 3), ("discovery", 5), ("feedback", 2),
        ("closure_rate", 5), ("staffing", 5), ("training", 5), ("management", 5), ("city_dispatch", 2),
        ("special_tasks", 8), ("big_data", 3), ("public_channels", 1), ("publicity", 1), ("innovation", 5)]
    tiers = {i["key"]: i["tiers"] for p in s["parts"] for i in p["items"] if "tiers" in i}
    assert tiers == {"subcentre": [4, 3, 0], "geo_update": [2, 1, 0], "grid_update": [2, 1, 0],
                     "component_update": [3, 2, 1, 0], "feedback": [2, 1, 0], "management": [5, 2, 0],
                     "special_tasks": [7, 5, 3, 1, 0], "big_data": [3, 2, 1, 0]}
    assert scheme_logic.validate(s) == []


def test_a_scheme_that_does_not_add_up_is_refused_with_the_reason():
    s = shipped()
    s["parts"][0]["items"][0]["points"] = 5  # 分中心建设 4 → 5: part 1 adds up to 9, the scheme to 101
    problems = scheme_logic.validate(s)
    assert "第1部分「体系建设」各考评项分值之和为 9，应等于该部分分值 8" in problems
    s = shipped()
    s["parts"][2]["points"] = 51
    assert "各部分分值之和为 101，应等于总分 100" in scheme_logic.validate(s)
    s = shipped()
    s["parts"][5]["items"][3]["rule"] = "magic"
    assert any("没有已知的计分规则（magic）" in p for p in scheme_logic.validate(s))
    s = shipped()
    s["parts"][0]["items"][0]["tiers"] = [5, 3, 0]  # a tier above the item's 4 points
    assert any("档位分值应在 0～4 分之间" in p for p in scheme_logic.validate(s))
    s = shipped()
    s["parts"][4]["items"][1]["tiers"] = [8, 5, 3, 1, 0]  # 8 + 专人接收 1 > 8
    assert any("含专人接收分" in p for p in scheme_logic.validate(s))


# ---------------------------------------------------------------- 案件数量 (30)


@pytest.mark.parametrize(("inp", "points"), [
    # 130/100×24 = 31.2 → 24 (封顶); 超指标 30 个百分点 → +3; (130−110)/110 = 18.2 % → 3 个整 5 % → +3; 24+3+3 = 30
    ({"completed": 130, "quota": 100.0, "last_year": 110}, 30),
    # 112/100×24 = 26.88 → 24; 超 12 个百分点 → +1; 超去年 12 % → +2; 27
    ({"completed": 112, "quota": 100.0, "last_year": 100}, 27),
    # exactly 20 percentage points over (120/100): +2, not +1; no last year → +0; 24+2 = 26
    ({"completed": 120, "quota": 100.0, "last_year": None}, 26),
    # 75/100×24 = 18; not over the quota; (75−70)/70 = 7.1 % → +1; 19
    ({"completed": 75, "quota": 100.0, "last_year": 70}, 19),
    # 105/200×24 = 12.6; exactly 5 % over last year's 100 → +1; 13.6
    ({"completed": 105, "quota": 200.0, "last_year": 100}, 13.6),
    # 400/100: base 24, over 300 pp → +3 (max), last year 100 → +300 % → +3 (max): 30 (total max 30)
    ({"completed": 400, "quota": 100.0, "last_year": 100}, 30),
    # below last year: no bonus; last year 0 → none either
    ({"completed": 50, "quota": 100.0, "last_year": 60}, 12),
    ({"completed": 50, "quota": 100.0, "last_year": 0}, 12),
])
def test_case_count(inp, points):
    assert one("case_count", inp) == points


def test_case_count_explains_itself():
    r = scorer.score(example(), TODAY)
    first = next(u for u in r["units"] if u["code"] == "110101001")
    row = next(i for i in first["items"] if i["key"] == "case_count")
    assert row["explanation"] == ("月完成量 130 / 月均指标 100 × 24 = 31.2（封顶 24）；超指标 30 个百分点 +3；"
                                  "超去年同期（110）18.2 % +3；合计 30")


def test_a_quota_of_zero_is_bad_input():
    doc = example()
    doc["units"][1]["inputs"]["case_count"]["quota"] = 0
    with pytest.raises(scorer.FactsError) as e:
        scorer.score(doc, TODAY)
    assert e.value.code == "invalid_quota" and "景山街道（110101002）「案件数量」" in e.value.message


# ---------------------------------------------------------------- 系统运行 (4)


@pytest.mark.parametrize(("inp", "points"), [
    # 250 + (800 − 720) = 330 h counted; 330 − 240 = 90 h over → 4 started days → −4 → 0
    ({"fault_hours": 250.0, "upgrade_hours": 800.0, "upgrades": 2, "usable": True}, 0),
    ({"fault_hours": 240.0, "upgrade_hours": 720.0, "upgrades": 2, "usable": True}, 4),  # both at the limit
    ({"fault_hours": 241.0, "upgrade_hours": 0.0, "upgrades": 0, "usable": True}, 3),  # 1 h over → a started day
    ({"fault_hours": 200.0, "upgrade_hours": 760.0, "upgrades": 1, "usable": True}, 4),  # 200 + 40 = 240
    ({"fault_hours": 200.0, "upgrade_hours": 790.0, "upgrades": 1, "usable": True}, 2),  # 270: 30 h over → −2
    ({"fault_hours": 0.0, "upgrade_hours": 0.0, "upgrades": 0, "usable": False}, 0),  # 无系统或系统无法使用
])
def test_system_uptime(inp, points):
    assert one("system_uptime", inp) == points


# ---------------------------------------------------------------- 案件质量 (5 + 3)


def test_quality_sample():
    assert one("quality_sample", {"closed": 40, "sampled": 10, "passed": 9}) == 4.5  # 5 × 9 / 10
    assert one("quality_sample", {"closed": 40, "sampled": 8, "passed": 8}) == 5
    assert one("quality_sample", {"closed": 0, "sampled": 0, "passed": 0}) == 0  # 无结案案件
    doc = example()
    doc["units"][0]["inputs"]["quality_sample"] = {"closed": 40, "sampled": 0, "passed": 0}
    row = next(i for u in scorer.score(doc, TODAY)["units"] if u["code"] == "110101001" for i in u["items"]
               if i["key"] == "quality_sample")
    assert (row["points"], row["explanation"]) == (0, "未抽查：0 分")


@pytest.mark.parametrize(("simple", "own", "total", "points"), [
    (5, 5, 100, 3),  # 10 % exactly: 10%以下 → 3
    (6, 5, 100, 2),  # 11 %
    (10, 10, 100, 2),  # 20 % exactly
    (11, 10, 100, 1),  # 21 %
    (15, 15, 100, 1),  # 30 % exactly
    (16, 15, 100, 0),  # 31 %: 超过30%得0分
    (5, 7, 80, 2),  # 12 / 80 = 15 %
    (0, 0, 0, 0),  # no cases
])
def test_type_diversity_boundaries(simple, own, total, points):
    assert one("type_diversity", {"simple": simple, "self_handled": own, "total": total}) == points


# ---------------------------------------------------------------- ranked: 发现率 (six bands), 市区两级平台派件 (three)


def test_discovery_bands_with_ties():
    # rates: A 0/0 → 100 %, B 9/10 = 90 %, C 18/20 = 90 %, D 8/10 = 80 %, F 3/4 = 75 %, E 1/2 = 50 %
    # positions (ties share the best): A 0, B 1, C 1, D 3, F 4, E 5; band = position × 6 / 6 → 5 4 4 2 1 0
    got = item_points({"A": {"checked": 0, "found_in_time": 0}, "B": {"checked": 10, "found_in_time": 9},
                       "C": {"checked": 20, "found_in_time": 18}, "D": {"checked": 10, "found_in_time": 8},
                       "E": {"checked": 2, "found_in_time": 1}, "F": {"checked": 4, "found_in_time": 3}}, "discovery")
    assert got == {"A": 5, "B": 4, "C": 4, "D": 2, "E": 0, "F": 1}


def test_city_dispatch_bands():
    # U1 18/20 × 19/20 = 0.855; U2 nothing received → 1.0; U3 10/10 × 5/10 = 0.5; U4 5/10 × 10/10 = 0.5
    # positions: U2 0, U1 1, U3 2, U4 2; band = position × 3 // 4 → 0, 0, 1, 1 → 2, 2, 1, 1
    got = item_points({"U1": {"received": 20, "timely": 18, "closed": 19}, "U2": {"received": 0, "timely": 0, "closed": 0},
                       "U3": {"received": 10, "timely": 10, "closed": 5}, "U4": {"received": 10, "timely": 5, "closed": 10}},
                      "city_dispatch")
    assert got == {"U1": 2, "U2": 2, "U3": 1, "U4": 1}


# ---------------------------------------------------------------- 结案率 (5)


def test_closure_rate_against_the_district_average():
    # 80/90 = 88.9 %; average 87.2 % → 1.69 points above → 1 full point × 0.5 = 0.5
    assert one("closure_rate", {"closed": 80, "due": 90}) == 0.5
    # 90/90 = 100 % → 12.8 points above → 12 × 0.5 = 6 → capped at 5
    assert one("closure_rate", {"closed": 90, "due": 90}) == 5
    assert one("closure_rate", {"closed": 70, "due": 90}) == 0  # below the average: never below 0
    assert one("closure_rate", {"closed": 0, "due": 0}) == 0  # nothing due: the average itself
    # exactly 2 points above an average of 80 %: 82/100 → 2 × 0.5 = 1
    assert one("closure_rate", {"closed": 82, "due": 100}, closure_rate=0.8) == 1


# ---------------------------------------------------------------- 网格员队伍


def test_staffing():
    assert one("staffing", {"staff": 8, "communities": 10}) == 5  # 0.8 per community
    assert one("staffing", {"staff": 7, "communities": 9}) == 4  # 0.78: 0.02 below → one started 0.1 → −1
    assert one("staffing", {"staff": 7, "communities": 10}) == 4  # 0.7: exactly 0.1 below → −1
    assert one("staffing", {"staff": 5, "communities": 9}) == 2  # 0.56: 0.24 below → 3 started → −3
    assert one("staffing", {"staff": 1, "communities": 20}) == 0  # 0.05: 8 started → floor 0
    assert one("staffing", {"staff": 0, "communities": 9}) == 0  # 无专人


def test_training():
    assert one("training", {"whole": 3, "partial": 2}) == 4  # 3 × 1 + 2 × 0.5
    assert one("training", {"whole": 4, "partial": 3}) == 5  # 5.5 → 最高不超过5分


# ---------------------------------------------------------------- 重点任务, 创新创优, the reviewer's tiers


def test_reviewer_items():
    assert one("subcentre", {"tier": 1}) == 4
    assert one("subcentre", {"tier": 2}) == 3
    assert one("subcentre", {"tier": 3}) == 0
    assert one("subcentre", {"tier": None}) == 0  # not yet judged
    assert one("management", {"tier": 2}) == 2
    assert one("component_update", {"tier": 3}) == 1
    assert one("special_tasks", {"receiver": True, "tier": 2}) == 6  # 1 + 5
    assert one("special_tasks", {"receiver": False, "tier": 1}) == 7
    assert one("special_tasks", {"receiver": True, "tier": 5}) == 1
    assert one("innovation", {"points": 3.5}) == 3.5
    with pytest.raises(scorer.FactsError) as e:
        one("subcentre", {"tier": 4})
    assert e.value.code == "invalid_input" and "档位 tier 应为 1～3" in e.value.message


def test_public_channels_and_publicity():
    # 30/120 = 25 % ≥ 18 % and 27/30 = 90 % ≥ 80 % → 1
    assert one("public_channels", {"public": 30, "total": 120, "public_closed_on_time": 27}) == 1
    assert one("public_channels", {"public": 20, "total": 120, "public_closed_on_time": 20}) == 0  # 16.7 % < 18 %
    assert one("public_channels", {"public": 30, "total": 120, "public_closed_on_time": 23}) == 0  # 76.7 % < 80 %
    assert one("publicity", {"reports": 1, "submissions": 7}) == 0.5  # 0.3 + 0.2
    assert one("publicity", {"reports": 3, "submissions": 12}) == 1  # min(0.6, 0.9) + 0.4
    assert one("publicity", {"reports": 0, "submissions": 5}) == 0


# ---------------------------------------------------------------- falsification, the month, the year


def test_the_example_month_by_hand():
    """The README's worked example (data/example_facts_2026-11.json), by hand:

    东华门街道: 体系 4 + 0 = 4; 数据 2 + 2 + 3 = 7; 案件 30 + 4.5 + 2 + 发现率 1 + 2 + 0.5 = 40 (发现率 9/12 = 75 %
    is third of three: band 2 × 6 // 3 = 4 → 1); 队伍 4 + 4 + 5 = 13; 重点 派件 1 (0.855, second: band 1) + 6 = 7;
    创新 3 + 1 + 0.5 + 3.5 = 8 → 79.
    景山街道: as above but 案件数量 90/100 × 24 = 21.6 (no last year), 发现率 10/10 first → 5, 派件 none received →
    1.0 first → 2: 案件 21.6 + 4.5 + 2 + 5 + 2 + 0.5 = 35.6; 重点 8 → 4 + 7 + 35.6 + 13 + 8 + 8 = 75.6.
    交道口街道: 案件数量 falsified → 0; 发现率 0/0 = 100 % (tied first) → 5; 派件 0.5 third → 0:
    案件 0 + 4.5 + 2 + 5 + 2 + 0.5 = 14; 重点 6 → 4 + 7 + 14 + 13 + 6 + 8 = 52.
    """
    r = scorer.score(example(), TODAY)
    assert [(u["rank"], u["name"], u["total"]) for u in r["units"]] == [
        (1, "东华门街道", 79), (2, "景山街道", 75.6), (3, "交道口街道", 52)]
    assert [p["points"] for p in r["units"][0]["parts"]] == [4, 7, 40, 13, 7, 8]
    third = r["units"][2]
    row = next(i for i in third["items"] if i["key"] == "case_count")
    assert row["points"] == 0 and row["falsified"]["by"] == "shift"
    assert row["explanation"].startswith("发现弄虚作假（shift 2026-11-20：结案照片重复使用") and "记 0 分" in row["explanation"]


def test_tied_totals_share_the_rank():
    doc = example()
    doc["units"][2] = copy.deepcopy(doc["units"][1])
    doc["units"][2].update({"code": "110101003", "name": "交道口街道"})
    doc["units"][1]["inputs"]["case_count"]["completed"] = 130  # 景山 = 东华门 now
    doc["units"][1]["inputs"]["case_count"]["last_year"] = 110
    doc["units"][1]["inputs"]["discovery"] = {"checked": 12, "found_in_time": 9}
    doc["units"][1]["inputs"]["city_dispatch"] = {"received": 20, "timely": 18, "closed": 19}
    ranks = [(u["code"], u["rank"]) for u in scorer.score(doc, TODAY)["units"]]
    assert ranks[0][1] == ranks[1][1] == 1 and ranks[2][1] == 3


def test_the_annual_formula_on_three_months():
    """东华门街道 over 2026-09..11: 案件管理 40 (09), 29 (10: 案件数量 75/100 × 24 = 18, +1 over last year's 70 → 19, so
    40 − 30 + 19 = 29), 40 (11, where 分中心建设 dropped to tier 2 = 3 points). Year end (11): 3 + 7 + 13 + 7 + 8 = 38;
    mean of part 3: (40 + 29 + 40) / 3 = 36.33; annual = 74.33."""
    sep, oct_, nov = example(), example(), example()
    sep["period"], oct_["period"] = "2026-09", "2026-10"
    oct_["units"][0]["inputs"]["case_count"] = {"completed": 75, "quota": 100.0, "last_year": 70}
    nov["units"][0]["inputs"]["subcentre"] = {"tier": 2}
    year = scorer.annual([nov, sep, oct_], TODAY)
    first = next(u for u in year["units"] if u["code"] == "110101001")
    assert first["part3_monthly"] == [40, 29, 40]
    assert first["year_end_parts"] == 38
    assert first["total"] == 74.3333
    assert first["months"] == ["2026-09", "2026-10", "2026-11"]


def test_allocation_by_annual_rank():
    # six units in thirds: ranks 1–2 share 40 %, 3–4 35 %, 5–6 25 % of 600,000
    units = [{"code": str(i), "name": str(i), "rank": r} for i, r in enumerate([1, 2, 3, 4, 5, 6])]
    got = [a["amount"] for a in scorer.allocation(units, 600000, [0.40, 0.35, 0.25])]
    assert got == [120000, 120000, 105000, 105000, 75000, 75000]
    # a tie at rank 2 pulls the third unit up: group 1 has three members
    units = [{"code": str(i), "name": str(i), "rank": r} for i, r in enumerate([1, 2, 2, 4, 5, 6])]
    got = [a["amount"] for a in scorer.allocation(units, 600000, [0.40, 0.35, 0.25])]
    assert got == [80000, 80000, 80000, 210000, 75000, 75000]


def test_bad_documents_are_refused_with_their_reason():
    doc = example()
    doc["period"] = "2027-01"
    with pytest.raises(scorer.FactsError) as e:
        scorer.score(doc, TODAY)
    assert e.value.code == "period_in_future"
    doc = example()
    del doc["units"][0]["inputs"]["training"]
    with pytest.raises(scorer.FactsError) as e:
        scorer.score(doc, TODAY)
    assert e.value.code == "missing_inputs" and "东华门街道（110101001） 缺少考评项「专业化」（training）的输入" in e.value.message
    doc = example()
    doc["format"] = "other"
    with pytest.raises(scorer.FactsError) as e:
        scorer.score(doc, TODAY)
    assert e.value.code == "invalid_format"
    doc = example()
    doc["units"][0]["inputs"]["quality_sample"]["passed"] = 11
    with pytest.raises(scorer.FactsError) as e:
        scorer.score(doc, TODAY)
    assert "passed（11）不应大于 sampled（10）" in e.value.message


def test_bulletin_praises_and_criticises_with_figures():
    text = scorer.bulletin(scorer.score(example(), TODAY))
    assert "第 1 名 东华门街道：79 分（案件管理 40/50）" in text
    assert "第 3 名 交道口街道：52 分，主要失分项：案件数量 0/30" in text


def test_composing_the_facts_merges_the_producers_per_unit_and_item():
    from gridgov.assess.logic import facts

    doc = facts.compose(
        "2026-11", {"code": "110101", "name": "东城区"}, {"name": "s", "total": 100, "parts": []},
        [("110101001", "东华门街道"), ("110101002", "景山街道")],
        {"totals": {"closure_rate": 0.872, "public_share": 0.18},
         "units": {"110101001": {"case_count": {"completed": 130, "last_year": 110}}}},
        {"totals": {"population": 708829, "area_km2": 41.84, "annual_cases": 60000},
         "units": {"110101001": {"name": "东华门街道", "case_count": {"quota": 100.0},
                                 "grid_update": {"plans": 1, "plans_on_time": 1}}}},
        {"110101001": {"grid_update": {"tier": 1}}},
        [{"unit": "110101002", "item": "training", "by": "shift", "at": "2026-11-20T10:00:00+08:00",
          "reason": "培训签到造假", "source": "integrity flag 3"}])
    first, second = doc["units"]
    assert first["inputs"] == {"case_count": {"quota": 100.0, "completed": 130, "last_year": 110},
                               "grid_update": {"plans": 1, "plans_on_time": 1, "tier": 1}}
    assert second["inputs"] == {} and second["falsified"] == {"training": {
        "by": "shift", "at": "2026-11-20T10:00:00+08:00", "reason": "培训签到造假", "source": "integrity flag 3"}}
    assert doc["totals"] == {"population": 708829, "area_km2": 41.84, "annual_cases": 60000, "closure_rate": 0.872,
                             "public_share": 0.18}
