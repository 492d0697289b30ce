"""Django's system checks, the database ones included, find nothing: `gridgov migrate` runs them and refuses to
start on an error (an index name over 30 characters did that once)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_system_checks_with_the_database_pass():
    call_command("check", databases=["default"], fail_level="ERROR")


def test_every_model_change_has_its_migration():
    """A model changed without its migration (a new choice, a renamed index) is caught here, not on a server."""
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
