"""Django's system checks, the database ones included, find nothing: `gridgov migrate` runs them and refuses to
start on an error (an index name over 30 characters did that once)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_system_checks_with_the_database_pass():
    call_command("check", databases=["default"], fail_level="ERROR")
