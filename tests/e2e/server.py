"""Run gridgov as a newcomer would — `gridgov demo`, then `gridgov serve` — in a fresh folder, for browser tests.

On SQLite the database is a file in a temporary folder; when GRIDGOV_DATABASE_URL points at PostgreSQL a
throw-away database is created next to it and dropped afterwards, so browser tests run on both backends.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _database():
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = f"gridgov_e2e_{uuid.uuid4().hex[:8]}"
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Built:
    stdout = ""


@contextmanager
def demo_server(folder):
    # GRIDGOV_E2E_SITE=<folder> (SQLite only; for working on one browser test, never set on CI): the demo is built
    # there once and served again by later runs, instead of being rebuilt in a fresh folder each time
    reuse = os.environ.get("GRIDGOV_E2E_SITE")
    if reuse and not os.environ.get("GRIDGOV_DATABASE_URL", "").startswith("postgres"):
        folder = Path(reuse)
        folder.mkdir(parents=True, exist_ok=True)
    with _database() as db_url:
        env = {**os.environ, "GRIDGOV_DATA_DIR": str(folder)}
        env.pop("GRIDGOV_DATABASE_URL", None)
        if db_url:
            env["GRIDGOV_DATABASE_URL"] = db_url
        built = Path(folder) / "demo-built.txt"
        if reuse and built.exists():
            demo = _Built()
            demo.stdout = built.read_text()
        else:
            demo = subprocess.run([sys.executable, "-m", "gridgov.cli", "demo"], cwd=folder, env=env,
                                  capture_output=True, text=True, timeout=1500)
            assert demo.returncode == 0, demo.stderr
            if reuse:
                built.write_text(demo.stdout)
        port = _free_port()
        # what the server prints goes to a file (a pipe nobody reads would stop the server once it is full), kept
        # with the test artifacts for a failing run
        log_path = Path(folder) / "serve.log"
        log = open(log_path, "wb")
        proc = subprocess.Popen([sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port)], cwd=folder,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            # a busy machine (both backends' passes at once on two cores) may take minutes to start the workers:
            # wait while the server lives, and say what it printed if it died
            deadline = time.monotonic() + 600
            while True:
                try:
                    urllib.request.urlopen(base + "/accounts/login/", timeout=5)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError("gridgov serve exited:\n" + log_path.read_text(errors="replace")) from None
                    if time.monotonic() > deadline:
                        raise RuntimeError("gridgov serve did not start within 600 s") from None
                    time.sleep(0.2)
            yield base, demo.stdout
        finally:
            proc.terminate()
            try:  # a loaded machine may take a while to stop the server's threads: then it is killed
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            log.close()
            artifacts = Path(os.environ.get("GRIDGOV_ARTIFACTS", "test-artifacts"))
            artifacts.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log_path, artifacts / f"serve-{'postgresql' if db_url else 'sqlite'}.log")
