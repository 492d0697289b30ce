"""Issue #12, Done-when: "A worker killed with SIGKILL during an export: the export finishes on another worker,
once" — with a real export (``exports.build``) on real ``celery worker`` processes and the real RabbitMQ.

As in test_workers_celery.py, the workers use a database file of their own (the suite's is in memory or inside a
rolled-back transaction): here a fully migrated SQLite file with a minimal world and 34,000 cases
(tests/integration/export_world.py, run in a subprocess with that database's environment; the test reads the file
with ``sqlite3``) — on either pass of the suite. The export is asked for as a user would (``exports.services.start``,
in such a subprocess), so its job goes through the outbox and the broker, on a queue of this test's own. Which
worker holds the job is read from the workers' own log lines (Celery's "Task … received" / "… succeeded"). No
timing assertions: generous waits for conditions.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.integration.test_workers_celery import AMQP, Workers, queue, wait_for  # noqa: F401  queue: a fixture

WORLD = Path(__file__).with_name("export_world.py")
RECEIVED, SUCCEEDED = "Task gridgov.run[", "] succeeded in"


@pytest.fixture(scope="module")
def export_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-workers")
    path = folder / "workers.sqlite3"
    env = {**os.environ, "GRIDGOV_DATABASE_URL": f"sqlite:///{path}", "GRIDGOV_DATA_DIR": str(folder),
           "DJANGO_SETTINGS_MODULE": "gridgov.settings"}
    for name in ("PROMETHEUS_MULTIPROC_DIR", "GRIDGOV_BROKER_URL", "GRIDGOV_BROKER_QUEUE", "GRIDGOV_BACKGROUND"):
        env.pop(name, None)
    subprocess.run([sys.executable, str(WORLD), "seed"], env=env, check=True, timeout=900)  # migrate, then the world
    return path, {**env, "GRIDGOV_BROKER_URL": AMQP}, folder


@pytest.fixture
def pool(export_db, queue):  # noqa: F811  queue: the fixture imported above
    w = Workers(export_db[1], queue)
    yield w
    w.stop()


def export_row(path, pk) -> dict:
    with sqlite3.connect(path, timeout=30) as c:
        status, done, total, file_name = c.execute(
            "SELECT status, done, total, file_name FROM exports_export WHERE id = ?", [pk]).fetchone()
    return {"status": status, "done": done, "total": total, "file_name": file_name}


def audit_actions(path, pk) -> list[str]:
    with sqlite3.connect(path, timeout=30) as c:
        return [a for (a,) in c.execute("SELECT action FROM audit_auditrecord WHERE object_type = 'case_export' "
                                        "AND object_id = ? ORDER BY id", [str(pk)])]


def log_of(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_worker_killed_with_sigkill_during_an_export_the_other_finishes_it_once(export_db, pool, tmp_path):
    path, env, folder = export_db
    logs = [tmp_path / "worker-0.log", tmp_path / "worker-1.log"]
    procs = [pool.start(log=logs[0]), pool.start(log=logs[1])]
    asked = subprocess.run([sys.executable, str(WORLD), "start"], env={**env, "GRIDGOV_BROKER_QUEUE": pool.queue},
                           check=True, timeout=300, capture_output=True, text=True)
    pk = int(asked.stdout.split()[-1])
    assert export_row(path, pk)["total"] == 24_000  # 东华门's hotline reports; not its 网格员 ones nor 景山's

    wait_for(lambda: (r := export_row(path, pk))["status"] == "running" and r["done"] > 0, timeout=180,
             what="a worker to be building the export")
    holders = [i for i in (0, 1) if RECEIVED in log_of(logs[i])]
    assert len(holders) == 1  # prefetch 1, one message: one worker holds the job
    k = holders[0]
    killed, other = procs[k], procs[1 - k]
    os.kill(killed.pid, signal.SIGKILL)  # mid-export: the message was never acknowledged
    killed.wait(timeout=30)
    assert SUCCEEDED not in log_of(logs[k])
    assert export_row(path, pk)["status"] == "running" and audit_actions(path, pk) == ["create"]  # not finished

    row = wait_for(lambda: (r := export_row(path, pk))["status"] == "done" and r, timeout=300,
                   what="the export to be finished by the other worker")
    assert (row["done"], row["total"]) == (24_000, 24_000)
    assert RECEIVED in log_of(logs[1 - k]) and SUCCEEDED in log_of(logs[1 - k])  # the other worker finished it
    assert other.poll() is None
    assert audit_actions(path, pk) == ["create", "finish"]  # finished once
    files = sorted(p.name for p in (folder / "media" / "exports").iterdir() if p.name.startswith(f"{pk}-"))
    assert files == [Path(row["file_name"]).name]  # one file: the killed attempt left none (its temporary file
    # was an unnamed one, gone with the process; the storage is written only when a file is complete)

    sheet = load_workbook(folder / "media" / row["file_name"], read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("案件编号", "上报时间", "事项", "来源", "地址", "街道", "社区", "状态", "是否超期", "问题描述")
    assert len(rows) == 1 + 24_000
    assert rows[1][0] == "990000-20260101-000001" and rows[-1][0] == "990000-20260101-024000"  # oldest first
    assert rows[1][2:8] == ("暴露垃圾", "12345 热线", "东城区某胡同", "东华门街道", "多福巷社区居委会", "已上报")
    assert {r[3] for r in rows[1:]} == {"12345 热线"} and {r[5] for r in rows[1:]} == {"东华门街道"}
