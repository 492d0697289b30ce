"""Lists count their rows up to ``gridgov.schemas.COUNT_UP_TO`` and say 「N+」 beyond (issue #16: the queue's 全部 tab
counted ten million cases to print one number); the API's ``date_from``/``date_to`` are local days (Asia/Shanghai)
read as a range of ``reported_at``."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from gridgov import schemas
from gridgov.cases import services
from gridgov.cases.views import queue

pytestmark = pytest.mark.django_db

MARK = "计数核对"
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def five(users, point):
    """Five cases reported at local times either side of midnight, 20/21 November 2026."""
    times = [dt.datetime(2026, 11, 20, 9, 0, tzinfo=SH), dt.datetime(2026, 11, 20, 23, 30, tzinfo=SH),
             dt.datetime(2026, 11, 21, 0, 30, tzinfo=SH), dt.datetime(2026, 11, 21, 10, 0, tzinfo=SH),
             dt.datetime(2026, 11, 22, 8, 0, tzinfo=SH)]
    return [services.intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1],
                            description=f"{MARK}{i}", matter="06010", find_duplicates=False, now=t).case.number
            for i, t in enumerate(times)]


def test_api_counts_up_to_the_cap_and_says_more(client_for, five, monkeypatch):
    c = client_for("intake")
    page = c.get(f"/api/v1/cases?q={MARK}&limit=2").json()
    assert (page["count"], page["count_more"], len(page["items"])) == (5, False, 2)
    monkeypatch.setattr(schemas, "COUNT_UP_TO", 3)
    page = c.get(f"/api/v1/cases?q={MARK}&limit=2").json()
    assert (page["count"], page["count_more"], len(page["items"])) == (3, True, 2)
    last = c.get(f"/api/v1/cases?q={MARK}&limit=2&offset=4").json()
    assert [i["number"] for i in last["items"]] == [five[0]]  # paging still reaches the last row
    monkeypatch.setattr(schemas, "COUNT_UP_TO", 5)
    assert c.get(f"/api/v1/cases?q={MARK}").json()["count_more"] is False


def test_api_date_filters_are_local_days(client_for, five):
    c = client_for("intake")

    def numbers(query):
        return sorted(i["number"] for i in c.get(f"/api/v1/cases?q={MARK}&{query}&limit=50").json()["items"])

    assert numbers("date_from=2026-11-21") == sorted([five[2], five[3], five[4]])
    assert numbers("date_to=2026-11-20") == sorted([five[0], five[1]])
    assert numbers("date_from=2026-11-21&date_to=2026-11-21") == sorted([five[2], five[3]])
    assert numbers("date_from=2026-11-23") == []


def test_queue_over_the_cap_shows_n_plus_and_pages_on(client_for, five, monkeypatch):
    c = client_for("intake")
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    html = c.get(f"/cases/?view=&q={MARK}").content.decode()
    assert re.search(r'id="cs-total"[^>]*>5</span> 件，第 1/3 页', html)
    monkeypatch.setattr(schemas, "COUNT_UP_TO", 3)
    html = c.get(f"/cases/?view=&q={MARK}").content.decode()
    assert re.search(r'id="cs-total"[^>]*>3\+</span> 件，第 1 页', html)
    assert 'rel="next"' in html and 'rel="prev"' not in html
    third = c.get(f"/cases/?view=&q={MARK}&page=3").content.decode()  # the last page: one case (the oldest)
    assert five[0] in third and five[1] not in third
    assert 'rel="next"' not in third and 'rel="prev"' in third
