"""The dashboards' GET requests are planned for their own values on PostgreSQL (``ops.db.custom_plans``): prepared
statements (server-side binding) would otherwise fall back to a generic plan after five runs, blind to an area
prefix — and the setting ends with the request, so the case engine keeps its cached plans."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from gridgov.ops.db import ReplicaReadsMiddleware

pytestmark = pytest.mark.django_db


def mode() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW plan_cache_mode")
        return cur.fetchone()[0]


def seen_during(method: str, path: str) -> tuple[str, str]:
    inside = []

    def view(request):
        inside.append(mode())
        return HttpResponse("ok")

    ReplicaReadsMiddleware(view)(getattr(RequestFactory(), method)(path))
    return inside[0], mode()


@pytest.mark.parametrize("method, path, during", [
    ("get", "/dashboard/figures/", "force_custom_plan"),
    ("get", "/kpi/", "force_custom_plan"),
    ("get", "/api/v1/analytics/figures", "force_custom_plan"),
    ("post", "/dashboard/figures/", "auto"),
    ("get", "/cases/", "auto"),
])
def test_dashboard_reads_are_planned_for_their_values(method, path, during):
    assert mode() == "auto"
    assert seen_during(method, path) == (during, "auto"), "and reset after the request"
