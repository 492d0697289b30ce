"""Case history loaded in bulk (``cases.services.history.load``): a finished case's course written again at another
time and place with its timeline and audit records; open cases and futures refused, leaving nothing written."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import verify_chain
from gridgov.cases import services
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services import history
from gridgov.errors import DomainError
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db


def finished(users, point, at):
    """A grid worker's find fixed on the spot (自行处置), passed and closed: 4 timeline rows, typed by hand."""
    n = services.intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1],
                        description="路边有暴露垃圾未清运", matter="06010", find_duplicates=False, now=at).case.number
    services.transition(users["gridworker"], n, "self_handle", {"feedback": "已现场处置"}, now=at + dt.timedelta(minutes=20))
    services.transition(users["inspector"], n, "inspect_pass", {}, now=at + dt.timedelta(hours=2))
    services.transition(users["intake"], n, "close", {}, now=at + dt.timedelta(hours=3))
    return Case.objects.get(number=n)


def other_grid(case):
    """Another unit grid of the case's management grid (its grid worker, by 五定, is the demo's ``gridworker``)."""
    return Grid.objects.filter(layer__code="unit", parent_id=case.management_grid_id).exclude(pk=case.unit_grid_id) \
        .order_by("code").first()


def test_a_copy_has_the_templates_course_moved_in_time_and_place(users, point):
    now = timezone.now()
    t = finished(users, point, now - dt.timedelta(days=6))
    g = other_grid(t)
    start = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    at = now - dt.timedelta(days=3, hours=1)
    [number] = history.load([history.Copy(t.pk, at, g.pk, 116.41, 39.92, description="胡同口有散落垃圾",
                                          reporter_name="赵先生", reporter_phone="13700001234")])
    c = Case.objects.get(number=number)
    assert c.status == "closed" and c.pk != t.pk and c.number.startswith("110101-")
    assert c.reported_at == at and c.closed_at == at + dt.timedelta(hours=3)
    assert (c.unit_grid_id, c.scope_key, c.lon, c.lat) == (g.pk, g.scope_key, 116.41, 39.92)
    assert c.description == "胡同口有散落垃圾" and c.matter.code == "06010"
    assert [e.action for e in CaseEvent.objects.filter(case=c).order_by("at", "id")] == \
        ["report", "self_handle", "inspect_pass", "close"]
    assert CaseEvent.objects.filter(case=c).order_by("at").last().at == at + dt.timedelta(hours=3)
    report = c.reports.get()
    assert report.reporter_phone_masked == "137****1234" and report.reporter_name == "赵先生"
    [rec] = AuditRecord.objects.filter(id__gt=start)
    assert (rec.object_type, rec.action, rec.object_id, rec.actor_id) == ("case", "load_history", number, None)
    assert rec.after["status"] == "closed" and rec.after["template"] == t.number
    assert [(step[0], step[2]) for step in rec.after["course"]] == [
        ("report", users["gridworker"].pk), ("self_handle", users["gridworker"].pk),
        ("inspect_pass", users["inspector"].pk), ("close", users["intake"].pk)]
    assert rec.after["course"][-1][1] == (at + dt.timedelta(hours=3)).isoformat()
    assert verify_chain().ok


def test_open_templates_and_futures_are_refused_and_nothing_is_written(users, point):
    now = timezone.now()
    t = finished(users, point, now - dt.timedelta(days=2))
    open_case = services.intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1],
                                description="井盖松动有响声", matter="01002", find_duplicates=False).case
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count())
    with pytest.raises(DomainError) as e:
        history.load([history.Copy(t.pk, now - dt.timedelta(days=1), t.unit_grid_id, 116.41, 39.92),
                      history.Copy(open_case.pk, now - dt.timedelta(days=1), t.unit_grid_id, 116.41, 39.92)])
    assert e.value.code == "template_open"
    with pytest.raises(DomainError) as e:  # it would be closed in two hours' time
        history.load([history.Copy(t.pk, now - dt.timedelta(hours=1), t.unit_grid_id, 116.41, 39.92)])
    assert e.value.code == "history_in_future"
    elsewhere = Grid.objects.filter(layer__code="unit").exclude(community_id=t.community_id).order_by("code").first()
    with pytest.raises(DomainError) as e:
        history.load([history.Copy(t.pk, now - dt.timedelta(days=1), elsewhere.pk, 116.41, 39.92)])
    assert e.value.code == "invalid_grid"
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count()) == before
