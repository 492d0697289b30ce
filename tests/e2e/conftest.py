"""Browser tests share one real site for the whole session: `gridgov demo` + `gridgov serve` in a fresh folder
(a throw-away PostgreSQL database in the PostgreSQL pass), and one headless Chromium (Debian's package).

Each test opens its own browser contexts (cookies, storage and service workers are per context) and makes
its own cases, so tests do not depend on one another; building the demo once saves about half a minute per
module and backend.
"""

import os
from pathlib import Path

import pytest

from .server import demo_server

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GRIDGOV_ARTIFACTS", "test-artifacts"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """(base URL, what `gridgov demo` printed)."""
    with demo_server(tmp_path_factory.mktemp("demo-site")) as s:
        yield s


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()
