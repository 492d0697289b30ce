"""The worker database of tests/integration/test_exports_worker_killed.py, run in a subprocess with that database's
environment (the test process's own Django uses the suite's database): ``seed`` makes a minimal world with many
cases in bulk; ``start`` asks for an export as a user would (``exports.services.start``) and prints its id.

    python export_world.py seed      # GRIDGOV_DATABASE_URL=sqlite:///…/workers.sqlite3: migrate, then the world
    python export_world.py start     # with GRIDGOV_BROKER_URL and GRIDGOV_BROKER_QUEUE: the job goes to the workers

The world (the test types these numbers): 东城区's jurisdictions; the account ``exporter`` (领导, 东华门街道
110101001); cases of 暴露垃圾 in bulk — IN_EXPORT hotline reports in a 东华门 community (exported: the
account's street and the filter ``source=hotline``), SAME_STREET_OTHER_SOURCE by 网格员 in that community (not:
the filter) and OTHER_STREET hotline ones in 景山街道 (not: outside the account's scope).
"""

import datetime as dt
import os
import sys

IN_EXPORT = 24_000
SAME_STREET_OTHER_SOURCE = 6_000
OTHER_STREET = 4_000
QUERY = "source=hotline"
COLUMNS = ["number", "reported_at", "matter", "source", "address", "street", "community", "status", "overdue",
           "description"]


def seed() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.cases.models import Case
    from gridgov.catalog.models import CatalogItem
    from gridgov.geo import services as geo
    from gridgov.geo.models import Jurisdiction

    call_command("migrate", verbosity=0)  # every app's tables (an empty database file first)
    district = geo.init_district("110101")
    here = Jurisdiction.objects.filter(code__startswith="110101001", level="community").order_by("code").first()
    there = Jurisdiction.objects.filter(code__startswith="110101002", level="community").order_by("code").first()
    u = User(username="exporter", role="leader", node_key="110101001", display_name="导出人")
    u.set_unusable_password()
    u.save()
    matter = CatalogItem.objects.get(kind="matter", code="06010")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=60)
    groups = [(here, "hotline", IN_EXPORT), (here, "grid_worker", SAME_STREET_OTHER_SOURCE),
              (there, "hotline", OTHER_STREET)]
    # one case through the ORM (every column's default), copied in SQL with what differs: fast enough for a fixture
    first = Case.objects.create(number="990000-20260101-000000", district=district, source="hotline", matter=matter,
                                description="路边有暴露垃圾", address="东城区某胡同", lon=116.40, lat=39.91,
                                community=here, scope_key=here.code, reported_at=start)
    differ = {"number": "'990000-20260101-' || printf('%%06d', %(base)s + n)", "source": "%(source)s",
              "description": "'路边有暴露垃圾（测试 ' || (%(base)s + n) || '）'",
              "lon": "116.40 + ((%(base)s + n) %% 997) / 100000.0", "lat": "39.91 + ((%(base)s + n) %% 991) / 100000.0",
              "community_id": "%(community)s", "scope_key": "%(key)s",
              "reported_at": "datetime(t.reported_at, '+' || (%(base)s + n) || ' minutes')"}
    names = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    exprs = [differ.get(c, f"t.{c}") for c in names]
    base = 0
    with transaction.atomic(), connection.cursor() as cur:
        for community, source, n in groups:
            cur.execute(f"""WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %(n)s)
                INSERT INTO cases_case ({", ".join(names)})
                SELECT {", ".join(exprs)} FROM seq, cases_case t WHERE t.id = %(first)s""",
                        {"n": n, "base": base, "source": source, "community": community.pk, "key": community.code,
                         "first": first.pk})
            base += n
        first.delete()


def start() -> None:
    from gridgov.accounts.models import User
    from gridgov.exports import services

    export = services.start(User.objects.get(username="exporter"), QUERY, COLUMNS, "xlsx")
    print(export.pk)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    {"seed": seed, "start": start}[sys.argv[1]]()
