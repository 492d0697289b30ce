"""Every page answers with the Content-Security-Policy (no inline script) and the other browser headers
(issue 13, defect 6); no template carries an inline script or event handler the policy would block."""

import re
from pathlib import Path

import pytest

import gridgov

pytestmark = pytest.mark.django_db

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@pytest.mark.parametrize(("username", "path"), [
    (None, "/accounts/login/"), (None, "/r/"), (None, "/r/report/"), ("admin", "/map/"), ("admin", "/admin/"),
    ("leader", "/dashboard/"), ("intake", "/cases/"), ("gridworker", "/cases/field/report/"),
    ("gridworker", "/basedata/"), ("handler", "/cases/inbox/"),
])
def test_pages_carry_the_policy_and_headers(client_for, username, path):
    resp = client_for(username).get(path)
    assert resp.status_code == 200
    assert resp["Content-Security-Policy"] == CSP
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"
    assert resp["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in resp  # plain http in tests: HSTS only with GRIDGOV_HTTPS=1


def test_the_api_answers_with_the_policy_too(client_for):
    resp = client_for("admin").get("/api/v1/me")
    assert resp.status_code == 200 and resp["Content-Security-Policy"] == CSP


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    root = Path(gridgov.__file__).parent
    offending = []
    for path in sorted(root.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile(r"javascript:", re.I)):
            offending += [f"{path.relative_to(root)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offending == []
