"""Restricted classes (信访 51, 治安/维稳 55): only posts with ``cases.restricted`` read such cases — the case, the
lists, the timeline, the case page — while anyone may report one and the reporter still sees their own report.
Expected answers typed by hand per post (tests/matrix.py says who holds the right)."""

import pytest

pytestmark = pytest.mark.django_db

POSTS = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
         "handler"]
# GET /api/v1/cases/{number} of a 维稳信息 (55002) reported by the street's inspector in the grid worker's own grid:
#                 adm  lead int  shif disp sup  insp gld  gwk  hand
RESTRICTED = "    200  200  200  200  200  200  200  200  404  404"   # the inspector reported it: his own
# the same for a 暴露垃圾 (06010) at the same place: everyone in scope reads it (the department only what was sent)
OPEN = "          200  200  200  200  200  200  200  200  200  404"


def _point():
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", parent__code="110101001001W001").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


def _report(user, matter, source="inspector"):
    from gridgov.cases.services import intake

    lon, lat = _point()
    return intake(user, source=source, lon=lon, lat=lat, description="小区内有人聚集（测试）", matter=matter).case.number


@pytest.mark.parametrize(("matter", "table"), [("55002", RESTRICTED), ("51001", RESTRICTED), ("06010", OPEN)])
def test_a_restricted_case_per_post(users, client_for, matter, table):
    number = _report(users["inspector"], matter)
    want = dict(zip(POSTS, (int(x) for x in table.split()), strict=True))
    got = {p: client_for(p).get(f"/api/v1/cases/{number}").status_code for p in POSTS}
    assert got == want
    for p in POSTS:  # the lists agree with the case
        listed = client_for(p).get(f"/api/v1/cases?matter={matter}&limit=500").json()["items"]
        assert (number in {c["number"] for c in listed}) == (want[p] == 200), p
    if want["gridworker"] == 404:
        r = client_for("gridworker").get(f"/api/v1/cases/{number}")
        assert r.json()["code"] == "case_not_found"  # not revealed: the same answer as a case that does not exist
        assert client_for("gridworker").get(f"/api/v1/cases/{number}/timeline").status_code == 404
        assert client_for("gridworker").get(f"/cases/{number}/").status_code == 404


def test_the_reporter_sees_their_own_restricted_report_and_nobody_else_without_the_right(users, client_for):
    mine = _report(users["gridworker"], "55001", source="grid_worker")
    assert client_for("gridworker").get(f"/api/v1/cases/{mine}").status_code == 200
    assert mine in {c["number"] for c in client_for("gridworker").get("/api/v1/cases?limit=500").json()["items"]}
    assert client_for("inspector").get(f"/api/v1/cases/{mine}").status_code == 404
    assert client_for("gridleader").get(f"/api/v1/cases/{mine}").status_code == 200


def test_a_post_without_the_right_cannot_act_on_a_restricted_case(users, client_for):
    number = _report(users["gridleader"], "55002", source="grid_worker")
    r = client_for("gridworker").post(f"/api/v1/cases/{number}/actions/self_handle",
                                      {"feedback": "已处理", "version": 1}, content_type="application/json")
    assert r.status_code == 404


def test_a_class_restricted_by_the_administrator_is_hidden_at_once(users, client_for):
    number = _report(users["inspector"], "06010")
    assert client_for("gridworker").get(f"/api/v1/cases/{number}").status_code == 200
    r = client_for("admin").patch("/api/v1/catalog/items/matter/06010", {"restricted_right": "cases.restricted"},
                                  content_type="application/json")
    assert r.status_code == 200
    assert client_for("gridworker").get(f"/api/v1/cases/{number}").status_code == 404
    assert client_for("gridleader").get(f"/api/v1/cases/{number}").status_code == 200
