"""Grid changes keep history (issue 10 item 8, issue 15 item 8): a plan shows its impact before anything is written;
applying it retires the old grids, carries every 五定, keeps every case linked (re-keyed to its new grid, found by its
old grid code through the 历史案件对照表), in one transaction with one audit record; regenerating the district after
that goes through the same path. Bad input is refused with a stable code and writes nothing.

The small fixture: 多福巷社区 (110101001001) of the test world, plus three cases filed here in its grid W001 (one of
them closed) and a component there."""

import json

import pytest

from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case
from gridgov.catalog.models import Component
from gridgov.geo import services
from gridgov.geo.models import Grid, GridChange, GridDuty, GridMapping, RetiredGrid, RowMapping

pytestmark = pytest.mark.django_db

COMMUNITY = "110101001001"
W001 = f"{COMMUNITY}W001"
API = "/api/v1"


def _post(client, path, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def _live_management():
    return set(Grid.objects.filter(layer__code="management", community__code=COMMUNITY).values_list("code", flat=True))


def _duties():
    """Every (person, post) holding a 五定 in the community's management grids."""
    return set(GridDuty.objects.filter(grid__layer__code="management", grid__community__code=COMMUNITY)
               .values_list("person__username", "post"))


@pytest.fixture
def filed(client_for, users):
    """Three cases in W001 (the third closed), and a component there: (numbers, component code)."""
    from gridgov.catalog.services import create_component

    units = list(Grid.objects.filter(layer__code="unit", parent__code=W001).order_by("code")[:3])
    numbers = []
    for u in units:
        p = u.shape.representative_point()
        r = _post(client_for("intake"), f"{API}/cases", {"source": "hotline", "lon": p.x, "lat": p.y,
                                                         "description": "网格调整测试", "matter": "06010"})
        assert r.status_code == 201, r.content
        numbers.append(r.json()["case"]["number"])
    Case.objects.filter(number=numbers[2]).update(status="closed")  # the fixture: one settled case
    p = units[0].shape.representative_point()
    component = create_component(users["admin"], "01001", p.x, p.y)
    return numbers, component.code


def _all_linked():
    """Every case and component of the community points at grids in force, consistent with its scope key."""
    live = dict(Grid.objects.filter(community__code=COMMUNITY).values_list("id", "code"))
    for c in Case.objects.filter(scope_key__startswith=COMMUNITY):
        m, u = c.scope_key.split(".")
        assert live.get(c.management_grid_id) == m and live.get(c.unit_grid_id) == u, c.number
    for comp in Component.objects.filter(scope_key__startswith=COMMUNITY):
        assert live.get(comp.grid_id) == comp.scope_key.split(".")[1], comp.code


def test_a_workload_division_is_planned_then_applied_keeping_every_duty_and_case(client_for, filed, users):
    numbers, component = filed
    before_duties = _duties()
    before_cases = Case.objects.filter(scope_key__startswith=COMMUNITY).count()
    old_grids = _live_management()
    assert W001 in old_grids and len(before_duties) >= 2 and before_cases >= 3
    changes, records = GridChange.objects.count(), AuditRecord.objects.count()

    # the plan: 2 people; nothing changes in the grids yet
    leader = client_for("gridleader")
    r = _post(leader, f"{API}/grid-changes", {"node": COMMUNITY, "kind": "workload", "parts": 2})
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["status"] == "planned" and plan["create"] == 2 and plan["retire"] == len(old_grids)
    assert [g["code"] for g in plan["impact"]["new"]] == [f"{COMMUNITY}W{n:03d}" for n in (
        len(old_grids) + 1, len(old_grids) + 2)] or all(g["code"] not in old_grids for g in plan["impact"]["new"])
    assert all(g["load"] is not None for g in plan["impact"]["new"])
    old_w001 = next(g for g in plan["impact"]["old"] if g["code"] == W001)
    assert old_w001["rows"]["cases.Case:open"] >= 2 and old_w001["rows"]["cases.Case:closed"] >= 1
    assert old_w001["rows"]["catalog.Component"] >= 1 and old_w001["duties"] >= 2
    assert _live_management() == old_grids and AuditRecord.objects.count() == records + 1

    # applied: one transaction, one audit record with the counts
    last = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    r = _post(leader, f"{API}/grid-changes/{plan['id']}/apply")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "applied"
    (applied,) = AuditRecord.objects.filter(id__gt=last)
    assert applied.action == "grid_change.apply" and applied.after["rekeyed"]["cases.Case.scope_key"] == before_cases
    assert AuditRecord.objects.count() == records + 2 and GridChange.objects.count() == changes + 1
    new_grids = _live_management()
    assert len(new_grids) == 2 and not (new_grids & old_grids)
    # the old grids are history, valid until now, with their 五定 then
    retired = RetiredGrid.objects.filter(change_id=plan["id"], layer="management")
    assert set(retired.values_list("code", flat=True)) == old_grids
    assert retired.get(code=W001).duties and retired.get(code=W001).valid_to is not None
    # every 五定 is kept and every new grid has people
    assert _duties() == before_duties
    assert all(GridDuty.objects.filter(grid__code=g).exists() for g in new_grids)
    # every case still linked, none lost
    assert Case.objects.filter(scope_key__startswith=COMMUNITY).count() == before_cases
    _all_linked()
    assert Case.objects.filter(management_grid__isnull=True, scope_key__startswith=COMMUNITY).count() == 0
    # the 历史案件对照表: each of the three cases, with W001 before and its new grid after
    rows = {m.label: m for m in RowMapping.objects.filter(change_id=plan["id"], label__in=numbers)}
    assert set(rows) == set(numbers)
    assert {m.old_management_grid for m in rows.values()} == {W001}
    assert {m.new_management_grid for m in rows.values()} <= new_grids
    assert rows[numbers[2]].state == "closed"
    assert RowMapping.objects.filter(change_id=plan["id"]).count() == before_cases
    # the grid mapping by area share: W001's shares add up to the whole grid
    shares = GridMapping.objects.filter(change_id=plan["id"], old_code=W001).values_list("share", flat=True)
    assert abs(sum(shares) - 1.0) < 1e-3
    # the demo grid worker follows his grid
    worker = User.objects.get(username="gridworker")
    assert worker.node_key in new_grids

    # the mapping over the API, and the case list finds the cases by the old code and shows the new one
    admin = client_for("admin")
    cm = admin.get(f"{API}/grid-changes/{plan['id']}/case-mapping?grid={W001}&limit=500").json()
    assert {i["number"] for i in cm["items"]} >= set(numbers)
    assert all(i["old_management_grid"] == W001 for i in cm["items"] if i["number"] in numbers)
    found = admin.get(f"{API}/cases?grid={W001}&limit=500").json()
    listed = {i["number"]: i for i in found["items"]}
    assert set(numbers) <= set(listed)
    assert {Case.objects.get(number=n).management_grid.code for n in numbers} <= new_grids
    # the case shows both: its grid now and its grid before the change
    detail = admin.get(f"{API}/cases/{numbers[0]}").json()
    assert detail["management_grid"] in new_grids
    assert [(h["old_management_grid"], h["new_management_grid"]) for h in detail["grid_history"]] == [
        (W001, detail["management_grid"])]
    gm = admin.get(f"{API}/grid-changes/{plan['id']}/grid-mapping").json()
    assert {i["old_code"] for i in gm["items"]} == old_grids
    case_page = admin.get(f"/cases/{numbers[0]}/").content.decode()
    assert "原网格" in case_page and W001 in case_page and detail["management_grid"] in case_page
    # applying it again is refused, nothing written
    records = AuditRecord.objects.count()
    r = _post(leader, f"{API}/grid-changes/{plan['id']}/apply")
    assert r.status_code == 409 and r.json()["code"] == "change_applied"
    assert AuditRecord.objects.count() == records
    # the page shows the plan, its impact and the mapping
    page = admin.get(f"/map/changes/{plan['id']}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert W001 in text and numbers[0] in text and "历史案件对照表" in text

    # regenerating the district afterwards: the community comes back to the standard division, through a plan
    duties, cases = _duties(), Case.objects.filter(scope_key__startswith=COMMUNITY).count()
    services.generate_grids("110101")
    regenerated = GridChange.objects.filter(kind="regenerate").order_by("-id").first()
    assert regenerated is not None and regenerated.status == "applied"
    assert _duties() == duties and Case.objects.filter(scope_key__startswith=COMMUNITY).count() == cases
    _all_linked()
    assert not (_live_management() & (old_grids | new_grids))  # codes are never reused
    # the first cases are found by their very first grid code still
    found = admin.get(f"{API}/cases?grid={W001}&limit=500").json()
    assert set(numbers) <= {i["number"] for i in found["items"]}


def test_regenerating_an_unchanged_district_changes_nothing():
    services.generate_grids("110101")  # whatever the test world's history, the district is now as generated
    changes, records = GridChange.objects.count(), AuditRecord.objects.count()
    grids = set(Grid.objects.filter(community__code__startswith="110101").values_list("code", "scope_key"))
    services.generate_grids("110101")
    assert GridChange.objects.count() == changes and AuditRecord.objects.count() == records
    assert set(Grid.objects.filter(community__code__startswith="110101").values_list("code", "scope_key")) == grids


@pytest.mark.parametrize("body, status, code", [
    ({"node": "110101999999", "kind": "workload", "parts": 2}, 404, "unknown_node"),
    ({"node": COMMUNITY, "kind": "workload", "parts": 0}, 400, "invalid_parts"),
    ({"node": COMMUNITY, "kind": "workload", "parts": 100000}, 400, "invalid_parts"),
    ({"node": COMMUNITY, "kind": "merge", "grids": [W001]}, 400, "invalid_grids"),
])
def test_bad_plans_are_refused_and_write_nothing(client_for, body, status, code):
    changes, records = GridChange.objects.count(), AuditRecord.objects.count()
    r = _post(client_for("admin"), f"{API}/grid-changes", body)
    assert r.status_code == status and r.json()["code"] == code, r.content
    assert r.json()["message"]
    assert GridChange.objects.count() == changes and AuditRecord.objects.count() == records


def test_a_stale_plan_is_refused(client_for):
    admin = client_for("admin")
    first = _post(admin, f"{API}/grid-changes", {"node": COMMUNITY, "kind": "workload", "parts": 2}).json()
    second = _post(admin, f"{API}/grid-changes", {"node": COMMUNITY, "kind": "workload", "parts": 3}).json()
    assert _post(admin, f"{API}/grid-changes/{first['id']}/apply").status_code == 200
    grids, records = _live_management(), AuditRecord.objects.count()
    r = _post(admin, f"{API}/grid-changes/{second['id']}/apply")
    assert r.status_code == 409 and r.json()["code"] == "change_stale"
    assert _live_management() == grids and AuditRecord.objects.count() == records
    assert GridChange.objects.get(pk=second["id"]).status == "planned"


def test_merging_two_grids_keeps_both_grids_people(client_for):
    codes = sorted(_live_management())[:2]
    duties = set(GridDuty.objects.filter(grid__code__in=codes).values_list("person__username", "post"))
    admin = client_for("admin")
    r = _post(admin, f"{API}/grid-changes", {"node": COMMUNITY, "kind": "merge", "grids": codes})
    if r.status_code == 400 and r.json()["code"] == "not_adjacent":  # pragma: no cover - depends on the shapes
        pytest.fail("the first two grids of 多福巷 touch in the test world")
    assert r.status_code == 201, r.content
    assert _post(admin, f"{API}/grid-changes/{r.json()['id']}/apply").status_code == 200
    merged = Grid.objects.get(code=r.json()["impact"]["new"][0]["code"])
    assert set(GridDuty.objects.filter(grid=merged).values_list("person__username", "post")) == duties
