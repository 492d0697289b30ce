"""The 下派 form offers exactly the nodes the service accepts (one rule, cases/logic/lifecycle.py)."""

import json

import pytest

from gridgov.cases.models import Case
from gridgov.cases.views.centre import Choices

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_delegate_choices_are_what_the_service_accepts(client_for, users, point):
    lon, lat = point
    r = _post(client_for("gridworker"), "/api/v1/cases",
              {"source": "grid_worker", "lon": lon, "lat": lat, "description": "暴露垃圾", "matter": "06010"})
    number = r.json()["case"]["number"]
    assert _post(client_for("intake"), f"/api/v1/cases/{number}/actions/register", {}).status_code == 200
    case = Case.objects.get(number=number)
    grid = case.scope_key.split(".")[0]
    assert case.scope_key.startswith("110101001001W")
    # the dispatcher (district level): the case's street, community and management grid
    assert [v for v, _ in Choices(users["dispatcher"], case).nodes()] == ["110101001", "110101001001", grid]
    assert _post(client_for("dispatcher"), f"/api/v1/cases/{number}/actions/delegate",
                 {"node": "110101001001"}).status_code == 200
    assert _post(client_for("gridleader"), f"/api/v1/cases/{number}/actions/accept", {}).status_code == 200
    case = Case.objects.get(number=number)
    # the grid leader (community level): only the management grid below her
    assert [v for v, _ in Choices(users["gridleader"], case).nodes()] == [grid]
    leader = client_for("gridleader")
    r = _post(leader, f"/api/v1/cases/{number}/actions/delegate", {"node": "110101001"})
    assert r.status_code == 400 and r.json()["code"] == "not_below"
    r = _post(leader, f"/api/v1/cases/{number}/actions/delegate", {"node": "110101001001"})
    assert r.status_code == 400 and r.json()["code"] == "not_below"
    r = _post(leader, f"/api/v1/cases/{number}/actions/delegate", {"node": grid})
    assert r.status_code == 200, r.content
    assert Case.objects.get(number=number).assignee_node == grid
