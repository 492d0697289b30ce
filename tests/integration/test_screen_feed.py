"""指挥大屏's feed (/screen/feed.json): today's flow, lights, map points, street ranking and newest cases, in scope,
with no personal data; an unchanged feed answers 304 to its ETag; the page is for the centre and the leader."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_feed_counts_today_and_carries_no_personal_data(users, point, client_for):
    from gridgov.cases import services
    from gridgov.cases.models import Case

    c = client_for("shift")
    before = c.get("/screen/feed.json").json()
    r = services.intake(users["intake"], source="hotline", lon=point[0], lat=point[1], matter="06010",
                        description="大屏测试：李四喜电话13712345678反映垃圾", reporter_name="李四喜",
                        reporter_phone="13712345678", find_duplicates=False)
    for who, action, data in [("intake", "assign_verify", {}), ("inspector", "confirm", {}),
                              ("intake", "register", {"matter": "06010"})]:
        services.transition(users[who], r.case.number, action, data)
    Case.objects.filter(pk=r.case.pk).update(stage_due_at=timezone.now() - timezone.timedelta(minutes=5))
    resp = c.get("/screen/feed.json")
    d = resp.json()
    assert d["flow"]["reported"] == before["flow"]["reported"] + 1
    assert d["flow"]["registered"] == before["flow"]["registered"] + 1
    assert d["lights"]["red"] == before["lights"]["red"] + 1
    assert set(d) == {"at", "flow", "lights", "points", "ranking", "newest"}
    newest = d["newest"][0]
    assert newest["number"] == r.case.number and newest["street"] == "东华门街道" and newest["matter"] == "暴露垃圾"
    text = resp.content.decode()
    assert "李四喜" not in text and "13712345678" not in text and "137****5678" not in text
    assert any(x["name"] == "东华门街道" for x in d["ranking"])
    # unchanged: 304 to the same ETag, nothing counted
    again = c.get("/screen/feed.json", HTTP_IF_NONE_MATCH=resp["ETag"])
    assert again.status_code == 304


def test_the_screen_is_for_the_centre_and_the_leader(client_for):
    assert client_for("leader").get("/screen/").status_code == 200
    assert client_for("intake").get("/screen/?every=0.2").status_code == 200
    assert client_for("gridworker").get("/screen/feed.json").status_code == 403
    assert client_for("handler").get("/screen/").status_code == 403
    assert client_for(None).get("/screen/feed.json").status_code == 302  # to the sign-in page
