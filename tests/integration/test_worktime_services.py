"""The working calendar from the database: CalendarDay overrides and WorkSetting change results; the cache follows."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.errors import DomainError
from gridgov.worktime import services
from gridgov.worktime.logic.calendar import SHANGHAI
from gridgov.worktime.models import CalendarDay, WorkSetting

pytestmark = pytest.mark.django_db


def T(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def test_defaults_without_rows():
    assert not CalendarDay.objects.exists() and not WorkSetting.objects.exists()
    # Fri 4/3 10:00 + 1 working day across 清明 (4/4–4/6) → Tue 4/7 10:00
    assert services.due(T(2026, 4, 3, 10), 1, "work_days") == T(2026, 4, 7, 10)
    assert services.yellow_share() == 0.8
    assert not WorkSetting.objects.exists()  # reading never writes


def test_override_changes_the_due_time_and_removing_it_restores():
    services.set_day(dt.date(2026, 4, 6), True, "本区调整上班")
    # Mon 4/6 is now a working day → Fri 6 h + Mon 1.5 h → Mon 10:00
    assert services.due(T(2026, 4, 3, 10), 1, "work_days") == T(2026, 4, 6, 10)
    assert services.remove_day(dt.date(2026, 4, 6))
    assert services.due(T(2026, 4, 3, 10), 1, "work_days") == T(2026, 4, 7, 10)


def test_override_in_a_year_beyond_the_library():
    # 2031: plain rule, Fri 1/3 10:00 + 1 day → Mon 1/6 10:00; an override making Mon 1/6 a rest day → Tue 1/7
    assert services.due(T(2031, 1, 3, 10), 1, "work_days") == T(2031, 1, 6, 10)
    CalendarDay.objects.create(date=dt.date(2031, 1, 6), is_workday=False, name="春节")
    assert services.due(T(2031, 1, 3, 10), 1, "work_days") == T(2031, 1, 7, 10)
    assert services.current_calendar().info(dt.date(2031, 1, 6)).source == "override"


def test_cache_is_reused_and_invalidated_on_every_kind_of_change():
    cal = services.current_calendar()
    assert services.current_calendar() is cal  # nothing changed: same object, warm day caches
    with CaptureQueriesContext(connection) as ctx:
        services.current_calendar()
    assert len(ctx.captured_queries) == 2  # the fingerprint only

    row = CalendarDay.objects.create(date=dt.date(2026, 3, 9), is_workday=False, name="停电")  # admin-style save
    cal2 = services.current_calendar()
    assert cal2 is not cal and not cal2.is_workday(dt.date(2026, 3, 9))
    # Fri 3/6 17:00 + 1 h → (Mon 3/9 closed) Tue 3/10 09:00
    assert services.due(T(2026, 3, 6, 17), 1, "work_hours") == T(2026, 3, 10, 9)

    row.is_workday = True  # an edit
    row.save()
    cal3 = services.current_calendar()
    assert cal3 is not cal2 and cal3.is_workday(dt.date(2026, 3, 9))

    row.delete()  # a delete
    cal4 = services.current_calendar()
    assert cal4 is not cal3 and cal4.info(dt.date(2026, 3, 9)).source == "library"

    CalendarDay.objects.create(date=dt.date(2026, 3, 7), is_workday=True)  # delete + add in between
    CalendarDay.objects.filter(date=dt.date(2026, 3, 7)).delete()
    CalendarDay.objects.create(date=dt.date(2026, 3, 8), is_workday=True)
    assert services.current_calendar().is_workday(dt.date(2026, 3, 8))
    assert not services.current_calendar().is_workday(dt.date(2026, 3, 7))


def test_office_hours_and_yellow_share_from_the_setting():
    services.update_setting(office_hours="09:00-12:00, 13:00-17:00", yellow_share=0.5)
    # 1 day = 7 h; Tue 3/10 09:00 + 1 day → 17:00; 11:30 + 1 h → 0.5 h to 12:00, 0.5 h from 13:00 → 13:30
    assert services.due(T(2026, 3, 10, 9), 1, "work_days") == T(2026, 3, 10, 17)
    assert services.due(T(2026, 3, 10, 11, 30), 1, "work_hours") == T(2026, 3, 10, 13, 30)
    # 50 % of 7 h = 3.5 h → 09:00–12:00 3 h + 13:00–13:30 → yellow from 13:30
    assert services.warning(T(2026, 3, 10, 9), 1, "work_days", now=T(2026, 3, 10, 13, 29)) == "green"
    assert services.warning(T(2026, 3, 10, 9), 1, "work_days", now=T(2026, 3, 10, 13, 30)) == "yellow"
    assert services.warning(T(2026, 3, 10, 9), 1, "work_days", now=T(2026, 3, 10, 17, 1)) == "red"
    assert WorkSetting.objects.count() == 1
    with pytest.raises(DomainError):
        services.update_setting(office_hours="17:00-09:00")
    with pytest.raises(DomainError):
        services.update_setting(yellow_share=1.5)


def test_bad_input_is_a_domain_error():
    with pytest.raises(DomainError) as e:
        services.due(dt.datetime(2026, 3, 10, 9), 1, "work_hours")
    assert e.value.code == "invalid_deadline_input"


def test_elapsed_service():
    assert services.elapsed(T(2026, 3, 10, 8, 30), "work_hours", now=T(2026, 3, 10, 17, 30)) == 7.5


def test_calendar_check_command(capsys):
    call_command("calendar_check", "2026")
    out = capsys.readouterr()
    assert "春节" in out.out and "2026-02-14" in out.out and "调休上班" in out.out and "警告" not in out.err

    call_command("calendar_check", "2031")
    out = capsys.readouterr()
    assert "警告" in out.err and "2031" in out.err
    with pytest.raises(CommandError):
        call_command("calendar_check", "2031", "--strict")
    capsys.readouterr()

    services.set_day(dt.date(2031, 1, 1), False, "元旦")
    call_command("calendar_check", "2031", "--strict")
    out = capsys.readouterr()
    assert "2031-01-01" in out.out and "人工设置" in out.out and "警告" not in out.err
