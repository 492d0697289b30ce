"""One units table (worktime/logic/sla.py): the 延期 form, the catalog's deadline rules, the API and the
admin's choices all say 工作小时 / 工作日 / 自然日 / 自然小时 — never the raw code."""

import json

import pytest

from gridgov.catalog.models import DeadlineRule, TimeUnit
from gridgov.worktime.logic.sla import UNIT_LABELS, unit_label

pytestmark = pytest.mark.django_db

LABELS = {"work_hours": "工作小时", "work_days": "工作日", "natural_days": "自然日", "natural_hours": "自然小时"}


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_the_table_and_its_choices():
    assert {str(k): v for k, v in UNIT_LABELS.items()} == LABELS
    assert dict(TimeUnit.choices) == LABELS
    assert dict(DeadlineRule._meta.get_field("unit").choices) == LABELS
    assert unit_label("natural_hours") == "自然小时" and unit_label("fortnights") == "fortnights"


@pytest.mark.parametrize(("unit", "label"), [("work_hours", "工作小时"), ("natural_hours", "自然小时"),
                                             ("work_days", "工作日")])
def test_extension_form_names_the_unit_in_chinese(client_for, point, unit, label):
    from gridgov.cases.models import Case

    lon, lat = point
    r = _post(client_for("gridworker"), "/api/v1/cases",
              {"source": "grid_worker", "lon": lon, "lat": lat, "description": "暴露垃圾", "matter": "06010"})
    number = r.json()["case"]["number"]
    assert _post(client_for("intake"), f"/api/v1/cases/{number}/actions/register", {}).status_code == 200
    assert _post(client_for("dispatcher"), f"/api/v1/cases/{number}/actions/dispatch",
                 {"department": "110101-HW"}).status_code == 200
    assert _post(client_for("handler"), f"/api/v1/cases/{number}/actions/accept", {}).status_code == 200
    Case.objects.filter(number=number).update(stage_unit=unit)
    page = client_for("handler").get(f"/cases/{number}/").content.decode()
    assert f"延期时长（{label}）" in page
    assert f"（{unit}）" not in page


def test_api_labels(client_for):
    admin = client_for("admin")
    rules = admin.get("/api/v1/catalog/deadlines?limit=500").json()
    items = rules["items"] if isinstance(rules, dict) else rules
    assert items and all(i["unit_label"] == LABELS[i["unit"]] for i in items)
    r = _post(admin, "/api/v1/worktime/due", {"start": "2026-03-10T08:30:00+08:00", "amount": 2,
                                              "unit": "natural_hours"})
    assert r.status_code == 200, r.content
    assert r.json()["unit_label"] == "自然小时"


def test_urgencies_and_area_classes_are_defined_once():
    from gridgov.cases.models import Urgency as CaseUrgency
    from gridgov.catalog.logic.deadlines import AREA_CLASSES, URGENCIES
    from gridgov.catalog.models import AreaClassFilter, Urgency
    from gridgov.geo.models import AreaClass

    assert CaseUrgency.choices == [("normal", "一般"), ("urgent", "紧急")]
    assert Urgency.choices == [("", "不限"), ("normal", "一般"), ("urgent", "紧急")]
    assert URGENCIES == ("normal", "urgent")
    assert AreaClass.choices == [("A", "A类（核心区）"), ("B", "B类（一般区）"), ("C", "C类（其他区域）")]
    assert AreaClassFilter.choices == [("", "不限"), *AreaClass.choices]
    assert AREA_CLASSES == tuple(AreaClass.values)
