"""Bulk actions (POST /cases/bulk/{action}) and batch intake (POST /cases/batch): every case checked, timed and
audited on its own; a refusal writes nothing unless skip_refused; the same rows as one case at a time."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import verify_chain
from gridgov.cases import services
from gridgov.cases.models import Case, CaseAssist, CaseEvent, CaseReport, RoutingDecision
from gridgov.notify.models import Notification

pytestmark = pytest.mark.django_db

OUTSIDE = (116.9, 40.5)  # far outside 东城区


def post(client, path, body, status):
    r = client.post(path, data=json.dumps(body), content_type="application/json")
    assert r.status_code == status, (path, r.status_code, r.content.decode()[:500])
    return r.json()


def report(lon, lat, **extra):
    return {"source": "grid_worker", "lon": lon, "lat": lat, "description": "路边有暴露垃圾", "matter": "06010",
            **extra}


def state():
    """Everything a case action writes, to show that a refused call wrote nothing."""
    return (sorted(Case.objects.values_list("number", "status", "version")), CaseEvent.objects.count(),
            AuditRecord.objects.count(), Notification.objects.count(), RoutingDecision.objects.count(),
            CaseAssist.objects.count())


def filed(client_for, point, n):
    lon, lat = point
    out = post(client_for("gridworker"), "/api/v1/cases/batch",
               {"reports": [report(lon + i * 1e-6, lat) for i in range(n)]}, 200)
    return [r["number"] for r in out["results"]]


def test_batch_intake_files_the_good_reports_and_names_each_bad_one(client_for, point):
    lon, lat = point
    audit_before = AuditRecord.objects.count()
    body = {"reports": [
        report(lon, lat, client_key="hotline-0001"),
        report(*OUTSIDE),
        report(lon, lat, source="resident"),  # a grid worker may not report as a resident
        report(lon, lat, matter="99999"),
        report(lon, lat, description="x"),
        report(lon, lat, client_key="hotline-0002", urgency="urgent"),
        report(lon, lat, client_key="hotline-0001"),  # the same key again in the same batch
    ]}
    out = post(client_for("gridworker"), "/api/v1/cases/batch", body, 200)
    res = out["results"]
    assert [r.get("error", {}).get("code") for r in res] == [
        None, "outside_jurisdiction", "source_not_allowed", "unknown_matter", "description_required", None, None]
    assert out["created"] == 2 and out["failed"] == 4
    first, urgent, again = res[0], res[5], res[6]
    assert first["created"] and urgent["created"] and again["created"] is False
    assert again["number"] == first["number"]
    # consecutive numbers of the day, located to grids, each with its report, timeline row and audit record
    assert int(urgent["number"][-4:]) == int(first["number"][-4:]) + 1
    # each new case says where the routing rules would send it (暴露垃圾 → 区环境卫生服务中心)
    assert first["routing_suggestion"]["department"] == "区环境卫生服务中心"
    assert again["routing_suggestion"] is None
    for number in (first["number"], urgent["number"]):
        c = Case.objects.get(number=number)
        assert c.status == "reported" and c.unit_grid_id and c.stage == "register" and c.stage_due_at
        assert CaseReport.objects.filter(case=c).count() == 1
        assert list(CaseEvent.objects.filter(case=c).values_list("action", flat=True)) == ["report"]
        assert AuditRecord.objects.filter(object_type="case", object_id=number, action="report").count() == 1
    assert AuditRecord.objects.count() == audit_before + 2 and verify_chain().ok
    # the urgent one alerted the centre, as a single urgent report does
    assert Notification.objects.filter(kind="case.urgent", object_id=urgent["number"]).exists()
    # a key filed before gives the existing case, also in a later batch
    later = post(client_for("gridworker"), "/api/v1/cases/batch", {"reports": [report(lon, lat, client_key="hotline-0002")]}, 200)
    assert later["results"][0] == {**later["results"][0], "created": False, "number": urgent["number"]}
    assert CaseReport.objects.filter(client_key="hotline-0002").count() == 1


def test_batch_intake_needs_the_right_and_a_sane_size(client_for, point):
    lon, lat = point
    before = state()
    assert client_for(None).post("/api/v1/cases/batch", data=json.dumps({"reports": [report(lon, lat)]}),
                                 content_type="application/json").status_code == 401
    post(client_for("handler"), "/api/v1/cases/batch", {"reports": [report(lon, lat)]}, 403)
    r = post(client_for("resident"), "/api/v1/cases/batch", {"reports": [report(lon, lat, source="resident")]}, 403)
    assert r["code"] == "batch_not_allowed", "residents report one at a time"
    r = post(client_for("gridworker"), "/api/v1/cases/batch", {"reports": [report(lon, lat)] * 501}, 400)
    assert r["code"] == "too_many_reports"
    assert state() == before


def test_bulk_register_and_dispatch_write_each_case_as_one_at_a_time_would(client_for, point):
    numbers = filed(client_for, point, 3)
    intake, dispatcher = client_for("intake"), client_for("dispatcher")
    out = post(intake, "/api/v1/cases/bulk/register", {"cases": [{"number": n} for n in numbers]}, 200)
    assert [d["status"] for d in out["done"]] == ["registered"] * 3 and out["refused"] == []
    out = post(dispatcher, "/api/v1/cases/bulk/dispatch",
               {"cases": [{"number": n, "version": 2} for n in numbers], "department": "110101-HW",
                "assist": ["110101-ZF"]}, 200)
    assert {d["number"] for d in out["done"]} == set(numbers)
    for n in numbers:
        c = Case.objects.get(number=n)
        assert (c.status, c.version, c.assignee_department.code, c.stage) == ("dispatched", 3, "110101-HW", "accept")
        assert c.stage_due_at and c.dispatched_at
        assert [e.action for e in CaseEvent.objects.filter(case=c).order_by("id")] == ["report", "register", "dispatch"]
        assert list(CaseAssist.objects.filter(case=c).values_list("department__code", flat=True)) == ["110101-ZF"]
        decision = RoutingDecision.objects.get(case=c)
        assert decision.chosen_department.code == "110101-HW" and not decision.overridden
        assert list(AuditRecord.objects.filter(object_id=n).order_by("id").values_list("action", flat=True)) == [
            "report", "register", "dispatch"]
        assert Notification.objects.filter(user__username="handler", kind="case.dispatch", object_id=n).count() == 1
    assert verify_chain().ok


def test_one_refused_case_stops_the_bulk_action_unless_skipped(client_for, point):
    numbers = filed(client_for, point, 3)
    intake = client_for("intake")
    services.transition(services_user("intake"), numbers[0], "register")  # already registered: cannot be again
    before = state()
    body = {"cases": [{"number": n} for n in numbers] + [{"number": "110101-20200101-9999"}]}
    r = post(intake, "/api/v1/cases/bulk/register", body, 409)
    assert r["code"] == "bulk_refused" and "全部未执行" in r["message"]
    assert {(x["number"], x["code"]) for x in r["refused"]} == {
        (numbers[0], "illegal_transition"), ("110101-20200101-9999", "case_not_found")}
    assert state() == before, "a refused bulk action writes nothing"
    r = post(intake, "/api/v1/cases/bulk/register", {**body, "skip_refused": True}, 200)
    assert [d["number"] for d in r["done"]] == numbers[1:]
    assert [x["number"] for x in r["refused"]] == [numbers[0], "110101-20200101-9999"]
    assert all(Case.objects.get(number=n).status == "registered" for n in numbers)


def test_wrong_role_stale_version_and_size_are_refused_with_nothing_written(client_for, point):
    numbers = filed(client_for, point, 2)
    before = state()
    r = post(client_for("handler"), "/api/v1/cases/bulk/register", {"cases": [{"number": n} for n in numbers]}, 404)
    assert {x["code"] for x in r["refused"]} == {"case_not_found"}  # not sent to the handler: invisible
    r = post(client_for("gridworker"), "/api/v1/cases/bulk/register", {"cases": [{"number": n} for n in numbers]}, 403)
    assert {x["code"] for x in r["refused"]} == {"role_not_allowed"}
    r = post(client_for("intake"), "/api/v1/cases/bulk/register",
             {"cases": [{"number": numbers[0], "version": 1}, {"number": numbers[1], "version": 7}]}, 409)
    assert r["refused"] == [{"number": numbers[1], "code": "version_conflict", "message": r["refused"][0]["message"]}]
    r = post(client_for("intake"), "/api/v1/cases/bulk/register",
             {"cases": [{"number": f"110101-20261123-{i:04d}"} for i in range(501)]}, 400)
    assert r["code"] == "too_many_cases"
    assert post(client_for("intake"), "/api/v1/cases/bulk/register", {"cases": []}, 400)["code"] == "no_cases"
    assert client_for(None).post("/api/v1/cases/bulk/register", data="{}",
                                 content_type="application/json").status_code == 401
    assert state() == before


def services_user(username):
    from gridgov.accounts.models import User

    return User.objects.get(username=username)


def test_bulk_and_single_transitions_write_the_same_rows(client_for, point):
    """transition is transition_many for one case: the same columns, timeline data and audit values."""
    a, b = filed(client_for, point, 2)
    now = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    users = {u: services_user(u) for u in ("intake", "dispatcher")}
    services.transition(users["intake"], a, "register", {"urgency": "urgent"}, now=now)
    services.transition_many(users["intake"], [b], "register", {"urgency": "urgent"}, now=now)
    services.transition(users["dispatcher"], a, "dispatch", {"department": "110101-HW"}, now=now)
    services.transition_many(users["dispatcher"], [b], "dispatch", {"department": "110101-HW"}, now=now)
    skip = {"id", "number", "lon", "lat", "unit_grid_id", "management_grid_id", "community_id", "scope_key",
            "reported_at", "description"}
    rows = {n: {k: v for k, v in Case.objects.filter(number=n).values()[0].items() if k not in skip} for n in (a, b)}
    assert rows[a] == rows[b]
    events = {n: list(CaseEvent.objects.filter(case__number=n).order_by("id").values_list("action", "to_state", "data"))
              for n in (a, b)}
    assert events[a] == events[b]
    audits = {n: list(AuditRecord.objects.filter(object_id=n).order_by("id").values_list("action", "before", "after"))
              for n in (a, b)}
    assert audits[a] == audits[b]


def test_bulk_dispatch_reads_shared_things_once_whatever_the_number_of_cases(client_for, point, settings):
    """No query per case: the department, its handlers and the rows are read and written once a call (SQLite
    updates the case rows one statement each; PostgreSQL in one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.GRIDGOV = {**settings.GRIDGOV, "FRESH_CHECK_S": 3600}  # in-memory tables are not re-checked per use
    numbers = filed(client_for, point, 7)
    users = {u: services_user(u) for u in ("intake", "dispatcher")}
    services.transition_many(users["intake"], numbers, "register")
    counts = []
    for group in (numbers[:2], numbers[2:]):
        with CaptureQueriesContext(connection) as ctx:
            done = services.transition_many(users["dispatcher"], group, "dispatch",
                                            {"department": "110101-HW", "assist": ["110101-ZF"]})
        assert all(o.error is None for o in done)
        counts.append(len(ctx.captured_queries))
    per_case = 0 if connection.vendor == "postgresql" else 1
    assert counts[1] - counts[0] == 3 * per_case, counts
