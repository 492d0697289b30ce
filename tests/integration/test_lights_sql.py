"""One light definition everywhere: the case's light (API, pages), the SQL filters (API ?overdue=, the overdue
board, the dashboard) agree with the pure SLA module at the boundaries — exactly at the due time a case is not
yet red; a microsecond later it is."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases.models import Case
from gridgov.cases.services.lights import late_q, light, overdue_q
from gridgov.dashboard import queries

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
US, H = dt.timedelta(microseconds=1), dt.timedelta(hours=1)
# name → (due, yellow, paused) relative to T0, and the light expected at T0
CLOCKS = {
    "late": ((T0 - US, T0 - H, None), "red"),
    "due_now": ((T0, T0 - H, None), "yellow"),
    "yellow_now": ((T0 + H, T0, None), "yellow"),
    "green": ((T0 + 2 * H, T0 + H, None), "green"),
    "paused_late": ((T0 - H, T0 - 2 * H, T0 - 3 * H), "paused"),
}


@pytest.fixture
def clocks(client_for, point):
    lon, lat = point
    worker, intake = client_for("gridworker"), client_for("intake")
    numbers = {}
    for name, ((due, yellow, paused), _) in CLOCKS.items():
        r = worker.post("/api/v1/cases", data=json.dumps({"source": "grid_worker", "lon": lon, "lat": lat,
                                                         "description": f"路灯不亮 {name}", "matter": "06010"}),
                        content_type="application/json")
        number = r.json()["case"]["number"]
        assert intake.post(f"/api/v1/cases/{number}/actions/register", data="{}",
                           content_type="application/json").status_code == 200
        Case.objects.filter(number=number).update(stage_due_at=due, stage_yellow_at=yellow, paused_at=paused)
        numbers[name] = number
    return numbers


def test_light_and_sql_filters_agree_at_the_boundaries(clocks, client_for, time_machine):
    cases = {name: Case.objects.get(number=n) for name, n in clocks.items()}
    assert {name: light(c, T0) for name, c in cases.items()} == {name: e for name, (_, e) in CLOCKS.items()}
    mine = Case.objects.filter(number__in=clocks.values())
    by_number = {n: name for name, n in clocks.items()}
    assert {by_number[n] for n in mine.filter(overdue_q(T0)).values_list("number", flat=True)} == {"late"}
    assert {by_number[n] for n in mine.filter(late_q(T0)).values_list("number", flat=True)} == {
        "late", "due_now", "yellow_now"}
    assert mine.filter(queries.overdue_q(T0)).count() == 1

    time_machine.move_to(T0, tick=False)
    intake = client_for("intake")
    items = intake.get("/api/v1/cases?overdue=true&limit=500").json()["items"]
    assert {by_number[i["number"]] for i in items if i["number"] in by_number} == {"late"}
    assert all(i["light"] == "red" for i in items)
    items = intake.get("/api/v1/cases?overdue=false&limit=500").json()["items"]
    assert {by_number[i["number"]] for i in items if i["number"] in by_number} == {
        "due_now", "yellow_now", "green", "paused_late"}
    board = intake.get("/cases/overdue/")
    rows = {by_number[r["case"].number]: r["red"] for g in board.context["groups"] for r in g["rows"]
            if r["case"].number in by_number}
    assert rows == {"late": True, "due_now": False, "yellow_now": False}


def test_late_in_order_is_the_late_cases_by_due_time_red_first_paged_past_paused_ones(clocks):
    """The overdue board's list (``late_in_order``) walks the due-time index in pages: with a page of 1 it must
    step over the paused case (due before ``late``) and still give red first, then the yellow ones by due time."""
    from gridgov.cases.services.lights import late_in_order

    mine = Case.objects.filter(number__in=clocks.values())
    by_number = {n: name for name, n in clocks.items()}
    # due times: paused_late T0-1h (paused: not late), late T0-1µs (red), due_now T0, yellow_now T0+1h (yellow)
    assert [by_number[c.number] for c in late_in_order(mine, T0, 10)] == ["late", "due_now", "yellow_now"]
    assert [by_number[c.number] for c in late_in_order(mine, T0, 1)] == ["late"]
    assert [by_number[c.number] for c in late_in_order(mine, T0, 2)] == ["late", "due_now"]
    assert [by_number[c.number] for c in late_in_order(mine, T0 + 2 * H, 10)] == [
        "late", "due_now", "yellow_now", "green"]  # two hours on: three red by due time, then green turned yellow
