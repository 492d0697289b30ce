"""Benchmarks of the case engine (not tests): `gridgov bench intake` and `gridgov bench loop`.

Each backend gets a throw-away database (a temporary SQLite file; a temporary PostgreSQL database next to
GRIDGOV_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres) with a minimal world: 东城区,
its grids, the demo accounts, departments and routing rules. A worker process per backend measures:

- intake via the service layer (validate, locate, routing suggestion, number, persist, audit);
- intake via HTTP: `gridgov serve` (its waitress worker processes), driven by keep-alive http.client connections
  spread over several client processes, with a token;
- the full loop (report → verify → register → dispatch → accept → handle → inspect → close → follow-up →
  archive) via the service layer, each transition its own transaction, persisted and audited.

With ``--batch B`` (default 100) each is measured a second time through the batch paths: ``intake_many`` and
``POST /api/v1/cases/batch`` with B reports a call, and the loop with B cases a call (``intake_many``, then
``transition_many`` for each step: every case still checked, persisted, timed and audited on its own, B cases a
transaction). One line per backend and path.
"""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

from gridgov.benchtools import LABELS, json_results

LOOP = [("intake", "assign_verify"), ("inspector", "confirm"), ("intake", "register"),
        ("dispatcher", "dispatch"), ("handler", "accept"), ("handler", "handle"), ("inspector2", "inspect_pass"),
        ("intake", "close"), ("intake", "follow_up"), ("shift", "archive")]
LOOP_DATA = {"dispatch": {"department": "110101-HW"}, "handle": {"feedback": "已处置"},
             "follow_up": {"satisfaction": 5}, "register": {"matter": "06010"}}


# ---------------------------------------------------------------- orchestration (parent process)


def run(what: str, n: int, backends: list[str], workers: int, clients: int, out=print, client_procs: int = 2,
        server_workers: int = 2, batch: int = 0) -> list[dict]:
    worker = ["bench_worker", what, "--n", str(n), "--workers", str(workers), "--clients", str(clients),
              "--client-procs", str(client_procs), "--server-workers", str(server_workers), "--batch", str(batch)]
    return json_results(backends, worker, format_line, out)


def format_line(r: dict) -> str:
    label = LABELS[r["backend"]]
    how = f", {r['batch']} a call" if r.get("batch") else ", one a call"
    if r["kind"] == "loop":
        return (f"{label} service loop : {r['rate']:,.0f} loops/s ({r['transitions_per_s']:,.0f} transitions/s, "
                f"{r['n']:,} loops × {r['transitions']} transitions{how}, {r['workers']} worker(s), "
                f"{r['seconds']:.1f} s)")
    return (f"{label} {r['path']:<7} intake: {r['rate']:,.0f} cases/s ({r['n']:,} cases{how}, {r['seconds']:.1f} s"
            + (f", {r['clients']} connections from {r['client_procs']} client processes, "
               f"{r['server_workers']} server processes" if r["path"] == "http" else f", {r['workers']} worker(s)")
            + ")")


# ---------------------------------------------------------------- the worker (its own database)


def prepare_world() -> None:
    from gridgov import demo
    from gridgov.accounts.models import User
    from gridgov.cases import demo as cases_demo
    from gridgov.geo import services as geo

    geo.init_district("110101")
    geo.import_boundary(demo.boundary_file(), name="东城区")
    geo.generate_grids("110101")
    demo._people()
    cases_demo._rules()
    cases_demo._people()
    # a second inspector of the first street, so that 核查 is independent of the one who verified
    if not User.objects.filter(username="inspector2").exists():
        u = User(username="inspector2", role="inspector", node_key="110101001", display_name="监督员乙")
        u.set_unusable_password()
        u.save()


def _points(n: int, seed: int = 1, within: str = "110101001") -> list[tuple[float, float]]:
    """``n`` points spread uniformly over the unit grids whose code starts with ``within`` (the loop keeps to the
    first street, where its inspectors work; intake spreads over the district)."""
    from shapely import from_geojson, prepared

    from gridgov.geo.models import Grid

    shapes = [from_geojson(g) for g in Grid.objects.filter(layer__code="unit", code__startswith=within)
              .values_list("geometry", flat=True)]
    weights = [s.area for s in shapes]
    tests = [prepared.prep(s) for s in shapes]
    rng = random.Random(seed)
    pts = []
    from shapely.geometry import Point

    while len(pts) < n:
        i = rng.choices(range(len(shapes)), weights)[0]
        x0, y0, x1, y1 = shapes[i].bounds
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if tests[i].contains(Point(x, y)):
            pts.append((x, y))
    return pts


# the commonest matters of a district's day (demo.py), taken in turn by the intake benchmark
MATTERS = ["06010", "06036", "09006", "07001", "06042", "09005", "01002", "06012"]


def _users() -> dict:
    from gridgov.accounts.models import User

    names = ["gridworker", "intake", "inspector", "inspector2", "dispatcher", "handler", "shift"]
    return {u.username: u for u in User.objects.filter(username__in=names).select_related("department")}


def _parallel(workers: int, target, chunks: list) -> None:
    """Run ``target(chunk)`` in ``workers`` processes (fork), each with its own database connection."""
    if workers <= 1:
        target(chunks[0])
        return
    from django.db import connections

    connections.close_all()
    pids = []
    for chunk in chunks:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                target(chunk)
            except Exception:  # pragma: no cover - reported by the exit code
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        pids.append(pid)
    failed = [pid for pid in pids if os.waitpid(pid, 0)[1] != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} bench process(es) failed")


def _report(lon: float, lat: float) -> dict:
    matter = MATTERS[int(lon * 1e7 + lat * 1e7) % len(MATTERS)]
    return {"source": "grid_worker", "lon": lon, "lat": lat, "description": "发现问题，请处理", "matter": matter}


def service_intake(n: int, workers: int, batch: int = 0) -> dict:
    from gridgov.cases.services import intake, intake_many

    pts = _points(n, seed=1 + batch, within="110101")
    user = _users()["gridworker"]
    intake(user, source="grid_worker", lon=pts[0][0], lat=pts[0][1], description="预热", matter="06010")
    chunks = [pts[i::workers] for i in range(workers)]

    def go(chunk):
        u = _users()["gridworker"]
        if batch:
            for start in range(0, len(chunk), batch):
                results = intake_many(u, [_report(lon, lat) for lon, lat in chunk[start:start + batch]])
                assert all(getattr(r, "created", False) for r in results), results
            return
        for lon, lat in chunk:
            intake(u, **_report(lon, lat), find_duplicates=False)

    t = time.perf_counter()
    _parallel(workers, go, chunks)
    s = time.perf_counter() - t
    return {"kind": "intake", "path": "service", "n": n, "seconds": s, "rate": n / s, "workers": workers,
            "batch": batch}


def service_loop(n: int, workers: int, batch: int = 0) -> dict:
    from gridgov.cases.services import intake, intake_many, transition, transition_many

    pts = _points(n, seed=2 + batch)
    chunks = [pts[i::workers] for i in range(workers)]
    call = {"source": "hotline", "description": "居民来电：垃圾未清运"}

    def go(chunk):
        users = _users()
        if batch:
            for start in range(0, len(chunk), batch):
                filed = intake_many(users["intake"], [{**call, "lon": lon, "lat": lat}
                                                      for lon, lat in chunk[start:start + batch]])
                numbers = [r.case.number for r in filed]
                for who, action in LOOP:
                    done = transition_many(users[who], numbers, action, LOOP_DATA.get(action))
                    assert len(done) == len(numbers)
            return
        for lon, lat in chunk:
            number = intake(users["intake"], **call, lon=lon, lat=lat, find_duplicates=False).case.number
            for who, action in LOOP:
                transition(users[who], number, action, LOOP_DATA.get(action))

    go([pts[0]])  # warm up
    t = time.perf_counter()
    _parallel(workers, go, chunks)
    s = time.perf_counter() - t
    steps = len(LOOP) + 1
    return {"kind": "loop", "n": n, "seconds": s, "rate": n / s, "transitions": steps,
            "transitions_per_s": n * steps / s, "workers": workers, "batch": batch}


def http_intake(n: int, clients: int, server_workers: int = 2, client_procs: int = 2, batch: int = 0) -> dict:
    """``gridgov serve`` with ``server_workers`` processes, driven by ``clients`` keep-alive connections spread over
    ``client_procs`` client processes (plain http.client, one thread per connection: a single Python process
    could not generate the load). Each connection first sends a few requests that are not timed, so every server
    process has built its in-memory indexes; then all start together at a barrier and the clock runs until the
    last response."""
    import multiprocessing

    from django.db import connections

    from gridgov.accounts.services import issue_token

    _, token = issue_token(None, _users()["gridworker"], "bench")
    warm_per_conn = 1 if batch else 5  # requests per connection before the clock starts
    unit = batch or 1  # reports a request
    pts = _points(n + clients * warm_per_conn * unit, seed=3 + batch, within="110101")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server's output goes to a file: a pipe nobody reads fills up (waitress warns of its queue depth under
    # this load) and then blocks the server's event loop in the middle of the run
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port),
                               "--workers", str(server_workers), "--demo"],  # a throw-away database
                              stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        procs = max(1, min(client_procs, clients))
        barrier = ctx.Barrier(procs + 1)
        results = ctx.Queue()
        conns = [list(range(clients))[i::procs] for i in range(procs)]
        chunks = [pts[i::clients] for i in range(clients)]
        chunks = [[c[k:k + unit] for k in range(0, len(c), unit)] for c in chunks]  # the requests of a connection
        workers = [ctx.Process(target=_http_client_process,
                               args=(port, token, [chunks[c] for c in mine], warm_per_conn, barrier, results))
                   for mine in conns]
        for w in workers:
            w.start()
        barrier.wait(timeout=300)
        t = time.perf_counter()
        outcome = [results.get(timeout=3600) for _ in workers]
        s = time.perf_counter() - t
        for w in workers:
            w.join()
        errors = [e for _, errs in outcome for e in errs]
        if errors:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{len(errors)} HTTP errors, e.g. {errors[:5]}; the server said:\n{tail}")
        done = sum(k for k, _ in outcome)
        return {"kind": "intake", "path": "http", "n": done, "seconds": s, "rate": done / s, "clients": clients,
                "client_procs": procs, "server_workers": server_workers, "batch": batch}
    finally:
        server.terminate()
        server.wait(timeout=60)  # a loaded machine may take longer than 10 s to stop it
        log.close()


def _http_client_process(port, token, chunks, warm, barrier, results) -> None:
    """One client process: a thread per keep-alive connection; returns (timed requests, errors)."""
    import http.client

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    errors: list = []
    done = [0]
    lock = threading.Lock()
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in chunks]

    def post(conn, points):
        """One request: a single report to /api/v1/cases, or a batch of them to /api/v1/cases/batch."""
        reports = [_report(lon, lat) for lon, lat in points]
        path, body, ok = ("/api/v1/cases", reports[0], 201) if len(points) == 1 else (
            "/api/v1/cases/batch", {"reports": reports}, 200)
        try:
            conn.request("POST", path, json.dumps(body), headers)
            r = conn.getresponse()
            text = r.read()
        except OSError as e:  # a refused or dropped connection is an error of the run, not a silent zero
            errors.append(repr(e))
            return
        if r.status != ok or (len(points) > 1 and json.loads(text)["created"] != len(points)):
            errors.append(f"{r.status} {text[:200]!r}")

    def warm_up(conn, requests):
        for points in requests[:warm]:
            post(conn, points)

    def timed(conn, requests):
        for points in requests[warm:]:
            post(conn, points)
        with lock:
            done[0] += sum(len(p) for p in requests[warm:])

    def guarded(target):
        def run(conn, requests):
            try:
                target(conn, requests)
            except Exception as e:  # a failing client thread is an error of the run, never a silently lower count
                errors.append(repr(e))
        return run

    def in_threads(target):
        threads = [threading.Thread(target=guarded(target), args=(c, ch))
                   for c, ch in zip(conns, chunks, strict=True)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

    in_threads(warm_up)
    warm_errors = len(errors)
    barrier.wait(timeout=300)
    in_threads(timed)
    results.put((done[0], errors if warm_errors == 0 else errors + ["warm-up failed"]))
