"""The `gridgov` command as a newcomer runs it, in a fresh folder with its own SQLite file."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.geo import services

BOUNDARIES = Path(services.__file__).parent / "data" / "boundaries"


def run(tmp_path, *args, ok=True):
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp_path)}
    env.pop("GRIDGOV_DATABASE_URL", None)
    p = subprocess.run([sys.executable, "-m", "gridgov.cli", *args], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=300)
    assert (p.returncode == 0) == ok, (args, p.stdout, p.stderr)
    return p.stdout + p.stderr


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    out = run(tmp, "init-district", "110101")
    assert "17 个街道，169 个社区" in out
    out = run(tmp, "import-boundary", str(BOUNDARIES / "beijing-districts.geojson"), "--name", "东城区")
    assert "已导入 东城区（110101）" in out and "自相交" in out
    out = run(tmp, "generate-grids", "110101")
    assert "个单元网格" in out and "个管理网格" in out
    return tmp


def test_locate_and_csv(district):
    out = run(district, "locate", "116.4100", "39.9300")
    assert "单元网格 110101" in out and "东城区" in out
    assert "不在辖区范围内" in run(district, "locate", "116.0", "39.5")
    (district / "pts.csv").write_text("name,经度,纬度\n甲,116.41,39.93\n乙,116.0,39.5\n", encoding="utf-8")
    out = run(district, "locate", "--csv", "pts.csv", "--out", "out.csv")
    assert "已定位 2 个点，1 个在辖区内" in out
    rows = (district / "out.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("甲,116.41,39.93,1,110101") and rows[2].startswith("乙,116.0,39.5,0")


def test_errors_are_clear(district):
    assert "未知的区县代码 999999" in run(district, "init-district", "999999", ok=False)
    assert "找不到文件" in run(district, "import-boundary", "missing.geojson", ok=False)
    (district / "bad.geojson").write_text("{oops", encoding="utf-8")
    assert "malformed_geojson" in run(district, "import-boundary", "bad.geojson", ok=False)
    assert "坐标超出范围" in run(district, "locate", "116.4", "95", ok=False)
    assert "未知岗位" in run(district, "createuser", "x", "--role", "boss", ok=False)
    assert "须绑定一个辖区节点" in run(district, "createuser", "x", "--role", "grid_worker", ok=False)


def test_createuser_binds_a_grid_and_gives_a_token(district):
    out = run(district, "createuser", "wang", "--role", "grid_worker", "--node", "110101001001W001", "--token",
              "--token-days", "30")
    assert "已创建 wang（网格员），管辖节点 110101001001W001" in out
    assert "API 令牌（只显示这一次，" in out and " 到期）：gg_" in out
    assert "找不到节点" in run(district, "createuser", "li", "--role", "grid_leader", "--node", "110101999999", ok=False)


def test_createuser_refuses_a_weak_password_with_the_validators_messages(district):
    out = run(district, "createuser", "zhao", "--role", "grid_leader", "--node", "110101001001", "--password", "1234",
              ok=False)
    assert "密码不符合要求：此密码太短，至少要包含 10 个字符。；这个密码太常见了。；密码只包含数字。（weak_password）" in out
    out = run(district, "createuser", "zhao", "--role", "grid_leader", "--node", "110101001001", "--password",
              "Hutong-lamp-47")
    assert "已创建 zhao（网格长）" in out


def test_thematic_layer_import(district):
    import json

    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "XF-01", "name": "消防一号网格", "grid_class": "一类"},
         "geometry": {"type": "Polygon", "coordinates": [[[116.41, 39.93], [116.415, 39.93], [116.415, 39.935],
                                                          [116.41, 39.935], [116.41, 39.93]]]}}]}
    (district / "fire.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    out = run(district, "import-grids", "fire.geojson", "--layer", "fire", "--name", "消防网格")
    assert "图层 消防网格（fire）：已导入 1 个网格" in out


def test_bench_locate_prints_figures_with_units(tmp_path):
    out = run(tmp_path, "bench", "locate", "--grids", "2000", "--points", "20000", "--single", "2000")
    assert "points/s" in out and "µs" in out and "p99" in out


def test_bench_grids_prints_seconds_per_step(tmp_path):
    """The grid pipeline's speed is a benchmark (it was a timed unit test that failed on a busy machine)."""
    out = run(tmp_path, "bench", "grids")
    assert "东城区 into 136 communities" in out
    for step in ("partition", "unit grids", "management grids"):
        assert re.search(rf"^{step}: \d+\.\d\d s \(", out, re.M), (step, out)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return sorted(int(x) for x in out.split())


def _wait(predicate, seconds=30):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


OWN_KEYS = {"GRIDGOV_SECRET_KEY": "e2e-" + "s" * 46, "GRIDGOV_DATA_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}


def serve_env(tmp_path, **keys):
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp_path), **keys}
    for name in ("GRIDGOV_DATABASE_URL", *({"GRIDGOV_SECRET_KEY", "GRIDGOV_DATA_KEY"} - set(keys))):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("keys", [{}, {"GRIDGOV_SECRET_KEY": OWN_KEYS["GRIDGOV_SECRET_KEY"]}],
                         ids=["no-keys", "no-data-key"])
def test_serve_refuses_to_start_without_keys_of_its_own_and_says_how_to_set_them(district, keys):
    """Issue 13, defect 6: outside the demo, the public default keys are refused before the port is opened — here on
    the site the newcomer set up above (a district, no demo), which saves migrating another fresh database."""
    p = subprocess.run([sys.executable, "-m", "gridgov.cli", "serve", "--port", "1"], cwd=district,
                       env=serve_env(district, **keys), capture_output=True, text=True, timeout=600)
    assert p.returncode == 2
    assert "gridgov serve 拒绝启动：本站点没有自己的密钥" in p.stderr
    assert "GRIDGOV_DATA_KEY 未设置" in p.stderr
    assert ("GRIDGOV_SECRET_KEY 未设置" in p.stderr) == (not keys)
    assert "export GRIDGOV_SECRET_KEY=" in p.stderr and 'export GRIDGOV_DATA_KEY="$(gridgov data-key)"' in p.stderr
    assert "gridgov 已启动" not in p.stdout


def test_data_key_prints_a_new_key(tmp_path):
    import base64

    out = subprocess.run([sys.executable, "-m", "gridgov.cli", "data-key"], cwd=tmp_path, env=serve_env(tmp_path),
                         capture_output=True, text=True, timeout=600).stdout
    assert len(base64.b64decode(out.strip(), validate=True)) == 32


def test_serve_runs_worker_processes_restarts_them_and_stops_them(district):
    """serve --workers 2 with the site's own keys: two worker processes answer on one port, a killed worker is
    replaced, the deadline scan is started once, and SIGTERM stops everything. It serves the site the newcomer set up
    above (migrating a fresh database costs half a minute or more; the fixture already covers that path)."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(district), "GRIDGOV_SCAN_INTERVAL_S": "30", **OWN_KEYS}
    env.pop("GRIDGOV_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port), "--workers", "2",
                             "--threads", "2"], cwd=district, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        # a machine shared with other work may take minutes to start the workers
        workers = _wait(lambda: (lambda c: c if len(c) == 2 else None)(_children(proc.pid)), seconds=180)

        def answers():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status == 200
            except OSError:
                return False

        assert _wait(answers, seconds=120)
        os.kill(workers[0], signal.SIGKILL)
        replaced = _wait(lambda: (lambda c: c if len(c) == 2 and workers[0] not in c else None)(_children(proc.pid)))
        assert workers[1] in replaced
        assert _wait(answers)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        for w in replaced:
            _wait(lambda w=w: not os.path.exists(f"/proc/{w}") or "zombie" in open(f"/proc/{w}/status").read().lower())
        out = proc.stdout.read()
        assert "2 个工作进程" in out and "重新启动" in out
        assert out.count("案件时限扫描") == 1  # started once, by the serving process (workers never start it)
        assert out.count("个人信息保存期限：每 24 小时删除一次到期数据") == 1  # the daily purge, likewise
    finally:
        if proc.poll() is None:
            proc.kill()
