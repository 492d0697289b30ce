"""Shared fixtures.

Integration and end-to-end tests run against one world built once per test session: the demo district
东城区 (real streets and communities, generated boundaries and grids, 五定, one account per post). Each test
runs in a transaction that is rolled back, so tests may write freely. The backend is whatever
GRIDGOV_DATABASE_URL says (SQLite by default; `make test` runs them again on PostgreSQL).
"""

import os
import tempfile
from pathlib import Path

import pytest
from django.test import Client

OTHER_DISTRICT = "110102"  # 西城区


def pytest_ignore_collect(collection_path, config):
    """Files named *_pg.py test what only PostgreSQL has (row locks between connections): they belong to the
    PostgreSQL pass of `make test` (CI always runs it), not the SQLite one — collected there, never skipped."""
    if collection_path.name.endswith("_pg.py"):
        return not os.environ.get("GRIDGOV_DATABASE_URL", "").startswith("postgres")
    return None


def pytest_collection_modifyitems(config, items):
    """Tests marked no_database give the same answer on either backend: the PostgreSQL pass of `make test` leaves
    them to the SQLite pass (deselected, never skipped). Mark only what uses no database at all — neither Django's
    nor a subprocess on GRIDGOV_DATABASE_URL."""
    if not os.environ.get("GRIDGOV_DATABASE_URL", "").startswith("postgres"):
        return
    left = [item for item in items if item.get_closest_marker("no_database")]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if not item.get_closest_marker("no_database")]


@pytest.fixture(scope="session", autouse=True)
def background_inline():
    """Background jobs run at once after the commit, on the test's own connection (gridgov/background.py)."""
    from django.conf import settings

    settings.GRIDGOV["BACKGROUND"] = "inline"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # uploads (photos) go to a throw-away folder, never into the working tree
    settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="gridgov-test-data-"))
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"  # exports: files kept through default_storage, too
    # every test rolls back its writes: in-memory indexes must look at the database on every use
    settings.GRIDGOV["FRESH_CHECK_S"] = 0
    from gridgov import demo
    from gridgov.geo import services

    with django_db_blocker.unblock():
        demo.build(stdout=lambda *a: None, scale="test")
        # a neighbouring district, so that "outside my scope" exists for district-level accounts too
        services.init_district(OTHER_DISTRICT)
        services.import_boundary(demo.boundary_file(), name="西城区")
        services.generate_grids(OTHER_DISTRICT)


@pytest.fixture
def users(db):
    from gridgov.accounts.models import User

    return {u.username: u for u in User.objects.exclude(username__startswith="demo-")}


@pytest.fixture
def client_for(db):
    """client_for("gridleader") → a test client signed in as that demo account (None: anonymous)."""

    def make(username: str | None) -> Client:
        from gridgov.accounts.models import User

        c = Client()
        if username:
            c.force_login(User.objects.get(username=username))
        return c

    return make


@pytest.fixture
def point():
    """A point in 东华门街道 多福巷社区 (the demo accounts' street and community): (lon, lat)."""
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test (throttles and grants live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
