"""The web pages over HTTP: login, the grid map, vendored static files (nothing from the internet)."""

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


def test_map_needs_login_and_shows_the_layers(client_for):
    r = client_for(None).get("/map/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    r = client_for("gridleader").get("/map/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "单元网格" in html and "管理网格" in html and "环保四级网格" in html
    assert "管辖范围：多福巷社区居委会" in html
    assert not re.search(r'(src|href)="https?://', html), "no asset is fetched from the internet"


def test_login_page_in_chinese(client):
    r = client.get("/accounts/login/")
    assert r.status_code == 200 and "用户名" in r.content.decode() and "密码" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "gridleader", "password": "wrong"})
    assert "用户名或密码错误" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "gridleader", "password": "gridgov-demo"})
    assert r.status_code == 302


def test_vendored_assets_are_served(client):
    for path in ["/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/gridgov/map.js", "/static/vendor/htmx/htmx.min.js"]:
        r = client.get(path)
        assert r.status_code == 200, path
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert len(body) > 1000 or path.endswith(".css")


def test_openapi_document(client):
    r = client.get("/api/v1/openapi.json")
    paths = r.json()["paths"]
    for p in ["/api/v1/tree", "/api/v1/grids", "/api/v1/locate", "/api/v1/me", "/api/v1/grids/{layer}/{code}"]:
        assert p in paths


def test_admin_in_chinese_for_master_data(client_for):
    c = client_for("admin")
    r = c.get("/admin/")
    html = r.content.decode()
    assert r.status_code == 200 and "辖区" in html and "网格" in html and "专业部门" in html
    r = c.get("/admin/geo/grid/?q=110101001001001")
    assert r.status_code == 200 and "110101001001001" in r.content.decode()


def test_every_admin_page_opens_in_chinese(client_for):
    """Every registered model's list page opens for the demo administrator."""
    from django.contrib import admin
    from django.urls import reverse

    c = client_for("admin")
    checked = 0
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert "gridgov 网格化管理平台" in r.content.decode()
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("username,shown,hidden", [
    ("gridworker", ["网格地图", "基础数据", "我的任务"], ["管理后台", "案件受理", "领导看板", "部门待办", "个人信息"]),
    ("intake", ["网格地图", "案件受理", "超期督办"], ["基础数据", "管理后台", "我的任务", "领导看板"]),
    ("handler", ["部门待办", "网格地图"], ["案件受理", "我的任务", "管理后台"]),
    ("leader", ["领导看板", "网格地图", "基础数据"], ["案件受理", "管理后台"]),
    ("admin", ["网格地图", "基础数据", "管理后台", "案件受理", "领导看板", "个人信息"], ["我的任务", "部门待办"]),
])
def test_navigation_follows_the_post(username, shown, hidden, client_for):
    html = client_for(username).get("/map/").content.decode()
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    assert all(label in nav for label in shown) and not any(label in nav for label in hidden)
    assert 'aria-current="page">网格地图' in nav


def test_home_page_by_post(client_for):
    homes = {"intake": "/cases/", "dispatcher": "/cases/", "shift": "/cases/", "admin": "/cases/",
             "gridworker": "/cases/field/", "gridleader": "/cases/field/", "inspector": "/cases/field/",
             "supervisor": "/cases/field/", "handler": "/cases/inbox/", "leader": "/dashboard/", "resident": "/r/"}
    assert {u: client_for(u).get("/")["Location"] for u in homes} == homes
    assert client_for(None).get("/")["Location"].startswith("/accounts/login/")




def test_a_form_without_its_security_token_gets_a_chinese_page():
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "admin", "password": "x"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode() and "没有被保存" in r.content.decode()


class _Fields(HTMLParser):
    """Form fields of a page and the labels that name them."""

    def __init__(self):
        super().__init__()
        self.fields, self.label_for, self.open_labels = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.fields.append((a.get("name"), a.get("id"), bool(a.get("aria-label") or a.get("aria-labelledby")),
                                self.open_labels > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self):
        return [name or fid for name, fid, aria, wrapped in self.fields
                if not (aria or wrapped or (fid and fid in self.label_for))]


@pytest.mark.parametrize("username,url", [
    ("intake", "/cases/"), ("dispatcher", "/cases/"), ("shift", "/cases/overdue/"), ("gridworker", "/cases/field/"),
    ("gridworker", "/cases/field/report/"), ("inspector", "/cases/field/"), ("handler", "/cases/inbox/"),
    ("leader", "/dashboard/"), (None, "/r/report/"), (None, "/r/track/"), (None, "/accounts/login/"),
])
def test_every_form_field_of_the_main_pages_has_a_label(username, url, client_for):
    r = client_for(username).get(url)
    assert r.status_code == 200
    page = _Fields()
    page.feed(r.content.decode())
    assert page.fields or url in ("/cases/inbox/", "/dashboard/", "/cases/overdue/", "/cases/field/")
    assert page.unlabelled() == []


def test_every_form_field_of_a_case_page_has_a_label(client_for, point):
    from gridgov.accounts.models import User
    from gridgov.cases import services

    lon, lat = point
    number = services.intake(User.objects.get(username="gridworker"), source="grid_worker", lon=lon, lat=lat,
                             description="标签检查：路边垃圾", matter="06010").case.number
    for username, then in (("intake", ("register", {})), ("dispatcher", ("dispatch", {"department": "110101-HW"})),
                           ("handler", ("accept", {})), ("handler", None)):
        r = client_for(username).get(f"/cases/{number}/")
        assert r.status_code == 200
        page = _Fields()
        page.feed(r.content.decode())
        assert page.fields, f"{username} has actions on this case"
        assert page.unlabelled() == []
        if then:
            services.transition(User.objects.get(username=username), number, then[0], then[1])


def test_the_leaders_navigation_is_in_sections(client_for):
    """The leader has some thirty pages: 领导看板 is a link, the others are in menus by section."""
    html = client_for("leader").get("/map/").content.decode()
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    assert nav.index('href="/dashboard/"') < nav.index("<details")  # the daily work first, as a link
    assert '<details class="navgroup here"><summary>网格与数据</summary>' in nav  # where one is, marked
    assert "<summary>监督考评</summary>" in nav and "<summary>统计分析</summary>" in nav
