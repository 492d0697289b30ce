"""Many machines (issue #12 item 5): settings from the environment, files through the storage API (local disk and
a real S3-compatible server on 127.0.0.1), cache and sessions on the real Redis, the replica router, /healthz,
/metrics, the 系统运行 record fed by health checks, and backup/restore round trips."""

import datetime as dt
import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.test import override_settings

REDIS = os.environ.get("GRIDGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")  # a db number of our own
TZ = dt.timezone(dt.timedelta(hours=8))


def settings_with(env: dict) -> dict:
    """gridgov/settings.py evaluated in a fresh interpreter with ``env`` (no Django set-up needed)."""
    code = ("import json, gridgov.settings as s; print(json.dumps({'caches': s.CACHES, "
            "'session': getattr(s, 'SESSION_ENGINE', None), 'storages': s.STORAGES, 'databases': sorted(s.DATABASES), "
            "'routers': s.DATABASE_ROUTERS}, default=str))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    r = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


@pytest.mark.no_database
def test_nothing_configured_is_one_machine_as_before():
    s = settings_with({})
    assert s["caches"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert s["session"] is None  # Django's default: database sessions
    assert s["storages"]["default"]["BACKEND"] == "gridgov.cases.storage.DataDirStorage"
    assert s["databases"] == ["default"]


@pytest.mark.no_database
def test_the_environment_turns_on_redis_object_storage_and_the_replica():
    s = settings_with({"GRIDGOV_REDIS_URL": "redis://10.0.0.5:6379/2", "GRIDGOV_S3_BUCKET": "gridgov-files",
                       "GRIDGOV_S3_ENDPOINT_URL": "http://10.0.0.9:9000", "GRIDGOV_S3_ACCESS_KEY": "ak",
                       "GRIDGOV_S3_SECRET_KEY": "sk",
                       "GRIDGOV_REPLICA_DATABASE_URL": "postgres://gridgov@10.0.0.3:5432/gridgov"})
    assert s["caches"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert s["caches"]["default"]["LOCATION"] == "redis://10.0.0.5:6379/2"
    assert s["session"] == "django.contrib.sessions.backends.cached_db"
    assert s["storages"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    opts = s["storages"]["default"]["OPTIONS"]
    assert (opts["bucket_name"], opts["endpoint_url"], opts["access_key"]) == ("gridgov-files", "http://10.0.0.9:9000",
                                                                               "ak")
    assert s["databases"] == ["default", "replica"] and s["routers"] == ["gridgov.ops.db.ReplicaRouter"]


# ---------------------------------------------------------------- files


@pytest.mark.no_database
def test_files_keep_the_paths_the_disk_store_wrote(settings, tmp_path):
    """An existing file at media/photos/ab/cd/<sha256>.jpg (the former DiskStore's layout) is read by its key, and
    a new file lands at that layout."""
    from gridgov.cases.storage import photo_store

    settings.DATA_DIR = tmp_path
    old = b"photo written before the storage API"
    digest = hashlib.sha256(old).hexdigest()
    key = f"{digest[:2]}/{digest[2:4]}/{digest}.jpg"
    path = tmp_path / "media" / "photos" / key
    path.parent.mkdir(parents=True)
    path.write_bytes(old)
    store = photo_store()
    assert store.open(key) == old
    new = b"a new photo"
    d2 = hashlib.sha256(new).hexdigest()
    assert store.save(new, ".png") == f"{d2[:2]}/{d2[2:4]}/{d2}.png"
    assert (tmp_path / "media" / "photos" / d2[:2] / d2[2:4] / f"{d2}.png").read_bytes() == new
    assert store.save(new, ".png") == f"{d2[:2]}/{d2[2:4]}/{d2}.png"  # the same bytes, stored once
    with pytest.raises(FileNotFoundError):
        store.open("../../etc/passwd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.mark.no_database
def test_files_through_an_s3_compatible_object_store(s3_server):
    """The storage django-storages makes from the settings' options, against a real S3 server on 127.0.0.1."""
    import boto3
    from storages.backends.s3 import S3Storage

    from gridgov.cases.storage import StorageStore

    bucket = f"gridgov-{uuid.uuid4().hex[:8]}"
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_server, **creds).create_bucket(Bucket=bucket)
    storage = S3Storage(bucket_name=bucket, endpoint_url=s3_server, access_key="test", secret_key="test",
                        region_name="us-east-1", location="site1", file_overwrite=True, default_acl=None)
    store = StorageStore(storage)
    data = b"%PDF-1.4 a document"
    key = store.save(data, ".pdf")
    digest = hashlib.sha256(data).hexdigest()
    assert key == f"{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert store.open(key) == data
    listed = boto3.client("s3", endpoint_url=s3_server, **creds).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"site1/photos/{key}"]
    with pytest.raises(FileNotFoundError):
        store.open("00/00/missing.jpg")


# ---------------------------------------------------------------- Redis


@pytest.fixture
def redis_db():
    import redis

    r = redis.Redis.from_url(REDIS)
    r.flushdb()
    yield r
    r.flushdb()


@pytest.mark.django_db
def test_cache_and_sessions_on_redis(redis_db, client_for):
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS,
                          "KEY_PREFIX": "gridgov"}}
    with override_settings(CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        from django.core.cache import cache

        cache.set("greeting", "你好", 60)
        assert cache.get("greeting") == "你好"
        c = client_for("gridleader")
        assert c.get("/cases/field/").status_code == 200  # signed in: the session was found
        keys = {k.decode() for k in redis_db.keys("*")}
        assert "gridgov:1:greeting" in keys
        session_key = c.cookies["sessionid"].value
        assert f"gridgov:1:django.contrib.sessions.cached_db{session_key}" in keys


# ---------------------------------------------------------------- the replica router


def test_the_router_sends_dashboard_reads_to_the_replica_and_nothing_else(monkeypatch):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from gridgov.accounts.models import User
    from gridgov.cases.models import Case
    from gridgov.ops import db

    monkeypatch.setattr(db, "has_replica", lambda: True)  # GRIDGOV_REPLICA_DATABASE_URL set (see the settings test)
    monkeypatch.setattr(db, "_in_transaction", lambda: False)
    router = db.ReplicaRouter()
    assert router.db_for_read(Case) == "default"  # outside reading(): the primary
    with db.reading():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_read(User) == "default"  # accounts and sessions stay on the primary
        assert router.db_for_write(Case) == "default"
        monkeypatch.setattr(db, "_in_transaction", lambda: True)
        assert router.db_for_read(Case) == "default"  # inside a transaction: read what it wrote
        monkeypatch.setattr(db, "_in_transaction", lambda: False)
    seen = {}

    def view(request):
        seen[request.method + " " + request.path] = router.db_for_read(Case)
        return HttpResponse("")

    mw = db.ReplicaReadsMiddleware(view)
    rf = RequestFactory()
    for req in (rf.get("/dashboard/"), rf.get("/api/v1/kpi/indicators"), rf.post("/dashboard/"), rf.get("/cases/")):
        mw(req)
    assert seen == {"GET /dashboard/": "replica", "GET /api/v1/kpi/indicators": "replica", "POST /dashboard/": "default",
                    "GET /cases/": "default"}
    monkeypatch.setattr(db, "has_replica", lambda: False)
    with db.reading():
        assert router.db_for_read(Case) == "default"  # no replica configured: as before


# ---------------------------------------------------------------- health and metrics


@pytest.mark.django_db
def test_healthz_is_200_when_all_parts_answer_and_503_when_the_broker_is_down(client, settings):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert {k: v["ok"] for k, v in body["checks"].items()} == {"database": True, "cache": True, "broker": True,
                                                               "storage": True}
    assert body["checks"]["broker"]["detail"] == "未配置"
    settings.GRIDGOV = {**settings.GRIDGOV, "BROKER_URL": "amqp://guest:secret@127.0.0.1:1//"}
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "fail" and body["checks"]["broker"]["ok"] is False
    assert "secret" not in resp.content.decode() and "127.0.0.1" not in resp.content.decode()


@pytest.mark.django_db
def test_metrics_need_the_token_or_an_administrator_and_count_requests(client, client_for, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "METRICS_TOKEN": "t0ken-for-prometheus"}
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client_for("gridleader").get("/metrics").status_code == 403

    def count(text: str) -> float:
        line = 'gridgov_http_requests_total{method="GET",status="200",view="healthz"}'
        return sum(float(x.split(" ")[1]) for x in text.splitlines() if x.startswith(line + " "))

    before = count(client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus").content.decode())
    client.get("/healthz")
    client.get("/healthz")
    resp = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/plain")
    text = resp.content.decode()
    assert count(text) == before + 2
    assert 'gridgov_http_request_duration_seconds_bucket{le="0.005",view="healthz"}' in text
    assert "gridgov_background_outbox_jobs 0.0" in text
    assert "# TYPE gridgov_overdue_cases gauge" in text
    assert client_for("admin").get("/metrics").status_code == 200


# ---------------------------------------------------------------- 系统运行 from the health checks


def failing(*names):
    return {"status": "fail" if names else "ok",
            "checks": {n: {"ok": n not in names, "detail": "不可用（OSError）" if n in names else "正常"}
                       for n in ("database", "cache", "broker", "storage")}}


STREETS = 17 + 15  # the test world: 东城区's 17 streets and 西城区's 15


@pytest.mark.django_db
def test_a_failure_lasting_five_minutes_opens_a_fault_period_and_recovery_closes_it(settings):
    from gridgov.geo.models import Jurisdiction
    from gridgov.ledgers.models import Outage
    from gridgov.ops import health

    assert Jurisdiction.objects.filter(level="street").count() == STREETS
    settings.GRIDGOV = {**settings.GRIDGOV, "HEALTH_OUTAGE_MINUTES": 5}
    t0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    assert health.watch(t0, failing("broker")) == {"opened": 0, "closed": 0}
    assert health.watch(t0 + dt.timedelta(minutes=4), failing("broker")) == {"opened": 0, "closed": 0}
    assert health.watch(t0 + dt.timedelta(minutes=5), failing("broker", "cache")) == {"opened": STREETS, "closed": 0}
    assert health.watch(t0 + dt.timedelta(minutes=7), failing("cache")) == {"opened": 0, "closed": 0}
    rows = list(Outage.objects.filter(note__startswith="健康检查"))
    assert len(rows) == STREETS
    assert {(o.kind, o.start, o.end) for o in rows} == {("fault", t0, None)}
    assert rows[0].note == "健康检查自动记录：broker、cache不可用"
    assert health.watch(t0 + dt.timedelta(minutes=42), failing()) == {"opened": 0, "closed": STREETS}
    ends = {(o.start, o.end, o.hours) for o in Outage.objects.filter(note__startswith="健康检查")}
    assert ends == {(t0, t0 + dt.timedelta(minutes=42), 0.7)}
    assert health.watch(t0 + dt.timedelta(minutes=43), failing()) == {"opened": 0, "closed": 0}


@pytest.mark.django_db
def test_a_short_blip_is_no_outage():
    from gridgov.ledgers.models import Outage
    from gridgov.ops import health

    t0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    health.watch(t0, failing("cache"))
    health.watch(t0 + dt.timedelta(minutes=2), failing())
    health.watch(t0 + dt.timedelta(minutes=10), failing())
    assert not Outage.objects.filter(note__startswith="健康检查").exists()


# ---------------------------------------------------------------- backup and restore


@pytest.mark.no_database
def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    """`gridgov backup` of a site (SQLite file + files), `gridgov restore` into an empty folder: the same rows, the
    same files; a second restore onto it is refused; a damaged archive is refused before anything is touched."""
    site, copy = tmp_path / "site", tmp_path / "copy"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "PROMETHEUS_"))}
    site_env = {**env, "GRIDGOV_DATA_DIR": str(site)}
    copy_env = {**env, "GRIDGOV_DATA_DIR": str(copy)}
    site.mkdir()
    db = site / "gridgov.sqlite3"
    with sqlite3.connect(db) as c:  # a small database: the restore copies whatever the site holds
        c.execute("CREATE TABLE cases_case (id INTEGER PRIMARY KEY, number TEXT)")
        c.executemany("INSERT INTO cases_case (number) VALUES (?)", [("2026120100001",), ("2026120100002",)])
    photo = site / "media" / "photos" / "ab" / "cd" / "abcd.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 jpeg bytes")
    archive = tmp_path / "site.tar.gz"
    gg = [sys.executable, "-m", "gridgov.cli"]
    r = subprocess.run([*gg, "backup", str(archive)], env=site_env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*gg, "restore", str(archive)], env=copy_env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(copy / "gridgov.sqlite3") as c:
        assert c.execute("SELECT id, number FROM cases_case ORDER BY id").fetchall() == [(1, "2026120100001"),
                                                                                         (2, "2026120100002")]
    assert (copy / "media" / "photos" / "ab" / "cd" / "abcd.jpg").read_bytes() == b"\xff\xd8 jpeg bytes"
    r = subprocess.run([*gg, "restore", str(archive)], env=copy_env, capture_output=True, text=True)
    assert r.returncode != 0 and "不是空的" in r.stderr

    import tarfile

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            if m.name.startswith("files/"):
                data = data[:-1] + b"X"
            import io

            dst.addfile(m, io.BytesIO(data))
    fresh_env = {**env, "GRIDGOV_DATA_DIR": str(tmp_path / "fresh")}
    r = subprocess.run([*gg, "restore", str(damaged)], env=fresh_env, capture_output=True, text=True)
    assert r.returncode != 0 and "校验和不符" in r.stderr
    assert not (tmp_path / "fresh" / "gridgov.sqlite3").exists()


@pytest.mark.django_db
def test_intake_with_a_broker_runs_the_same_statements_and_queues_nothing(users, point, settings,
                                                                           django_capture_on_commit_callbacks):
    """Issue #12, "bench intake with the broker is not slower": a report taken in (no outside channel configured, as
    in the benchmark) runs the same SQL statements with a broker configured as without one, writes no outbox row
    and never touches the broker (here one nobody listens on) — the request path is the same code."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.cases import services
    from gridgov.ops.models import OutboxJob

    def take(i):
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            services.intake(users["gridworker"], source="grid_worker", lon=point[0] + i / 100000, lat=point[1],
                            description=f"代理对照{i}", matter="06010", find_duplicates=False)
        # the statements without their values (numbers, quoted text, savepoint names)
        return [re.sub(r"'[^']*'|\d+", "?", q["sql"].split(" WHERE ")[0])[:60] for q in ctx.captured_queries]

    take(0)  # warm the caches both runs share
    without = take(1)
    settings.GRIDGOV = {**settings.GRIDGOV, "BROKER_URL": "amqp://guest:guest@127.0.0.1:1//"}
    with_broker = take(2)
    assert len(with_broker) == len(without) and with_broker == without
    assert not OutboxJob.objects.exists()
