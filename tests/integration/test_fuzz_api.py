"""The API under a fuzzer (schemathesis, in-process over WSGI, inside the test's transaction): every operation of
/api/v1/openapi.json with valid and invalid input, as an administrator and as a grid worker — no server error,
and every error a JSON {code, message} in Chinese (issue 13, "Done when").

Bounded for CI: GRIDGOV_FUZZ_EXAMPLES examples per operation and mode (default 3), derandomized (the same
requests every run). A bigger campaign by hand, e.g. on PostgreSQL:

    GRIDGOV_FUZZ_EXAMPLES=50 GRIDGOV_FUZZ_REPORT=/tmp/fuzz.txt GRIDGOV_DATABASE_URL=postgres://… \
        pytest tests/integration/test_fuzz_api.py
"""

import os

import pytest

from tests import fuzz

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["admin", "gridworker"])
def test_fuzz_every_operation(users, username):
    from django.core.wsgi import get_wsgi_application

    from gridgov.accounts import services

    _, token = services.issue_token(None, users[username], "fuzz")
    examples = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "3"))
    campaign = fuzz.run(get_wsgi_application(), token, examples, fuzz.Campaign(), label=username,
                        only=os.environ.get("GRIDGOV_FUZZ_ONLY") or None)
    print(campaign.summary())
    if os.environ.get("GRIDGOV_FUZZ_REPORT"):  # a campaign by hand: the figures and every failure, appended
        with open(os.environ["GRIDGOV_FUZZ_REPORT"], "a", encoding="utf-8") as f:
            f.write(f"{username}: {campaign.summary()}\n" + "".join(x + "\n" for x in campaign.failures))
    assert campaign.operations >= 60  # the whole API was fuzzed, not a schema that failed to load
    assert campaign.requests >= campaign.operations * 2
    assert not campaign.failures, campaign.summary() + "\n" + "\n".join(campaign.failures[:60])
