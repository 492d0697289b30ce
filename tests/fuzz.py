"""The API fuzzer (schemathesis, in-process over WSGI): every operation of /api/v1/openapi.json, valid and invalid
input, as a signed-in account (bearer token). Used by tests/integration/test_fuzz_api.py on a bounded number of
examples, and by hand for a bigger campaign (see that test's docstring).

What counts as a failure: a 5xx, or an error (4xx) whose body is not JSON ``{"code", "message"}`` with a Chinese
message. Response-schema conformance is not checked here.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Campaign:
    requests: int = 0
    operations: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.requests} requests over {self.operations} operations; statuses "
                f"{dict(sorted(self.statuses.items()))}; {len(self.failures)} failures")


def problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why this response is a failure, or None."""
    if status >= 500:
        return f"server error {status}: {body[:300]!r}"
    if status < 400:
        return None
    if not content_type.startswith("application/json"):
        return f"{status} with a non-JSON body ({content_type}): {body[:200]!r}"
    try:
        data = json.loads(body)
    except ValueError:
        return f"{status} with a body that does not parse as JSON: {body[:200]!r}"
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) or not isinstance(data.get("message"), str):
        return f"{status} with an error body not shaped {{code, message}}: {body[:200]!r}"
    if not CHINESE.search(data["message"]):
        return f"{status} with a message not in Chinese: {data['message'][:200]!r}"
    return None


def schema_for(app):
    import schemathesis

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# operations that start background work on another connection: the fuzzer asks for the foreground variant
FOREGROUND = {("POST", "/api/v1/basedata/imports/{kind}"): {"background": False}}


def run(app, token: str, examples: int, campaign: Campaign, modes=("positive", "negative"), label: str = "",
        only: str | None = None) -> Campaign:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # as Django's test client does: the requests run inside the test's transaction, which closing the
    # connection at the end of a request would end
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schema_for(app)
        headers = {"Authorization": f"Bearer {token}"}
        for result in schema.get_all_operations():
            op = result.ok()
            if only and only not in op.path:
                continue
            campaign.operations += 1
            for mode in modes:
                _fuzz_one(op, mode, headers, examples, campaign, label)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return campaign


def _fuzz_one(op, mode, headers, examples, campaign, label):
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    forced = FOREGROUND.get((op.method.upper(), op.path))

    @given(case=op.as_strategy(generation_mode=GenerationMode(mode)))
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def one(case):
        if forced:
            case.query = {**(case.query or {}), **forced}
        response = case.call(headers=headers)
        campaign.requests += 1
        campaign.statuses[response.status_code] += 1
        ctype = (response.headers.get("content-type") or [""])[0]
        why = problem(response.status_code, ctype, response.content)
        if why:
            campaign.failures.append(f"[{label} {mode}] {op.method.upper()} {op.path}: {why}\n"
                                     f"    {case.as_curl_command(headers=headers)[:600]}")

    return one
