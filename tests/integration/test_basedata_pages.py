"""The grid worker's phone pages (/basedata/): login, rights (403 in Chinese), scope (404), masking, the forms
writing through the services (errors next to the field, nothing written on error), and no N+1 queries."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridgov.basedata.logic import ids
from gridgov.basedata.models import (
    Building,
    Dwelling,
    DwellingUse,
    EventKind,
    Household,
    Resident,
    ResidentEvent,
    Visit,
    VisitTrigger,
)
from gridgov.basedata.services import ID_FIELD, PHONE_FIELD
from gridgov.crypto import cipher

pytestmark = pytest.mark.django_db

OWN_GRID = "110101001001W001."
OTHER_COMMUNITY = "110101001002"
PLAIN_ID = re.compile(r"\b\d{17}[\dX]\b")


def building_in(prefix: str) -> Building:
    """The building of ``prefix`` with the most residents (so pages have something to show)."""
    from django.db.models import Count

    b = (Building.objects.filter(scope_key__startswith=prefix).annotate(n=Count("dwellings__residents"))
         .order_by("-n", "id").first())
    assert b is not None, f"the test world has no building in {prefix}"
    return b


def household_in(prefix: str) -> Household:
    hh = Household.objects.filter(scope_key__startswith=prefix, dwelling__isnull=False, members__isnull=False) \
        .order_by("id").first()
    assert hh is not None
    return hh


def fresh_id(seq: int = 7) -> str:
    """A synthetic ID with a correct checksum that nobody in the test world has."""
    for s in range(seq, 1000):
        idn = ids.make_id("110101", dt.date(1990, 5, 17), s)
        if not Resident.objects.filter(id_index=cipher().index(idn, ID_FIELD)).exists():
            return idn
    raise AssertionError("no free synthetic ID")


def bad_checksum(idn: str) -> str:
    wrong = next(c for c in "0123456789X" if c != idn[-1])
    return idn[:17] + wrong


def html_of(resp) -> str:
    return resp.content.decode()


def no_plain_personal_data(html: str, residents) -> None:
    c = cipher()
    for r in residents:
        assert c.decrypt(r.id_cipher, ID_FIELD) not in html
        if r.phone_cipher:
            assert c.decrypt(r.phone_cipher, PHONE_FIELD) not in html


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/basedata/", "/basedata/due/", "/basedata/residents/new/", "/basedata/visits/new/"])
def test_login_required(client_for, path):
    r = client_for(None).get(path)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_login_required_for_object_pages(client_for):
    b = building_in(OWN_GRID)
    d = b.dwellings.first()
    for path in [f"/basedata/buildings/{b.pk}/", f"/basedata/dwellings/{d.pk}/edit/"]:
        r = client_for(None).get(path)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_post_without_basedata_right_gets_a_chinese_403(client_for):
    c = client_for("intake")  # 受理员: no basedata rights
    b = building_in(OWN_GRID)
    for path in ["/basedata/", f"/basedata/buildings/{b.pk}/", "/basedata/residents/new/", "/basedata/visits/new/"]:
        r = c.get(path)
        assert r.status_code == 403, path
        html = html_of(r)
        assert "无权访问" in html and "受理员" in html and "权限" in html
    # a write is refused the same way, and writes nothing
    n = Resident.objects.count()
    r = c.post("/basedata/residents/new/", {"name": "张三", "id_number": fresh_id()})
    assert r.status_code == 403 and Resident.objects.count() == n


def test_read_only_post_sees_buildings_but_may_not_write(client_for):
    c = client_for("leader")  # 领导: view only
    b = building_in(OWN_GRID)
    r = c.get(f"/basedata/buildings/{b.pk}/")
    assert r.status_code == 200 and "修改" not in html_of(r) and "登记走访" not in html_of(r)
    r = c.get(f"/basedata/dwellings/{b.dwellings.first().pk}/edit/")
    assert r.status_code == 403 and "采集和修改基础数据" in html_of(r)
    assert c.get("/basedata/visits/new/").status_code == 403


def test_out_of_scope_is_not_found(client_for):
    c = client_for("gridworker")
    other = building_in(OTHER_COMMUNITY)
    d = other.dwellings.first()
    hh = household_in(OTHER_COMMUNITY)
    resident = hh.members.first()
    for path in [f"/basedata/buildings/{other.pk}/", f"/basedata/dwellings/{d.pk}/edit/",
                 f"/basedata/residents/{resident.pk}/edit/", f"/basedata/residents/new/?dwelling={d.pk}",
                 f"/basedata/residents/new/?household={hh.pk}", f"/basedata/visits/new/?household={hh.pk}",
                 f"/basedata/visits/new/?resident={resident.pk}", "/basedata/buildings/999999999/"]:
        r = c.get(path)
        assert r.status_code == 404, path
        assert "未找到" in html_of(r) and other.name not in html_of(r)
    # a write aimed at another community's dwelling is refused before anything is written
    before = Dwelling.objects.get(pk=d.pk)
    r = c.post(f"/basedata/dwellings/{d.pk}/edit/", {"use": "vacant", "floor": 9})
    assert r.status_code == 404
    assert Dwelling.objects.get(pk=d.pk).use == before.use
    # the grid leader of that community does see it
    assert client_for("gridleader").get(f"/basedata/buildings/{other.pk}/").status_code == 404  # 多福巷 only
    assert client_for("gridleader").get(f"/basedata/buildings/{building_in(OWN_GRID).pk}/").status_code == 200


# ---------------------------------------------------------------- reading


def test_my_grid_lists_the_buildings_of_my_scope(client_for, django_assert_max_num_queries):
    c = client_for("gridworker")
    with django_assert_max_num_queries(14):
        r = c.get("/basedata/")
    html = html_of(r)
    assert r.status_code == 200
    own = Building.objects.filter(scope_key__startswith=OWN_GRID)
    assert f"共 {own.count()} 栋楼" in html
    for b in own[:5]:
        assert f'href="/basedata/buildings/{b.pk}/"' in html
    other = building_in(OTHER_COMMUNITY)
    assert f'href="/basedata/buildings/{other.pk}/"' not in html
    for link in ["新增居民", "登记走访", "六必访待办"]:
        assert link in html
    assert "htmx.min.js" in html and not re.search(r'(src|href)="https?://', html)


def test_search_by_name_finds_residents_masked(client_for):
    c = client_for("gridworker")
    r0 = Resident.objects.filter(scope_key__startswith=OWN_GRID, status="active").order_by("id").first()
    r = c.get("/basedata/", {"q": r0.name})
    html = html_of(r)
    assert r0.name in html and r0.id_masked in html
    assert not PLAIN_ID.search(html)
    # htmx asks for the results only
    r = c.get("/basedata/", {"q": r0.name}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r0.name in html_of(r) and "<html" not in html_of(r)
    # nothing from another community is found
    stranger = Resident.objects.filter(scope_key__startswith=OTHER_COMMUNITY).exclude(
        name__in=Resident.objects.filter(scope_key__startswith=OWN_GRID).values("name")).first()
    assert stranger.id_masked not in html_of(c.get("/basedata/", {"q": stranger.name}))


def test_building_page_shows_households_masked_without_n_plus_1(client_for, django_assert_max_num_queries):
    c = client_for("gridworker")
    b = building_in(OWN_GRID)
    residents = list(Resident.objects.filter(dwelling__building=b, status="active"))
    assert len(residents) >= 3
    with django_assert_max_num_queries(12):
        r = c.get(f"/basedata/buildings/{b.pk}/")
    html = html_of(r)
    assert r.status_code == 200
    for res in residents:
        assert res.name in html and res.id_masked in html
        if res.phone_masked:
            assert res.phone_masked in html
    no_plain_personal_data(html, residents)
    assert not PLAIN_ID.search(html)
    for d in b.dwellings.all():
        assert f"/basedata/dwellings/{d.pk}/edit/" in html
    hh = Household.objects.filter(dwelling__building=b).first()
    assert f"/basedata/residents/new/?household={hh.pk}" in html
    assert f"/basedata/visits/new/?household={hh.pk}" in html

    # the same number of queries for a bigger building: add dwellings, households and people, count again
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        c.get(f"/basedata/buildings/{b.pk}/")
    for n in range(3):
        d = Dwelling.objects.create(building=b, code=f"{b.code}-9-90{n}", unit_no="9", floor=9, room=f"90{n}",
                                    scope_key=b.scope_key)
        h = Household.objects.create(number=f"H{d.code}", dwelling=d, scope_key=b.scope_key)
        Visit.objects.create(worker_id=r.wsgi_request.user.pk, household=h, visited_at=timezone.now(),
                             scope_key=b.scope_key)
        for k in range(2):
            src = residents[k]
            Resident.objects.create(name=f"加{n}{k}", id_cipher=b"", id_index=f"x{n}{k}", id_masked=src.id_masked,
                                    gender="M", birth_date=src.birth_date, household=h, dwelling=d,
                                    scope_key=b.scope_key)
    with CaptureQueriesContext(connection) as after:
        html = html_of(c.get(f"/basedata/buildings/{b.pk}/"))
    assert "加21" in html and "9单元 902室" in html
    assert len(after) == len(before), "the building page must not query per dwelling, household or person"


def test_due_list_links_to_a_visit(client_for):
    c = client_for("gridworker")
    r = c.get("/basedata/due/")
    html = html_of(r)
    assert r.status_code == 200
    t = VisitTrigger.objects.filter(scope_key__startswith=OWN_GRID, visit__isnull=True).first()
    assert t is not None and t.rule.name in html
    assert f"/basedata/visits/new/?household={t.household_id}" in html


# ---------------------------------------------------------------- adding a resident


def test_add_resident_with_a_bad_id_says_so_next_to_the_field_and_writes_nothing(client_for):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    bad = bad_checksum(fresh_id())
    n_res, n_ev = Resident.objects.count(), ResidentEvent.objects.count()
    r = c.post(f"/basedata/residents/new/?household={hh.pk}",
               {"name": "测试人", "id_number": bad, "phone": "17012345678", "reg_type": "hukou",
                "relation": "child", "dwelling": hh.dwelling_id})
    html = html_of(r)
    assert r.status_code == 200
    field = re.search(r'<div class="bd-field has-error" data-field="id_number">(.*?)</div>', html, re.S)
    assert field and "身份证号校验位错误" in field.group(1)
    assert bad not in html and bad[:17] not in html and "17012345678" not in html, "never echoed back"
    assert "测试人" in html  # the name is kept for the next try
    assert Resident.objects.count() == n_res and ResidentEvent.objects.count() == n_ev


def test_add_resident_missing_fields_are_said_in_chinese(client_for):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    r = c.post(f"/basedata/residents/new/?household={hh.pk}", {"dwelling": hh.dwelling_id, "phone": "123"})
    html = html_of(r)
    assert re.search(r'data-field="name">.*?请填写此项', html, re.S)
    assert re.search(r'data-field="id_number">.*?请填写此项', html, re.S)


def test_add_resident_bad_phone_is_next_to_the_phone(client_for):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    n = Resident.objects.count()
    r = c.post(f"/basedata/residents/new/?household={hh.pk}",
               {"name": "测试人", "id_number": fresh_id(), "phone": "12345", "reg_type": "hukou",
                "relation": "child", "dwelling": hh.dwelling_id})
    assert re.search(r'data-field="phone">.*?手机号格式错误', html_of(r), re.S)
    assert Resident.objects.count() == n


def test_add_a_good_resident(client_for, users):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    idn = fresh_id()
    r = c.post(f"/basedata/residents/new/?household={hh.pk}",
               {"name": "新居民", "id_number": idn, "phone": "171 0000 1234", "reg_type": "floating",
                "relation": "child", "dwelling": hh.dwelling_id})
    assert r.status_code == 302
    assert r["Location"] == f"/basedata/buildings/{hh.dwelling.building_id}/#d{hh.dwelling_id}"
    res = Resident.objects.get(id_index=cipher().index(idn, ID_FIELD))
    assert (res.name, res.household_id, res.dwelling_id, res.reg_type, res.relation) == \
        ("新居民", hh.pk, hh.dwelling_id, "floating", "child")
    assert res.created_by == users["gridworker"] and res.scope_key == hh.scope_key
    assert cipher().decrypt(res.phone_cipher, PHONE_FIELD) == "17100001234"
    ev = ResidentEvent.objects.get(resident=res)
    assert ev.kind == EventKind.ADD and ev.actor == users["gridworker"]
    page = c.get(r["Location"])
    html = html_of(page)
    assert f"已新增居民 新居民（{ids.mask_id(idn)}）" in html
    assert ids.mask_id(idn) in html and "171****1234" in html
    assert idn not in html and "17100001234" not in html
    # the same number a second time is a duplicate, said next to the ID field
    r = c.post(f"/basedata/residents/new/?household={hh.pk}",
               {"name": "又一人", "id_number": idn, "reg_type": "hukou", "relation": "other",
                "dwelling": hh.dwelling_id})
    assert re.search(r'data-field="id_number">.*?已登记', html_of(r), re.S) and idn not in html_of(r)


def test_add_resident_to_an_empty_dwelling_makes_a_household(client_for, users):
    from gridgov.basedata import services

    c = client_for("gridworker")
    b = building_in(OWN_GRID)
    d = services.save_dwelling(users["gridworker"], {"building_id": b.pk, "unit_no": "8", "floor": 8, "room": "801",
                                                     "use": "vacant"})
    assert "登记入住居民" in html_of(c.get(f"/basedata/buildings/{b.pk}/"))
    page = html_of(c.get(f"/basedata/residents/new/?dwelling={d.pk}"))
    assert "新建一户" in page
    idn = fresh_id(11)
    r = c.post(f"/basedata/residents/new/?dwelling={d.pk}",
               {"name": "户主甲", "id_number": idn, "reg_type": "hukou", "relation": "head", "dwelling": d.pk,
                "household": "new"})
    assert r.status_code == 302
    res = Resident.objects.get(id_index=cipher().index(idn, ID_FIELD))
    assert res.household.dwelling_id == d.pk and res.household.number == f"H{d.code}"


def test_add_resident_choosing_the_dwelling(client_for):
    c = client_for("gridworker")
    page = html_of(c.get("/basedata/residents/new/"))
    d = Dwelling.objects.filter(scope_key__startswith=OWN_GRID).first()
    other = Dwelling.objects.filter(scope_key__startswith=OTHER_COMMUNITY).first()
    assert f'value="{d.pk}"' in page and f'value="{other.pk}"' not in page
    n = Resident.objects.count()
    r = c.post("/basedata/residents/new/", {"name": "越界", "id_number": fresh_id(), "reg_type": "hukou",
                                            "relation": "head", "dwelling": other.pk})
    assert r.status_code == 200 and re.search(r'data-field="dwelling">.*?请从列表中选择', html_of(r), re.S)
    assert Resident.objects.count() == n


# ---------------------------------------------------------------- editing


def test_edit_resident(client_for, users):
    c = client_for("gridworker")
    res = household_in(OWN_GRID).members.first()
    page = html_of(c.get(f"/basedata/residents/{res.pk}/edit/"))
    assert res.id_masked in page
    no_plain_personal_data(page, [res])
    new_type = "hukou" if res.reg_type != "hukou" else "floating"
    r = c.post(f"/basedata/residents/{res.pk}/edit/",
               {"name": res.name, "phone": "17099998888", "reg_type": new_type, "relation": res.relation})
    assert r.status_code == 302
    res.refresh_from_db()
    assert res.reg_type == new_type and res.phone_masked == "170****8888"
    ev = ResidentEvent.objects.filter(resident=res, kind=EventKind.UPDATE).latest("id")
    assert "手机号" in ev.reason and "人口类型" in ev.reason and ev.actor == users["gridworker"]
    # an empty phone leaves it unchanged; a bad one is said next to the field
    c.post(f"/basedata/residents/{res.pk}/edit/",
           {"name": res.name, "phone": "", "reg_type": new_type, "relation": res.relation})
    res.refresh_from_db()
    assert res.phone_masked == "170****8888"
    r = c.post(f"/basedata/residents/{res.pk}/edit/",
               {"name": res.name, "phone": "999", "reg_type": new_type, "relation": res.relation})
    assert re.search(r'data-field="phone">.*?手机号格式错误', html_of(r), re.S)


def test_edit_dwelling(client_for):
    c = client_for("gridworker")
    d = Dwelling.objects.filter(scope_key__startswith=OWN_GRID).first()
    page = html_of(c.get(f"/basedata/dwellings/{d.pk}/edit/"))
    for label in ["自住", "出租", "空置", "商用", "楼层", "建筑面积"]:
        assert label in page
    r = c.post(f"/basedata/dwellings/{d.pk}/edit/", {"use": "rented", "floor": "3", "area_m2": "66.5"})
    assert r.status_code == 302 and r["Location"].endswith(f"#d{d.pk}")
    d.refresh_from_db()
    assert (d.use, d.floor, float(d.area_m2)) == (DwellingUse.RENTED, 3, 66.5)
    assert "房屋信息" in html_of(c.get(r["Location"]))
    r = c.post(f"/basedata/dwellings/{d.pk}/edit/", {"use": "castle", "floor": "x", "area_m2": "-1"})
    html = html_of(r)
    assert re.search(r'data-field="use">.*?请从列表中选择', html, re.S)
    assert re.search(r'data-field="floor">.*?楼层应为整数', html, re.S)
    assert re.search(r'data-field="area_m2">.*?面积应大于', html, re.S)
    d.refresh_from_db()
    assert d.use == DwellingUse.RENTED


# ---------------------------------------------------------------- visits


def test_record_a_visit_of_a_household(client_for, users):
    c = client_for("gridworker")
    t = VisitTrigger.objects.filter(scope_key__startswith=OWN_GRID, visit__isnull=True).first()
    hh = t.household
    page = html_of(c.get(f"/basedata/visits/new/?household={hh.pk}"))
    assert "走访时间" in page and "反映问题" in page and "全户" in page
    member = hh.members.first()
    when = timezone.localtime() - dt.timedelta(hours=1)
    r = c.post(f"/basedata/visits/new/?household={hh.pk}",
               {"resident": member.pk, "visited_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "家中",
                "issues": "反映楼道灯坏了", "follow_up": "已报修", "case_number": ""})
    assert r.status_code == 302, html_of(r)
    v = Visit.objects.latest("id")
    assert (v.worker, v.household_id, v.resident_id, v.issues, v.case_number) == \
        (users["gridworker"], hh.pk, member.pk, "反映楼道灯坏了", None)
    assert abs((v.visited_at - when).total_seconds()) < 60
    t.refresh_from_db()
    assert t.visit_id == v.pk, "the 六必访 item is done"
    assert f"已登记走访：{member.name}" in html_of(c.get(r["Location"]))


def test_visit_in_the_future_is_refused_next_to_the_time(client_for):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    n = Visit.objects.count()
    future = timezone.localtime() + dt.timedelta(days=1)
    r = c.post(f"/basedata/visits/new/?household={hh.pk}",
               {"visited_at": future.strftime("%Y-%m-%dT%H:%M"), "issues": "x"})
    assert re.search(r'data-field="visited_at">.*?走访时间不能晚于现在', html_of(r), re.S)
    assert Visit.objects.count() == n


def test_record_a_visit_choosing_the_household(client_for):
    c = client_for("gridworker")
    hh = household_in(OWN_GRID)
    other = household_in(OTHER_COMMUNITY)
    page = html_of(c.get("/basedata/visits/new/"))
    assert f'value="{hh.pk}"' in page and f'value="{other.pk}"' not in page
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    n = Visit.objects.count()
    r = c.post("/basedata/visits/new/", {"household": other.pk, "visited_at": now})
    assert r.status_code == 200 and Visit.objects.count() == n
    r = c.post("/basedata/visits/new/", {"household": hh.pk, "visited_at": now, "case_number": "2024000123"})
    assert r.status_code == 302
    v = Visit.objects.latest("id")
    assert v.household_id == hh.pk and v.resident_id is None and v.case_number == "2024000123"
