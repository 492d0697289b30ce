"""Routing suggestions from the rules kept in memory agree with the rules in the database, edits included."""

import itertools
from types import SimpleNamespace

import pytest
from django.db.models import Q

from gridgov.accounts.models import Department
from gridgov.cases.models import RoutingRule
from gridgov.cases.services.routing import suggest
from gridgov.catalog.models import CatalogItem
from gridgov.geo.models import Jurisdiction

pytestmark = pytest.mark.django_db


def _by_query(case, level="district"):
    """The rule chosen by a database query (what suggest did before the rules were kept in memory)."""
    rules = (RoutingRule.objects.filter(active=True, level=level)
             .filter(Q(matter=case.matter_id) | Q(matter__isnull=True) if case.matter_id else Q(matter__isnull=True))
             .filter(Q(area_class=case.area_class) | Q(area_class=""))
             .filter(Q(department__isnull=True) | Q(department__district_id=case.district_id)))
    best = sorted(rules, key=lambda r: (r.matter_id is not None, r.area_class != "", r.priority, -r.id), reverse=True)
    return best[0].id if best else None


def test_suggestions_match_the_database_rules():
    district = Jurisdiction.objects.get(code="110101")
    other = Jurisdiction.objects.get(code="110102")
    matters = list(CatalogItem.objects.filter(kind="matter").order_by("id")[:3])
    dept = Department.objects.filter(district=district).order_by("id").first()
    far = Department.objects.create(code="110102-T", name="西城测试部门", district=other)
    RoutingRule.objects.bulk_create([
        RoutingRule(matter=matters[0], level="district", area_class="A", department=dept, priority=50),
        RoutingRule(matter=matters[1], level="district", department=far, priority=99),
        RoutingRule(matter=None, level="district", area_class="C", target_level="community", priority=5),
        RoutingRule(matter=matters[2], level="district", department=dept, priority=80, active=False),
        RoutingRule(matter=matters[2], level="street", department=dept, priority=80),
    ])
    checked = 0
    for matter, area, where, level in itertools.product([None, *matters], ["A", "B", "C"], [district, other],
                                                       ["district", "street"]):
        case = SimpleNamespace(matter_id=matter.pk if matter else None, area_class=area, district_id=where.pk,
                               scope_key=f"{where.code}001001W001.x", management_grid_id=None)
        assert suggest(case, level).rule_id == _by_query(case, level), (matter, area, where.code, level)
        checked += 1
    assert checked == 48
    # an edit is seen at once here (tests re-check the fingerprint on every use)
    case = SimpleNamespace(matter_id=matters[1].pk, area_class="B", district_id=other.pk, scope_key="110102001001",
                           management_grid_id=None)
    rule = RoutingRule.objects.get(department=far)
    assert suggest(case).department_name == "西城测试部门"
    Department.objects.filter(pk=far.pk).update(name="西城新名")
    assert suggest(case).department_name == "西城新名"
    RoutingRule.objects.filter(pk=rule.pk).update(active=False)
    assert suggest(case).rule_id == _by_query(case) != rule.pk
