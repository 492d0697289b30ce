"""便民服务 (issue #17 item 3): a volunteer activity recorded over the pages with hours summed by hand, the
15-minute walk search with hand-placed points, an elderly service request becoming a case with its item's
deadline, bad input, personal data, the public pledges page and the pages per post.

Expected values are typed by hand from the brief and the seeds (001 篇4), never computed by the code under test.
"""

import datetime as dt
import re

import pytest
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import AccessLog
from gridgov.cases.models import Case
from gridgov.cases.services.transitions import transition
from gridgov.services import services
from gridgov.services.models import Activity, Facility, Participation, ServiceRequest, TeamMember, Volunteer

pytestmark = pytest.mark.django_db

COMMUNITY, GRID = "110101001001", "110101001001W001"
API = "/api/v1/services"


def client(users, name):
    c = Client()
    c.force_login(users[name])
    return c


def hours_table(html: str, table: str) -> dict[int, tuple[int, str]]:
    """{volunteer id: (rank, hours)} of the hours table ``table`` of a team page."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return {int(v): (int(rank), hours) for v, rank, hours in re.findall(
        r'<tr data-volunteer="(\d+)"><td>(\d+)</td><td>[^<]*</td><td class="hours">([\d.]+)</td>', body)}


# ---------------------------------------------------------------- volunteers over the pages


def test_a_volunteer_activity_recorded_over_the_pages_sums_the_hours(users):
    worker = client(users, "gridworker")
    r = worker.post("/services/", {"kind": "fire", "name": "测试消防志愿者队"})
    assert r.status_code == 302
    team = services.team_of(users["gridworker"], services.volunteer_teams(users["gridworker"]).get(
        name="测试消防志愿者队").pk)
    assert team.scope_key == COMMUNITY
    for name, phone in [("王一", "13800000001"), ("李二", "13800000002"), ("张三", "13800000003")]:
        r = worker.post(f"/services/teams/{team.pk}/", {"form": "volunteer", "name": name, "phone": phone})
        assert r.status_code == 302
    wang, li, zhang = team.volunteers.order_by("id")
    records = AuditRecord.objects.filter(object_type="volunteer_activity").count()
    # two activities in November 2026, one in December 2025
    for day, place, content, parts in [
        ("2026-11-03", "多福巷小区", "楼道杂物排查", {wang: "2", li: "2"}),
        ("2026-11-20", "社区广场", "灭火器使用演示", {wang: "1.5"}),
        ("2025-12-05", "平房区", "冬季用电安全宣传", {zhang: "4"}),
    ]:
        form = {"form": "activity", "held_on": day, "place": place, "content": content,
                "volunteer": [str(v.pk) for v in parts]} | {f"hours_{v.pk}": h for v, h in parts.items()}
        assert worker.post(f"/services/teams/{team.pk}/", form).status_code == 302
    assert AuditRecord.objects.filter(object_type="volunteer_activity").count() == records + 3
    month = worker.get(f"/services/teams/{team.pk}/?year=2026&month=11").content.decode()
    # 王一 2 + 1.5 = 3.5, 李二 2, 张三 nothing in 2026
    assert hours_table(month, "hours-month") == {wang.pk: (1, "3.5"), li.pk: (2, "2.0"), zhang.pk: (3, "0.0")}
    assert hours_table(month, "hours-year") == {wang.pk: (1, "3.5"), li.pk: (2, "2.0"), zhang.pk: (3, "0.0")}
    assert "灭火器使用演示" in month and "楼道杂物排查" in month
    last_year = worker.get(f"/services/teams/{team.pk}/?year=2025&month=12").content.decode()
    assert hours_table(last_year, "hours-month") == {zhang.pk: (1, "4.0"), wang.pk: (2, "0.0"), li.pk: (2, "0.0")}
    api = worker.get(f"{API}/volunteer-teams/{team.pk}/hours?year=2026").json()
    assert [(h["volunteer_id"], h["hours"], h["activities"]) for h in api["rows"]] == [(wang.pk, 3.5, 2), (li.pk, 2.0, 1),
                                                                             (zhang.pk, 0.0, 0)]


@pytest.mark.parametrize("change, code", [
    ({"participants": []}, "participants_required"),
    ({"held_on": "2099-01-01"}, "invalid_date"),
    ({"place": "  "}, "required"),
    ({"hours": "0.3"}, "invalid_hours"),
    ({"hours": "25"}, "invalid_hours"),
    ({"hours": "0"}, "invalid_hours"),
    ({"twice": True}, "duplicate_participant"),
    ({"stranger": True}, "unknown_volunteer"),
])
def test_a_bad_activity_is_refused_and_writes_nothing(users, change, code):
    admin = users["admin"]
    team = services.create_team(admin, COMMUNITY, "party", "坏输入测试队")
    other = services.create_team(admin, COMMUNITY, "association", "另一支队")
    v = services.add_volunteer(admin, team.pk, name="赵四")
    stranger = services.add_volunteer(admin, other.pk, name="钱五")
    hours = change.get("hours", "2")
    parts = [{"volunteer_id": v.pk, "hours": hours}]
    if change.get("twice"):
        parts *= 2
    if change.get("stranger"):
        parts = [{"volunteer_id": stranger.pk, "hours": "1"}]
    body = {"held_on": change.get("held_on", "2026-11-10"), "place": change.get("place", "社区广场"),
            "content": "清扫", "participants": change.get("participants", parts)}
    before = (Activity.objects.count(), Participation.objects.count(), AuditRecord.objects.count())
    r = client(users, "gridworker").post(f"{API}/volunteer-teams/{team.pk}/activities", body,
                                         content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert (Activity.objects.count(), Participation.objects.count(), AuditRecord.objects.count()) == before


def test_the_page_says_what_is_wrong_with_an_activity(users):
    team = services.create_team(users["admin"], COMMUNITY, "party", "页面提示测试队")
    services.add_volunteer(users["admin"], team.pk, name="孙六")
    r = client(users, "gridworker").post(f"/services/teams/{team.pk}/", {
        "form": "activity", "held_on": "2026-11-10", "place": "社区广场", "content": "清扫"}, follow=True)
    assert "请至少选择一名参加的志愿者并填写服务时长" in r.content.decode()
    assert not Activity.objects.filter(team=team).exists()


# ---------------------------------------------------------------- 15 分钟便民服务圈

# metres per degree of latitude on the haversine sphere (R = 6,371,008.8 m): 111,194.93
NORTH = [("甲警务站", 0.0027), ("乙警务站", 0.0081), ("丙警务站", 0.0089), ("丁警务站", 0.0095), ("戊警务站", -0.0120)]


def test_the_15_minute_search_finds_the_places_within_1000_m_nearest_first(users, point):
    lon, lat = point
    for name, dlat in NORTH:
        Facility.objects.create(kind="police", name=name, address="测试", lon=lon, lat=lat + dlat, hours="全天",
                                scope_key=COMMUNITY)
    r = client(users, "gridworker").get(f"{API}/facilities/nearby", {"lon": lon, "lat": lat, "kind": "police"})
    assert r.status_code == 200
    body = r.json()
    assert body["radius_m"] == 1000
    # 300.2 m, 900.7 m, 989.6 m are in; 1,056.4 m and 1,334.3 m are out. Minutes: path = 1.25 × line at 5 km/h
    assert [(i["name"], i["distance_m"], i["minutes"]) for i in body["items"]] == [
        ("甲警务站", 300, 5), ("乙警务站", 901, 14), ("丙警务站", 990, 15)]
    page = client(users, "resident").get("/services/facilities/", {"lon": lon, "lat": lat, "kind": "police"})
    html = page.content.decode()
    assert page.status_code == 200 and "丙警务站" in html and "丁警务站" not in html
    assert 'id="services-layer"' in html and "直线距离 1000 米以内" in html


@pytest.mark.parametrize("query, status, code", [
    ({}, 400, "place_required"),
    ({"address": "不存在的胡同九九九号"}, 404, "address_not_found"),
    ({"lon": 116.4, "lat": 39.9, "kind": "spaceship"}, 400, "invalid_kind"),
])
def test_a_search_without_a_usable_place_says_why(users, query, status, code):
    r = client(users, "gridworker").get(f"{API}/facilities/nearby", query)
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_the_search_from_an_address_of_the_register(users):
    from gridgov.addresses.models import Address

    a = Address.objects.filter(scope_key__startswith=GRID).order_by("code").first()
    Facility.objects.create(kind="police", name="地址旁警务站", address="测试", lon=a.lon, lat=a.lat + 0.0009,
                            hours="全天", scope_key=COMMUNITY)
    r = client(users, "gridworker").get(f"{API}/facilities/nearby", {"address": a.text, "kind": "police"})
    assert r.status_code == 200
    assert [(i["name"], i["distance_m"]) for i in r.json()["items"]][:1] == [("地址旁警务站", 100)]


# ---------------------------------------------------------------- 居家养老: a request becomes a case


def test_the_catalogue_has_9_classes_of_3_items():
    rows = services.catalogue()
    assert len(rows) == 27
    classes = {}
    for r in rows:
        classes.setdefault(r["item"].class_name, []).append(r["code"])
    assert list(classes) == ["生活照料", "助餐服务", "助浴服务", "医疗保健", "家政服务", "精神慰藉", "紧急救助", "法律援助",
                             "文体娱乐"]
    assert all(len(codes) == 3 for codes in classes.values())
    limits = {r["code"]: r["limit"] for r in rows}
    assert (limits["60071"], limits["60011"], limits["60082"]) == ("2 自然小时", "1 自然日", "10 工作日")


@pytest.mark.parametrize("item, due", [("60071", dt.timedelta(hours=2)), ("60011", dt.timedelta(days=1)),
                                       ("60031", dt.timedelta(days=3))])
def test_a_request_becomes_a_case_with_the_items_deadline(users, point, item, due):
    lon, lat = point
    r = client(users, "gridworker").post(f"{API}/requests", {
        "item": item, "name": "周大爷", "phone": "13911112222", "lon": lon, "lat": lat, "address": "多福巷1号",
        "note": "独居"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["status_label"], body["phone"]) == ("reported", "已上报", "139****2222")
    case = Case.objects.get(number=body["case"])
    assert case.matter.code == item and case.community.code == COMMUNITY and case.reporter == users["gridworker"]
    transition(users["intake"], case.number, "register", {})
    transition(users["dispatcher"], case.number, "dispatch", {"department": "110101-HW"})
    transition(users["handler"], case.number, "accept", {})
    case.refresh_from_db()
    assert case.status == "accepted" and case.handle_due_at - case.accepted_at == due
    page = client(users, "gridworker").get(f"/services/requests/{body['id']}/").content.decode()
    assert "处置中" in page and case.number in page


def test_a_resident_requests_over_the_page_and_sees_only_their_own(users, point):
    lon, lat = point
    resident = client(users, "resident")
    assert "居家养老服务目录" in resident.get("/services/elderly/").content.decode()
    r = resident.post("/services/elderly/", {"item": "60061", "name": "吴奶奶", "phone": "13822223333",
                                             "address": "多福巷2号", "lon": lon, "lat": lat})
    assert r.status_code == 302
    req = ServiceRequest.objects.get(requested_by=users["resident"])
    assert (req.case.source, req.on_behalf, req.case.matter.code) == ("resident", False, "60061")
    assert "已上报" in resident.get(r["Location"]).content.decode()
    mine = resident.get(f"{API}/requests").json()
    assert [i["id"] for i in mine["items"]] == [req.pk]
    other = ServiceRequest.objects.exclude(requested_by=users["resident"]).first()
    assert resident.get(f"{API}/requests/{other.pk}").status_code == 404
    assert resident.get(f"{API}/volunteer-teams").status_code == 403


@pytest.mark.parametrize("change, status, code", [
    ({"item": "99999"}, 404, "unknown_item"),
    ({"item": "06010"}, 404, "unknown_item"),  # a national matter is not an elderly service item
    ({"phone": "12345"}, 400, "invalid_phone"),
    ({"name": " "}, 400, "required"),
    ({"lon": None, "lat": None, "address": ""}, 400, "place_required"),
    ({"lon": 100.0, "lat": 30.0}, 400, "outside_jurisdiction"),
])
def test_a_bad_request_is_refused_and_writes_nothing(users, point, change, status, code):
    lon, lat = point
    body = {"item": "60021", "name": "郑爷爷", "phone": "13700001111", "lon": lon, "lat": lat, "address": "多福巷3号"}
    body.update(change)
    before = (Case.objects.count(), ServiceRequest.objects.count(), AuditRecord.objects.count())
    r = client(users, "gridworker").post(f"{API}/requests", body, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert (Case.objects.count(), ServiceRequest.objects.count(), AuditRecord.objects.count()) == before


def test_the_request_page_says_what_is_wrong(users):
    r = client(users, "gridworker").post("/services/elderly/", {"item": "60021", "name": "郑爷爷", "phone": "1",
                                                                 "address": "多福巷3号"})
    assert r.status_code == 400 and "手机号" in r.content.decode()


# ---------------------------------------------------------------- personal data: team phones


def test_team_phones_are_masked_and_a_reveal_is_logged(users):
    m = services.add_member(users["admin"], GRID, role="doctor", name="林医生", phone="13612345678", unit="卫生服务站")
    page = client(users, "gridworker").get(f"/services/grids/{GRID}/").content.decode()
    assert "136****5678" in page and "13612345678" not in page and "林医生" not in page and "查看电话" not in page
    api = client(users, "gridworker").get(f"{API}/grids/{GRID}/team").json()
    mine = next(x for x in api["members"] if x["id"] == m.pk)
    assert (mine["role_label"], mine["phone"]) == ("医生", "136****5678")
    refused = client(users, "gridworker").post(f"{API}/members/{m.pk}/phone", {"reason": "联系义诊"},
                                               content_type="application/json")
    assert refused.status_code == 403
    leader = client(users, "gridleader")
    assert leader.post(f"{API}/members/{m.pk}/phone", {"reason": ""}, content_type="application/json"
                       ).json()["code"] == "reason_required"
    logs = AccessLog.objects.count()
    r = leader.post(f"{API}/members/{m.pk}/phone", {"reason": "联系义诊"}, content_type="application/json")
    assert r.json() == {"id": m.pk, "phone": "13612345678"}
    log = AccessLog.objects.latest("id")
    assert AccessLog.objects.count() == logs + 1
    assert (log.target, log.object_id, log.fields, log.reason) == ("service_member", str(m.pk), "phone", "联系义诊")
    assert "13612345678" not in str(AuditRecord.objects.filter(object_type="service_member").latest("id").after)


def test_a_grid_elsewhere_is_not_found(users):
    assert client(users, "gridworker").get(f"{API}/grids/110101002001W001/team").status_code == 404
    assert client(users, "gridworker").get("/services/grids/110101002001W001/").status_code == 404
    assert TeamMember.objects.filter(grid__code=GRID).count() == 6  # the demo's team: 6 roles


# ---------------------------------------------------------------- pledges (public) and the pages per post


def test_pledges_are_public_per_community():
    anonymous = Client()
    r = anonymous.get(f"/services/pledges/{COMMUNITY}/")
    assert r.status_code == 200 and "个性化需求限时办结" in r.content.decode()
    missing = anonymous.get("/services/pledges/110101999999/")
    assert missing.status_code == 404 and "没有编码为「110101999999」的社区" in missing.content.decode()
    assert anonymous.get(f"{API}/pledges/{COMMUNITY}").json()["name"] == "多福巷社区居委会"


PAGES = ["/services/", "/services/facilities/", "/services/elderly/", "/services/requests/",
         f"/services/grids/{GRID}/"]
# columns: admin leader intake shift dispatcher supervisor inspector gridleader gridworker handler resident clerk
PAGE_STATUS = {
    "/services/":                  "200 200 200 200 200 200 403 200 200 403 403 200",
    "/services/facilities/":       "200 200 200 200 200 200 403 200 200 403 200 200",
    "/services/elderly/":          "200 200 200 200 200 200 403 200 200 403 200 200",
    "/services/requests/":         "200 200 200 200 200 200 403 200 200 403 200 200",
    f"/services/grids/{GRID}/":    "200 200 200 200 200 200 403 200 200 403 403 200",
}
POSTS = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
         "handler", "resident", "clerk"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_per_post(users, url):
    got = {p: client(users, p).get(url).status_code for p in POSTS}
    assert got == dict(zip(POSTS, map(int, PAGE_STATUS[url].split()), strict=True))
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_volunteer_names_are_masked_for_posts_without_the_right(users):
    team = services.create_team(users["admin"], COMMUNITY, "party", "脱敏测试队")
    services.add_volunteer(users["admin"], team.pk, name="欧阳明月", phone="13500001111")
    worker = client(users, "gridworker").get(f"/services/teams/{team.pk}/").content.decode()
    leader = client(users, "gridleader").get(f"/services/teams/{team.pk}/").content.decode()
    assert "欧阳明月" not in worker and "13500001111" not in worker and "135****1111" in worker
    assert "欧阳明月" in leader
    assert Volunteer.objects.get(team=team).phone_cipher != b""


def test_lists_do_not_query_per_row(users, point):
    """The activities and the requests are read in a fixed number of queries, however many rows there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = users["admin"]
    team = services.create_team(admin, COMMUNITY, "party", "查询次数测试队")
    people = [services.add_volunteer(admin, team.pk, name=f"队员{i}") for i in range(3)]
    c = client(users, "admin")

    def count(url):
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        return len(q)

    services.record_activity(admin, team.pk, held_on=dt.date(2026, 11, 1), place="甲", content="一",
                             participants=[(people[0].pk, "1")])
    one = count(f"{API}/volunteer-teams/{team.pk}/activities")
    for day in (2, 3, 4):
        services.record_activity(admin, team.pk, held_on=dt.date(2026, 11, day), place="乙", content="二",
                                 participants=[(p.pk, "2") for p in people])
    assert count(f"{API}/volunteer-teams/{team.pk}/activities") == one
    before = count(f"{API}/requests")
    services.request_service(users["gridworker"], item="60011", name="冯奶奶", phone="13600002222",
                             address="多福巷", lon=point[0], lat=point[1])
    assert count(f"{API}/requests") == before
