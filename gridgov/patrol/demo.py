"""A month of patrols for the demo (called by ``gridgov.demo.build``): the plans of every management grid from its
class, and for the grid workers of 东华门街道 (the demo supervisor's street) a shift on every working day of the last
30 days, with a track walked through their own grid (a position every 2 minutes for two hours), a few late days, a
leave and one anomaly (the demo grid worker's phone jumps across the grid once). Synthetic and deterministic
(seeded), written with bulk inserts; the facts of each shift come from the same pure rules the services use.

scale "test": plans only (the tests make their own shifts at frozen times).
"""

import datetime as dt
import random
import time
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.audit import services as audit
from gridgov.geo.models import Grid, GridDuty, Post

from . import services
from .logic import track as track_logic
from .models import Anomaly, Leave, LeaveStatus, PatrolPlan, Shift, TrackPoint, WorkHours

DISTRICT, STREET = "110101", "110101001"
DAYS, EVERY_S, PATROL_S = 30, 120, 2 * 3600


def build(stdout=print, scale: str = "demo") -> None:
    t0 = time.perf_counter()
    grids = list(Grid.objects.filter(layer__code="management", community__code__startswith=DISTRICT))
    PatrolPlan.objects.filter(grid__in=grids).delete()
    services.make_plans(grids)
    if scale != "demo":
        return
    n_shifts, n_points = _month(grids)
    stdout(f"巡查：{len(grids):,} 个网格的巡查计划，东华门街道网格员近 {DAYS} 天 {n_shifts:,} 次在岗、{n_points:,} 个轨迹点"
           f"（{time.perf_counter() - t0:.1f} 秒）")


@transaction.atomic
def _month(grids) -> tuple[int, int]:
    from shapely import from_geojson

    from gridgov.worktime.services import current_calendar

    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(20261201)
    # a rebuild: the street's rows go first, children before parents, each one DELETE statement
    TrackPoint.objects.filter(shift__scope_key__startswith=STREET).delete()
    Anomaly.objects.filter(scope_key__startswith=STREET).delete()
    Shift.objects.filter(scope_key__startswith=STREET).delete()
    Leave.objects.filter(scope_key__startswith=STREET).delete()
    # the grid worker of each grid is the one its 五定 names (the demo account on 110101001001W001)
    workers = {d.grid.scope_key: d.person for d in GridDuty.objects.filter(
        post=Post.GRID_WORKER, grid__layer__code="management", grid__scope_key__startswith=STREET)
        .select_related("grid", "person")}
    mine = [g for g in grids if g.scope_key in workers]
    units: dict[int, list[tuple[str, float, float]]] = {}
    for gid, code, geometry in Grid.objects.filter(layer__code="unit", parent__in=mine).exclude(geometry="") \
            .order_by("code").values_list("parent_id", "code", "geometry"):
        p = from_geojson(geometry).representative_point()
        units.setdefault(gid, []).append((code, p.x, p.y))
    plans = {p.grid_id: p for p in PatrolPlan.objects.filter(grid__in=mine)}
    today = timezone.localdate()
    calendar = current_calendar()
    days = [today - dt.timedelta(days=k) for k in range(DAYS, 0, -1)]
    days = [d for d in days if calendar.is_workday(d)]
    demo_worker = User.objects.filter(username="gridworker").first()
    leave_day = days[-4] if len(days) > 4 else None
    shifts, tracks = [], []
    for g in mine:
        person, cells = workers[g.scope_key], units.get(g.pk, [])
        if not cells:
            continue
        plan = plans[g.pk]
        for i, day in enumerate(days):
            if person == demo_worker and day == leave_day:
                continue  # on leave (below)
            if rng.random() < 0.04:
                continue  # absent now and then
            late = rng.random() < 0.08 or (person == demo_worker and i in (3, 11))
            start = dt.datetime.combine(day, dt.time(8, 20), tz) + dt.timedelta(minutes=rng.randint(0, 9))
            if late:
                start = dt.datetime.combine(day, dt.time(8, 45), tz) + dt.timedelta(minutes=rng.randint(0, 30))
            jump = person == demo_worker and i == len(days) - 2
            pts = _walk(rng, cells, start + dt.timedelta(minutes=30), jump)
            triples = [(a.timestamp(), x, y) for a, x, y, _ in pts]
            s = track_logic.summary(triples)
            visited = sorted({u for *_, u in pts})
            share = len(visited) / len(cells)
            done, missing = track_logic.patrol_done(s, share, track_logic.Requirement(
                plan.min_minutes, plan.min_km, plan.min_share))
            first = cells[0]
            shift = Shift(person=person, grid=g, scope_key=g.scope_key, day=day, started_at=start, start_lon=first[1],
                          start_lat=first[2], late_minutes=max(0, int((start - dt.datetime.combine(
                              day, dt.time(8, 30), tz)).total_seconds() // 60)) if late else 0,
                          ended_at=dt.datetime.combine(day, dt.time(17, 30), tz), end_lon=first[1], end_lat=first[2],
                          points=s.points, length_m=round(s.length_m, 1), duration_s=s.duration_s,
                          units_visited=visited, share=round(share, 4), done=done, missing="；".join(missing)[:300])
            shifts.append(shift)
            tracks.append((shift, pts, triples, plan.method))
    Shift.objects.bulk_create(shifts, batch_size=1000)
    points, anomalies = [], []
    th = services.thresholds()
    for shift, pts, triples, method in tracks:
        points += [(shift.pk, k + 1, a, x, y, 8.0) for k, (a, x, y, _) in enumerate(pts)]
        for a in track_logic.anomalies(triples, method, th):
            anomalies.append(Anomaly(shift=shift, scope_key=shift.scope_key, kind=a.kind,
                                     start=dt.datetime.fromtimestamp(a.start, dt.UTC),
                                     end=dt.datetime.fromtimestamp(a.end, dt.UTC), detail=a.detail[:200]))
    for start in range(0, len(points), 20_000):
        services.insert_rows(points[start:start + 20_000])
    Anomaly.objects.bulk_create(anomalies)
    if demo_worker and leave_day:
        leader = User.objects.filter(username="gridleader").first()
        Leave.objects.create(person=demo_worker, scope_key=demo_worker.node_key, start=leave_day, end=leave_day,
                             reason="家中有事", status=LeaveStatus.APPROVED, decided_by=leader,
                             decided_at=dt.datetime.combine(leave_day - dt.timedelta(days=1), dt.time(17), tz))
        Leave.objects.create(person=demo_worker, scope_key=demo_worker.node_key, start=today + dt.timedelta(days=7),
                             end=today + dt.timedelta(days=7), reason="体检")
    # 弹性上下班 (seed 003 篇1): one grid of the street works 周一至周四 14:00–21:00
    WorkHours.objects.filter(scope_key__startswith=STREET).delete()
    other = next((g for g in mine if demo_worker is None or g.scope_key != demo_worker.node_key), None)
    if other is not None:
        WorkHours.objects.create(grid=other, scope_key=other.scope_key, weekdays="1234", start=dt.time(14),
                                 end=dt.time(21))
    audit.record(None, "demo", "patrol_shift", "*", after={"shifts": len(shifts), "points": len(points)})
    return len(shifts), len(points)


def _walk(rng, cells, start: dt.datetime, jump: bool) -> list[tuple[dt.datetime, float, float, str]]:
    """Two hours through the grid's unit grids: a position every EVERY_S seconds, small steps between the centres
    of neighbouring unit grids (in code order, i.e. along the lattice); ``jump``: once across the grid at once."""
    n = PATROL_S // EVERY_S + 1
    k = rng.randrange(len(cells))
    out = []
    x, y, t = cells[k][1], cells[k][2], start
    step = 1
    for i in range(n):
        if jump and i == n // 2 and len(cells) > 2:
            k = (k + len(cells) // 2) % len(cells)  # the phone's position leaps across the grid in a second
            x, y, t = cells[k][1], cells[k][2], t + dt.timedelta(seconds=1)
        else:
            if i:
                t += dt.timedelta(seconds=EVERY_S)
            if i % 3 == 2:  # every third position: on to the next unit grid (≈ 100 m in 2 minutes)
                if not 0 <= k + step < len(cells):
                    step = -step
                k = max(0, min(len(cells) - 1, k + step))
                x, y = cells[k][1], cells[k][2]
        jx, jy = rng.uniform(-0.0002, 0.0002), rng.uniform(-0.00015, 0.00015)
        out.append((t, x + jx, y + jy, cells[k][0]))
    return out
