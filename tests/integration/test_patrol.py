"""Patrol on duty through the API: check-in/out inside one's grid, track batches (idempotent, all or nothing), what the
track shows after check-out, who sees positions (by hand, per post), the access log and the retention purge."""

import datetime as dt
import json

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import AccessLog
from gridgov.patrol.models import Anomaly, Shift, TrackPoint

pytestmark = pytest.mark.django_db

GRID = "110101001001W001"  # the demo grid worker's management grid
ROOT = "/api/v1/patrol"
T0 = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Tuesday, a working day


@pytest.fixture
def walk():
    """Six positions through the first three unit grids of the grid (in code order) and back: [(lon, lat, unit)]."""
    from gridgov.geo.models import Grid

    units = Grid.objects.filter(layer__code="unit", parent__code=GRID).order_by("code")[:3]
    inner = [(p.x, p.y, u.code) for u in units for p in [u.shape.representative_point()]]
    assert len(inner) == 3
    return inner + inner[::-1]


@pytest.fixture
def outside():
    """A point of another street (1 km and more away from the grid)."""
    from gridgov.geo.models import Grid

    p = Grid.objects.filter(layer__code="unit", parent__code="110101002001W001").order_by("code").first()
    p = p.shape.representative_point()
    return p.x, p.y


def post(client, path, body):
    return client.post(ROOT + path, json.dumps(body, default=str), content_type="application/json")


def points(walk, start: dt.datetime, every_s: int, first_seq: int = 1):
    return [{"seq": first_seq + i, "at": (start + dt.timedelta(seconds=every_s * i)).isoformat(), "lon": x, "lat": y,
             "accuracy": 8} for i, (x, y, _) in enumerate(walk)]


def test_check_in_walk_check_out(client_for, walk, time_machine):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    r = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]})
    assert r.status_code == 201, r.content
    shift = r.json()
    assert shift["start_inside"] is True and shift["late_minutes"] == 30  # 9:00 against 8:30
    # a second check-in while on duty is refused
    assert post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()["code"] == "already_on_duty"
    time_machine.move_to(T0 + dt.timedelta(hours=2), tick=False)
    batch = points(walk[:4], T0 + dt.timedelta(minutes=1), 60)
    r = post(gw, "/track", {"shift_id": shift["id"], "points": batch})
    assert r.json() == {"accepted": 4, "duplicates": 0}
    audits = AuditRecord.objects.count()
    # the same batch again (a retry after a lost answer): accepted, nothing stored twice, nothing written
    r = post(gw, "/track", {"shift_id": shift["id"], "points": batch})
    assert r.json() == {"accepted": 0, "duplicates": 4}
    assert TrackPoint.objects.filter(shift_id=shift["id"]).count() == 4 and AuditRecord.objects.count() == audits
    # overlapping batch: the new points only
    r = post(gw, "/track", {"shift_id": shift["id"], "points": points(walk[:6], T0 + dt.timedelta(minutes=1), 60)})
    assert r.json() == {"accepted": 2, "duplicates": 4}
    r = post(gw, "/checkout", {"lon": walk[5][0], "lat": walk[5][1]})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["points"] == 6 and out["units_visited"] == 3 and out["ended_at"]
    assert out["duration_s"] == 300  # 9:01 → 9:06
    # check-out without being on duty
    assert post(gw, "/checkout", {"lon": walk[5][0], "lat": walk[5][1]}).json()["code"] == "not_on_duty"


def test_outside_the_grid_needs_a_reason_and_far_is_an_anomaly(client_for, walk, outside, time_machine):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    r = post(gw, "/checkin", {"lon": outside[0], "lat": outside[1]})
    assert (r.status_code, r.json()["code"]) == (400, "reason_required")
    assert not Shift.objects.exists()
    r = post(gw, "/checkin", {"lon": outside[0], "lat": outside[1], "reason": "到街道开会后直接上岗"})
    assert r.status_code == 201
    s = Shift.objects.get(pk=r.json()["id"])
    assert not s.start_inside and s.start_reason == "到街道开会后直接上岗" and s.start_distance_m > 300
    assert list(Anomaly.objects.filter(shift=s).values_list("kind", flat=True)) == ["checkin_far"]


BAD = [  # (what is wrong, the batch's second point, status, code)
    ("position outside the world", {"lon": 200.0}, 422, "invalid_input"),
    ("a time in the future", {"at": "2026-11-17T12:00:00+08:00"}, 400, "point_in_future"),
    ("a time before the check-in", {"at": "2026-11-17T08:00:00+08:00"}, 400, "point_outside_duty"),
    ("earlier than the point before it", {"at": "2026-11-17T09:00:30+08:00"}, 400, "points_out_of_order"),
    ("a time without a zone", {"at": "2026-11-17T09:05:00"}, 400, "timezone_required"),
]


@pytest.mark.parametrize(("what", "change", "status", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_batch_is_refused_whole(client_for, walk, time_machine, what, change, status, code):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(minutes=30), tick=False)
    batch = points(walk[:3], T0 + dt.timedelta(minutes=2), 60)
    batch[1].update(change)
    audits = AuditRecord.objects.count()
    r = post(gw, "/track", {"shift_id": shift["id"], "points": batch})
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert TrackPoint.objects.count() == 0 and AuditRecord.objects.count() == audits


def test_someone_elses_shift_and_a_post_without_duty(client_for, users, walk, time_machine):
    time_machine.move_to(T0, tick=False)
    shift = post(client_for("gridworker"), "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    batch = points(walk[:1], T0 + dt.timedelta(seconds=10), 60)
    assert post(client_for("gridleader"), "/track", {"shift_id": shift["id"], "points": batch}).status_code == 403
    assert post(client_for("admin"), "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).status_code == 403
    # a grid worker bound to no management grid is not on duty anywhere
    from django.test import Client

    from gridgov.accounts.models import User

    c = Client()
    c.force_login(User.objects.create(username="nogrid", role="grid_worker", node_key="110101001001"))
    r = post(c, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]})
    assert (r.status_code, r.json()["code"]) == (409, "no_grid")


# who sees the positions of the grid worker's track (the supervisor chain of 110101001001W001 only), by hand
SEES_TRACK = {"admin": 200, "leader": 403, "intake": 403, "shift": 403, "dispatcher": 403, "supervisor": 200,
              "inspector": 403, "gridleader": 200, "gridworker": 200, "handler": 403, "resident": 403}


def test_who_sees_positions(client_for, walk, time_machine):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(minutes=10), tick=False)
    post(gw, "/track", {"shift_id": shift["id"], "points": points(walk[:3], T0 + dt.timedelta(minutes=1), 60)})
    post(gw, "/checkout", {"lon": walk[2][0], "lat": walk[2][1]})
    got = {}
    for post_name in SEES_TRACK:
        before = AccessLog.objects.count()
        r = client_for(post_name).get(f"{ROOT}/shifts/{shift['id']}/track")
        got[post_name] = r.status_code
        if r.status_code == 200:
            assert len(r.json()["points"]) == 3
            assert AccessLog.objects.count() == before + 1  # every view of a track is recorded
            log = AccessLog.objects.order_by("-id").first()
            assert (log.username, log.target, log.object_id) == (post_name, "patrol_track", str(shift["id"]))
        else:
            assert AccessLog.objects.count() == before
    assert got == SEES_TRACK
    assert client_for(None).get(f"{ROOT}/shifts/{shift['id']}/track").status_code == 401


def test_retention_purge_erases_positions_after_365_days(client_for, walk, time_machine):
    from gridgov.privacy import services as privacy

    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(minutes=10), tick=False)
    post(gw, "/track", {"shift_id": shift["id"], "points": points(walk[:3], T0 + dt.timedelta(minutes=1), 60)})
    post(gw, "/checkout", {"lon": walk[2][0], "lat": walk[2][1]})
    # started 2026-11-17: kept all of 2027-11-16 (365 days), erased on 2027-11-17
    assert privacy.purge(dt.datetime(2027, 11, 16, 23, 0, tzinfo=T0.tzinfo))["field_track"] == 0
    assert TrackPoint.objects.count() == 3
    assert privacy.purge(dt.datetime(2027, 11, 17, 0, 30, tzinfo=T0.tzinfo))["field_track"] == 3
    s = Shift.objects.get(pk=shift["id"])
    assert TrackPoint.objects.count() == 0 and s.track_erased and s.start_lon is None and s.end_lat is None
    assert s.points == 3  # the facts stay for attendance
    assert privacy.purge(dt.datetime(2027, 11, 18, 0, 30, tzinfo=T0.tzinfo))["field_track"] == 0


def test_the_shipped_standard_by_class_is_the_seeds():
    """Seed 001 第三篇: 「對網格中（一類網格）主要道路、窗口重點進行徒步巡查，對其它地域（二、三類網格）機動巡查，
    對難點、重點地段實行錯時督查管理」 — no grid class is patrolled 错时, and no seed gives a frequency."""
    from gridgov.geo.services import CLASS_STANDARD

    assert {str(k): v for k, v in CLASS_STANDARD.items()} == {
        "1": "一类网格：主要道路、窗口重点徒步巡查", "2": "二类网格：机动巡查", "3": "三类网格：机动巡查"}


def test_monthly_attendance_and_workload(users, walk, time_machine):
    """October 2025: 国庆 1–8 October off, Saturday 11 October a make-up working day → 18 working days."""
    from gridgov.cases import services as cases
    from gridgov.patrol import services

    gw = users["gridworker"]
    tz = T0.tzinfo

    def day_on_duty(day, hour, minute):
        time_machine.move_to(dt.datetime(2025, 10, day, hour, minute, tzinfo=tz), tick=False)
        services.checkin(gw, walk[0][0], walk[0][1])
        time_machine.move_to(dt.datetime(2025, 10, day, 17, 30, tzinfo=tz), tick=False)
        services.checkout(gw, walk[0][0], walk[0][1])

    day_on_duty(4, 10, 0)  # a holiday: on duty, not late
    day_on_duty(9, 8, 20)  # on time
    day_on_duty(10, 9, 0)  # 30 minutes late
    day_on_duty(11, 8, 30)  # the make-up Saturday, on time
    time_machine.move_to(dt.datetime(2025, 10, 10, 10, 0, tzinfo=tz), tick=False)
    cases.intake(gw, source="grid_worker", lon=walk[0][0], lat=walk[0][1], description="路边暴露垃圾", matter="06010")
    leave = services.request_leave(gw, dt.date(2025, 10, 13), dt.date(2025, 10, 14), "家中有事")
    services.decide_leave(users["gridleader"], leave.pk, True)
    time_machine.move_to(dt.datetime(2025, 11, 5, 9, 0, tzinfo=tz), tick=False)
    rows = {r["name"]: r for r in services.attendance(users["supervisor"], "2025-10")}
    mine = rows[gw.display_name]
    assert {k: mine[k] for k in ("grid", "workdays", "days_on_duty", "late", "absent", "leave", "reports", "visits",
                                 "verifications", "inspections", "tasks", "patrols")} == {
        "grid": GRID, "workdays": 18, "days_on_duty": 4, "late": 1, "absent": 13, "leave": 2, "reports": 1,
        "visits": 0, "verifications": 0, "inspections": 0, "tasks": 0, "patrols": 0}
    # the leader reads the table (no positions in it); the grid worker does not
    assert services.attendance(users["leader"], "2025-10")
    from gridgov.accounts.scope import NoRight

    with pytest.raises(NoRight):
        services.attendance(gw, "2025-10")


def test_pages_of_the_chain(client_for, walk, time_machine):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    page = gw.get("/cases/field/patrol/")
    assert page.status_code == 200 and "上班签到" in page.content.decode()
    assert "在岗巡查" in gw.get("/cases/field/").content.decode()  # linked from 我的任务
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(minutes=10), tick=False)
    post(gw, "/track", {"shift_id": shift["id"], "points": points(walk[:3], T0 + dt.timedelta(minutes=1), 60)})
    post(gw, "/checkout", {"lon": walk[2][0], "lat": walk[2][1]})
    board = client_for("supervisor").get("/patrol/?from=2026-11-17&to=2026-11-17")
    assert board.status_code == 200 and f"/patrol/shifts/{shift['id']}/" in board.content.decode()
    track = client_for("gridleader").get(f"/patrol/shifts/{shift['id']}/")
    assert track.status_code == 200 and "track-data" in track.content.decode()
    assert client_for("leader").get(f"/patrol/shifts/{shift['id']}/").status_code == 403
    assert client_for("leader").get("/patrol/").status_code == 403
    sheet = client_for("leader").get("/patrol/attendance/?month=2026-11&format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


# ---------------------------------------------------------------- the column format (POST /patrol/track/columns)

def columns(walk, start: dt.datetime, every_s: int, first_seq: int = 1) -> dict:
    ms = int(start.timestamp()) * 1000
    return {"seq": [first_seq + i for i in range(len(walk))], "t": [ms + every_s * 1000 * i for i in range(len(walk))],
            "lon": [x for x, _, _ in walk], "lat": [y for _, y, _ in walk], "accuracy": [8] * len(walk)}


def test_a_batch_as_columns_is_stored_once(client_for, walk, time_machine):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(hours=1), tick=False)
    body = {"shift_id": shift["id"], **columns(walk[:4], T0 + dt.timedelta(minutes=1), 60)}
    # the phone may send its columns in any order of the points: seq 3, 1, 2, 4 (times follow the seq)
    order = [2, 0, 1, 3]
    body = {k: ([v[i] for i in order] if isinstance(v, list) else v) for k, v in body.items()}
    body["accuracy"][1] = None  # seq 1: accuracy unknown
    r = post(gw, "/track/columns", body)
    assert r.json() == {"accepted": 4, "duplicates": 0}
    audits = AuditRecord.objects.count()
    assert post(gw, "/track/columns", body).json() == {"accepted": 0, "duplicates": 4}
    assert AuditRecord.objects.count() == audits
    stored = list(TrackPoint.objects.filter(shift_id=shift["id"]).order_by("seq").values_list("seq", "at", "accuracy"))
    # seq 1 at 9:01:00 (+08:00) = 01:01:00 UTC, then one a minute
    assert [(s, a.astimezone(dt.UTC).strftime("%H:%M:%S"), acc) for s, a, acc in stored] == [
        (1, "01:01:00", None), (2, "01:02:00", 8.0), (3, "01:03:00", 8.0), (4, "01:04:00", 8.0)]
    # the object format and the column format share the sequence: the object batch of seq 1..6 adds 5 and 6 only
    r = post(gw, "/track", {"shift_id": shift["id"], "points": points(walk[:6], T0 + dt.timedelta(minutes=1), 60)})
    assert r.json() == {"accepted": 2, "duplicates": 4}


BAD_COLUMNS = [  # (what is wrong, change to the three-point batch, status, code)
    ("one column shorter", {"lat": "drop"}, 400, "columns_mismatch"),
    ("a latitude beyond the pole", {"lat": 95.0}, 400, "coordinates_out_of_range"),
    ("a time in the future", {"t": int(dt.datetime(2026, 11, 17, 12, 0, tzinfo=T0.tzinfo).timestamp() * 1000)}, 400,
     "point_in_future"),
    ("a time before the check-in", {"t": int(dt.datetime(2026, 11, 17, 8, 0, tzinfo=T0.tzinfo).timestamp() * 1000)},
     400, "point_outside_duty"),
    ("earlier than the point before it", {"t": int(dt.datetime(2026, 11, 17, 9, 0, 30, tzinfo=T0.tzinfo).timestamp()
                                                   * 1000)}, 400, "points_out_of_order"),
    ("the same seq twice", {"seq": 1}, 400, "duplicate_seq"),
    ("a negative accuracy", {"accuracy": -1}, 400, "invalid_input"),
    ("a text for a number", {"lon": "东经116度"}, 422, "invalid_input"),
]


@pytest.mark.parametrize(("what", "change", "status", "code"), BAD_COLUMNS, ids=[b[0] for b in BAD_COLUMNS])
def test_a_bad_column_batch_is_refused_whole(client_for, walk, time_machine, what, change, status, code):
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    shift = post(gw, "/checkin", {"lon": walk[0][0], "lat": walk[0][1]}).json()
    time_machine.move_to(T0 + dt.timedelta(minutes=30), tick=False)
    body = {"shift_id": shift["id"], **columns(walk[:3], T0 + dt.timedelta(minutes=2), 60)}
    for key, value in change.items():  # the second point (seq 2) is at fault
        if value == "drop":
            body[key] = body[key][:2]
        else:
            body[key][1] = value
    audits = AuditRecord.objects.count()
    r = post(gw, "/track/columns", body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert TrackPoint.objects.count() == 0 and AuditRecord.objects.count() == audits
    if status == 400 and code not in ("columns_mismatch", "duplicate_seq"):
        assert "序号 2 " in r.json()["message"]


def test_a_nul_in_a_json_body_is_refused_and_a_backslash_text_is_not(client_for, outside, time_machine):
    """The API parser walks a body for NUL only when its text has the escape \\u0000 (or a zero byte): both
    spellings of a NUL are still refused, and the six characters \\u0000 typed as text are a reason like any other."""
    time_machine.move_to(T0, tick=False)
    gw = client_for("gridworker")
    head = '{"lon": ' + str(outside[0]) + ', "lat": ' + str(outside[1])
    for body in [head + ', "reason": "开会\\u0000"}', (head + ', "reason": "开会\\u0000"}').encode("utf-16")]:
        r = gw.post(ROOT + "/checkin", body, content_type="application/json")
        assert (r.status_code, r.json()["code"]) == (400, "invalid_input"), r.content
    assert not Shift.objects.exists()
    r = gw.post(ROOT + "/checkin", head + ', "reason": "开会\\\\u0000"}', content_type="application/json")
    assert r.status_code == 201 and Shift.objects.get().start_reason == "开会\\u0000"
