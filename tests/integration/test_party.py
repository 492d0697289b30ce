"""党建引领 over the API: who sees the restricted 党员 attribute (a table per post, typed by hand), that every read is
written to the access log (and a refused one is not), 党员报到 and its confirmation, 承诺 and 入户 counted per member
per year, and the bad input the issue names (a visit in the future, a pair with a household out of scope).

The world: the demo's own party data is cleared; in the grid worker's grid (多福巷社区 W001) the administrator sets a
网格党小组 with two members — 王建国 (在职党员, 区财政局) and a retired member — on 2026-11-20."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import AccessLog, Household, Resident
from gridgov.party import demo as party_demo
from gridgov.party import services
from gridgov.party.models import Pair, PairVisit, Registration

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
OWN_GRID, ELSEWHERE = "110101001001W001", "110101002001"  # the grid worker's grid; a community of the next street
API = "/api/v1/party"
POSTS = ["anonymous", "admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader",
         "gridworker", "handler", "resident", "clerk"]


@pytest.fixture
def world(users, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, tzinfo=SH), tick=False)
    party_demo.clear()
    admin = users["admin"]
    org = services.create_org(admin, "多福巷社区第一网格党小组", "group", [OWN_GRID])
    households = list(Household.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("id")[:3])
    people = list(Resident.objects.filter(scope_key__startswith=OWN_GRID + ".", status="active")
                  .exclude(household=households[2]).order_by("id")[:3])
    Resident.objects.filter(pk=people[0].pk).update(name="王建国")
    active = services.add_member(admin, people[0].pk, org.pk, in_service=True, employer="区财政局")
    retired = services.add_member(admin, people[1].pk, org.pk)
    elsewhere = Household.objects.filter(scope_key__startswith=ELSEWHERE).order_by("id").first()
    return SimpleNamespace(org=org, active=active, retired=retired, resident=people[0], other=people[2],
                           households=households, elsewhere=elsewhere)


def new_logs(since: int) -> list[tuple]:
    return list(AccessLog.objects.filter(pk__gt=since).order_by("id")
                .values_list("username", "action", "target", "object_id", "fields", "count"))


def last_log() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


# who sees that 王建国 is a party member, and how his name is shown (masked: 王**) — typed from the README's table
ATTRIBUTE = {  # post: (status of GET /residents/{pk}, status of GET /members/{id}, name shown)
    "anonymous": (401, 401, None), "admin": (200, 200, "王建国"), "leader": (200, 200, "王**"),
    "intake": (403, 403, None), "shift": (403, 403, None), "dispatcher": (403, 403, None),
    "supervisor": (200, 200, "王**"), "inspector": (403, 403, None), "gridleader": (200, 200, "王建国"),
    "gridworker": (403, 403, None), "handler": (403, 403, None), "resident": (403, 403, None),
    "clerk": (403, 403, None),
}


def test_who_sees_the_party_attribute_and_how_the_name_is_shown(world, client_for):
    got = {}
    for post in POSTS:
        c = client_for(None if post == "anonymous" else post)
        a = c.get(f"{API}/residents/{world.resident.pk}")
        m = c.get(f"{API}/members/{world.active.pk}")
        got[post] = (a.status_code, m.status_code, m.json()["person"]["name"] if m.status_code == 200 else None)
        if a.status_code == 200:
            assert a.json()["member"] is True and a.json()["org"] == "多福巷社区第一网格党小组"
            assert m.json()["person"]["phone"] == world.resident.phone_masked  # always masked
            assert "*" in m.json()["person"]["id_number"]
        elif a.status_code == 403:  # refused the same way for a member and a non-member: nothing is hinted at
            b = c.get(f"{API}/residents/{world.other.pk}")
            assert (b.status_code, b.json()) == (403, a.json())
    assert got == ATTRIBUTE


def test_a_non_member_is_answered_as_such_only_to_those_with_the_right(world, client_for):
    r = client_for("gridleader").get(f"{API}/residents/{world.other.pk}")
    assert r.status_code == 200 and r.json() == {"resident_id": world.other.pk, "member": False, "member_id": None,
                                                 "org": "", "status_label": ""}
    # out of the grid leader's community: 404, as for any resident elsewhere
    out = Resident.objects.filter(scope_key__startswith=ELSEWHERE).order_by("id").first()
    assert client_for("gridleader").get(f"{API}/residents/{out.pk}").status_code == 404


def test_basedata_never_shows_party_membership(world, client_for):
    """The grid worker reads the resident's file in the basic data: nothing there says 党员."""
    r = client_for("gridworker").get(f"/api/v1/basedata/residents/{world.resident.pk}")
    assert r.status_code == 200
    body = r.content.decode()
    assert "党员" not in body and "party" not in body


def test_every_read_of_membership_is_in_the_access_log_and_a_refusal_writes_none(world, client_for):
    start = last_log()
    leader = client_for("gridleader")
    assert leader.get(f"{API}/members/{world.active.pk}").status_code == 200
    assert leader.get(f"{API}/residents/{world.other.pk}").status_code == 200
    assert leader.get(f"{API}/members?year=2026").json()["count"] == 2
    assert leader.get(f"{API}/orgs/{world.org.pk}").json()["members"] == 2
    assert leader.get(f"{API}/orgs").json()["count"] == 1
    assert new_logs(start) == [
        ("gridleader", "unmask", "party_member", str(world.active.pk), "party", 1),
        ("gridleader", "unmask", "resident", str(world.other.pk), "party", 1),
        ("gridleader", "search", "party_member", "", "party", 2),
        ("gridleader", "search", "party_org", str(world.org.pk), "party", 2),
        ("gridleader", "search", "party_org", "", "party", 1),
    ]
    start = last_log()
    worker = client_for("gridworker")
    assert worker.get(f"{API}/members/{world.active.pk}").status_code == 403
    assert worker.get(f"{API}/residents/{world.resident.pk}").status_code == 403
    assert new_logs(start) == []
    # the log names no one: no name in the reason or anywhere in the row
    assert not AccessLog.objects.filter(reason__contains="王建国").exists()


def test_the_leader_of_an_organisation_is_one_of_its_members(world, client_for, users):
    other_org = services.create_org(users["admin"], "多福巷社区第二网格党小组", "group", ["110101001001W002"])
    c = client_for("gridleader")
    r = c.post(f"{API}/orgs/{other_org.pk}/leader", {"member_id": world.active.pk}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "not_a_member_of_org")
    r = c.post(f"{API}/orgs/{world.org.pk}/leader", {"member_id": world.active.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json()["leader"]["name"] == "王建国"
    assert client_for("supervisor").get(f"{API}/orgs/{world.org.pk}").json()["leader"]["name"] == "王**"


# 党员报到: (state, action) → result
REGISTRATION_TABLE = [
    # (who, the member, action, status, code, registration status afterwards)
    ("gridleader", "retired", "register", 400, "not_in_service", None),
    ("gridleader", "active", "register", 201, None, "pending"),
    ("gridleader", "active", "register", 409, "already_registered", "pending"),
    ("gridworker", "active", "confirm", 403, "forbidden", "pending"),
    ("leader", "active", "confirm", 403, "forbidden", "pending"),
    ("gridleader", "active", "confirm", 200, None, "confirmed"),
    ("gridleader", "active", "confirm", 409, "registration_decided", "confirmed"),
    ("gridleader", "active", "register", 409, "already_registered", "confirmed"),
]


def test_registration_with_the_community_and_its_confirmation(world, client_for):
    for who, member, action, status, code, after in REGISTRATION_TABLE:
        m = getattr(world, member)
        c = client_for(who)
        if action == "register":
            r = c.post(f"{API}/registrations", {"member_id": m.pk, "registered_on": "2026-11-18"},
                       content_type="application/json")
        else:
            reg = Registration.objects.get(member=m)
            r = c.post(f"{API}/registrations/{reg.pk}/confirm", {"confirm": True}, content_type="application/json")
        assert (r.status_code, r.json().get("code")) == (status, code), (who, member, action)
        assert list(Registration.objects.filter(member=m).values_list("status", flat=True)) == \
            ([after] if after else []), (who, member, action)
    reg = Registration.objects.get(member=world.active)
    assert (reg.community.code, reg.employer, reg.registered_on, reg.decided_by.username) == \
        ("110101001001", "区财政局", dt.date(2026, 11, 18), "gridleader")


def test_pledges_and_home_visits_are_counted_per_member_per_year(world, client_for):
    c = client_for("gridleader")
    h = world.households[0].pk
    for year, content in [(2026, "每月参加一次志愿服务"), (2026, "结对帮扶一户困难家庭"), (2025, "参与楼院环境整治")]:
        assert c.post(f"{API}/members/{world.active.pk}/pledges", {"year": year, "content": content},
                      content_type="application/json").status_code == 201
    for on in ["2026-03-01", "2026-10-10", "2025-12-31"]:
        assert c.post(f"{API}/members/{world.active.pk}/visits", {"household_id": h, "visited_on": on,
                                                                 "content": "宣传养老政策"},
                      content_type="application/json").status_code == 201
    body = c.get(f"{API}/members/{world.active.pk}").json()
    assert body["years"] == [{"year": 2026, "pledges": 2, "visits": 2}, {"year": 2025, "pledges": 1, "visits": 1}]
    rows = {m["id"]: (m["pledges"], m["visits"]) for m in c.get(f"{API}/members?year=2026").json()["items"]}
    assert rows == {world.active.pk: (2, 2), world.retired.pk: (0, 0)}
    rows = {m["id"]: (m["pledges"], m["visits"]) for m in c.get(f"{API}/members?year=2025").json()["items"]}
    assert rows == {world.active.pk: (1, 1), world.retired.pk: (0, 0)}
    # a pledge is for last year, this year or next year (2025–2027 on 2026-11-20); a visit not in the future
    bad = c.post(f"{API}/members/{world.active.pk}/pledges", {"year": 2024, "content": "x"},
                 content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_year")
    bad = c.post(f"{API}/members/{world.active.pk}/visits", {"household_id": h, "visited_on": "2026-11-21",
                                                            "content": "x"}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "future_date")
    assert c.get(f"{API}/members/{world.active.pk}").json()["years"][0] == {"year": 2026, "pledges": 2, "visits": 2}


def test_bad_input_of_pairs_is_refused_and_writes_nothing(world, client_for):
    c = client_for("gridleader")
    audit_before, pairs_before = AuditRecord.objects.count(), Pair.objects.count()
    # a household out of the grid leader's scope (the next street): 404, nothing written
    r = c.post(f"{API}/pairs", {"helper_id": world.active.pk, "household_id": world.elsewhere.pk, "need": "独居老人"},
               content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (404, "household_not_found")
    # the helper's own household
    own = c.post(f"{API}/pairs", {"helper_id": world.active.pk, "household_id": world.resident.household_id,
                                  "need": "独居老人"}, content_type="application/json")
    assert (own.status_code, own.json()["code"]) == (400, "own_household")
    assert (AuditRecord.objects.count(), Pair.objects.count()) == (audit_before, pairs_before)

    ok = c.post(f"{API}/pairs", {"helper_id": world.active.pk, "household_id": world.households[2].pk,
                                 "need": "独居老人，行动不便", "started_on": "2026-06-01"}, content_type="application/json")
    assert ok.status_code == 201
    pair = ok.json()["id"]
    again = c.post(f"{API}/pairs", {"helper_id": world.active.pk, "household_id": world.households[2].pk,
                                    "need": "再结一次"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "pair_exists")
    VISITS = [  # (visited_on, status, code)
        ("2026-11-21", 400, "future_date"),  # tomorrow
        ("2026-05-31", 400, "before_pairing"),  # the day before the pair was formed
        ("2026-13-01", 422, None),  # not a date
    ]
    for on, status, code in VISITS:
        r = c.post(f"{API}/pairs/{pair}/visits", {"visited_on": on, "content": "上门看望"},
                   content_type="application/json")
        assert (r.status_code, r.json().get("code") if code else None) == (status, code), on
    assert PairVisit.objects.filter(pair_id=pair).count() == 0
    # a department's handler or the grid worker may not record
    assert client_for("gridworker").post(f"{API}/pairs/{pair}/visits", {"content": "x"},
                                         content_type="application/json").status_code == 403


def test_pairs_are_flagged_after_the_configured_days_without_a_visit(world, client_for, settings):
    """Pair formed 2026-06-01; last visit 2026-08-20 = 92 days before 2026-11-20."""
    pair = services.create_pair(_admin(), world.active.pk, world.households[2].pk, "低保家庭", "2026-06-01")
    services.add_pair_visit(_admin(), pair.pk, "2026-08-20", "帮助申请临时救助", "已受理")
    c = client_for("gridleader")
    FLAGS = [  # (?days, overdue, days since)
        ("", True, 92),  # the configured default: 90
        ("92", False, 92),
        ("91", True, 92),
        ("120", False, 92),
    ]
    for days, overdue, since in FLAGS:
        item = c.get(f"{API}/pairs?days={days}" if days else f"{API}/pairs").json()["items"][0]
        assert (item["overdue"], item["days_since"], item["last_visit"]) == (overdue, since, "2026-08-20"), days
    settings.GRIDGOV = {**settings.GRIDGOV, "PARTY_PAIR_VISIT_DAYS": 100}
    assert c.get(f"{API}/pairs").json()["items"][0]["overdue"] is False
    assert c.get(f"{API}/pairs?days=0").status_code == 422


def _admin():
    from gridgov.accounts.models import User

    return User.objects.get(username="admin")


def test_the_demo_gives_the_grid_leader_one_overdue_pair_and_a_registration_to_confirm(client_for):
    """The demo (built once for the session, dates relative to today): in 多福巷社区 one 帮扶对子 last visited 120
    days ago, and the last 在职党员 of the community still waiting for confirmation."""
    c = client_for("gridleader")
    overdue = c.get(f"{API}/pairs?overdue=true").json()
    assert overdue["count"] == 1 and overdue["items"][0]["overdue"] is True
    assert overdue["items"][0]["days_since"] > 90  # 120 on the day the demo was built
    assert c.get(f"{API}/registrations?status=pending").json()["count"] == 1
    assert c.get(f"{API}/orgs").json()["count"] >= 1
    assert client_for("admin").get(f"{API}/pairs?overdue=true").json()["count"] == 1  # the only one in the district
    page = c.get("/party/").content.decode()
    assert "超期未走访的帮扶对子 1 个" in page and "待确认报到 1 条" in page
