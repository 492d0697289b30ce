"""公开信息 (/open/, issue 16 item 5): no account needed; a case with a name, a phone and an ID number planted in its
reporter and description shows none of them anywhere public (pages, map data, downloads), nor its exact position;
rankings only once published; restricted classes never; the throttle like /r/."""

import json

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

NAME, PHONE, ID_NUMBER = "欧阳娜娜", "13912345678", "110101199003071234"
DESCRIPTION = f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}，楼下垃圾无人清运"
LOOP = [("intake", "assign_verify", {}), ("inspector", "confirm", {}), ("intake", "register", {"matter": "06010"}),
        ("dispatcher", "dispatch", {"department": "110101-HW"}), ("handler", "accept", {}),
        ("handler", "handle", {"feedback": "已清运"}), ("inspector", "inspect_pass", {}), ("intake", "close", {})]


def closed_case(users, point, until="close"):
    from gridgov.cases import services

    r = services.intake(users["intake"], source="hotline", lon=point[0], lat=point[1], matter="06010",
                        description=DESCRIPTION, reporter_name=NAME, reporter_phone=PHONE, find_duplicates=False)
    for who, action, data in LOOP:
        services.transition(users[who], r.case.number, action, data)
        if action == until:
            break
    return r.case


def everything_public(client, month: str) -> str:
    urls = ["/open/", f"/open/?month={month}", f"/open/map/?month={month}", f"/open/map/closed.geojson?month={month}",
            "/open/clocks/", "/open/rankings/", f"/open/data/?month={month}",
            f"/open/data/closed-cases.csv?month={month}", f"/open/data/closed-cases.json?month={month}",
            f"/open/data/street-figures.csv?month={month}", f"/open/data/street-figures.json?month={month}"]
    out = []
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        out.append(r.content.decode("utf-8-sig"))
    return "\n".join(out)


def test_the_public_pages_show_no_personal_data(users, point):
    closed = closed_case(users, point)
    open_ = closed_case(users, point, until="dispatch")  # still open: on the clocks page
    month = f"{timezone.localdate():%Y-%m}"
    text = everything_public(Client(), month)
    assert closed.number in text and open_.number in text  # the cases are there …
    assert "楼下垃圾无人清运" in text  # … with their description, sanitised
    for secret in (NAME, PHONE, ID_NUMBER, "139****5678", "欧***"):
        assert secret not in text, secret
    # … and no exact position: the published point is the 100 m cell's centre
    assert f"{closed.lon:.6f}" not in text and f"{closed.lat:.6f}" not in text
    geo = json.loads(Client().get(f"/open/map/closed.geojson?month={month}").content)
    (feature,) = [f for f in geo["features"] if f["properties"]["number"] == closed.number]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) != (closed.lon, closed.lat)
    assert abs(lon - closed.lon) < 0.0012 and abs(lat - closed.lat) < 0.0005  # within its cell
    assert set(feature["properties"]) == {"number", "matter", "matter_class", "street", "community", "reported_on",
                                          "closed_on", "closed_on_time", "description"}


def test_the_months_figures_per_street_count_the_closed_case(users, point):
    closed_case(users, point)
    month = f"{timezone.localdate():%Y-%m}"
    rows = json.loads(Client().get(f"/open/data/street-figures.json?month={month}").content)["rows"]
    street = next(r for r in rows if r["code"] == "110101001")  # 东华门街道
    assert street["name"] == "东华门街道" and street["reported"] >= 1 and street["closed"] >= 1
    assert "licence" in json.loads(Client().get(f"/open/data/closed-cases.json?month={month}").content)


def test_the_clocks_mark_overdue_cases(users, point):
    from gridgov.cases.models import Case

    case = closed_case(users, point, until="dispatch")
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - timezone.timedelta(hours=3),
                                           stage_yellow_at=timezone.now() - timezone.timedelta(hours=5))
    html = Client().get("/open/clocks/").content.decode()
    row = html[html.index(case.number):]
    row = row[:row.index("</tr>")]
    assert "已超期" in row


def test_rankings_only_once_published(users):
    from gridgov.assess.models import Result, Run, Scheme

    scheme = Scheme.objects.order_by("id").first()
    draft = Run.objects.create(period="2031-01", district_code="110101", revision=1, scheme=scheme,
                               scheme_version=1, facts={}, result={})
    Result.objects.create(run=draft, unit_code="110101001", unit_name="草稿街道", items={}, parts={}, total=90, rank=1)
    assert "草稿街道" not in Client().get("/open/rankings/").content.decode()
    Run.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    html = Client().get("/open/rankings/").content.decode()
    assert "草稿街道" in html and "2031-01" in html


def test_restricted_classes_are_never_published(users, point):
    from gridgov.cases.models import Case
    from gridgov.catalog.models import CatalogItem

    case = closed_case(users, point)
    petition = CatalogItem.objects.filter(major_code="51").exclude(restricted_right="").first()
    Case.objects.filter(pk=case.pk).update(matter=petition)
    text = everything_public(Client(), f"{timezone.localdate():%Y-%m}")
    assert case.number not in text


def test_the_public_pages_are_throttled_per_address(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "THROTTLE": {**settings.GRIDGOV["THROTTLE"],
                                                         "open.address": {"limit": 2, "window_s": 60}}}
    c = Client(REMOTE_ADDR="203.0.113.9")
    assert [c.get("/open/data/").status_code for _ in range(3)] == [200, 200, 429]
    assert "访问过于频繁" in c.get("/open/").content.decode()
    assert Client(REMOTE_ADDR="203.0.113.10").get("/open/data/").status_code == 200
