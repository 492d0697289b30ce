"""Households (issue #17 item 5): the 网格长's annual visit coverage (figures worked by hand on households made
here), who is left (masked per post, the reveal logged), the roll-up grid → community → street, the Excel exports,
一户一档's cases by its rule, the 民情日记 / 民情台账 / 周排名 pages per post, and bad input.

The world: the demo households of 多福巷社区 (110101001001) are moved out of the district for the test (their
scope keys re-keyed, rolled back afterwards), then seven households are registered through the service:
W001 (the gridworker's grid): A6 visited this year by the 网格长, A7 not;
the second grid W00x: A1–A3 visited this year by the 网格长 (A2 twice), A4 only last year, A5 this year only by the
网格员 and by the 网格长 of another community (neither counts).
→ grid W00x 3/5 = 60.0 %, left A4 and A5 (A5 「其他人员已走访」); W001 1/2 = 50.0 %; the community 4/7 = 57.1 %.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.accounts.models import User
from gridgov.basedata import services
from gridgov.basedata.logic import ids
from gridgov.basedata.models import AccessLog, DiaryEntry, Dwelling, Household, Resident, Visit
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db

COMMUNITY = "110101001001"
STREET = "110101001"
OWN = "110101001001W001"
AWAY = "990000000000"  # outside every district: where the demo's households of the community go for the test
YEAR = timezone.localdate().year
HEAD_NAMES = {"A1": "甲一", "A2": "乙二", "A3": "丙三", "A4": "丁四明", "A5": "戊五", "A6": "己六", "A7": "庚七"}


def at(year, month, day, hour=9):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def fresh_id(seq: int) -> str:
    from gridgov.basedata.services import ID_FIELD
    from gridgov.crypto import cipher

    for s in range(seq, seq + 500):
        idn = ids.make_id("110101", dt.date(1970, 3, 9), s)
        if not Resident.objects.filter(id_index=cipher().index(idn, ID_FIELD)).exists():
            return idn
    raise AssertionError("no free synthetic ID")


def other_grid() -> str:
    return (Grid.objects.filter(layer__code="management", community__code=COMMUNITY).exclude(scope_key=OWN)
            .order_by("code").values_list("scope_key", flat=True).first())


@pytest.fixture
def world(users):
    """The seven households and their visits (see the module); returns {name: Household} and the second grid."""
    Household.objects.filter(scope_key__startswith=COMMUNITY).update(scope_key=AWAY)
    Visit.objects.filter(scope_key__startswith=COMMUNITY).update(scope_key=AWAY)
    DiaryEntry.objects.filter(scope_key__startswith=COMMUNITY).update(scope_key=AWAY)
    grid = other_grid()
    leader, worker = users["gridleader"], users["gridworker"]
    hh = {}
    for i, (name, key) in enumerate([("A1", grid), ("A2", grid), ("A3", grid), ("A4", grid), ("A5", grid),
                                     ("A6", OWN), ("A7", OWN)]):
        homes = list(Dwelling.objects.filter(scope_key__startswith=key + ".").order_by("id")[:3])
        d = homes[i % len(homes)]
        r = services.create_resident(leader, {"name": HEAD_NAMES[name], "id_number": fresh_id(100 + 40 * i),
                                              "phone": f"1710000{i:04d}", "dwelling_id": d.pk, "relation": "head",
                                              "household_number": f"HT-{name}"})
        hh[name] = r.household
    other_leader = User.objects.get(username="demo-l110101002001")
    visits = [("A1", leader, at(YEAR, 1, 1, 10)), ("A2", leader, at(YEAR, 1, 2)), ("A2", leader, at(YEAR, 1, 3)),
              ("A3", leader, at(YEAR, 1, 4)), ("A4", leader, at(YEAR - 1, 12, 31, 23)),
              ("A5", worker, at(YEAR, 1, 5)), ("A5", other_leader, at(YEAR, 1, 6)), ("A6", leader, at(YEAR, 1, 7))]
    for name, who, when in visits:
        Visit.objects.create(worker=who, household=hh[name], visited_at=when, scope_key=hh[name].scope_key)
    return {"hh": hh, "grid": grid}


def api(client_for, who, path):
    return client_for(who).get("/api/v1/basedata" + path)


# ---------------------------------------------------------------- coverage: the figures by hand


def test_coverage_of_a_grid_counts_only_the_grid_leaders_visits_of_this_year(client_for, world):
    r = api(client_for, "gridleader", f"/coverage?node={world['grid']}")
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["year"], d["households"], d["visited"], d["left"], d["rate"]) == (YEAR, 5, 3, 2, 60.0)
    assert d["is_grid"] is True
    left = {h["number"]: h for h in d["left_households"]}
    assert set(left) == {"HT-A4", "HT-A5"}
    assert left["HT-A5"]["other_visit"] == f"{YEAR}-01-06"
    assert left["HT-A4"]["other_visit"] is None
    assert left["HT-A4"]["head"] == "丁四明"  # the 网格长 holds basedata.unmask
    assert left["HT-A4"]["address"].endswith(f"{world['hh']['A4'].dwelling.room}室")


def test_last_year_the_same_households_give_other_figures(client_for, world):
    d = api(client_for, "gridleader", f"/coverage?node={world['grid']}&year={YEAR - 1}").json()
    assert (d["households"], d["visited"], d["left"]) == (5, 1, 4)  # only A4 (31 December)
    assert {h["number"] for h in d["left_households"]} == {"HT-A1", "HT-A2", "HT-A3", "HT-A5"}


def test_roll_up_community_and_street(client_for, world):
    grid = world["grid"]
    d = api(client_for, "gridleader", f"/coverage?node={COMMUNITY}").json()
    assert (d["households"], d["visited"], d["left"], d["rate"]) == (7, 4, 3, 57.1)
    rows = {c["node"]: (c["households"], c["visited"], c["left"], c["others"], c["rate"]) for c in d["children"]}
    assert rows == {OWN: (2, 1, 1, 0, 50.0), grid: (5, 3, 2, 1, 60.0)}
    assert d["left_households"] == []  # a community lists its grids, not households
    street = api(client_for, "supervisor", f"/coverage?node={STREET}").json()
    mine = next(c for c in street["children"] if c["node"] == COMMUNITY)
    assert (mine["households"], mine["visited"], mine["left"], mine["rate"]) == (7, 4, 3, 57.1)


# ---------------------------------------------------------------- who sees what, masking, the access log

# post → status of the grid's coverage (W00x lies in the gridleader's community, not in the gridworker's grid)
COVERAGE_STATUS = {"admin": 200, "leader": 200, "supervisor": 200, "gridleader": 200, "gridworker": 404,
                   "intake": 403, "shift": 403, "dispatcher": 403, "inspector": 403, "handler": 403, "resident": 403,
                   "clerk": 403}


@pytest.mark.parametrize("who", sorted(COVERAGE_STATUS))
def test_coverage_page_per_post(client_for, world, who):
    r = client_for(who).get(f"/basedata/coverage/?node={world['grid']}")
    assert r.status_code == COVERAGE_STATUS[who]


# post → (head of A4 as shown, address ends with)
MASKING = {"admin": ("丁四明", "plain"), "gridleader": ("丁四明", "plain"), "supervisor": ("丁**", "***室"),
           "leader": ("丁**", "***室")}


@pytest.mark.parametrize("who", sorted(MASKING))
def test_left_households_are_masked_without_the_right_and_each_reveal_is_logged(client_for, world, users, who):
    grid, a4 = world["grid"], world["hh"]["A4"]
    before = AccessLog.objects.filter(username=who, target="household").count()
    html = client_for(who).get(f"/basedata/coverage/?node={grid}").content.decode()
    head, address = MASKING[who]
    assert head in html
    plain_room = f"{a4.dwelling.room}室"
    logged = AccessLog.objects.filter(username=who, target="household").count() - before
    if address == "plain":
        assert plain_room in html
        assert logged == 1
        entry = AccessLog.objects.filter(username=who, target="household").first()
        assert (entry.action, entry.count, entry.object_id) == ("unmask", 2, grid)
    else:
        assert "丁四明" not in html and "***室" in html
        assert logged == 0


def test_the_gridworker_sees_its_own_grid_masked(client_for, world):
    d = api(client_for, "gridworker", f"/coverage?node={OWN}").json()
    assert (d["households"], d["visited"], d["left"]) == (2, 1, 1)
    assert [(h["number"], h["head"]) for h in d["left_households"]] == [("HT-A7", "庚*")]
    assert d["unmasked"] is False


# ---------------------------------------------------------------- bad input


def test_unknown_grid_and_future_year(client_for, world):
    r = api(client_for, "gridleader", f"/coverage?node={COMMUNITY}W999")
    assert (r.status_code, r.json()["code"]) == (404, "unknown_node")
    page = client_for("gridleader").get(f"/basedata/coverage/?node={COMMUNITY}W999")
    assert page.status_code == 404 and "没有这个网格或辖区" in page.content.decode()
    r = api(client_for, "gridleader", f"/coverage?year={YEAR + 1}")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_year")
    page = client_for("gridleader").get(f"/basedata/coverage/?year={YEAR + 1}")
    assert page.status_code == 400 and "年度应在" in page.content.decode()
    assert api(client_for, "gridleader", "/coverage?node=110101002001").status_code == 404  # another street


def test_a_week_in_the_future_and_a_bad_week(client_for, world):
    future = timezone.localdate() + dt.timedelta(days=14)
    r = api(client_for, "gridleader", f"/ranking?date={future.isoformat()}")
    assert (r.status_code, r.json()["code"]) == (400, "future_week")
    iso = future.isocalendar()
    page = client_for("gridleader").get(f"/basedata/ranking/?week={iso[0]}-W{iso[1]:02d}")
    assert page.status_code == 400 and "不能查看未来一周的排名" in page.content.decode()
    page = client_for("gridleader").get("/basedata/ranking/?week=2026-W77")
    assert page.status_code == 400 and "周的格式应为" in page.content.decode()
    assert api(client_for, "gridleader", f"/ranking?node={COMMUNITY}W999").status_code == 404


# ---------------------------------------------------------------- the Excel export


def test_coverage_export_rows(client_for, world):
    grid = world["grid"]
    r = client_for("gridleader").get(f"/basedata/coverage/export.xlsx?node={COMMUNITY}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    rows = [list(x) for x in wb["覆盖率"].iter_rows(values_only=True)]
    assert rows[0] == ["范围", "名称", "户数", "网格长已走访", "未走访", "覆盖率(%)", "其他人员已走访"]
    assert [r_[0] for r_ in rows[1:]] == [COMMUNITY, OWN, grid]
    assert [r_[2:] for r_ in rows[1:]] == [[7, 4, 3, 57.1, 1], [2, 1, 1, 50, 0], [5, 3, 2, 60, 1]]
    left = [list(x) for x in wb["未走访户"].iter_rows(values_only=True)]
    assert left[0] == ["网格", "户编号", "地址", "户主", "在住人数", "其他人员本年走访"]
    assert sorted((x[1], x[3], x[4], x[5]) for x in left[1:]) == [
        ("HT-A4", "丁四明", 1, None), ("HT-A5", "戊五", 1, f"{YEAR}-01-06"), ("HT-A7", "庚七", 1, None)]
    entry = AccessLog.objects.filter(username="gridleader", target="household").first()
    assert (entry.action, entry.count) == ("export", 3)


# ---------------------------------------------------------------- 一户一档: the household's cases


def test_the_household_file_lists_exactly_the_cases_of_the_rule(client_for, world, users):
    from gridgov.addresses.logic import box
    from gridgov.cases.models import Case
    from gridgov.cases.services import intake

    a1 = world["hh"]["A1"]
    b = a1.dwelling.building
    x0, y0, x1, y1 = box(b.lon, b.lat, 400)
    Case.objects.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1).update(lon=b.lon + 0.05)  # none near

    def report(dx_m, phone="", who="intake", source="hotline"):
        lon = b.lon + dx_m / (111_320 * 0.7604)  # metres east at Beijing's latitude (cos 40.5°)
        return intake(users[who], source=source, lon=lon, lat=b.lat, description="楼道堆放杂物", matter="06010",
                      reporter_phone=phone, find_duplicates=False).case.number

    near = report(12)  # 本楼栋
    far = report(60)  # 60 m away, nobody of the household: not listed
    by_member = report(80, phone="17100000000")  # A1's head's phone (see the world)
    by_other = report(90, phone="13900009999")
    on_visit = report(100)
    Visit.objects.create(worker=users["gridleader"], household=a1, visited_at=at(YEAR, 1, 8), case_number=on_visit,
                         scope_key=a1.scope_key)
    d = api(client_for, "admin", f"/households/{a1.pk}").json()  # the administrator reads every case
    got = {c["number"]: c["reasons"] for c in d["cases"]}
    assert got == {near: ["本楼栋"], by_member: ["成员上报"], on_visit: ["走访关联"]}
    assert far not in got and by_other not in got
    html = client_for("admin").get(f"/basedata/households/{a1.pk}/").content.decode()
    for number in (near, by_member, on_visit):
        assert number in html
    assert far not in html
    assert "17100000000" not in html  # the member's phone, masked on the page
    assert client_for("handler").get(f"/basedata/households/{a1.pk}/").status_code == 403
    assert client_for("gridworker").get(f"/basedata/households/{a1.pk}/").status_code == 404  # another grid


# ---------------------------------------------------------------- 民情日记, 民情台账, 周排名


PAGES_STATUS = {"admin": 200, "leader": 200, "supervisor": 200, "gridleader": 200, "gridworker": 200,
                "intake": 403, "shift": 403, "dispatcher": 403, "inspector": 403, "handler": 403, "resident": 403,
                "clerk": 403}


@pytest.mark.parametrize("path", ["/basedata/diary/", "/basedata/ledger/", "/basedata/ranking/",
                                  "/basedata/coverage/"])
def test_pages_per_post(client_for, path):
    for who, status in PAGES_STATUS.items():
        assert client_for(who).get(path).status_code == status, who
    assert client_for(None).get(path).status_code == 302


def test_write_a_diary_entry_and_filter(client_for, world, users):
    c = client_for("gridworker")
    r = c.post("/basedata/diary/", {"content": "3 号楼居民反映路灯不亮", "date": f"{YEAR}-01-09"}, follow=True)
    assert "已记录" in r.content.decode()
    e = DiaryEntry.objects.get(content="3 号楼居民反映路灯不亮")
    assert (e.worker.username, e.date, e.scope_key) == ("gridworker", dt.date(YEAR, 1, 9), OWN)
    before = DiaryEntry.objects.count()
    r = c.post("/basedata/diary/", {"content": "   "}, follow=True)
    assert "日记内容不能为空" in r.content.decode()
    assert DiaryEntry.objects.count() == before
    DiaryEntry.objects.create(worker=users["gridleader"], date=dt.date(YEAR, 1, 2), content="网格长的日记",
                              scope_key=COMMUNITY)
    leader = client_for("gridleader")
    html = leader.get(f"/basedata/diary/?worker=gridworker&since={YEAR}-01-01").content.decode()
    assert "3 号楼居民反映路灯不亮" in html and "网格长的日记" not in html
    html = leader.get(f"/basedata/diary/?until={YEAR}-01-05").content.decode()
    assert "网格长的日记" in html and "3 号楼居民反映路灯不亮" not in html
    assert client_for("supervisor").post("/basedata/diary/", {"content": "x"}).status_code == 403


def test_ledger_of_a_grid_and_month_and_its_export(client_for, world, users):
    grid, a2 = world["grid"], world["hh"]["A2"]
    month = dt.date(YEAR - 1, 6, 1)
    Visit.objects.create(worker=users["gridleader"], household=a2, visited_at=at(YEAR - 1, 6, 3),
                         issues="反映楼顶漏水", follow_up="已联系物业", case_number="C-TEST-1", scope_key=a2.scope_key)
    Visit.objects.create(worker=users["gridleader"], household=a2, visited_at=at(YEAR - 1, 6, 20),
                         issues="无特殊诉求", scope_key=a2.scope_key)
    DiaryEntry.objects.create(worker=users["gridleader"], date=dt.date(YEAR - 1, 6, 10), content="走访 5 户",
                              scope_key=grid)
    DiaryEntry.objects.create(worker=users["gridleader"], date=dt.date(YEAR - 1, 7, 1), content="七月的日记",
                              scope_key=grid)
    html = client_for("gridleader").get(f"/basedata/ledger/?node={grid}&month={month:%Y-%m}").content.decode()
    assert "反映楼顶漏水" in html and "走访 5 户" in html and "七月的日记" not in html
    r = client_for("gridleader").get(f"/basedata/ledger/export.xlsx?node={grid}&month={month:%Y-%m}")
    rows = [list(x) for x in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)]
    leader = str(users["gridleader"])
    assert rows == [
        ["类别", "日期", "网格", "人员", "户", "反映问题 / 日记内容", "跟进情况", "关联案件"],
        ["走访", f"{YEAR - 1}-06-03", grid, leader, "HT-A2", "反映楼顶漏水", "已联系物业", "C-TEST-1"],
        ["民情日记", f"{YEAR - 1}-06-10", grid, leader, None, "走访 5 户", None, None],
        ["走访", f"{YEAR - 1}-06-20", grid, leader, "HT-A2", "无特殊诉求", None, None],
    ]
    bad = client_for("gridleader").get(f"/basedata/ledger/?month={YEAR + 1}-01")
    assert bad.status_code == 400 and "月份不能晚于本月" in bad.content.decode()
    assert client_for("gridleader").get(f"/basedata/ledger/?node={COMMUNITY}W999").status_code == 404
    assert client_for("gridworker").get(f"/basedata/ledger/?node={grid}").status_code == 404  # not its grid


def test_ranking_page_with_the_week_chooser(client_for, world, users):
    monday = dt.date(YEAR - 1, 3, 3) - dt.timedelta(days=dt.date(YEAR - 1, 3, 3).weekday())
    worker = users["gridworker"]
    for d in (0, 2):
        DiaryEntry.objects.create(worker=worker, date=monday + dt.timedelta(days=d), content="周记", scope_key=OWN)
    Visit.objects.create(worker=worker, household=world["hh"]["A6"], scope_key=world["hh"]["A6"].scope_key,
                         visited_at=timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=4), dt.time(10))))
    iso = monday.isocalendar()
    r = client_for("gridleader").get(f"/basedata/ranking/?week={iso[0]}-W{iso[1]:02d}")
    assert r.status_code == 200
    html = r.content.decode()
    assert f"{monday:%Y-%m-%d} 至 {monday + dt.timedelta(days=6):%Y-%m-%d}" in html
    first = html.split('<tbody>')[1].split("</tr>")[0]
    assert f"<td>1</td><td>{worker}</td><td>{OWN}</td><td>0</td><td>1</td><td>2</td><td>3</td>" in first
