"""`gridgov bench tracks` (a benchmark, not a test).

- ingestion: positions stored through the API — ``POST /api/v1/patrol/track/columns`` (``--format columns``, the
  default: one array a field) or ``POST /api/v1/patrol/track`` (``--format objects``: one object a point) with a
  bearer token, batches of ``--batch`` points, Django's request path in-process (middleware, auth, JSON parsing,
  pydantic, the service's checks as arrays, one INSERT … unnest … ON CONFLICT DO NOTHING, the audit record), in
  ``--procs`` processes; in a throw-away database of each backend (``bench-tracks``). Besides the wall-clock rate it
  prints the CPU each position cost — the client processes (they run the whole Django request path: the server's
  work) and, on PostgreSQL, their backends (read from /proc) — which does not depend on how loaded the machine is.
- coverage: a month of tracks of 1,000 workers, one position every 30 s for 8 hours on 22 working days
  (21 million positions), turned into per-grid coverage: every position located to its unit grid by the locator
  (vectorised) and the distinct unit grids of each worker's grid counted. Synthetic grids (the locator benchmark's
  layer, one 32-cell community per worker); pure numpy/shapely, no database.
"""

import os
import time

import numpy as np

DAYS, HOURS, EVERY_S = 22, 8, 30


def coverage(workers: int = 1000, seed: int = 0, chunk: int = 50, out=print) -> dict:
    from gridgov.geo.logic.locator import Locator
    from gridgov.geo.logic.synthetic import synthetic_layer

    t = time.perf_counter()
    polys, keys, lattice = synthetic_layer(workers * 32, seed, grids_per_community=32)
    loc = Locator(polys, keys, lattice=lattice)
    communities = sorted({k[:12] for k in keys})[:workers]
    index = {c: i for i, c in enumerate(communities)}
    owner = np.array([index.get(k[:12], -1) for k in keys])  # unit grid → its grid's worker (or -1)
    units_of = np.bincount(owner[owner >= 0], minlength=len(communities))
    bounds = np.zeros((len(communities), 4))
    bounds[:, :2], bounds[:, 2:] = np.inf, -np.inf
    for p, o in zip(polys, owner, strict=True):
        if o >= 0:
            x0, y0, x1, y1 = p.bounds
            b = bounds[o]
            b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)
    setup_s = time.perf_counter() - t
    rng = np.random.default_rng(seed)
    per_worker = DAYS * HOURS * 3600 // EVERY_S
    visited = np.zeros(len(communities), dtype=np.int64)
    gen_s = cov_s = 0.0
    total = 0
    for start in range(0, len(communities), chunk):
        ids = np.arange(start, min(start + chunk, len(communities)))
        t = time.perf_counter()
        # a walk of ≈ 1.2 m/s inside each worker's grid box (reflected at its edges), one position every 30 s
        b = bounds[ids]
        steps = rng.normal(0, 0.00025, (len(ids), per_worker, 2)).cumsum(axis=1)
        span = np.stack([b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)[:, None, :]
        frac = np.abs(((steps / span) + 0.5) % 2 - 1)  # reflect into 0..1
        xs = (b[:, 0][:, None] + frac[..., 0] * span[..., 0]).ravel()
        ys = (b[:, 1][:, None] + frac[..., 1] * span[..., 1]).ravel()
        who = np.repeat(ids, per_worker)
        gen_s += time.perf_counter() - t
        t = time.perf_counter()
        hit = loc.locate_many(xs, ys)
        mine = (hit >= 0) & (owner[np.maximum(hit, 0)] == who)  # positions inside the worker's own grid
        pairs = np.unique(who[mine] * len(keys) + hit[mine])
        visited += np.bincount(pairs // len(keys), minlength=len(communities))
        cov_s += time.perf_counter() - t
        total += len(xs)
    share = visited / np.maximum(units_of, 1)
    result = {"workers": len(communities), "positions": total, "unit_grids": len(keys), "setup_s": setup_s,
              "generate_s": gen_s, "coverage_s": cov_s, "mean_share": float(share.mean()),
              "positions_per_s": total / cov_s}
    out(f"coverage: {result['workers']:,} workers, {total:,} positions (a month: {DAYS} days × {HOURS} h, one every "
        f"{EVERY_S} s) over {len(keys):,} unit grids → per-grid coverage in {cov_s:.1f} s "
        f"({result['positions_per_s']:,.0f} positions/s; mean share {result['mean_share']:.0%}); "
        f"tracks generated in {gen_s:.1f} s, grids and locator built in {setup_s:.1f} s")
    return result


def _backend_cpu_s() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far (same machine), else 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingest(points: int, batch: int, procs: int, fmt: str = "columns", out=print) -> None:
    """Run in a throw-away database (``gridgov bench-tracks``): POST batches through the API, ``procs`` processes."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gridgov.accounts import services as accounts
    from gridgov.accounts.models import User
    from gridgov.patrol.models import Shift, TrackPoint

    now = timezone.now()
    tokens, shifts = [], []
    for i in range(procs):
        u = User.objects.create(username=f"bench-walker-{i}", role="grid_worker", node_key=f"110101001001W{i + 1:03d}")
        token, key = accounts.issue_token(u, u, "bench")
        tokens.append(key)
        shifts.append(Shift.objects.create(person=u, scope_key=u.node_key, day=now.date(),
                                           started_at=now - dt.timedelta(days=1)).pk)
    per_proc = points // procs
    start_at = now - dt.timedelta(hours=23)

    def body(shift_id, first):
        seqs = range(first, first + batch)
        if fmt == "columns":
            t0_ms = int(start_at.timestamp() * 1000)
            return {"shift_id": shift_id, "seq": list(seqs), "t": [t0_ms + q // 10 * 1000 for q in seqs],
                    "lon": [116.40 + q % 1000 * 1e-5 for q in seqs], "lat": [39.90 + q % 777 * 1e-5 for q in seqs],
                    "accuracy": [8.0] * batch}
        return {"shift_id": shift_id, "points": [
            {"seq": first + k, "at": (start_at + dt.timedelta(seconds=(first + k) // 10)).isoformat(),
             "lon": 116.40 + (first + k) % 1000 * 1e-5, "lat": 39.90 + (first + k) % 777 * 1e-5, "accuracy": 8.0}
            for k in range(batch)]}

    url = "/api/v1/patrol/track/columns" if fmt == "columns" else "/api/v1/patrol/track"
    connection.close()
    children = []
    for i in range(procs):
        pid = os.fork()
        if pid == 0:  # a client process posting its batches one after the other
            import json

            from django.test import Client

            c = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[i]}")
            bodies = [json.dumps(body(shifts[i], first)) for first in range(1, per_proc + 1, batch)]
            for b in bodies[:2]:  # warm up (stored again below as duplicates: not counted twice)
                c.post(url, b, content_type="application/json")
            os.write(w_fds[i], b"r")
            os.read(go_r, 1)
            cpu0, pg0 = os.times(), _backend_cpu_s()
            for b in bodies:
                r = c.post(url, b, content_type="application/json")
                if r.status_code != 200:
                    os._exit(2)
            cpu1, pg1 = os.times(), _backend_cpu_s()
            os.write(w_fds[i], json.dumps([cpu1.user - cpu0.user + cpu1.system - cpu0.system, pg1 - pg0]).encode())
            os._exit(0)
        children.append(pid)
    for i in range(procs):
        os.read(r_fds[i], 1)
    t0 = time.perf_counter()
    os.write(go_w, b"g" * procs)
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in children)
    elapsed = time.perf_counter() - t0
    import json

    spent = [json.loads(os.read(r_fds[i], 1000)) for i in range(procs)] if not failed else [[0, 0]]
    app_cpu, db_cpu = sum(s[0] for s in spent), sum(s[1] for s in spent)
    stored = TrackPoint.objects.count()
    per = (app_cpu + db_cpu) / stored
    out(f"{connection.vendor}: {stored:,} positions stored through POST {url} in batches of {batch} "
        f"by {procs} processes in {elapsed:.2f} s: {stored / elapsed:,.0f} positions/s"
        + (f" — {failed} processes failed" if failed else "")
        + f"; CPU a position: application {app_cpu * 1e6 / stored:.1f} µs"
        + (f" + PostgreSQL backend {db_cpu * 1e6 / stored:.1f} µs" if db_cpu else "")
        + f" (≈ {1 / per:,.0f} positions/s a core, {2 / per:,.0f}/s on two free cores); "
          f"load average {os.getloadavg()[0]:.1f}")


r_fds, w_fds = [], []
go_r = go_w = -1


def pipes(procs: int) -> None:
    """The start barrier of the client processes (ready → go)."""
    global go_r, go_w
    for _ in range(procs):
        r, w = os.pipe()
        r_fds.append(r)
        w_fds.append(w)
    go_r, go_w = os.pipe()
