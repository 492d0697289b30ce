"""#11 frictions of the centre: the queue sorted by time left (剩余时间, overdue first) and back to newest, kept
in the URL and in saved views, the same ``order`` on ``GET /api/v1/cases``; the matter picker's search on every
matter select (name, code or pinyin initials)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridgov.cases import services
from gridgov.cases.models import SavedView

pytestmark = pytest.mark.django_db

MARK = "排序核对"


@pytest.fixture
def four(users, point):
    """Four cases of one matter, told apart by their description: 甲 reported 10 days ago (long overdue), 乙 five
    days ago (overdue less), 丙 now (time left), 丁 twenty days ago but declined (no clock runs)."""
    now = timezone.now()
    made = {}
    for name, days in [("丁", 20), ("甲", 10), ("乙", 5), ("丙", 0)]:
        case = services.intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1],
                               description=f"{MARK}{name}", matter="06010", find_duplicates=False,
                               now=now - dt.timedelta(days=days, minutes=5)).case
        made[name] = case.number
    services.transition(users["intake"], made["丁"], "decline", {"reason": "不属于城市管理范围"},
                        now=now - dt.timedelta(days=20))
    return made


def names_in(html: str, four: dict) -> list[str]:
    at = {name: html.find(number) for name, number in four.items()}
    assert all(i >= 0 for i in at.values()), at
    return sorted(at, key=at.get)


def test_api_orders_by_time_left_overdue_first_and_by_newest(client_for, four):
    c = client_for("intake")
    newest = c.get(f"/api/v1/cases?q={MARK}").json()["items"]
    assert [i["description"][-1] for i in newest] == ["丙", "乙", "甲", "丁"]
    left = c.get(f"/api/v1/cases?q={MARK}&order=time_left").json()["items"]
    assert [i["description"][-1] for i in left] == ["甲", "乙", "丙", "丁"]
    assert [i["description"][-1] for i in c.get(f"/api/v1/cases?q={MARK}&order=newest").json()["items"]] == \
        ["丙", "乙", "甲", "丁"]


def test_api_refuses_an_unknown_order(client_for, four):
    r = client_for("intake").get("/api/v1/cases?order=oldest")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_order" and "剩余时间" in r.json()["message"]


def test_queue_sorts_by_time_left_keeps_it_in_links_and_saved_views(client_for, four):
    c = client_for("intake")
    html = c.get(f"/cases/?view=&q={MARK}&order=time_left").content.decode()
    assert names_in(html, four) == ["甲", "乙", "丙", "丁"]
    assert '<option value="time_left" selected>' in html
    # the other order is one click away, keeping the filter
    back = re.search(r'<a href="([^"]+)" data-order="newest">', html).group(1).replace("&amp;", "&")
    assert "order=" not in back and "q=" in back
    html = c.get("/cases/" + back).content.decode()
    assert names_in(html, four) == ["丙", "乙", "甲", "丁"]
    # the post's tab keeps the order (待受理 sorted by time left) and says so
    html = c.get("/cases/?order=time_left").content.decode()
    assert 'aria-current="page">待受理' in html and "&amp;order=time_left" in html
    # a saved view keeps it
    c.post("/cases/views/", {"name": "按剩余时间", "query": f"q={MARK}&order=time_left"})
    view = SavedView.objects.get(user__username="intake", name="按剩余时间")
    assert "order=time_left" in view.query
    html = c.get(f"/cases/?{view.query}").content.decode()
    assert names_in(html, four) == ["甲", "乙", "丙", "丁"]


def test_matter_selects_carry_the_picker_and_its_search_finds_by_initials_code_and_name(client_for, users, point):
    c = client_for("intake")
    html = c.get("/cases/").content.decode()
    assert 'id="f-matter" name="matter" data-matter-search="/cases/matters/search/"' in html
    assert "gridgov/matter-picker.js" in html
    case = services.intake(users["intake"], source="hotline", lon=point[0], lat=point[1], description="路口有垃圾",
                           urgency="urgent", find_duplicates=False).case  # urgent: 立案 without 核实
    html = c.get(f"/cases/{case.number}/").content.decode()
    assert 'name="matter" data-matter-search="/cases/matters/search/"' in html  # 立案's matter
    assert "gridgov/matter-picker.js" in html
    html = client_for("shift").get("/ledgers/problems/").content.decode()  # 倒查: the matter of a problem found
    assert 'name="matter" data-matter-search="/cases/matters/search/"' in html and "gridgov/matter-picker.js" in html
    assert c.get("/cases/matters/search/?q=blj").json()["codes"][0] == "06010"  # 暴露垃圾
    assert c.get("/cases/matters/search/?q=zdjy").json()["codes"][0] == "09006"  # 占道经营
    assert c.get("/cases/matters/search/?q=06010").json()["codes"][0] == "06010"
    assert "09006" in c.get("/cases/matters/search/?q=占道").json()["codes"]
    assert c.get("/cases/matters/search/?q=").json()["codes"] == []
    assert client_for(None).get("/cases/matters/search/?q=blj").status_code == 302  # signed in only
