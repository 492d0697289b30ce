"""Residents without an account (services.public): report with a phone, follow the case by number + phone,
rate it once, reopen it — and wrong phones refused, throttled, with nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from gridgov.accounts import throttle
from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case, CaseEvent, CaseReport
from gridgov.cases.services import public
from gridgov.errors import DomainError
from gridgov.evaluation.services import resident_survey
from tests.loop import close_loop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
PHONE = "13912345678"
HERE, THERE = "198.51.100.1", "203.0.113.50"  # the resident's address, a guesser's address


def check(number, phone, address=HERE):
    return public.check_phone(number, phone, address=address)


def file_report(point, phone=PHONE, **extra):
    lon, lat = point
    return public.report(None, phone=phone, lon=lon, lat=lat, description=extra.pop("description", "楼下垃圾桶满了"),
                         **extra)


def snapshot(number):
    c = Case.objects.get(number=number)
    return (c.status, c.version, c.satisfaction, c.followed_up, CaseEvent.objects.filter(case=c).count(),
            AuditRecord.objects.count())


def test_anonymous_report_files_a_case_with_the_phone_encrypted_and_masked(point):
    filed = file_report(point, phone="139 1234-5678", address="东四十条 3 号", matter="06042")
    case = filed.case
    assert filed.created and case.status == "reported" and case.source == "resident" and not case.verified
    assert case.reporter.username == public.PUBLIC_USERNAME and str(case.reporter) == "公众上报"
    assert case.reporter.role == "resident" and not case.reporter.has_usable_password()
    assert case.matter.code == "06042" and case.address == "东四十条 3 号"
    report = CaseReport.objects.get(case=case)
    assert report.reporter_phone_masked == "139****5678"
    with connection.cursor() as cur:  # encrypted at rest: the number is nowhere in the row
        cur.execute("SELECT * FROM cases_casereport WHERE id = %s", [report.pk])
        row = cur.fetchone()
    assert not any(PHONE.encode() in bytes(v) if isinstance(v, (bytes, memoryview)) else PHONE in str(v) for v in row)
    # one system account however many reports
    second = file_report(point, phone="13800000000")
    assert second.case.reporter_id == case.reporter_id
    assert public.granted_number(filed.grant) == case.number


def test_phone_is_required_and_checked_and_nothing_is_filed_without_it(point):
    before = Case.objects.count()
    for phone, code in [("", "phone_required"), ("12345", "invalid_phone"), ("1391234567a", "invalid_phone"),
                        ("1" * 16, "invalid_phone")]:
        with pytest.raises(DomainError) as e:
            file_report(point, phone=phone)
        assert e.value.code == code
    with pytest.raises(DomainError) as e:
        public.report(None, phone=PHONE, lon=121.47, lat=31.23, description="上海的问题")
    assert e.value.code == "outside_jurisdiction" and "不在辖区范围内" in e.value.message
    assert Case.objects.count() == before


def test_the_same_form_twice_files_one_case_and_not_for_another_phone(point):
    first = file_report(point, client_key="a" * 32)
    again = file_report(point, client_key="a" * 32)
    assert first.created and not again.created and again.case.pk == first.case.pk
    with pytest.raises(DomainError) as e:
        file_report(point, phone="13700000000", client_key="a" * 32)
    assert e.value.code == "form_used"
    assert CaseReport.objects.filter(case=first.case).count() == 1


def test_a_bad_photo_is_refused_with_its_reason_and_the_report_is_kept(point, settings, tmp_path):
    import io

    from PIL import Image

    settings.DATA_DIR = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buf, "JPEG")
    filed = file_report(point, photos=[("scene.jpg", buf.getvalue()), ("notes.txt", b"hello")])
    assert filed.created
    assert [e["file"] for e in filed.photo_errors] == ["notes.txt"]
    assert "不是有效的图片" in filed.photo_errors[0]["message"]
    assert [p.kind for p in public.public_photos(filed.case)] == ["report"]


def test_wrong_phone_cannot_see_rate_or_reopen_and_writes_nothing(point, users):
    n = file_report(point).case.number
    close_loop(users, n)
    other = file_report(point, phone="13811112222")
    before = snapshot(n)
    for wrong in ["13900000000", "", "abc"]:
        with pytest.raises(public.AccessDenied) as e:
            check(n, wrong)
        assert e.value.message == "编号或手机号不正确"
    # an unknown number says exactly the same (nothing tells whether a number exists)
    with pytest.raises(public.AccessDenied) as e:
        check("110101-20000101-9999", PHONE)
    assert e.value.message == "编号或手机号不正确"
    # no grant, a forged grant, or a grant for another case: refused
    for grant in [None, "", "forged:grant", other.grant]:
        with pytest.raises(public.AccessDenied):
            resident_survey(grant, n, result=5)
        with pytest.raises(public.AccessDenied):
            resident_survey(grant, n, resolved=False, remark="还是很脏")
        with pytest.raises(public.AccessDenied):
            public.case_for(grant, n)
    assert snapshot(n) == before


def test_right_phone_rates_once(point, users):
    n = file_report(point).case.number
    grant = check(n, PHONE)
    assert public.public_actions(public.case_for(grant, n)) == []  # nothing to rate before it is closed
    with pytest.raises(DomainError) as e:
        resident_survey(grant, n, result=5)
    assert e.value.code == "illegal_transition"
    close_loop(users, n)
    case = public.case_for(grant, n)
    assert public.public_actions(case) == ["follow_up", "reopen"]
    before = snapshot(n)
    with pytest.raises(DomainError) as e:
        resident_survey(grant, n, result=9)
    assert e.value.code == "invalid_satisfaction"
    assert snapshot(n) == before
    resident_survey(grant, n, result=5, remark="处理得很快")
    case = Case.objects.get(number=n)
    assert case.satisfaction == 5 and case.followed_up and case.status == "closed"
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == "follow_up" and event.actor.username == public.PUBLIC_USERNAME
    assert AuditRecord.objects.filter(object_id=n, action="follow_up").count() == 1
    # a second time: refused, nothing written
    before = snapshot(n)
    with pytest.raises(DomainError) as e:
        resident_survey(grant, n, result=1)
    assert e.value.message == "该案件已回访"
    assert snapshot(n) == before
    assert public.public_actions(public.case_for(grant, n)) == ["reopen"]


def test_reopen_sends_the_case_back_with_the_reason(point, users):
    n = file_report(point).case.number
    close_loop(users, n)
    grant = check(n, PHONE)
    before = snapshot(n)
    with pytest.raises(DomainError) as e:
        resident_survey(grant, n, resolved=False, remark=" ")
    assert e.value.code == "reason_required"
    assert snapshot(n) == before
    resident_survey(grant, n, resolved=False, remark="垃圾桶又满了，没有清运")
    case = Case.objects.get(number=n)
    assert case.status == "registered" and case.reopen_count == 1 and case.closed_at is None
    assert case.stage == "dispatch" and not case.followed_up
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == "reopen" and event.data["reason"] == "垃圾桶又满了，没有清运"
    public_events = public.public_timeline(case)
    assert public_events[-1]["label"] == "未解决，重新办理"
    assert public_events[-1]["data"] == {"reason": "垃圾桶又满了，没有清运"}
    assert all(e["actor"] == "" for e in public_events)
    assert public.status_of(case)["label"] == "处理中"
    assert public.public_actions(case) == []  # nothing more to do until it is closed again


def test_wrong_phones_throttle_the_guesser_not_the_case(point, time_machine):
    """Anyone can lock themselves out of a case number, never its resident: from another address the right phone
    opens it at once; from the guesser's address, not even the right phone until the 15 minutes have passed."""
    time_machine.move_to(datetime(2026, 12, 3, 2, 0, tzinfo=UTC), tick=False)
    n = file_report(point).case.number
    for i in range(5):
        with pytest.raises(public.AccessDenied) as e:
            check(n, f"1390000000{i}", THERE)
        assert e.value.code == "wrong_number_or_phone"
    with pytest.raises(throttle.Throttled) as e:
        check(n, PHONE, THERE)
    assert e.value.status == 429 and e.value.code == "too_many_attempts"
    assert e.value.message == "尝试次数过多，请 15 分钟后再试"
    # the resident, from their own address: not locked out
    assert public.granted_number(check(n, PHONE, HERE)) == n
    # the guesser may still open other numbers (with their phone) — the limit is per number …
    m = file_report(point, phone="13600000000").case.number
    assert public.granted_number(check(m, "13600000000", THERE)) == m
    # … and after the window, the guesser's address is counted afresh
    time_machine.shift(timedelta(minutes=15))
    assert public.granted_number(check(n, PHONE, THERE)) == n


def test_one_address_walking_the_case_numbers_is_stopped_after_20(point, time_machine):
    """Someone who knows a person's phone cannot walk the (sequential) case numbers to find their reports."""
    time_machine.move_to(datetime(2026, 12, 3, 2, 0, tzinfo=UTC), tick=False)
    theirs = file_report(point, phone="13700001111").case.number
    day = theirs.split("-")[1]
    for serial in range(9970, 9990):
        with pytest.raises(public.AccessDenied) as e:
            check(f"110101-{day}-{serial}", "13700001111", THERE)
        assert e.value.code == "wrong_number_or_phone"
    with pytest.raises(throttle.Throttled):
        check(theirs, "13700001111", THERE)
    assert public.granted_number(check(theirs, "13700001111", HERE)) == theirs


def test_case_numbers_typed_loosely_are_understood(point):
    n = file_report(point).case.number
    for typed in [f" {n} ", n.replace("-", ""), n.replace("-", "－"), n.replace("-", " - ")]:
        assert public.granted_number(check(typed, PHONE)) == n


def test_right_phone_clears_earlier_failures(point):
    n = file_report(point).case.number
    for _ in range(4):
        with pytest.raises(public.AccessDenied):
            check(n, "13900000000")
    check(n, PHONE)
    for _ in range(4):  # counting starts again: 4 more wrong ones are still answered
        with pytest.raises(public.AccessDenied) as e:
            check(n, "13900000000")
        assert e.value.code == "wrong_number_or_phone"


def test_signed_in_resident_reports_as_itself_and_acts_on_its_own_cases(point, users):
    resident = users["resident"]
    lon, lat = point
    filed = public.report(resident, phone="13511112222", lon=lon, lat=lat, description="路灯不亮")
    n = filed.case.number
    assert filed.case.reporter_id == resident.pk
    assert public.granted_number(public.grant_for_user(resident, n)) == n
    assert n in [c.number for c in public.resident_cases(resident)]
    other = file_report(point).case.number
    with pytest.raises(public.AccessDenied):
        public.grant_for_user(resident, other)  # not its report
    close_loop(users, n)
    # anyone with the number and the phone acts for the reporter (the resident account)
    grant = check(n, "13511112222")
    resident_survey(grant, n, result=4)
    assert CaseEvent.objects.filter(case__number=n).latest("id").actor_id == resident.pk
