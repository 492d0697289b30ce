"""党建引领 over the pages (Django's client): a 帮扶对子 visit recorded on the pair's page — the pair's page lists it and
the 超期未走访 flag clears; a visit in the future comes back with its Chinese message and writes nothing; 党员报到
confirmed from the list; who reaches the pages (403 page for posts without party.view, no 党建引领 in their menu), and
names masked for the leader.

The world (2026-11-20, the demo's party data cleared): in 多福巷社区 W001 a 网格党小组, 王建国 (在职党员) paired since
2026-06-01 with a household last visited on 2026-08-01 — 111 days ago, beyond the default 90."""

import datetime as dt
import re
import zoneinfo
from types import SimpleNamespace

import pytest

from gridgov.basedata.models import Household, Resident
from gridgov.party import demo as party_demo
from gridgov.party import services
from gridgov.party.models import PairVisit, Registration

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
OWN_GRID = "110101001001W001"


@pytest.fixture
def world(users, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, tzinfo=SH), tick=False)
    party_demo.clear()
    admin = users["admin"]
    org = services.create_org(admin, "多福巷社区第一网格党小组", "group", [OWN_GRID])
    household = Household.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("id").first()
    person = (Resident.objects.filter(scope_key__startswith=OWN_GRID + ".", status="active")
              .exclude(household=household).order_by("id").first())
    Resident.objects.filter(pk=person.pk).update(name="王建国")
    member = services.add_member(admin, person.pk, org.pk, in_service=True, employer="区财政局")
    pair = services.create_pair(admin, member.pk, household.pk, "独居老人，行动不便", "2026-06-01")
    services.add_pair_visit(admin, pair.pk, "2026-08-01", "上门陪老人就医取药", "药已取回")
    return SimpleNamespace(org=org, member=member, pair=pair, household=household)


def status_cell(html: str, number: str) -> str:
    """The 状态 cell of the pairs list's row of household ``number``."""
    row = re.search(rf"<tr><td><a [^>]*>{re.escape(number)}</a>.*?</tr>", html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[-1]).strip()


def test_a_pair_visit_recorded_over_the_pages_is_listed_and_clears_the_overdue_flag(world, client_for):
    c = client_for("gridleader")
    number = world.household.number
    assert status_cell(c.get("/party/pairs/").content.decode(), number) == "超期未走访（111 天）"
    assert "超期未走访的帮扶对子 1 个" in c.get("/party/").content.decode()

    r = c.post(f"/party/pairs/{world.pair.pk}/", {"visited_on": "2026-11-19", "content": "帮助申请临时救助",
                                                  "result": "已提交申请，社区受理"})
    assert (r.status_code, r["Location"]) == (302, f"/party/pairs/{world.pair.pk}/")
    page = c.get(r["Location"]).content.decode()
    assert "已登记帮扶走访" in page
    visits = re.search(r'<table class="gv-table" id="visits">.*?</table>', page, re.S).group(0)
    assert [re.sub(r"<[^>]+>", "", cells).split("|") for cells in
            (re.sub(r"</td><td>", "|", row) for row in re.findall(r"<tr><td>(.*?)</td></tr>", visits, re.S))] == [
        ["2026-11-19", "帮助申请临时救助", "已提交申请，社区受理"], ["2026-08-01", "上门陪老人就医取药", "药已取回"]]
    assert "正常（距上次走访 1 天）" in page
    assert status_cell(c.get("/party/pairs/").content.decode(), number) == "正常"
    assert "超期未走访的帮扶对子 0 个" in c.get("/party/").content.decode()


def test_a_visit_in_the_future_comes_back_with_its_message_and_writes_nothing(world, client_for):
    c = client_for("gridleader")
    FORMS = [  # (form, message)
        ({"visited_on": "2026-11-21", "content": "上门看望"}, "走访日期不能晚于今天（2026-11-20）"),
        ({"visited_on": "2026-05-01", "content": "上门看望"}, "走访日期不能早于结对日期（2026-06-01）"),
        ({"visited_on": "2026-11-20", "content": "  "}, "请填写帮扶内容"),
        ({"visited_on": "昨天", "content": "上门看望"}, "走访日期应为日期（如 2026-11-02），收到「昨天」"),
    ]
    for form, message in FORMS:
        r = c.post(f"/party/pairs/{world.pair.pk}/", form)
        assert r.status_code == 400, form
        assert f'<p class="error" role="alert">{message}</p>' in r.content.decode(), form
    assert PairVisit.objects.filter(pair=world.pair).count() == 1
    # the grid worker may not even see the page, nor record
    assert client_for("gridworker").post(f"/party/pairs/{world.pair.pk}/", FORMS[0][0]).status_code == 403
    # the leader sees the page (party.view) but has no form and may not record
    leader = client_for("leader")
    assert 'data-form="pair_visit"' not in leader.get(f"/party/pairs/{world.pair.pk}/").content.decode()
    assert leader.post(f"/party/pairs/{world.pair.pk}/", {"visited_on": "2026-11-20", "content": "x"}).status_code \
        == 403
    assert PairVisit.objects.filter(pair=world.pair).count() == 1


def test_registration_is_confirmed_from_the_list(world, client_for):
    c = client_for("gridleader")
    r = c.post(f"/party/members/{world.member.pk}/register/", {"employer": "区财政局", "registered_on": "2026-11-18"})
    assert r.status_code == 302
    reg = Registration.objects.get(member=world.member)
    assert reg.status == "pending"
    assert "确认报到" in c.get("/party/registrations/?status=pending").content.decode()
    r = c.post(f"/party/registrations/{reg.pk}/decide/", {"decision": "confirm"})
    assert (r.status_code, r["Location"]) == (302, "/party/registrations/")
    reg.refresh_from_db()
    assert (reg.status, reg.decided_by.username) == ("confirmed", "gridleader")
    assert "已确认报到" in c.get(r["Location"]).content.decode()
    # twice: refused with the reason, nothing changes
    again = c.post(f"/party/registrations/{reg.pk}/decide/", {"decision": "confirm"}, follow=True)
    assert "该报到的状态为「已确认」，不能再次确认" in again.content.decode()
    # the member's page shows it
    assert "多福巷社区居委会，2026-11-18，已确认" in c.get(f"/party/members/{world.member.pk}/").content.decode()


PAGES = {  # post: status of /party/, is 党建引领 in the menu
    "admin": (200, True), "leader": (200, True), "supervisor": (200, True), "gridleader": (200, True),
    "gridworker": (403, False), "inspector": (403, False), "intake": (403, False), "shift": (403, False),
    "dispatcher": (403, False), "handler": (403, False), "clerk": (403, False),
}


def test_who_reaches_the_pages(world, client_for):
    got = {}
    for post in PAGES:
        c = client_for(post)
        r = c.get("/party/")
        menu = c.get("/accounts/tokens/").content.decode()  # 我的账户: every post's page, with the menu
        got[post] = (r.status_code, 'href="/party/"' in menu)
    assert got == PAGES
    assert client_for(None).get("/party/").status_code == 302  # to the sign-in page


def test_names_are_masked_for_the_leader_and_in_full_for_the_grid_leader(world, client_for):
    assert "王建国" in client_for("gridleader").get(f"/party/members/{world.member.pk}/").content.decode()
    page = client_for("leader").get(f"/party/members/{world.member.pk}/").content.decode()
    assert "王**" in page and "王建国" not in page
    members = client_for("supervisor").get("/party/members/?year=2026").content.decode()
    assert "王**" in members and "王建国" not in members


def test_pledge_and_home_visit_on_the_member_page_counted_for_the_year(world, client_for):
    c = client_for("gridleader")
    url = f"/party/members/{world.member.pk}"
    assert c.post(f"{url}/pledge/", {"year": "2026", "content": "每月参加一次社区志愿服务"}).status_code == 302
    assert c.post(f"{url}/visit/", {"household": world.household.number, "visited_on": "2026-11-19",
                                    "content": "宣传养老政策"}).status_code == 302
    elsewhere = Household.objects.filter(scope_key__startswith="110101002001").order_by("id").first()
    REFUSED = [  # (form, fields, message)
        ("visit", {"household": elsewhere.number, "visited_on": "2026-11-19", "content": "x"},
         "户不存在或不在您的管辖范围内"),
        ("visit", {"household": world.household.number, "visited_on": "2026-11-21", "content": "x"},
         "入户日期不能晚于今天（2026-11-20）"),
        ("pledge", {"year": "2024", "content": "x"}, "承诺年度应为 2025～2027 年"),
    ]
    for form, fields, message in REFUSED:
        r = c.post(f"{url}/{form}/", fields)
        assert r.status_code == 400 and f'data-form="{form}">{message}</p>' in r.content.decode(), form
    page = c.get(f"{url}/").content.decode()
    years = re.search(r'<table class="gv-table" id="years">.*?</table>', page, re.S).group(0)
    assert re.findall(r"<tr><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", years) == [("2026", "1", "1")]


def test_a_member_is_recorded_on_the_organisation_page_by_id_number(world, client_for):
    from gridgov.basedata.services import ID_FIELD
    from gridgov.crypto import cipher
    from gridgov.party.models import Member

    person = (Resident.objects.filter(scope_key__startswith=OWN_GRID + ".", status="active")
              .exclude(pk=world.member.resident_id).order_by("id").first())
    id_number = cipher().decrypt(person.id_cipher, ID_FIELD)
    elsewhere = Resident.objects.filter(scope_key__startswith="110101002001", status="active").order_by("id").first()
    c = client_for("gridleader")
    url = f"/party/orgs/{world.org.pk}/members/"
    REFUSED = [  # (form, message)
        ({"id_number": "11010119900101123"}, "身份证号应为 18 位"),
        ({"id_number": cipher().decrypt(elsewhere.id_cipher, ID_FIELD)}, "人员不存在或不在您的管辖范围内"),
        ({"id_number": id_number, "in_service": "1"}, "在职党员请填写工作单位"),
    ]
    for form, message in REFUSED:
        r = c.post(url, form)
        assert r.status_code == 400 and message in r.content.decode(), form
        assert id_number not in r.content.decode()  # the number is never sent back
    assert Member.objects.filter(org=world.org).count() == 1
    r = c.post(url, {"id_number": id_number, "status": "probationary", "in_service": "1", "employer": "区教育委员会"})
    assert (r.status_code, r["Location"]) == (302, f"/party/orgs/{world.org.pk}/")
    m = Member.objects.get(resident=person)
    assert (m.org_id, m.status, m.in_service, m.employer) == (world.org.pk, "probationary", True, "区教育委员会")
    again = c.post(url, {"id_number": id_number})
    assert again.status_code == 400 and "该人员已登记为党员" in again.content.decode()
    assert client_for("leader").post(url, {"id_number": id_number}).status_code == 403
