"""The read replica for real (issue #12 item 5; gridgov/ops/db.py), PostgreSQL only (collected in the PostgreSQL
pass: the file name ends in _pg.py).

The replica is a second PostgreSQL database: a copy of the test database made with pg_dump | pg_restore (what a
streaming replica holds: the committed rows), in which the street names carry the mark 「（从库）」. In the primary,
inside this test's transaction, they carry 「（主库）」 instead, and the signed-in leader exists only there. Then:

- a dashboard GET (``/api/v1/kpi?level=street``: ReplicaReadsMiddleware) answers with the replica's names, while
  the session and the account it authenticates come from the primary (the leader is not in the replica);
- the same names read outside ``reading()``, or inside it but within a transaction, come from the primary;
- a write inside ``reading()`` goes to the primary and leaves the replica as it was.

The copy is dropped at the end (WITH (FORCE)); the alias is removed from the connections and the settings.
"""

import subprocess
import uuid

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.test import Client

from gridgov.geo.models import Jurisdiction, Level
from gridgov.ops import db

# the test case may use both databases (Django refuses connections to an alias a test did not name); the alias is
# configured by the module fixture below, before the test case is set up
pytestmark = pytest.mark.django_db(databases=["default", "replica"])


def _server(name: str) -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup, django_db_blocker):
    """A second database holding a copy of the primary's committed rows, configured as the alias ``replica``."""
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql"
        source = connection.settings_dict["NAME"]
    name = f"gg_replica_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_server("postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", _server(source)], capture_output=True,
                              check=True, timeout=600)
        subprocess.run(["pg_restore", "--no-owner", "--dbname", _server(name)], input=dump.stdout,
                       capture_output=True, check=True, timeout=600)
        with psycopg.connect(_server(name), autocommit=True) as c:
            c.execute("UPDATE geo_jurisdiction SET name = name || '（从库）' WHERE level = 'street'")
        config = {**connection.settings_dict, "NAME": name, "CONN_MAX_AGE": 0}
        connections.settings[db.REPLICA] = config
        if db.REPLICA not in django_settings.DATABASES:  # (the same dict as connections.settings, usually)
            django_settings.DATABASES[db.REPLICA] = config
        assert db.has_replica()
        yield name
    finally:
        if db.REPLICA in connections:
            connections[db.REPLICA].close()
            try:
                del connections[db.REPLICA]
            except AttributeError:  # never opened in this thread
                pass
        connections.settings.pop(db.REPLICA, None)
        django_settings.DATABASES.pop(db.REPLICA, None)
        with psycopg.connect(_server("postgres"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def replica_names(name: str) -> set[str]:
    with psycopg.connect(_server(name)) as c:
        return {r[0] for r in c.execute("SELECT name FROM geo_jurisdiction WHERE level = 'street'")}


def test_a_dashboard_get_reads_the_replica_and_writes_and_transactions_the_primary(replica, users):
    Jurisdiction.objects.filter(level=Level.STREET).update(name=django_models_concat("（主库）"))
    leader = users["leader"]
    leader.pk, leader.username = None, f"replica-leader-{uuid.uuid4().hex[:6]}"
    leader.save()  # in the primary only (this test's transaction): the replica has never heard of this account
    c = Client()
    c.force_login(leader)

    r = c.get("/api/v1/kpi?level=street&page_size=100")
    assert r.status_code == 200, r.content  # the session and the account were found: on the primary
    names = [row["name"] for row in r.json()["items"]]
    assert names and all(n.endswith("（从库）") for n in names), names
    assert not any("主库" in n for n in names)

    # the same rows outside a dashboard read, and inside one but within a transaction: the primary
    street = Jurisdiction.objects.filter(level=Level.STREET).order_by("code").first()
    assert street.name.endswith("（主库）")
    with db.reading():
        assert Jurisdiction.objects.get(pk=street.pk).name.endswith("（从库）")
        with transaction.atomic():
            assert Jurisdiction.objects.get(pk=street.pk).name.endswith("（主库）")
        # a write inside a dashboard read goes to the primary; the replica stays as it was
        Jurisdiction.objects.filter(pk=street.pk).update(name="写到主库")
    assert Jurisdiction.objects.get(pk=street.pk).name == "写到主库"
    assert "写到主库" not in replica_names(replica)
    assert all(n.endswith("（从库）") for n in replica_names(replica))


def django_models_concat(suffix: str):
    from django.db.models import Value
    from django.db.models.functions import Concat

    return Concat("name", Value(suffix))
