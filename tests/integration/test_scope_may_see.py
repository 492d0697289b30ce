"""may_see (one loaded object) decides exactly what scoped() decides, for every post and every kind of place."""

import pytest
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.scope import NoRight, may_see, scoped
from gridgov.cases.models import Case, CaseAssist
from gridgov.geo.models import Grid, GridDuty, Jurisdiction

pytestmark = pytest.mark.django_db

KEYS = ["110101001001W001.110101001001001", "110101001001W002.110101001001009", "110101001002W001.x",
        "110101002001W001.x", "110102001004W001.x", "110101001001", "110101", "110101001001w001.lower-case"]


def _cases(handler) -> list[Case]:
    district = Jurisdiction.objects.get(code="110101")
    departments = [handler.department, Department.objects.filter(district=district).exclude(
        pk=handler.department_id).order_by("id").first()]
    now = timezone.now()
    cases = []
    for i, key in enumerate(KEYS):
        c = Case.objects.create(number=f"110101-20990102-{i:04d}", district=district, source="hotline",
                                description="测试", lon=116.4, lat=39.9, scope_key=key, reported_at=now)
        cases.append(c)
    cases[1].assignee_department = departments[0]
    cases[1].save()
    CaseAssist.objects.create(case=cases[3], department=departments[0])  # assisting only
    cases[4].assignee_department = departments[1]
    cases[4].save()
    return cases


def test_may_see_agrees_with_scoped_for_every_post(users):
    objects = _cases(users["handler"]) + list(Grid.objects.filter(code__startswith="110101001001").order_by("id")[:3]) + list(
        Grid.objects.filter(layer__code="management").exclude(code__startswith="110101001").order_by("id")[:2])
    objects += list(GridDuty.objects.order_by("id")[:3]) + list(Jurisdiction.objects.filter(
        code__in=["110101", "110101001", "110101001001", "110101002", "110102"]))
    checked = 0
    for user in users.values():
        for obj in objects:
            right = roles.CASE_VIEW if isinstance(obj, Case) else roles.VIEW
            try:
                expected = scoped(type(obj)._default_manager.all(), user, right).filter(pk=obj.pk).exists()
            except NoRight:
                with pytest.raises(NoRight):
                    may_see(user, obj, right)
                continue
            if getattr(obj, "scope_key", "").endswith("lower-case"):
                # SQLite's LIKE ignores letter case, PostgreSQL's does not; may_see is never the wider one
                assert may_see(user, obj, right) <= expected, (user.username, obj.pk)
                continue
            assert may_see(user, obj, right) == expected, (user.username, type(obj).__name__, obj.pk)
            checked += 1
    assert checked > 50
    # both outcomes occur for cases: the comparison is not vacuous
    handler = users["handler"]
    seen = [may_see(handler, c, roles.CASE_VIEW) for c in Case.objects.filter(number__startswith="110101-20990102")]
    assert any(seen) and not all(seen)
