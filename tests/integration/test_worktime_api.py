"""/api/v1/worktime: the calendar of a year and the due-time check."""

import datetime as dt
import json

import pytest

from gridgov.worktime.models import CalendarDay

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_anonymous_is_refused(client_for):
    anon = client_for(None)
    assert anon.get("/api/v1/worktime/days?year=2026").status_code == 401
    assert post(anon, "/api/v1/worktime/due", {"start": "2026-03-10T09:00:00+08:00", "amount": 1,
                                                "unit": "work_hours"}).status_code == 401


def test_days_of_2026(client_for):
    r = client_for("gridworker").get("/api/v1/worktime/days?year=2026")
    assert r.status_code == 200
    body = r.json()
    assert body["library_covers"] and body["warning"] is None
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-16"]["name"] == "春节" and not days["2026-02-16"]["is_workday"]
    assert days["2026-02-14"]["is_workday"] and days["2026-02-14"]["source"] == "library"
    assert days["2026-02-14"]["weekday"] == "星期六"
    assert "2026-03-07" not in days  # ordinary weekend
    assert body["office_hours"] == "08:30-12:00, 13:30-17:30"


def test_days_beyond_the_library_warn_until_overrides_exist(client_for):
    c = client_for("admin")
    body = c.get("/api/v1/worktime/days?year=2031").json()
    assert not body["library_covers"] and body["days"] == [] and "2031" in body["warning"]
    CalendarDay.objects.create(date=dt.date(2031, 1, 1), is_workday=False, name="元旦")
    body = c.get("/api/v1/worktime/days?year=2031").json()
    assert body["warning"] is None and body["overrides"] == 1
    assert body["days"] == [{"date": "2031-01-01", "weekday": "星期三", "is_workday": False, "name": "元旦",
                             "source": "override", "source_label": "人工设置"}]


def test_days_bad_year(client_for):
    r = client_for("admin").get("/api/v1/worktime/days?year=99999")
    assert r.status_code == 400 and r.json()["code"] == "invalid_year"


def test_due(client_for):
    c = client_for("dispatcher")
    # Fri 2/13 10:00 + 3 working days → Wed 2/25 10:00 (see the unit tests for the arithmetic)
    r = post(c, "/api/v1/worktime/due", {"start": "2026-02-13T10:00:00+08:00", "amount": 3, "unit": "work_days"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert dt.datetime.fromisoformat(body["due"]) == dt.datetime.fromisoformat("2026-02-25T10:00:00+08:00")
    assert body["due"].endswith("+08:00") and body["unit_label"] == "工作日" and not body["paused"]
    assert body["plain_rule_dates"] == []
    # the same start given in UTC; the answer is in Beijing time
    r = post(c, "/api/v1/worktime/due", {"start": "2026-02-13T02:00:00Z", "amount": 3, "unit": "work_days"})
    assert r.json()["due"].startswith("2026-02-25T10:00:00")


def test_due_with_pauses_and_plain_rule(client_for):
    c = client_for("dispatcher")
    r = post(c, "/api/v1/worktime/due", {"start": "2026-03-10T08:30:00+08:00", "amount": 1, "unit": "work_days",
                                         "pauses": [{"start": "2026-03-10T10:00:00+08:00", "end": None}]})
    assert r.status_code == 200 and r.json()["due"] is None and r.json()["paused"]
    r = post(c, "/api/v1/worktime/due", {"start": "2031-01-03T10:00:00+08:00", "amount": 1, "unit": "work_days"})
    body = r.json()
    assert body["due"].startswith("2031-01-06T10:00:00")
    assert body["plain_rule_dates"][0] == "2031-01-03" and body["plain_rule_dates"][-1] == "2031-01-06"


def test_due_bad_input(client_for):
    c = client_for("dispatcher")
    r = post(c, "/api/v1/worktime/due", {"start": "2026-03-10T09:00:00", "amount": 1, "unit": "work_hours"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_deadline_input"
    r = post(c, "/api/v1/worktime/due", {"start": "2026-03-10T09:00:00+08:00", "amount": 1, "unit": "weeks"})
    assert r.status_code == 422
    r = post(c, "/api/v1/worktime/due", {"start": "2026-03-10T09:00:00+08:00", "amount": -1, "unit": "work_hours"})
    assert r.status_code == 422


def test_due_is_for_staff(client_for):
    r = post(client_for("resident"), "/api/v1/worktime/due",
             {"start": "2026-03-10T09:00:00+08:00", "amount": 1, "unit": "work_hours"})
    assert r.status_code == 403
    assert client_for("resident").get("/api/v1/worktime/days?year=2026").status_code == 200
