"""弄虚作假核查 and 人员考核 through the services: a case photo taken far from the case raises a flag, a reviewer's
decision zeroes the item (or not), refusals write nothing; the monthly sheets of two workers, typed by hand."""

import datetime as dt
import io
import zoneinfo

import pytest

from gridgov.accounts.scope import NoRight, OutOfScope
from gridgov.audit.models import AuditRecord
from gridgov.errors import Conflict, DomainError
from gridgov.integrity import services
from gridgov.integrity.demo import picture
from gridgov.integrity.models import Flag

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)


jpeg = picture  # a JPEG of its own (random grey blocks from a seed), with an EXIF position and time if given


def report(user, point, photos=(), now=T0):
    from gridgov.cases.services import intake

    return intake(user, source="grid_worker", lon=point[0], lat=point[1], description="路边暴露垃圾", matter="06010",
                  photos=photos, now=now, find_duplicates=False).case


@pytest.fixture
def far_flag(users, point, time_machine):
    """The demo grid worker reports a case with a photo whose EXIF position is 0.02° of longitude east of the case:
    at latitude ≈ 39.9° that is 6 371 008.8 m × cos 39.9° × 0.02 × π / 180 ≈ 1 706 m (> 500 m)."""
    time_machine.move_to(T0, tick=False)
    case = report(users["gridworker"], point,
                  [("现场.jpg", jpeg(1101, point[0] + 0.02, point[1], "2026:11:20 09:55:00"))])
    services.scan(since=T0 - dt.timedelta(hours=1))
    flags = list(Flag.objects.filter(case=case))
    assert [(f.kind, f.status, f.unit, f.period, f.item) for f in flags] == [
        ("photo_place", "pending", "110101001", "2026-11", "case_count")]
    assert 1690 <= flags[0].evidence["distance_m"] <= 1720
    return flags[0]


def test_confirmed_flag_zeroes_the_item_of_the_month(far_flag, users, time_machine):
    time_machine.move_to(T0 + dt.timedelta(days=1), tick=False)
    before = AuditRecord.objects.count()
    services.decide(users["shift"], far_flag.pk, "confirm", "照片为他处所摄")
    assert AuditRecord.objects.count() == before + 1
    assert services.confirmed_zeroings("2026-11", "110101") == [{
        "unit": "110101001", "item": "case_count", "by": "shift", "at": "2026-11-21T10:00:00+08:00",
        "reason": "照片为他处所摄", "source": f"integrity flag {far_flag.pk}"}]
    assert services.confirmed_zeroings("2026-10", "110101") == []
    assert services.confirmed_zeroings("2026-11", "110102") == []


def test_confirming_may_name_another_item(far_flag, users):
    services.decide(users["shift"], far_flag.pk, "confirm", "核实属实", item="quality_sample")
    assert [z["item"] for z in services.confirmed_zeroings("2026-11", "110101")] == ["quality_sample"]


def test_cleared_flag_zeroes_nothing(far_flag, users):
    services.decide(users["admin"], far_flag.pk, "clear", "定位漂移，现场照片属实")
    assert services.confirmed_zeroings("2026-11", "110101") == []
    assert Flag.objects.get(pk=far_flag.pk).status == "cleared"


def test_refusals_write_nothing(far_flag, users):
    before = AuditRecord.objects.count()
    with pytest.raises(NoRight):  # a grid worker reads nothing here, let alone decides
        services.decide(users["gridworker"], far_flag.pk, "confirm", "x")
    with pytest.raises(NoRight):  # the street's supervisor reads the flag but does not decide
        services.decide(users["supervisor"], far_flag.pk, "confirm", "x")
    with pytest.raises(DomainError) as e:
        services.decide(users["shift"], far_flag.pk, "confirm", "  ")
    assert e.value.code == "reason_required"
    with pytest.raises(DomainError) as e:
        services.decide(users["shift"], far_flag.pk, "confirm", "属实", item="nonsense")
    assert e.value.code == "invalid_item"
    with pytest.raises(DomainError) as e:
        services.decide(users["shift"], far_flag.pk, "maybe", "属实")
    assert e.value.code == "invalid_decision"
    with pytest.raises(DomainError) as e:
        services.create(users["shift"], unit="110101001", item="training", period="2027-01", reason="代签")
    assert e.value.code == "period_in_future"
    with pytest.raises(DomainError) as e:
        services.create(users["shift"], unit="999999999", item="training", period="2026-11", reason="代签")
    assert e.value.code == "unknown_unit"
    assert AuditRecord.objects.count() == before
    assert Flag.objects.get(pk=far_flag.pk).status == "pending"
    services.decide(users["shift"], far_flag.pk, "clear", "属实")
    with pytest.raises(Conflict):  # decided once only
        services.decide(users["shift"], far_flag.pk, "confirm", "改判")
    assert Flag.objects.get(pk=far_flag.pk).status == "cleared"


def test_scope_of_the_reads(far_flag, users):
    from gridgov.accounts.models import User

    assert services.get_flag(users["supervisor"], far_flag.pk).pk == far_flag.pk
    other = User.objects.get(username="demo-s110101002")  # the supervisor of another street
    with pytest.raises(OutOfScope):
        services.get_flag(other, far_flag.pk)
    assert not services.flags(users["handler"]).filter(pk=far_flag.pk).exists()


def test_scan_is_idempotent_and_finds_a_reused_picture(users, point, time_machine):
    time_machine.move_to(T0, tick=False)
    picture = jpeg(1102)
    first = report(users["gridworker"], point, [("a.jpg", picture)], now=T0)
    second = report(users["gridworker"], point, [("b.jpg", picture)], now=T0)
    since = T0 - dt.timedelta(hours=1)
    services.scan(since=since)
    reuse = Flag.objects.get(kind="photo_reuse", case=second)
    assert reuse.evidence["same_case"] == first.number and reuse.evidence["distance_bits"] == 0
    assert services.scan(since=since)["photo_reuse"] == 0  # found once only


def test_manual_flag_for_a_street(users, time_machine):
    time_machine.move_to(T0, tick=False)
    before = AuditRecord.objects.count()
    f = services.create(users["admin"], unit="110101002", item="training", period="2026-11",
                        reason="区督查组抽查：培训签到表有代签现象")
    assert (f.kind, f.subject_type, f.subject, f.status, f.created_by.username) == (
        "manual", "unit", "110101002", "pending", "admin")
    assert AuditRecord.objects.count() == before + 1


# ---------------------------------------------------------------- 人员考核


def test_sheets_of_two_workers(users, time_machine):
    """Two grid workers of 交道口街道 (110101003) in November 2026 — 21 working days (30 days less 9 weekend days, no
    holiday) — with a plan of 5 patrols a week (5 × 30 / 7 = 21.4 → 21 asked), the targets set to 2 reports,
    1 visit, 1 settled case and the default weights 30/20/20/10/10/10:
    - A: on duty and a patrol every working day, 2 reports → 30 + 20 + 20 + 0 + 0 + 10 = 80.0 → B × 1.0
    - B: on duty and a patrol on 10 days, 1 report, 1 confirmed flag → 30 × 10/21 + 20 × 10/21 + 10 + 0 + 0 + 5
      = 14.29 + 9.52 + 15 = 38.8 → D × 0.6; ranked 1 and 2 in the street (its other workers have no facts: 10.0)."""
    from gridgov.accounts.models import User
    from gridgov.geo.models import Grid
    from gridgov.patrol import services as patrol
    from gridgov.patrol.models import Shift
    from gridgov.performance import services as perf
    from gridgov.performance.logic.score import DEFAULT_BANDS, DEFAULT_DEDUCTIONS, DEFAULT_WEIGHTS
    from gridgov.worktime.services import current_calendar

    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False)
    admin = users["admin"]
    g1, g2 = Grid.objects.filter(layer__code="management", community__code__startswith="110101003").order_by("code")[:2]
    a = User.objects.create(username="perf-a", role="grid_worker", node_key=g1.scope_key, display_name="甲")
    b = User.objects.create(username="perf-b", role="grid_worker", node_key=g2.scope_key, display_name="乙")
    for g in (g1, g2):
        patrol.set_plan(admin, g.code, per_week=5)
    perf.set_scheme(admin, "110101", weights=DEFAULT_WEIGHTS, targets={"reports": 2, "visits": 1, "settled": 1},
                    deductions=DEFAULT_DEDUCTIONS, bands=DEFAULT_BANDS)
    cal = current_calendar()
    days = [dt.date(2026, 11, d) for d in range(1, 31) if cal.is_workday(dt.date(2026, 11, d))]
    assert len(days) == 21
    for person, grid, n in ((a, g1, 21), (b, g2, 10)):
        Shift.objects.bulk_create([Shift(
            person=person, grid=grid, scope_key=grid.scope_key, day=d,
            started_at=dt.datetime.combine(d, dt.time(8, 0), SH), ended_at=dt.datetime.combine(d, dt.time(11, 0), SH),
            duration_s=3 * 3600, done=True) for d in days[:n]])
    for person, grid, n in ((a, g1, 2), (b, g2, 1)):
        p = grid.shape.representative_point()
        for i in range(n):
            report(person, (p.x, p.y), now=dt.datetime(2026, 11, 10 + i, 9, 0, tzinfo=SH))
    f = services.create(admin, person="perf-b", unit="", item="management", period="2026-11", reason="代签到")
    services.decide(admin, f.pk, "confirm", "核实属实")
    rows = {r["username"]: r for r in perf.sheets(admin, "2026-11")}
    want = {
        "perf-a": {"workdays": 21, "days_on_duty": 21, "patrols": 21, "patrols_planned": 21, "valid_reports": 2,
                   "flags": 0, "p_attendance": 30.0, "p_patrols": 20.0, "p_reports": 20.0, "p_quality": 10.0,
                   "score": 80.0, "band": "B", "coefficient": 1.0, "rank": 1, "street": "110101003"},
        "perf-b": {"workdays": 21, "days_on_duty": 10, "patrols": 10, "patrols_planned": 21, "valid_reports": 1,
                   "flags": 1, "p_attendance": 14.29, "p_patrols": 9.52, "p_reports": 10.0, "p_quality": 5.0,
                   "score": 38.8, "band": "D", "coefficient": 0.6, "rank": 2, "street": "110101003"},
    }
    for name, expected in want.items():
        assert {k: rows[name][k] for k in expected} == expected, name
    # each worker sees their own row (ranked in their street) on 我的考核
    mine = perf.own_sheet(b, "2026-11")
    assert (mine["username"], mine["score"], mine["rank"]) == ("perf-b", 38.8, 2)
    assert perf.own_sheet(users["leader"], "2026-11") is None
    # the street's supervisor of another street sees neither; the export has a row for each
    other = User.objects.get(username="demo-s110101002")
    assert not {"perf-a", "perf-b"} & {r["username"] for r in perf.sheets(other, "2026-11")}
    body, ctype = perf.sheet_file(list(rows.values()), "csv", "2026-11")
    assert "perf-a" in body.decode("utf-8-sig") and ctype.startswith("text/csv")
    assert DEFAULT_BANDS[0] == {"band": "A", "min": 90.0, "coefficient": 1.2}


def test_bad_scheme_is_refused_and_nothing_written(users):
    from gridgov.performance import services as perf
    from gridgov.performance.logic.score import DEFAULT_DEDUCTIONS, DEFAULT_TARGETS, DEFAULT_WEIGHTS
    from gridgov.performance.models import PayScheme

    before = AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        perf.set_scheme(users["admin"], "110101", weights=DEFAULT_WEIGHTS, targets=DEFAULT_TARGETS,
                        deductions=DEFAULT_DEDUCTIONS, bands=[{"band": "A", "min": 90, "coefficient": 1.2}])
    assert e.value.code == "invalid_bands" and "最后一档" in e.value.message
    with pytest.raises(DomainError) as e:
        perf.set_scheme(users["admin"], "110101", weights={**DEFAULT_WEIGHTS, "attendance": -1},
                        targets=DEFAULT_TARGETS, deductions=DEFAULT_DEDUCTIONS, bands=[])
    assert e.value.code == "invalid_scheme"
    with pytest.raises(NoRight):
        perf.set_scheme(users["leader"], "110101", weights=DEFAULT_WEIGHTS, targets=DEFAULT_TARGETS,
                        deductions=DEFAULT_DEDUCTIONS, bands=[])
    assert AuditRecord.objects.count() == before and not PayScheme.objects.exists()


def test_pages_render(client_for, far_flag):
    assert client_for("shift").get("/integrity/").status_code == 200
    r = client_for("shift").get(f"/integrity/{far_flag.pk}/")
    assert r.status_code == 200 and "照片拍摄位置距案件位置" in r.content.decode()
    assert client_for("supervisor").get("/performance/?month=2026-11").status_code == 200
    assert client_for("gridworker").get("/integrity/").status_code == 403
    assert client_for("admin").get("/performance/scheme/").status_code == 200
    assert client_for("gridworker").get("/performance/mine/?month=2026-11").status_code == 200
    assert client_for("leader").get("/performance/mine/").status_code == 403


def test_the_command_the_api_and_the_page(users, point, client_for, time_machine):
    import json as _json

    from django.core.management import call_command

    time_machine.move_to(T0, tick=False)
    case = report(users["gridworker"], point, [("现场.jpg", jpeg(1103, point[0] + 0.02, point[1]))])
    out = io.StringIO()
    call_command("integrity", "scan", "--since", "2026-11-20", stdout=out)
    assert out.getvalue().startswith("弄虚作假核查完成：新线索 1 条（照片位置不符 1，")
    flag = Flag.objects.get(case=case)
    shift = client_for("shift")
    r = shift.post(f"/api/v1/integrity/flags/{flag.pk}/decide", _json.dumps({"decision": "confirm", "reason": " "}),
                   content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = shift.get("/api/v1/integrity/zeroings?period=2026-11&district=110101")
    assert r.json()["count"] == 0
    r = shift.post(f"/integrity/{flag.pk}/", {"decision": "confirm", "reason": "照片为他处所摄", "item": "case_count",
                                              "period": "2026-11"})
    assert r.status_code == 302
    r = shift.get("/api/v1/integrity/zeroings?period=2026-11&district=110101")
    assert [(z["unit"], z["item"], z["by"]) for z in r.json()["items"]] == [("110101001", "case_count", "shift")]
    # the street's supervisor reads it; another street's does not
    assert client_for("supervisor").get(f"/api/v1/integrity/flags/{flag.pk}").json()["status"] == "confirmed"


STEPS = [  # the loop to 结案, by the demo posts: (who, action, data)
    ("intake", "assign_verify", {}), ("inspector", "confirm", {}), ("intake", "register", {"matter": "06010"}),
    ("dispatcher", "dispatch", {"department": "110101-HW"}), ("handler", "accept", {}),
    ("handler", "handle", {"feedback": "已清运"}), ("inspector", "inspect_pass", {}), ("intake", "close", {}),
]


def closed_case(users, where, at):
    from gridgov.cases.services import transition

    case = report(users["gridleader"], where, now=at)
    for i, (who, action, data) in enumerate(STEPS):
        transition(users[who], case.number, action, data, now=at + dt.timedelta(minutes=10 * (i + 1)))
    return case


def test_repeat_closures_and_a_quick_reopen(users, time_machine):
    """The same matter (06010) at the same unit grid closed on 2, 9 and 16 November → 重复结案 (≥ 3 in a month);
    the third reopened 5 hours after its closure (≤ 72 h) → 结案后短期重办."""
    from gridgov.cases.services import transition
    from gridgov.geo.models import Grid

    time_machine.move_to(dt.datetime(2026, 11, 17, 9, 0, tzinfo=SH), tick=False)
    unit = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("-code").first()
    p = unit.shape.representative_point()
    cases = [closed_case(users, (p.x, p.y), dt.datetime(2026, 11, day, 9, 0, tzinfo=SH)) for day in (2, 9, 16)]
    closed_at = dt.datetime(2026, 11, 16, 10, 20, tzinfo=SH)  # the 8th step, 80 minutes after the report
    transition(users["intake"], cases[2].number, "reopen", {"reason": "回访：垃圾仍未清运"},
               now=closed_at + dt.timedelta(hours=5))
    services.scan(since=dt.datetime(2026, 11, 1, tzinfo=SH))
    repeat = Flag.objects.get(kind="repeat_close", evidence__place=unit.code)
    assert {c.number for c in cases} <= set(repeat.evidence["cases"])
    assert (repeat.period, repeat.item, repeat.unit) == ("2026-11", "case_count", "110101001")
    reopen = Flag.objects.get(kind="quick_reopen", case=cases[2])
    assert (reopen.evidence["hours"], reopen.item, reopen.period) == (5.0, "closure_rate", "2026-11")


def test_reports_at_an_impossible_speed(users, time_machine):
    """Two reports by the demo grid worker one minute apart, at (116.42, 39.93) and (116.42, 39.90) — both in 东城区,
    0.03° of latitude apart: 6 371 008.8 m × π / 180 × 0.03 = 3 335.85 m in 60 s = 200.2 km/h (> 120) → a 移动速度异常
    flag on the worker, zeroing 规范管理."""
    time_machine.move_to(T0, tick=False)
    report(users["gridworker"], (116.42, 39.93), now=T0)
    report(users["gridworker"], (116.42, 39.90), now=T0 + dt.timedelta(minutes=1))
    services.scan(since=T0 - dt.timedelta(minutes=1))
    f = Flag.objects.get(kind="speed", person=users["gridworker"], period="2026-11")
    assert (f.evidence["distance_m"], f.evidence["seconds"], f.evidence["kmh"]) == (3336, 60, 200.2)
    assert (f.subject_type, f.subject, f.item, f.unit) == ("worker", "gridworker", "management", "110101001")
