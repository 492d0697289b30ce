"""The API under a fuzzer (schemathesis, in-process): no server error and every error {code, message} in Chinese,
for an administrator and a grid worker, with valid and invalid input to every operation of the OpenAPI."""

import pytest

from tests import fuzz


def pytest_addoption_examples(request) -> int:
    return int(request.config.getoption("--fuzz-examples", default=None) or 5)


@pytest.mark.parametrize("username", ["admin", "gridworker"])
def test_fuzz_every_operation(db, users, username, request, settings):
    from django.core.wsgi import get_wsgi_application

    from gridgov.accounts.models import ApiToken

    _, token = ApiToken.issue(users[username], "fuzz")
    import os

    examples = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "5"))
    only = os.environ.get("GRIDGOV_FUZZ_ONLY") or None
    campaign = fuzz.run(get_wsgi_application(), token, examples, fuzz.Campaign(), label=username, only=only)
    print(campaign.summary())
    assert not campaign.failures, campaign.summary() + "\n" + "\n".join(campaign.failures[:60])
