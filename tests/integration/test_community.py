"""The grid's public face (issue #17 item 1; seed 001 篇4 「统一公开身份…公示牌、温馨提示卡…职责、联系方式、监督电话」):
the numbers set per post and scope, bad numbers refused, each grid's number resolved from the nearest level, the
board's PDF, the QR code that places a report in its grid, a retired grid's clear page, the public directory.

The demo (test scale) set: 监督电话 010-64012345 for the district 110101 and one for the street 110101001; a 服务热线
for each community of 110101001 and each grid of 多福巷社区 (110101001001). The tests set their own numbers where a
value is asserted.
"""

import io

import pypdf
import pytest
from django.test import Client

from gridgov.accounts.scope import NoRight, OutOfScope
from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case
from gridgov.community import services
from gridgov.community.models import PublicPhone
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Grid, GridMapping, RetiredGrid

pytestmark = pytest.mark.django_db

OWN_GRID = "110101001001W001"        # the demo grid worker's grid, in 多福巷社区
COMMUNITY = "110101001001"           # 多福巷社区 (东华门街道)
STREET = "110101001"
OTHER_STREET_COMMUNITY = "110101002001"
DISTRICT_SUPERVISION = "010-64012345"  # the demo's district default


def grid(code=OWN_GRID):
    return Grid.objects.get(layer__code="management", code=code)


# ---------------------------------------------------------------- who sets which number where

# (post, kind, key) → what happens: "set", "no_right" (post lacks community.manage), "out_of_scope"
WHO_SETS = [
    ("admin", "supervision", "110101", "set"),
    ("admin", "hotline", OWN_GRID, "set"),
    ("supervisor", "supervision", STREET, "set"),
    ("supervisor", "hotline", COMMUNITY, "set"),
    ("supervisor", "supervision", "110101", "out_of_scope"),       # the district is above the street
    ("supervisor", "supervision", "110101002", "out_of_scope"),    # another street
    ("gridleader", "hotline", OWN_GRID, "set"),
    ("gridleader", "supervision", COMMUNITY, "set"),
    ("gridleader", "supervision", STREET, "out_of_scope"),
    ("gridleader", "hotline", OTHER_STREET_COMMUNITY, "out_of_scope"),
    ("gridworker", "hotline", OWN_GRID, "no_right"),
    ("inspector", "hotline", OWN_GRID, "no_right"),
    ("leader", "supervision", "110101", "no_right"),
    ("intake", "hotline", OWN_GRID, "no_right"),
    ("handler", "hotline", OWN_GRID, "no_right"),
    ("resident", "hotline", OWN_GRID, "no_right"),
]


@pytest.mark.parametrize("post,kind,key,outcome", WHO_SETS)
def test_who_sets_which_number(users, post, kind, key, outcome):
    before = AuditRecord.objects.count()
    if outcome == "set":
        row = services.set_phone(users[post], kind=kind, key=key, phone="010 6512 3456")
        assert PublicPhone.objects.get(kind=kind, key=key).phone == "010-65123456" == row.phone
        assert AuditRecord.objects.count() == before + 1
    else:
        with pytest.raises(NoRight if outcome == "no_right" else OutOfScope):
            services.set_phone(users[post], kind=kind, key=key, phone="010-65123456")
        assert AuditRecord.objects.count() == before


BAD_INPUT = [
    # (kind, key, phone) → (code, message)
    ("hotline", OWN_GRID, "6512", ("invalid_phone", "电话号码格式不正确")),
    ("hotline", OWN_GRID, "138123456789", ("invalid_phone", "电话号码格式不正确")),
    ("supervision", COMMUNITY, "abc-def", ("invalid_phone", "电话号码格式不正确")),
    ("supervision", OWN_GRID, "010-65123456", ("supervision_not_on_grid", "监督电话设在社区、街道或区一级，不设在网格")),
    ("hotline", "110101001001W999", "010-65123456", ("unknown_node", "没有这个网格或辖区")),
    ("fax", COMMUNITY, "010-65123456", ("invalid_kind", "类型应为 hotline（服务热线）或 supervision（监督电话）")),
]


@pytest.mark.parametrize("kind,key,phone,expected", BAD_INPUT)
def test_bad_input_is_refused_and_nothing_changes(users, kind, key, phone, expected):
    services.set_phone(users["admin"], kind="hotline", key=OWN_GRID, phone="010-85000001")
    rows, audits = list(PublicPhone.objects.values_list("kind", "key", "phone")), AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        services.set_phone(users["admin"], kind=kind, key=key, phone=phone)
    assert (e.value.code, e.value.message.split("：")[0]) == expected
    assert list(PublicPhone.objects.values_list("kind", "key", "phone")) == rows
    assert AuditRecord.objects.count() == audits


def test_a_grid_shows_the_number_set_nearest_to_it(users):
    admin = users["admin"]
    community = "110101001002"  # the demo set a hotline for this community, none for its grids
    first, second = Grid.objects.filter(layer__code="management", community__code=community).order_by("code")[:2]
    services.set_phone(admin, kind="hotline", key=community, phone="010-65000001")
    services.set_phone(admin, kind="hotline", key=first.scope_key, phone="010-85000001")
    services.set_phone(admin, kind="supervision", key=STREET, phone="010-64000002")
    own, sibling = services.boards([first, second])
    assert (own.hotline, own.supervision) == ("010-85000001", "010-64000002")
    assert (sibling.hotline, sibling.supervision) == ("010-65000001", "010-64000002")
    # a grid of another street: no hotline at any level; the district's 监督电话
    other = services.boards([Grid.objects.filter(layer__code="management", community__code=OTHER_STREET_COMMUNITY)
                             .order_by("code").first()])[0]
    assert (other.hotline, other.supervision) == ("", DISTRICT_SUPERVISION)
    # the grid's own number removed: the community's applies again (the removal is audited too)
    before = AuditRecord.objects.count()
    assert services.set_phone(users["supervisor"], kind="hotline", key=first.scope_key, phone="") is None
    assert services.boards([first])[0].hotline == "010-65000001"
    assert AuditRecord.objects.count() == before + 1


def test_the_board_lists_the_five_fixed_staff_with_the_grid_hotline(users):
    services.set_phone(users["admin"], kind="hotline", key=OWN_GRID, phone="010-85000001")
    b = services.board_for(users["gridworker"], OWN_GRID)
    assert (b.code, b.community, b.street) == (OWN_GRID, "多福巷社区居委会", "东华门街道")
    # the demo's 五定 of the grid: the 网格长 first, then the 网格员, then the street's 督导员
    assert [(p.post, p.name) for p in b.people] == [
        ("网格长", users["gridleader"].display_name), ("专职网格员", users["gridworker"].display_name),
        ("网格督导员", b.people[2].name)]
    assert {p.phone for p in b.people} == {"010-85000001"}
    assert b.people[0].duties.startswith("网格直接责任人")
    assert b.qr_path == f"/community/q/{OWN_GRID}/"
    with pytest.raises(OutOfScope):  # the grid worker sees its own grid only
        services.board_for(users["gridworker"], "110101001001W002")


# ---------------------------------------------------------------- pages

STAFF_HOME = [  # post → status of /community/
    (None, 302), ("admin", 200), ("leader", 200), ("intake", 200), ("shift", 200), ("dispatcher", 200),
    ("supervisor", 200), ("inspector", 200), ("gridleader", 200), ("gridworker", 200), ("handler", 403),
    ("resident", 403), ("clerk", 200),
]


@pytest.mark.parametrize("post,status", STAFF_HOME)
def test_staff_page_per_post(client_for, post, status):
    r = client_for(post).get("/community/")
    assert r.status_code == status
    if status == 302:
        assert r["Location"].startswith("/accounts/login/")


def test_grid_worker_sees_its_board_and_downloads_it(client_for, users):
    services.set_phone(users["admin"], kind="hotline", key=OWN_GRID, phone="010-85000001")
    c = client_for("gridworker")
    home = c.get("/community/").content.decode()
    assert f"/community/board/{OWN_GRID}/board.pdf" in home and "010-85000001" in home
    assert "110101001001W002" not in home
    preview = c.get(f"/community/board/{OWN_GRID}/").content.decode()
    assert "网格公示牌" in preview and f"http://testserver/community/q/{OWN_GRID}/" in preview
    for size, width in (("A4", 595), ("A3", 841)):
        r = c.get(f"/community/board/{OWN_GRID}/board.pdf" + ("?size=A3" if size == "A3" else ""))
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        page = pypdf.PdfReader(io.BytesIO(r.content)).pages[0]
        assert int(page.mediabox.width) == width
        text = page.extract_text()
        assert "网格公示牌" in text and "多福巷社区" in text and "服务热线：010-85000001" in text
        assert f"监督电话：{services.boards([grid()])[0].supervision}" in text
        assert f"http://testserver/community/q/{OWN_GRID}/" in text
        assert users["gridleader"].display_name in text
    cards = pypdf.PdfReader(io.BytesIO(c.get(f"/community/board/{OWN_GRID}/cards.pdf").content)).pages[0].extract_text()
    assert cards.count("温馨提示卡") == 10 and cards.count("服务热线：010-85000001") == 10
    # another grid's board: not within the grid worker's scope
    assert c.get("/community/board/110101001001W002/board.pdf").status_code == 404


def test_nav_line_for_staff_not_for_residents(client_for):
    assert 'href="/community/"' in client_for("gridleader").get("/community/").content.decode()
    assert 'href="/community/"' not in client_for("handler").get("/cases/inbox/").content.decode()


def test_phones_page_refuses_a_bad_number_in_chinese_and_saves_a_good_one(client_for, users):
    c = client_for("gridleader")
    before = PublicPhone.objects.filter(key=OWN_GRID).count()
    r = c.post("/community/phones/", {"kind": "hotline", "key": OWN_GRID, "phone": "12-34"})
    assert r.status_code == 400
    assert "电话号码格式不正确：应为手机号（1 开头的 11 位）" in r.content.decode()
    assert PublicPhone.objects.filter(key=OWN_GRID).count() == before
    r = c.post("/community/phones/", {"kind": "supervision", "key": STREET, "phone": "010-64000009"})
    assert r.status_code == 400 and "该网格或辖区不在您的管辖范围内" in r.content.decode()
    r = c.post("/community/phones/", {"kind": "hotline", "key": OWN_GRID, "phone": "0108500 0007"})
    assert r.status_code == 302
    assert PublicPhone.objects.get(kind="hotline", key=OWN_GRID).phone == "010-85000007"
    assert "010-85000007" in c.get("/community/phones/").content.decode()
    # a post without community.manage sees the numbers, no form, and its POST changes nothing
    w = client_for("gridworker")
    assert "<form method=\"post\" class=\"form\"" not in w.get("/community/phones/").content.decode()
    w.post("/community/phones/", {"kind": "hotline", "key": OWN_GRID, "phone": "010-85000008"})
    assert PublicPhone.objects.get(kind="hotline", key=OWN_GRID).phone == "010-85000007"


# ---------------------------------------------------------------- public: the QR code and the directory


def test_the_qr_code_opens_the_report_page_placed_in_its_grid_and_the_case_lands_there(fresh_cache):
    c = Client()
    r = c.get(f"/community/q/{OWN_GRID}/")
    assert r.status_code == 302 and r["Location"].startswith("/r/report/?lon=")
    assert r["Location"].endswith(f"&grid={OWN_GRID}")
    form = c.get(r["Location"])
    assert form.status_code == 200
    page = form.content.decode()
    assert "来自网格公示牌：<strong>多福巷社区" in page
    lon, lat = form.context["form"].initial["lon"], form.context["form"].initial["lat"]
    done = c.post("/r/report/", {"phone": "13912340001", "lon": lon, "lat": lat,
                                 "description": "楼道里堆放杂物，影响通行", "client_key": "qr-test-1"})
    assert done.status_code == 302
    number = done["Location"].split("/")[3]
    assert Case.objects.get(number=number).management_grid.code == OWN_GRID


def test_a_retired_grid_qr_shows_a_clear_page_with_where_to_go():
    old = RetiredGrid.objects.filter(layer="management").order_by("code").first()
    assert old is not None, "the demo's grid change retired management grids"
    assert not Grid.objects.filter(layer__code="management", code=old.code).exists()
    r = Client().get(f"/community/q/{old.code}/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "这个网格已经调整" in page and old.code in page
    assert f'href="/community/{old.community_code}/"' in page and 'href="/r/report/"' in page
    successors = set(GridMapping.objects.filter(old_code=old.code, layer="management").values_list("new_code", flat=True))
    assert successors and all(f'href="/community/q/{code}/"' in page for code in successors)
    # a code that never was: a clear page too (404), never a server error
    r = Client().get("/community/q/NO-SUCH-GRID/")
    assert r.status_code == 404 and "没有找到这个网格" in r.content.decode()


def test_the_public_directory_of_a_community(users):
    services.set_phone(users["admin"], kind="hotline", key=OWN_GRID, phone="010-85000001")
    services.set_phone(users["admin"], kind="supervision", key=COMMUNITY, phone="010-64000001")
    r = Client().get(f"/community/{COMMUNITY}/")
    assert r.status_code == 200
    page = r.content.decode()
    n = Grid.objects.filter(layer__code="management", community__code=COMMUNITY).count()
    assert page.count('class="cm-grid"') == n
    assert "多福巷社区" in page and users["gridworker"].display_name in page and "010-85000001" in page
    assert '<strong id="supervision">010-64000001</strong>' in page
    assert f'href="/community/q/{OWN_GRID}/"' in page
    assert "13900000002" not in page  # the grid worker's own phone (its message preferences) is never published
    r = Client().get("/community/999999999999/")
    assert r.status_code == 404 and "没有找到这个社区" in r.content.decode()


def test_unknown_node_is_a_not_found(users):
    with pytest.raises(NotFound):
        services.set_phone(users["admin"], kind="supervision", key="110101999999", phone="010-64000001")


def test_the_board_list_reads_the_same_few_queries_for_any_page_size(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("admin")
    counts = []
    for limit in (2, 40):
        with CaptureQueriesContext(connection) as q:
            r = c.get(f"/api/v1/community/boards?limit={limit}")
        assert r.status_code == 200 and len(r.json()["items"]) == limit
        counts.append(len(q))
    assert counts[0] == counts[1]


def test_a_district_sees_its_communities_first_then_one_communitys_boards(client_for):
    c = client_for("admin")
    page = c.get("/community/").content.decode()
    assert "按社区查看" in page and 'href="?community=110101001001"' in page and "board.pdf" not in page
    page = c.get("/community/?community=110101001001").content.decode()
    assert f"/community/board/{OWN_GRID}/board.pdf" in page and "按社区查看" not in page


def test_a_unit_grid_code_leads_to_its_management_grids_report_page():
    unit = Grid.objects.filter(layer__code="unit", parent__code=OWN_GRID).order_by("code").first()
    r = Client().get(f"/community/q/{unit.code}/")
    assert r.status_code == 302 and r["Location"].endswith(f"&grid={OWN_GRID}")


def test_the_api_sets_a_number_in_its_published_form_with_one_audit_record(client_for):
    before = AuditRecord.objects.count()
    r = client_for("gridleader").put("/api/v1/community/phones", {"kind": "hotline", "key": OWN_GRID,
                                                                  "phone": "+86 010 8500 0003"},
                                     content_type="application/json")
    assert r.status_code == 200
    assert r.json() == {"kind": "hotline", "key": OWN_GRID, "phone": "010-85000003", "removed": False}
    assert AuditRecord.objects.count() == before + 1
    r = client_for("gridleader").put("/api/v1/community/phones", {"kind": "hotline", "key": OWN_GRID, "phone": "110"},
                                     content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_phone"
    assert r.json()["message"].startswith("电话号码格式不正确")
    board = client_for("gridworker").get(f"/api/v1/community/boards/{OWN_GRID}").json()
    assert board["hotline"] == "010-85000003" and board["qr_url"] == f"http://testserver/community/q/{OWN_GRID}/"
