"""`gridgov backup` / `gridgov restore` on PostgreSQL (pg_dump / pg_restore): a round trip into a new, empty database
— the same rows and the same files; a restore onto a database that is not empty is refused. Collected in the
PostgreSQL pass only (tests/conftest.py); it works in databases of its own, never the test database."""

import os
import subprocess
import sys
import uuid

import psycopg
from django.db import connection


def admin_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"


def db_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def test_backup_and_restore_round_trip_on_postgresql(tmp_path):
    assert connection.vendor == "postgresql"
    src, dst = f"gg_bk_src_{uuid.uuid4().hex[:8]}", f"gg_bk_dst_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url(), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{src}"')
        c.execute(f'CREATE DATABASE "{dst}"')
    try:
        with psycopg.connect(db_url(src).replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute("CREATE TABLE cases_case (id serial PRIMARY KEY, number text)")
            c.execute("INSERT INTO cases_case (number) VALUES ('2026120100001'), ('2026120100002')")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "PROMETHEUS_"))}
        site = tmp_path / "site"
        photo = site / "media" / "photos" / "ab" / "cd" / "abcd.jpg"
        photo.parent.mkdir(parents=True)
        photo.write_bytes(b"\xff\xd8 jpeg bytes")
        archive = tmp_path / "site.tar.gz"
        gg = [sys.executable, "-m", "gridgov.cli"]
        r = subprocess.run([*gg, "backup", str(archive)], capture_output=True, text=True,
                           env={**env, "GRIDGOV_DATA_DIR": str(site), "GRIDGOV_DATABASE_URL": db_url(src)})
        assert r.returncode == 0, r.stderr
        copy_env = {**env, "GRIDGOV_DATA_DIR": str(tmp_path / "copy"), "GRIDGOV_DATABASE_URL": db_url(dst)}
        r = subprocess.run([*gg, "restore", str(archive)], capture_output=True, text=True, env=copy_env)
        assert r.returncode == 0, r.stderr
        with psycopg.connect(db_url(dst).replace("postgres://", "postgresql://")) as c:
            assert c.execute("SELECT id, number FROM cases_case ORDER BY id").fetchall() == [
                (1, "2026120100001"), (2, "2026120100002")]
        assert (tmp_path / "copy" / "media" / "photos" / "ab" / "cd" / "abcd.jpg").read_bytes() == b"\xff\xd8 jpeg bytes"
        r = subprocess.run([*gg, "restore", str(archive)], capture_output=True, text=True, env=copy_env)
        assert r.returncode != 0 and "不是空的" in r.stderr
    finally:
        with psycopg.connect(admin_url(), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{src}" WITH (FORCE)')
            c.execute(f'DROP DATABASE IF EXISTS "{dst}" WITH (FORCE)')
