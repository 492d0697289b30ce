"""One catalog in memory (gridgov.catalog.cache): a matter deactivated in the admin is refused by intake and 立案
and no longer offered by the search or the pages — seen without any process restart — and accepted again once
reactivated."""

import json

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case
from gridgov.catalog.models import CatalogItem
from gridgov.catalog.search import search_matters

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _set_active(code: str, active: bool) -> None:
    """What the admin's change form does: the row saved (no in-process invalidation, as from another worker)."""
    item = CatalogItem.objects.get(kind="matter", code=code)
    item.active = active
    item.save()


def test_deactivated_matter_is_refused_by_intake_and_register_then_accepted_again(client_for, point):
    lon, lat = point
    worker, intake = client_for("gridworker"), client_for("intake")
    report = {"source": "grid_worker", "lon": lon, "lat": lat, "description": "路边有暴露垃圾", "matter": "06010"}
    r = _post(worker, "/api/v1/cases", report)  # the catalog is now in memory with 06010 active
    assert r.status_code == 201, r.content
    number = r.json()["case"]["number"]
    assert [e.code for e in search_matters("暴露垃圾")][:1] == ["06010"]

    _set_active("06010", False)
    cases, records = Case.objects.count(), AuditRecord.objects.count()
    r = _post(worker, "/api/v1/cases", {**report, "client_key": "after-deactivation"})
    assert r.status_code == 400
    assert r.json()["code"] == "matter_inactive"
    assert "已停用" in r.json()["message"]
    r = _post(intake, f"/api/v1/cases/{number}/actions/register", {})  # the case reported with it before
    assert r.status_code == 400 and r.json()["code"] == "matter_inactive"
    assert Case.objects.count() == cases and AuditRecord.objects.count() == records  # nothing written
    assert Case.objects.get(number=number).status == "reported"
    assert "06010" not in [e.code for e in search_matters("暴露垃圾")]
    page = intake.get(f"/cases/{number}/").content.decode()
    assert '<option value="06010"' not in page  # the 立案 form's matter choices
    assert "06010" not in [c for c, _ in intake.get("/cases/").context["matters"]]

    _set_active("06010", True)
    r = _post(intake, f"/api/v1/cases/{number}/actions/register", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "registered"
    r = _post(worker, "/api/v1/cases", {**report, "client_key": "after-reactivation"})
    assert r.status_code == 201, r.content
    assert [e.code for e in search_matters("暴露垃圾")][:1] == ["06010"]


def test_register_with_another_matter_that_is_inactive_is_refused(client_for, point):
    lon, lat = point
    worker, intake = client_for("gridworker"), client_for("intake")
    r = _post(worker, "/api/v1/cases", {"source": "grid_worker", "lon": lon, "lat": lat, "description": "占道",
                                        "matter": "06010"})
    number = r.json()["case"]["number"]
    _set_active("06012", False)
    r = _post(intake, f"/api/v1/cases/{number}/actions/register", {"matter": "06012"})
    assert r.status_code == 400 and r.json()["code"] == "matter_inactive"
    case = Case.objects.select_related("matter").get(number=number)
    assert case.status == "reported" and case.matter.code == "06010"
