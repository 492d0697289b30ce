"""The only writer of patrol plans, leave, shifts (上班签到/下班签退) and tracks; reads for the supervisor chain.

- Plans: ``plan_for(grid)`` (made from the grid's class the first time), ``set_plan`` (audited).
- On duty: ``checkin`` / ``checkout`` inside one's management grid (the locator decides; outside → a reason is
  required and recorded, and a check-in farther than the threshold is an anomaly); ``add_columns`` (the phone's
  format: one array a field) and ``add_points`` (one tuple a point) store a batch of the phone's positions
  idempotently (each point carries the phone's sequence number in the shift: a batch sent twice is stored once) —
  checked as numpy arrays, one INSERT, all or nothing, audited once per batch that stored something.
- What a track shows (``evaluate``): length, time, unit grids visited, coverage, 巡查完成 and anomalies — the pure
  rules are in ``logic/track.py``.
- Leave (请假): asked by the worker, decided by the grid leader or the street's supervisor.
- Reads: positions (``track``) only for the supervisor chain and only of time on duty; each read is written to the
  personal-data access log. ``attendance`` is the monthly table (facts for assessment).
- ``purge_tracks``: the privacy app's eraser for the ``field_track`` retention kind.
"""

import datetime as dt
import zoneinfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from gridgov import limits
from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import ensure_in_scope, get_scoped, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.geo import locating
from gridgov.geo.logic.projection import LocalProjection
from gridgov.geo.models import Grid
from gridgov.worktime.logic.calendar import from_us, to_us

from .logic import attendance as att
from .logic import plans as plan_logic
from .logic import track as track_logic
from .models import Anomaly, Leave, LeaveStatus, PatrolPlan, Shift, TrackPoint, WorkHours

DUTY, VIEW, MANAGE, ATTENDANCE = roles.PATROL_DUTY, roles.PATROL_VIEW, roles.PATROL_MANAGE, roles.PATROL_ATTENDANCE
PLAN_FIELDS = ["method", "per_week", "min_minutes", "min_km", "min_share", "hours", "basis"]
MAX_BATCH = 1000  # positions a request, one object a point
MAX_COLUMNS = 5000  # positions a request as columns (POST /patrol/track/columns)
FUTURE_TOLERANCE_S = 120  # a phone's clock may run a little ahead
DUTY_TOLERANCE_S = 60  # a point a little before the check-in / after the check-out is still on duty


def thresholds() -> track_logic.Thresholds:
    return track_logic.Thresholds.of(settings.GRIDGOV.get("PATROL_THRESHOLDS"))


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------- plans


def default_plan(grid: Grid) -> PatrolPlan:
    d = plan_logic.CLASS_PLANS.get(grid.grid_class, plan_logic.CLASS_PLANS["2"])
    return PatrolPlan(grid=grid, scope_key=grid.scope_key, method=d.method, per_week=d.per_week,
                      min_minutes=d.min_minutes, min_km=d.min_km, min_share=d.min_share, hours=d.hours,
                      basis=f"{plan_logic.SEED_BASIS}；{plan_logic.DEFAULT_BASIS}")


def plan_for(grid: Grid) -> PatrolPlan:
    """The grid's plan, or the one its class gives (not saved: a plan is stored when someone sets it)."""
    return PatrolPlan.objects.filter(grid=grid).first() or default_plan(grid)


@transaction.atomic
def set_plan(user, grid_code: str, **values) -> PatrolPlan:
    require(user, MANAGE)
    grid = get_scoped(Grid.objects.filter(layer__code="management"), user, MANAGE, code=grid_code)
    plan = PatrolPlan.objects.select_for_update().filter(grid=grid).first() or default_plan(grid)
    values = {k: v for k, v in values.items() if v is not None}
    limits.check_fields(PatrolPlan, values)
    if "method" in values and values["method"] not in plan_logic.METHOD_LABELS:
        raise DomainError("invalid_method", "巡查方式应为 foot（徒步）或 vehicle（机动）")
    if "min_share" in values and not 0 <= values["min_share"] <= 1:
        raise DomainError("invalid_share", "覆盖要求应在 0～1 之间")
    if "min_km" in values and not 0 <= values["min_km"] <= 1000:
        raise DomainError("invalid_km", "里程要求应在 0～1000 公里之间")
    for k, v in values.items():
        setattr(plan, k, v)
    audit.save_row(user, plan, PLAN_FIELDS, "patrol_plan", grid.code)
    ensure_in_scope(plan, user, MANAGE)
    return plan


KEY_PLACE_FIELDS = ["name", "grid", "times", "note"]


@transaction.atomic
def save_key_place(user, place) -> None:
    """A 难点/重点地段 for 错时督查 (its grid in the user's scope); audited."""
    require(user, MANAGE)
    if place.grid_id is None:
        raise DomainError("grid_required", "请选择所在网格")
    place.scope_key = place.grid.scope_key
    audit.save_row(user, place, KEY_PLACE_FIELDS, "key_place")
    ensure_in_scope(place, user, MANAGE)


@transaction.atomic
def delete_key_place(user, place) -> None:
    require(user, MANAGE)
    ensure_in_scope(place, user, MANAGE)
    audit.delete_row(user, place, KEY_PLACE_FIELDS, "key_place")


def plans(user):
    return scoped(PatrolPlan.objects.select_related("grid"), user, VIEW)


@transaction.atomic
def make_plans(grids, actor=None) -> int:
    """Store the class plan of every grid that has none (the demo, a new district); one summary audit record."""
    have = set(PatrolPlan.objects.filter(grid__in=grids).values_list("grid_id", flat=True))
    new = [default_plan(g) for g in grids if g.pk not in have]
    PatrolPlan.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(actor, "create_many", "patrol_plan", "*", after={"count": len(new)})
    return len(new)


# ---------------------------------------------------------------- where a worker stands


def grid_of(user) -> Grid:
    """The management grid a grid worker is bound to, or a clear refusal."""
    key = getattr(user, "node_key", "") or ""
    grid = Grid.objects.filter(layer__code="management", scope_key=key).first() if "W" in key else None
    if grid is None:
        raise Conflict("no_grid", "您没有负责的管理网格，无需上班签到")
    return grid


def _place(grid: Grid, lon, lat) -> tuple[float, float, bool, float]:
    lon, lat = locating.check_point(lon, lat)
    where = locating.locate(lon, lat)
    inside = where["management_grid"] == grid.code
    distance = 0.0
    if not inside and grid.geometry:
        from shapely.geometry import Point

        shape = grid.shape
        proj = LocalProjection.for_geometry(shape)
        distance = float(proj.to_metres(shape).distance(proj.to_metres(Point(lon, lat))))
    return lon, lat, inside, distance


def _reason(reason: str, inside: bool, what: str) -> str:
    reason = (reason or "").strip()
    if not inside and len(reason) < 2:
        raise DomainError("reason_required", f"您不在所负责的网格内，{what}须填写事由")
    return reason[:200]


def window_for(person, grid: Grid | None) -> att.Window:
    """弹性上下班: the person's own window, else the grid's, else the default."""
    rows = list(WorkHours.objects.filter(Q(person=person) | Q(grid=grid, person__isnull=True)))
    own = [w for w in rows if w.person_id == person.pk]
    row = (own or rows or [None])[0]
    return att.Window(row.start, row.end, row.weekdays) if row else att.DEFAULT_WINDOW


def _on_leave(person, day: dt.date) -> bool:
    return Leave.objects.filter(person=person, status=LeaveStatus.APPROVED, start__lte=day, end__gte=day).exists()


@transaction.atomic
def checkin(user, lon, lat, reason: str = "", now: dt.datetime | None = None) -> Shift:
    require(user, DUTY)
    now = now or timezone.now()
    grid = grid_of(user)
    lon, lat, inside, distance = _place(grid, lon, lat)
    reason = _reason(reason, inside, "签到")
    if Shift.objects.select_for_update().filter(person=user, ended_at__isnull=True).exists():
        raise Conflict("already_on_duty", "您已签到在岗，请先签退")
    local = timezone.localtime(now, _tz())
    if _on_leave(user, local.date()):
        raise Conflict("on_leave", "您今天请假已获批准，不能签到；如需上班请先撤销请假")
    first = not Shift.objects.filter(person=user, day=local.date()).exists()
    window = window_for(user, grid)
    from gridgov.worktime.services import current_calendar

    works = current_calendar().is_workday(local.date()) and window.applies(local.date())
    late = att.late_minutes(local.time(), window) if first and works else 0
    shift = Shift.objects.create(person=user, grid=grid, scope_key=grid.scope_key, day=local.date(), started_at=now,
                                 start_lon=lon, start_lat=lat, start_inside=inside, start_distance_m=round(distance, 1),
                                 start_reason=reason, late_minutes=late)
    th = thresholds()
    if track_logic.checkin_far(distance, th):
        Anomaly.objects.create(shift=shift, scope_key=shift.scope_key, kind="checkin_far", start=now, end=now,
                               detail=f"签到位置距所负责网格 {distance:.0f} 米（上限 {th.checkin_far_m:g} 米）；事由：{reason}")
    audit.record(user, "checkin", "patrol_shift", shift.pk,
                 after={"grid": grid.code, "inside": inside, "late_minutes": late, **audit.names(["position"])})
    return shift


@transaction.atomic
def checkout(user, lon, lat, reason: str = "", now: dt.datetime | None = None) -> Shift:
    require(user, DUTY)
    now = now or timezone.now()
    shift = Shift.objects.select_for_update().filter(person=user, ended_at__isnull=True).first()
    if shift is None:
        raise Conflict("not_on_duty", "您尚未签到，不能签退")
    grid = Grid.objects.filter(pk=shift.grid_id).first() or grid_of(user)
    lon, lat, inside, _ = _place(grid, lon, lat)
    shift.end_reason = _reason(reason, inside, "签退")
    shift.ended_at, shift.end_lon, shift.end_lat, shift.end_inside = max(now, shift.started_at), lon, lat, inside
    _evaluate(shift, grid)
    shift.save()
    audit.record(user, "checkout", "patrol_shift", shift.pk,
                 after={"inside": inside, "points": shift.points, "done": shift.done, **audit.names(["position"])})
    return shift


def open_shift(user) -> Shift | None:
    return Shift.objects.filter(person=user, ended_at__isnull=True).first()


# ---------------------------------------------------------------- tracks


def _aware(value) -> dt.datetime:
    if timezone.is_naive(value):
        raise DomainError("timezone_required", "轨迹点时间须带时区")
    return value


MAX_SEQ = 2_147_483_647  # TrackPoint.seq (PositiveIntegerField)


@transaction.atomic
def add_points(user, shift_id: int, points: list, now: dt.datetime | None = None) -> dict:
    """Store a batch of positions of one's own shift: ``(seq, at, lon, lat, accuracy)`` tuples (or dicts) with
    aware datetimes — the first API format (one object a point); converted to columns for ``add_columns``."""
    require(user, DUTY)
    if len(points) > MAX_BATCH:
        raise DomainError("batch_too_large", f"一批最多 {MAX_BATCH} 个轨迹点")
    rows = [(p["seq"], p["at"], p["lon"], p["lat"], p.get("accuracy")) if isinstance(p, dict) else tuple(p)
            for p in points]
    try:
        for seq, at, *_ in rows:
            if at.tzinfo is None:
                raise DomainError("timezone_required", f"序号 {seq} 的轨迹点时间须带时区")
        at_us = [to_us(at) for _, at, *_ in rows]
    except OverflowError:
        raise DomainError("invalid_time", "轨迹点时间超出范围") from None
    for _, _, lon, lat, _ in rows:
        if not (isinstance(lon, int | float) and isinstance(lat, int | float)):
            raise DomainError("coordinates_out_of_range", "轨迹点坐标应为数字")
    return _add_columns(user, shift_id, [r[0] for r in rows], at_us, [r[2] for r in rows], [r[3] for r in rows],
                       [r[4] for r in rows], now, MAX_BATCH)


@transaction.atomic
def add_columns(user, shift_id: int, seq, at_us, lon, lat, accuracy=None, now: dt.datetime | None = None) -> dict:
    """Store a batch of positions of one's own shift given as columns: sequence numbers, times in microseconds since
    1970-01-01 UTC, longitudes, latitudes and accuracies in metres (None or NaN: unknown) — checked as arrays, no
    object a point.

    Refused whole (nothing stored) when a position is impossible, a time is in the future, outside the shift's
    time on duty or out of order with its sequence; a point already stored (same shift and seq) is skipped, so a
    repeated batch is accepted without duplicates. Returns ``{"accepted": n, "duplicates": m}``."""
    return _add_columns(user, shift_id, seq, at_us, lon, lat, accuracy, now, MAX_COLUMNS)


def _add_columns(user, shift_id, seq, at_us, lon, lat, accuracy, now, max_batch: int) -> dict:
    require(user, DUTY)
    now = now or timezone.now()
    n = len(seq)
    if len(at_us) != n or len(lon) != n or len(lat) != n or (accuracy is not None and len(accuracy) != n):
        raise DomainError("columns_mismatch", "各列长度不一致：序号、时间、经度、纬度（及精度）应一一对应")
    if n > max_batch:
        raise DomainError("batch_too_large", f"一批最多 {max_batch} 个轨迹点")
    shift = Shift.objects.select_for_update().filter(pk=shift_id, person=user).first()
    if shift is None:
        raise NotFound("not_found", "在岗记录不存在或不是您的")
    if not n:
        return {"accepted": 0, "duplicates": 0}
    try:
        seq_a = np.asarray(seq, dtype=np.int64)
        at_a = np.asarray(at_us, dtype=np.int64)
    except (OverflowError, ValueError, TypeError):
        raise DomainError("invalid_time", "轨迹点序号或时间超出范围") from None
    try:
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        acc_a = (np.full(n, np.nan) if accuracy is None
                 else np.array([np.nan if a is None else a for a in accuracy], dtype=np.float64)
                 if any(a is None for a in accuracy) else np.asarray(accuracy, dtype=np.float64))
    except (ValueError, TypeError):
        raise DomainError("coordinates_out_of_range", "轨迹点坐标和精度应为数字") from None
    order = np.argsort(seq_a, kind="stable")
    seq_a, at_a, lon_a, lat_a, acc_a = seq_a[order], at_a[order], lon_a[order], lat_a[order], acc_a[order]
    start = to_us(shift.started_at) - DUTY_TOLERANCE_S * 1_000_000
    end = to_us(shift.ended_at or now) + DUTY_TOLERANCE_S * 1_000_000
    _check_columns(seq_a, at_a, lon_a, lat_a, acc_a, start, end, to_us(now) + FUTURE_TOLERANCE_S * 1_000_000)
    before = TrackPoint.objects.filter(shift=shift, seq__lt=int(seq_a[0])).order_by("-seq").values_list("at", flat=True)[:1]
    if before and to_us(before[0]) > at_a[0]:
        raise DomainError("points_out_of_order", f"序号 {seq_a[0]} 的轨迹点时间早于已收到的前一个点：时间应随序号递增")
    accepted = insert_columns(shift.pk, seq_a, at_a, lon_a, lat_a, acc_a)
    if accepted:
        Shift.objects.filter(pk=shift.pk).update(points=shift.points + accepted)
        if shift.ended_at is not None and shift.grid_id:  # late points (sent after the check-out): re-evaluated
            shift.points += accepted
            _evaluate(shift, Grid.objects.get(pk=shift.grid_id))
            shift.save()
        audit.record(user, "track_upload", "patrol_shift", shift.pk,
                     after={"accepted": accepted, "duplicates": n - accepted})
    return {"accepted": accepted, "duplicates": n - accepted}


def _first(mask: np.ndarray, seq: np.ndarray) -> int:
    return int(seq[int(np.argmax(mask))])


def _check_columns(seq, at, lon, lat, acc, start: int, end: int, future: int) -> None:
    """Every point possible, on duty, not in the future, in the order of its sequence (else DomainError naming the
    first point at fault). The columns are sorted by sequence number; times are microseconds since 1970 UTC."""
    bad = (seq < 0) | (seq > MAX_SEQ)
    if bad.any():
        raise DomainError("invalid_input", f"轨迹点序号应在 0～{MAX_SEQ} 之间（{_first(bad, seq)}）")
    same = seq[1:] == seq[:-1]
    if same.any():
        raise DomainError("duplicate_seq", f"同一批轨迹点中序号重复（{_first(same, seq[1:])}）")
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        raise DomainError("coordinates_out_of_range",
                          f"序号 {_first(bad, seq)} 的轨迹点坐标无效：经度应在 -180～180、纬度应在 -90～90 之间")
    bad = ~np.isnan(acc) & ~((acc >= 0) & (acc <= 100_000))
    if bad.any():
        raise DomainError("invalid_input", f"序号 {_first(bad, seq)} 的轨迹点精度应在 0～100000 米之间")
    bad = at > future
    if bad.any():
        raise DomainError("point_in_future", f"序号 {_first(bad, seq)} 的轨迹点时间晚于当前时间，请检查手机时间")
    bad = (at < start) | (at > end)
    if bad.any():
        raise DomainError("point_outside_duty",
                          f"序号 {_first(bad, seq)} 的轨迹点不在在岗时间内：只记录上班签到至下班签退之间的位置")
    bad = at[1:] < at[:-1]
    if bad.any():
        raise DomainError("points_out_of_order", f"序号 {_first(bad, seq[1:])} 的轨迹点时间早于前一个点：时间应随序号递增")


_PG_INSERT = ("INSERT INTO patrol_trackpoint (shift_id, seq, at, lon, lat, accuracy) "
              "SELECT %s, s, timestamptz 'epoch' + t * interval '1 microsecond', x, y, a FROM unnest("
              "%s::integer[], %s::bigint[], %s::double precision[], %s::double precision[], %s::double precision[]) "
              "AS u(s, t, x, y, a) ON CONFLICT (shift_id, seq) DO NOTHING")
_SQLITE_INSERT = ("INSERT INTO patrol_trackpoint (shift_id, seq, at, lon, lat, accuracy) VALUES (%s, %s, %s, %s, %s, %s) "
                  "ON CONFLICT (shift_id, seq) DO NOTHING")


def _array(values: np.ndarray) -> str:
    """A PostgreSQL array literal of numbers (NaN → NULL) — one ``str`` a value in C, no adapter a value."""
    items = values.tolist()
    if values.dtype.kind == "f" and np.isnan(values).any():
        return "{" + ",".join("NULL" if v != v else repr(v) for v in items) + "}"
    return "{" + ",".join(map(repr, items)) + "}"


def insert_columns(shift_id: int, seq, at_us, lon, lat, accuracy) -> int:
    """Store the track points of one shift given as numpy columns (times in microseconds since 1970 UTC, NaN accuracy
    = unknown) — on PostgreSQL one statement with one array literal a column (``unnest``), on SQLite one prepared
    statement for all rows; ``ON CONFLICT DO NOTHING`` on (shift, seq) makes a repeated point a no-op. Returns how
    many were new."""
    if not len(seq):
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_INSERT, [shift_id, _array(seq), _array(at_us), _array(lon), _array(lat),
                                        _array(accuracy)])
            return cursor.rowcount
    return insert_rows([(shift_id, int(s), from_us(int(t), dt.UTC), x, y, None if a != a else a)
                        for s, t, x, y, a in zip(seq.tolist(), at_us.tolist(), lon.tolist(), lat.tolist(),
                                                 accuracy.tolist(), strict=True)])


_PG_INSERT_ROWS = ("INSERT INTO patrol_trackpoint (shift_id, seq, at, lon, lat, accuracy) SELECT * FROM unnest("
                   "%s::bigint[], %s::integer[], %s::timestamptz[], %s::double precision[], %s::double precision[], "
                   "%s::double precision[]) ON CONFLICT (shift_id, seq) DO NOTHING")


def insert_rows(rows: list[tuple]) -> int:
    """Store track points ``(shift_id, seq, at, lon, lat, accuracy)`` of any shifts (the demo) — on PostgreSQL one
    array per column (``unnest``, as gridgov/sqlrows.py does), on SQLite one prepared statement for all rows; ``ON
    CONFLICT DO NOTHING`` on (shift, seq) makes a repeated point a no-op. Returns how many were new."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_INSERT_ROWS, [list(col) for col in zip(*rows, strict=True)])
            return cursor.rowcount
        shifts = sorted({r[0] for r in rows})
        count = TrackPoint.objects.filter(shift_id__in=shifts).count
        before = count()
        cursor.executemany(_SQLITE_INSERT, [(a, b, _sqlite_time(c), d, e, f) for a, b, c, d, e, f in rows])
        return count() - before


def _sqlite_time(value: dt.datetime) -> str:
    """As Django stores an aware datetime on SQLite (UTC, no offset), without its per-value overhead."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _points_of(shift: Shift) -> list[tuple[float, float, float, dt.datetime]]:
    rows = TrackPoint.objects.filter(shift=shift).order_by("seq").values_list("at", "lon", "lat")
    return [(a.timestamp(), x, y, a) for a, x, y in rows]


def grid_units(grid: Grid) -> list[str]:
    return list(Grid.objects.filter(layer__code="unit", parent=grid).values_list("code", flat=True))


def located_units(lons, lats) -> tuple[list[str | None], list[str | None]]:
    """(unit grid, management grid) of each point, through the locator (vectorised)."""
    if not len(lons):
        return [], []
    unit = locating.index_for("unit")
    hits = unit.locator.locate_many(np.asarray(lons, float), np.asarray(lats, float))
    units = [unit.codes[h] if h >= 0 else None for h in hits]
    mgmt = [unit.extra[h]["parent"] if h >= 0 else None for h in hits]
    return units, mgmt


def _evaluate(shift: Shift, grid: Grid) -> None:
    """Length, time, coverage, 巡查完成 and anomalies of the shift's track (replaces the track's anomalies)."""
    pts = _points_of(shift)
    triples = [(t, x, y) for t, x, y, _ in pts]
    s = track_logic.summary(triples)
    units, mgmt = located_units([p[1] for p in pts], [p[2] for p in pts])
    visited = sorted({u for u in units if u})
    all_units = grid_units(grid)
    share = track_logic.coverage(visited, all_units)
    plan = plan_for(grid)
    done, missing = track_logic.patrol_done(s, share, track_logic.Requirement(plan.min_minutes, plan.min_km,
                                                                             plan.min_share))
    shift.points, shift.length_m, shift.duration_s = s.points, round(s.length_m, 1), s.duration_s
    shift.units_visited = [u for u in visited if u in set(all_units)]
    shift.share, shift.done, shift.missing = round(share, 4), done, "；".join(missing)[:300]
    found = track_logic.anomalies(triples, plan.method, thresholds(), inside=[m == grid.code for m in mgmt])
    Anomaly.objects.filter(shift=shift).exclude(kind="checkin_far").delete()
    tz = dt.UTC
    Anomaly.objects.bulk_create([
        Anomaly(shift=shift, scope_key=shift.scope_key, kind=a.kind, start=dt.datetime.fromtimestamp(a.start, tz),
                end=dt.datetime.fromtimestamp(a.end, tz), detail=a.detail[:200]) for a in found])


# ---------------------------------------------------------------- reads (the supervisor chain)


def shifts(user):
    """Shifts the user may see: the supervisor chain within scope; a grid worker only their own."""
    qs = scoped(Shift.objects.select_related("person", "grid"), user, VIEW)
    if not user.is_superuser and user.role == Role.GRID_WORKER:
        qs = qs.filter(person=user)
    return qs


def anomalies(user):
    qs = scoped(Anomaly.objects.select_related("shift__person", "shift__grid"), user, VIEW)
    if not user.is_superuser and user.role == Role.GRID_WORKER:
        qs = qs.filter(shift__person=user)
    return qs


def track(user, shift_id: int, reason: str = "") -> dict:
    """The positions of one shift (time on duty only), its anomalies and coverage — recorded in the access log."""
    shift = shifts(user).filter(pk=shift_id).first()
    if shift is None:
        raise NotFound("not_found", "在岗记录不存在或不在您的管辖范围内")
    pts = _points_of(shift)
    if shift.ended_at is None and shift.grid_id:  # on duty now: evaluated on the fly, not stored (check-out does)
        with transaction.atomic():
            _evaluate(shift, shift.grid)
            found = list(Anomaly.objects.filter(shift_id=shift.pk).order_by("start"))
            transaction.set_rollback(True)
    else:
        found = list(Anomaly.objects.filter(shift_id=shift.pk).order_by("start"))
    from gridgov.basedata.services import log_access

    log_access(user, "unmask", "patrol_track", shift.pk, fields="轨迹", count=len(pts), reason=reason or "查看巡查轨迹",
               scope_key=shift.scope_key)
    return {"shift": shift, "points": [(a, x, y) for _, x, y, a in pts], "anomalies": found,
            "units": grid_units(shift.grid) if shift.grid_id else []}


def _period(date_from: dt.date, date_to: dt.date):
    if date_to < date_from:
        raise DomainError("invalid_period", "结束日期不能早于开始日期")
    if (date_to - date_from).days > 366:
        raise DomainError("period_too_long", "统计期间最长一年")
    return date_from, date_to


def coverage(user, date_from: dt.date, date_to: dt.date, grid_code: str | None = None) -> list[dict]:
    """Per worker and grid in the period: patrols done against the plan, time on patrol, unit grids visited and
    the share of the grid they cover (the union of the period's tracks), anomalies."""
    date_from, date_to = _period(date_from, date_to)
    qs = shifts(user).filter(day__gte=date_from, day__lte=date_to, grid__isnull=False)
    if grid_code:
        qs = qs.filter(grid__code=grid_code)
    rows: dict[tuple[int, int], dict] = {}
    for s in qs.order_by("grid__code", "person_id", "started_at"):
        r = rows.setdefault((s.person_id, s.grid_id), {"person": s.person, "grid": s.grid, "shifts": 0, "done": 0,
                                                        "duration_s": 0.0, "length_m": 0.0, "visited": set()})
        r["shifts"] += 1
        r["done"] += int(s.done)
        r["duration_s"] += s.duration_s
        r["length_m"] += s.length_m
        r["visited"].update(s.units_visited or [])
    grids = {g for _, g in rows}
    unit_counts = dict(Grid.objects.filter(layer__code="unit", parent_id__in=grids).values("parent_id")
                       .annotate(n=Count("id")).values_list("parent_id", "n"))
    plan_rows = {p.grid_id: p for p in PatrolPlan.objects.filter(grid_id__in=grids)}
    anomaly_counts = dict(anomalies(user).filter(shift__day__gte=date_from, shift__day__lte=date_to)
                          .values("shift__person_id").annotate(n=Count("id")).values_list("shift__person_id", "n"))
    days = (date_to - date_from).days + 1
    out = []
    for (_, grid_id), r in rows.items():
        plan = plan_rows.get(grid_id) or default_plan(r["grid"])
        n_units = unit_counts.get(grid_id, 0)
        out.append({"person": r["person"], "grid": r["grid"], "shifts": r["shifts"], "patrols_done": r["done"],
                    "patrols_planned": plan_logic.expected_patrols(plan.per_week, days), "method": plan.method,
                    "hours_on_patrol": round(r["duration_s"] / 3600, 2), "km": round(r["length_m"] / 1000, 2),
                    "units_visited": len(r["visited"]), "units_total": n_units,
                    "share": round(len(r["visited"]) / n_units, 4) if n_units else 0.0,
                    "anomalies": anomaly_counts.get(r["person"].pk, 0)})
    return out


# ---------------------------------------------------------------- leave and duty windows


@transaction.atomic
def request_leave(user, start: dt.date, end: dt.date, reason: str) -> Leave:
    require(user, DUTY)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "请填写请假事由")
    if end < start:
        raise DomainError("invalid_period", "结束日期不能早于开始日期")
    if (end - start).days > 90:
        raise DomainError("period_too_long", "一次请假最长 90 天")
    if Leave.objects.filter(person=user, start__lte=end, end__gte=start).exclude(status=LeaveStatus.REFUSED).exists():
        raise Conflict("leave_overlaps", "与已申请的请假时间重叠")
    leave = Leave.objects.create(person=user, scope_key=user.node_key, start=start, end=end, reason=reason[:200])
    audit.record(user, "request_leave", "patrol_leave", leave.pk,
                 after={"start": start.isoformat(), "end": end.isoformat(), **audit.names(["reason"])})
    return leave


@transaction.atomic
def decide_leave(user, pk: int, approve: bool) -> Leave:
    require(user, MANAGE)
    leave = get_scoped(Leave.objects.select_for_update(), user, MANAGE, pk=pk)
    if leave.person_id == user.pk:
        raise DomainError("own_leave", "不能审批自己的请假")
    if leave.status != LeaveStatus.PENDING:
        raise Conflict("already_decided", "这份请假已经审批过")
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    leave.decided_by, leave.decided_at = user, timezone.now()
    leave.save()
    audit.record(user, "decide_leave", "patrol_leave", leave.pk, before={"status": LeaveStatus.PENDING},
                 after={"status": leave.status})
    return leave


def leaves(user):
    qs = scoped(Leave.objects.select_related("person", "decided_by"), user, VIEW)
    if not user.is_superuser and user.role == Role.GRID_WORKER:
        qs = qs.filter(person=user)
    return qs


@transaction.atomic
def set_hours(user, *, start: dt.time, end: dt.time, weekdays: str = "12345", person=None, grid: Grid | None = None
              ) -> WorkHours:
    """弹性上下班 of one person (bound to a grid in scope) or of a grid's people; replaces the previous window."""
    require(user, MANAGE)
    if (person is None) == (grid is None):
        raise DomainError("person_or_grid", "请选择人员或网格（二选一）")
    if not weekdays or any(c not in "1234567" for c in weekdays) or len(set(weekdays)) != len(weekdays):
        raise DomainError("invalid_weekdays", "适用星期应为 1～7 的数字，如 1234")
    if end <= start:
        raise DomainError("invalid_hours", "下班时间应晚于上班时间")
    key = grid.scope_key if grid is not None else person.node_key
    row = WorkHours.objects.filter(person=person, grid=grid).first() or WorkHours(person=person, grid=grid)
    row.scope_key, row.start, row.end, row.weekdays = key, start, end, "".join(sorted(weekdays))
    row.save()
    ensure_in_scope(row, user, MANAGE)
    audit.record(user, "set_hours", "patrol_hours", row.pk,
                 after={"start": start.isoformat(), "end": end.isoformat(), "weekdays": row.weekdays,
                        "grid": grid.code if grid else None, "person": person.pk if person else None})
    return row


# ---------------------------------------------------------------- attendance and workload


ATTENDANCE_COLUMNS = [
    ("name", "姓名"), ("grid", "网格"), ("workdays", "应出勤天数"), ("days_on_duty", "出勤天数"), ("late", "迟到"),
    ("absent", "缺勤"), ("leave", "请假"), ("patrols", "完成巡查"), ("patrols_planned", "计划巡查"),
    ("hours", "巡查时长（小时）"), ("reports", "上报案件"), ("visits", "走访"), ("verifications", "核实"),
    ("inspections", "核查"), ("tasks", "专项任务"), ("anomalies", "巡查异常"),
]


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if not 2000 <= first.year <= 2100:
            raise ValueError(month)
    except (TypeError, ValueError, OverflowError):
        raise DomainError("invalid_month", "月份格式应为 YYYY-MM（2000～2100 年）") from None
    return first, last


def attendance_facts(people, first: dt.date, last: dt.date, today: dt.date | None = None) -> dict[int, dict]:
    """The monthly facts per person (what assessment scores: 出勤、巡查频次、工作量), days after ``today`` not counted.

    ``tasks`` is 0 until the tasks app supplies assigned tasks."""
    from gridgov.basedata.models import Visit
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.worktime.services import current_calendar

    today = today or timezone.localdate()
    people = list(people)
    ids = [p.pk for p in people]
    tz = _tz()
    start = dt.datetime.combine(first, dt.time.min, tz)
    stop = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    first_in: dict[tuple[int, dt.date], dt.time] = {}
    done: dict[int, int] = {}
    hours: dict[int, float] = {}
    for pid, day, at, is_done, dur in (Shift.objects.filter(person_id__in=ids, day__gte=first, day__lte=last)
                                       .order_by("started_at").values_list("person_id", "day", "started_at", "done",
                                                                           "duration_s")):
        first_in.setdefault((pid, day), timezone.localtime(at, tz).time())
        done[pid] = done.get(pid, 0) + int(is_done)
        hours[pid] = hours.get(pid, 0.0) + dur / 3600
    leave_rows = list(Leave.objects.filter(person_id__in=ids, status=LeaveStatus.APPROVED, start__lte=last,
                                           end__gte=first).values_list("person_id", "start", "end"))

    def counted(qs, field):
        return dict(qs.values(field).annotate(n=Count("id")).values_list(field, "n"))

    reports = counted(Case.objects.filter(reporter_id__in=ids, reported_at__gte=start, reported_at__lt=stop),
                      "reporter_id")
    visits = counted(Visit.objects.filter(worker_id__in=ids, visited_at__gte=start, visited_at__lt=stop), "worker_id")
    events = CaseEvent.objects.filter(actor_id__in=ids, at__gte=start, at__lt=stop)
    verifications = counted(events.filter(action__in=["confirm", "refute"]), "actor_id")
    inspections = counted(events.filter(action__in=["inspect_pass", "inspect_fail"]), "actor_id")
    anomaly_counts = counted(Anomaly.objects.filter(shift__person_id__in=ids, shift__day__gte=first,
                                                    shift__day__lte=last), "shift__person_id")
    grids = {g.scope_key: g for g in Grid.objects.filter(layer__code="management",
                                                         scope_key__in=[p.node_key for p in people])}
    hours_rows = list(WorkHours.objects.filter(Q(person_id__in=ids) | Q(grid__in=list(grids.values()))))
    calendar = current_calendar()
    out = {}
    for p in people:
        grid = grids.get(p.node_key)
        own = [w for w in hours_rows if w.person_id == p.pk] or [w for w in hours_rows if grid and w.grid_id == grid.pk]
        window = att.Window(own[0].start, own[0].end, own[0].weekdays) if own else att.DEFAULT_WINDOW
        counts = {s: 0 for s in att.LABELS}
        workdays = 0
        day = first
        while day <= min(last, today):
            on_leave = any(a <= day <= b for pid, a, b in leave_rows if pid == p.pk)
            works = calendar.is_workday(day)
            status = att.day_status(day, works, first_in.get((p.pk, day)), on_leave, window)
            counts[status] += 1
            workdays += int(works and window.applies(day))
            day += dt.timedelta(days=1)
        plan = plan_for(grid) if grid else None
        out[p.pk] = {
            "person": p, "name": p.display_name or p.username, "grid": grid.code if grid else "",
            "workdays": workdays, "days_on_duty": counts[att.ON_DUTY] + counts[att.LATE], "late": counts[att.LATE],
            "absent": counts[att.ABSENT], "leave": counts[att.LEAVE], "patrols": done.get(p.pk, 0),
            "patrols_planned": plan_logic.expected_patrols(plan.per_week, (min(last, today) - first).days + 1)
            if plan and today >= first else 0,
            "hours": round(hours.get(p.pk, 0.0), 1), "reports": reports.get(p.pk, 0), "visits": visits.get(p.pk, 0),
            "verifications": verifications.get(p.pk, 0), "inspections": inspections.get(p.pk, 0), "tasks": 0,
            "anomalies": anomaly_counts.get(p.pk, 0),
        }
    return out


def attendance(user, month: str, today: dt.date | None = None) -> list[dict]:
    """The monthly table of the grid workers within the user's scope."""
    from gridgov.accounts.models import User
    from gridgov.accounts.scope import scope_prefix

    require(user, ATTENDANCE)
    first, last = month_bounds(month)
    prefix = scope_prefix(user)
    people = User.objects.filter(role=Role.GRID_WORKER, is_active=True).order_by("node_key", "username")
    if prefix is None:
        return []
    if prefix:
        people = people.filter(node_key__startswith=prefix)
    facts = attendance_facts(people, first, last, today)
    return [facts[pk] for pk in facts]


# ---------------------------------------------------------------- retention (个人信息保存期限)


def purge_tracks(before: dt.datetime, day: dt.date) -> int:
    """Erase the positions of shifts that started before ``before`` (track points and the check-in/-out
    positions); the shift's facts (times, length, coverage) stay for attendance. Returns the points erased."""
    old = Shift.objects.filter(started_at__lt=before, track_erased=False)
    n, _ = TrackPoint.objects.filter(shift__in=old).delete()
    old.update(track_erased=True, start_lon=None, start_lat=None, end_lon=None, end_lat=None)
    return n
