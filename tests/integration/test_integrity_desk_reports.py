"""The 移动速度异常 check reads field people's positions only: a 受理员 entering 12345 calls at the problems' places
(3.3 km apart, one minute between) is not flagged; a grid worker doing the same is (test_integrity)."""

import datetime as dt
import zoneinfo

import pytest

from gridgov.cases.services import intake
from gridgov.integrity import services
from gridgov.integrity.models import Flag

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_a_desk_clerks_hotline_entries_are_no_track(users, time_machine):
    time_machine.move_to(T0, tick=False)
    for k, lat in enumerate((39.93, 39.90)):
        intake(users["intake"], source="hotline", lon=116.42, lat=lat, description="来电反映路边暴露垃圾",
               reporter_phone="17000000001", now=T0 + dt.timedelta(minutes=k), find_duplicates=False)
    services.scan(since=T0 - dt.timedelta(minutes=1))
    assert not Flag.objects.filter(kind="speed", person=users["intake"]).exists()
