"""Moving a management grid to another community (PATCH /grids/management/{code} with community_code): it gets a
code in the new community and everything scoped under it is re-keyed in one transaction and audited once; the
old community's grid leader no longer sees any of it, the new one does, the grid's worker still sees her grid."""

import json

import pytest

from gridgov.accounts import roles
from gridgov.accounts.models import User
from gridgov.accounts.scope import scoped
from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import Building, Resident
from gridgov.cases.models import Case
from gridgov.catalog.models import Component
from gridgov.geo import rekey
from gridgov.geo.locating import locate
from gridgov.geo.models import Grid, Jurisdiction

pytestmark = pytest.mark.django_db

OLD, NEW = "110101001001", "110101001002"  # 多福巷社区 and its neighbour (both with basic data in the test world)


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _patch(client, path, body):
    return client.patch(path, data=json.dumps(body), content_type="application/json")


def _under(model, field, key):
    return model._base_manager.filter(**{field: key}).count() + \
        model._base_manager.filter(**{f"{field}__startswith": key + "."}).count()


@pytest.fixture
def moving():
    """The management grid of 多福巷 that touches the neighbour community (the demo grid worker's W001 if it does)."""
    there = Jurisdiction.objects.get(code=NEW).shape
    grids = Grid.objects.filter(layer__code="management", community__code=OLD).order_by("code")
    touching = [g for g in grids if g.shape.distance(there) <= 1e-6]
    assert touching, "the test world has a management grid on the border of the two communities"
    return next((g for g in touching if g.code == f"{OLD}W001"), touching[0])


def test_keyed_fields_are_every_scope_and_node_key_of_the_installed_apps():
    assert {f"{m._meta.label}.{f}" for m, f in rekey.keyed_fields()} == {
        "accounts.User.node_key", "geo.Grid.scope_key", "catalog.Component.scope_key", "cases.Case.scope_key",
        "cases.Case.assignee_node", "basedata.Building.scope_key", "basedata.Dwelling.scope_key",
        "basedata.Household.scope_key", "basedata.Resident.scope_key", "basedata.ResidentEvent.scope_key",
        "basedata.Organisation.scope_key", "basedata.KeyTag.scope_key", "basedata.Visit.scope_key",
        "basedata.DiaryEntry.scope_key", "basedata.VisitTrigger.scope_key", "basedata.ImportJob.scope_key",
        "duty.Activation.scope_key",  # duty: a 预案 activation follows its case's place
        "addresses.Address.scope_key",  # basemap: an address follows its grid
        # briefs: a document, its series counter and a subscription are kept for a district or a street (never a
        # grid: re-keying leaves them as they are); a mining run likewise
        "briefs.Brief.scope_key", "briefs.Counter.scope_key", "briefs.Subscription.scope_key", "mining.Run.scope_key",
        "oversight.Notice.scope_key",  # the city's: a district or street code (never under a grid), kept general
        # tasks: campaigns, units, tasks and reports of a unit, drills and meetings
        "tasks.Campaign.scope_key", "tasks.Unit.scope_key", "tasks.Task.scope_key", "tasks.Report.scope_key",
        "tasks.Drill.scope_key", "tasks.Meeting.scope_key",
        # inspection
        "inspection.Plan.scope_key", "inspection.Target.scope_key", "inspection.FrontageAgreement.scope_key",
        "inspection.Inspection.scope_key", "inspection.Revisit.scope_key",
        # patrol: plans, 错时督查 places, duty windows, leave, shifts and their anomalies follow their grid
        "patrol.PatrolPlan.scope_key", "patrol.KeyPlace.scope_key", "patrol.WorkHours.scope_key",
        "patrol.Leave.scope_key", "patrol.Shift.scope_key", "patrol.Anomaly.scope_key",
        # a 回访 survey, a sampled case (抽查), a 倒查 problem and a 弄虚作假 flag are keyed by their place and follow it
        "evaluation.Survey.scope_key", "ledgers.SampledCase.scope_key", "ledgers.Problem.scope_key",
        "integrity.Flag.scope_key",
        # the assessment's registers of a street or the district (never under a grid), kept general
        "ledgers.QuotaYear.scope_key", "ledgers.UnitBase.scope_key", "ledgers.QuotaAdjustment.scope_key",
        "ledgers.SampleDraw.scope_key", "ledgers.Training.scope_key", "ledgers.Outage.scope_key",
        "ledgers.Publicity.scope_key",
        # party: organisations on a grid, members, 报到, 承诺, 入户, 帮扶对子 and their visits follow their grid
        "party.PartyOrg.scope_key", "party.Member.scope_key", "party.Registration.scope_key", "party.Pledge.scope_key",
        "party.HomeVisit.scope_key", "party.Pair.scope_key", "party.PairVisit.scope_key",
        # notices: a notice is kept for its community, street or district
        "notices.Notice.scope_key",
        # services: a grid's team, a community's volunteer teams, volunteers, activities, pledges, stations, requests
        "services.TeamMember.scope_key", "services.VolunteerTeam.scope_key", "services.Volunteer.scope_key",
        "services.Activity.scope_key", "services.Pledge.scope_key", "services.Facility.scope_key",
        "services.ServiceRequest.scope_key",
        # groups: an organisation is placed in one management grid; a dynamic group is kept for its area
        "groups.Organisation.scope_key", "groups.DynamicGroup.scope_key",
        # training: courses and banks kept for an area, attempts by the person's place
        "training.Course.scope_key", "training.Bank.scope_key", "training.Attempt.scope_key",
    }
    assert set(rekey.KEEPS_HISTORY) == {"basedata.AccessLog"}


def test_moving_a_management_grid_rekeys_everything_under_it(client_for, moving, users):
    from gridgov.catalog.services import create_component

    old_key, old_code = moving.scope_key, moving.code
    worker = users["gridworker"] if users["gridworker"].node_key == old_key else User.objects.get(
        username=f"demo-w{old_code}")
    unit = Grid.objects.filter(parent=moving).order_by("code").first()
    p = unit.shape.representative_point()
    # a case reported in the grid and 下派 to it, and a component in it
    r = _post(client_for(worker.username), "/api/v1/cases",
              {"source": "grid_worker", "lon": p.x, "lat": p.y, "description": "井盖破损", "matter": "06010"})
    assert r.status_code == 201, r.content
    number = r.json()["case"]["number"]
    assert _post(client_for("intake"), f"/api/v1/cases/{number}/actions/register", {}).status_code == 200
    r = _post(client_for("dispatcher"), f"/api/v1/cases/{number}/actions/delegate", {"node": old_code})
    assert r.status_code == 200, r.content
    component = create_component(users["admin"], "01001", p.x, p.y)
    resident = Resident.objects.filter(scope_key__startswith=old_key + ".").first()
    assert resident is not None  # the test world has basic data in the grid
    before = {f"{m._meta.label}.{f}": _under(m, f, old_key) for m, f in rekey.keyed_fields()}
    for label in ("accounts.User.node_key", "geo.Grid.scope_key", "catalog.Component.scope_key", "cases.Case.scope_key",
                  "cases.Case.assignee_node", "basedata.Building.scope_key", "basedata.Resident.scope_key"):
        assert before[label] > 0, label
    records = AuditRecord.objects.count()

    r = _patch(client_for("admin"), f"/api/v1/grids/management/{old_code}", {"community_code": NEW})
    assert r.status_code == 200, r.content
    moving.refresh_from_db()
    new_key = moving.scope_key
    assert moving.code == new_key and new_key.startswith(NEW + "W") and moving.community.code == NEW
    assert r.json()["properties"]["code"] == moving.code

    # every key field: nothing left under the old key, everything that was there is under the new one
    for m, f in rekey.keyed_fields():
        label = f"{m._meta.label}.{f}"
        assert _under(m, f, old_key) == 0, label
        if before[label]:
            assert _under(m, f, new_key) == before[label], label
    units = list(Grid.objects.filter(parent=moving))
    assert units and all(u.code.startswith(NEW) and len(u.code) == 15 and u.community.code == NEW
                         and u.scope_key == f"{new_key}.{u.code}" for u in units)
    case = Case.objects.get(number=number)
    assert case.community.code == NEW and case.assignee_node == new_key
    assert case.scope_key in {u.scope_key for u in units}
    component.refresh_from_db()
    assert component.community.code == NEW and component.scope_key == component.grid.scope_key
    for b in Building.objects.filter(scope_key__startswith=new_key + "."):
        assert b.community_code == NEW and b.management_grid == moving.code
        assert b.scope_key == f"{new_key}.{b.unit_grid}"
    worker.refresh_from_db()
    assert worker.node_key == new_key
    # the locator answers with the new keys
    where = locate(p.x, p.y, with_ids=True)
    assert where["management_grid"] == moving.code and where["community"]["code"] == NEW
    assert where["ids"]["scope_key"].startswith(new_key + ".")
    # audited once, with the counts
    moves = AuditRecord.objects.filter(action="grid.move")
    assert moves.count() == 1 and AuditRecord.objects.count() >= records + 1
    assert moves.get().after["rekeyed"]["cases.Case.scope_key"] == before["cases.Case.scope_key"]

    # who sees what now
    old_leader, new_leader = users["gridleader"], User.objects.get(username=f"demo-l{NEW}")
    resident = Resident.objects.get(pk=resident.pk)
    for model, pk in ((Case, case.pk), (Resident, resident.pk), (Component, component.pk), (Grid, moving.pk)):
        assert not scoped(model.objects.all(), old_leader, roles.VIEW if model is not Case else roles.CASE_VIEW
                          ).filter(pk=pk).exists(), model
        assert scoped(model.objects.all(), new_leader, roles.VIEW if model is not Case else roles.CASE_VIEW
                      ).filter(pk=pk).exists(), model
    assert client_for("gridleader").get(f"/api/v1/cases/{number}").status_code == 404
    assert client_for(new_leader.username).get(f"/api/v1/cases/{number}").status_code == 200
    me = client_for(worker.username)
    assert me.get(f"/api/v1/grids/management/{moving.code}").status_code == 200
    assert me.get(f"/api/v1/cases/{number}").status_code == 200


def test_a_move_out_of_the_district_or_to_a_community_it_does_not_touch_is_refused(client_for, moving):
    admin = client_for("admin")
    far = next(c for c in Jurisdiction.objects.filter(level="community", code__startswith="110101").exclude(
        code__in=[OLD, NEW]).order_by("-code") if c.shape is not None and c.shape.distance(moving.shape) > 1e-3)
    other = Jurisdiction.objects.filter(level="community", code__startswith="110102").order_by("code").first()
    records, key = AuditRecord.objects.count(), moving.scope_key
    r = _patch(admin, f"/api/v1/grids/management/{moving.code}", {"community_code": far.code})
    assert r.status_code == 400 and r.json()["code"] == "not_adjacent"
    r = _patch(admin, f"/api/v1/grids/management/{moving.code}", {"community_code": other.code})
    assert r.status_code == 400 and r.json()["code"] == "other_district"
    moving.refresh_from_db()
    assert moving.scope_key == key and moving.community.code == OLD
    assert Resident.objects.filter(scope_key__startswith=key + ".").exists()
    assert AuditRecord.objects.count() == records
