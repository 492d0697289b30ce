"""gridgov.background: a job runs once its transaction commits, never when it rolls back."""

import pytest
from django.db import transaction

from gridgov import background

RAN: list[tuple] = []


@background.task("tests.record")
def record(*args):
    RAN.append(args)


def test_the_suite_runs_jobs_inline():
    assert background.mode() == "inline"


def test_a_job_runs_after_commit_and_not_after_rollback(db, django_capture_on_commit_callbacks):
    RAN.clear()
    with django_capture_on_commit_callbacks(execute=True):
        background.submit("tests.record", 1, "a")
        assert RAN == []  # not before the commit
    assert RAN == [(1, "a")]
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            background.submit("tests.record", 2)
            raise RuntimeError("roll back")
    assert RAN == [(1, "a")]


def test_an_unknown_job_is_refused():
    with pytest.raises(KeyError):
        background.submit("tests.nothing")


def test_one_name_one_function():
    with pytest.raises(RuntimeError):
        background.task("tests.record")(lambda: None)
