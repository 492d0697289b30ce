"""The inspection pages over HTTP (Django test client): the due panel on 我的任务, the checklist on the phone
(item by item, a photo per failed item → one case; a refusal says why and writes nothing; a resubmission files
nothing more), results with 履约率 and the Excel export, 回头看."""

import datetime as dt
import io
import re

import pytest
from PIL import Image

from gridgov.cases.models import Case

pytestmark = pytest.mark.django_db

OWN_GRID = "110101001001W001"
FIRE = ("F01", "F02", "F03", "F04", "F05", "F06")


def jpeg(colour=(200, 80, 40)) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG", quality=80)
    buf.seek(0)
    buf.name = "现场.jpg"
    return buf


@pytest.fixture
def target(users):
    from gridgov.basedata.models import Organisation
    from gridgov.inspection import services

    org = Organisation.objects.filter(scope_key__startswith=OWN_GRID + ".", lon__isnull=False).order_by("id").first()
    plan = services.create_plan(users["supervisor"], name="页面测试消防检查", template="fire", frequency="monthly",
                                start_on=dt.date(2020, 1, 1), inspector="inspector",
                                targets=[("organisation", org.pk)])
    return plan.targets.get()


def test_the_inspectors_first_screen_lists_the_overdue_target(client_for, target):
    page = client_for("inspector").get("/cases/field/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "检查任务" in text and target.name in text
    assert f"/inspection/do/target/{target.pk}/" in text and "已超期" in text  # due since January 2020


def test_the_checklist_on_the_phone_files_one_case_for_the_failed_item(client_for, target):
    client = client_for("inspector")
    url = f"/inspection/do/target/{target.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    for code in FIRE:
        assert f'name="answer-{code}"' in html and f'name="photo-{code}"' in html
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', html).group(1)
    data = {f"answer-{c}": "pass" for c in FIRE} | {"answer-F02": "fail", "note-F02": "灭火器过期",
                                                    "client_key": key}
    before = Case.objects.count()
    # without the photo: refused on the page, nothing written
    refused = client.post(url, data)
    assert refused.status_code == 400 and "须拍照" in refused.content.decode()
    assert Case.objects.count() == before
    # with it: one case, and the page of the inspection links to it
    done = client.post(url, data | {"photo-F02": jpeg()}, follow=True)
    assert done.status_code == 200
    assert Case.objects.count() == before + 1
    case = Case.objects.order_by("-id").first()
    assert case.matter.code == "52001" and case.photos.count() == 1
    text = done.content.decode()
    assert case.number in text and "不合格" in text
    # the phone sends it again: nothing more
    again = client.post(url, data | {"photo-F02": jpeg()}, follow=True)
    assert again.status_code == 200 and "没有重复上报" in again.content.decode()
    assert Case.objects.count() == before + 1


def test_a_target_elsewhere_is_not_found_and_a_handler_may_not_inspect(client_for, users):
    from gridgov.basedata.models import Organisation
    from gridgov.inspection import services

    org = Organisation.objects.filter(scope_key__startswith="110101002", lon__isnull=False).order_by("id").first()
    plan = services.create_plan(users["admin"], name="别的街道", template="fire", frequency="monthly",
                                start_on=dt.date(2020, 1, 1), targets=[("organisation", org.pk)])
    url = f"/inspection/do/target/{plan.targets.get().pk}/"
    assert client_for("inspector").get(url).status_code == 404
    assert client_for("handler").get(url).status_code == 403


def test_results_show_the_rate_and_export_to_excel(client_for, target, users):
    from gridgov.inspection import services

    services.submit(users["inspector"], target_id=target.pk, answers=[{"item": c, "answer": "pass"} for c in FIRE],
                    client_key="page-results-1")
    page = client_for("supervisor").get("/inspection/results/?template=fire")
    assert page.status_code == 200
    text = page.content.decode()
    assert "门前三包履约率" in text and target.name in text
    xlsx = client_for("supervisor").get("/inspection/results/export/?template=fire&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("检查记录", "检查时间", "检查表")
    assert sum(1 for r in rows[1:] if r[3] == target.name) >= 6  # one row per item


def test_the_revisit_page_lists_a_month(client_for):
    page = client_for("inspector").get("/inspection/revisits/?month=2026-11")
    assert page.status_code == 200 and "待回头看" in page.content.decode()
    bad = client_for("inspector").get("/inspection/revisits/?month=11-2026")
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()
