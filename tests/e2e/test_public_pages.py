"""The residents' pages over HTTP (/r/): report without an account, follow by number + phone, rate, reopen —
errors in Chinese next to their fields, and nothing on the public case page that is the staff's or personal."""

import io
import re

import pytest
from django.test import Client
from PIL import Image

from gridgov.cases import services
from gridgov.cases.models import Case, CaseEvent, CaseReport
from tests.loop import close_loop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
PHONE = "13912345678"


def field(html: str, name: str) -> str:
    """The HTML of one field's block (label, input, errors)."""
    m = re.search(rf'<div class="pub-field[^"]*" data-field="{name}">(.*?)</div>\s*(?=<div class="pub-field|<div class="pub-actions)',
                  html, re.S)
    assert m, f"field {name} not on the page"
    return m.group(1)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 50, 50)).save(buf, "JPEG")
    return buf.getvalue()


def upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def report(client, point, **extra):
    lon, lat = point
    data = {"phone": PHONE, "lon": lon, "lat": lat, "description": "小区门口垃圾桶满溢", "address": "", "matter": "",
            "client_key": extra.pop("client_key", "k" * 32), **extra}
    return client.post("/r/report/", data)


def test_home_and_forms_open_without_an_account(client):
    html = client.get("/r/").content.decode()
    assert "我要反映问题" in html and "查询办理进度" in html
    r = client.get("/r/report/")
    html = r.content.decode()
    assert r.status_code == 200 and 'name="csrfmiddlewaretoken"' in html and 'name="client_key"' in html
    for label in ["手机号", "问题位置", "照片", "问题描述", "详细地址", "问题类别"]:
        assert label in html
    assert 'for="id_phone"' in html and 'for="id_description"' in html and 'for="id_photos"' in html
    assert "暴露垃圾" in html, "common matters to choose from"
    assert not re.search(r'(src|href)="https?://', html), "nothing from the internet"
    assert client.get("/r/track/").status_code == 200


def test_report_errors_in_chinese_next_to_their_fields(client, point):
    before = Case.objects.count()
    r = client.post("/r/report/", {"phone": "12ab", "description": "", "client_key": "x" * 32})
    html = r.content.decode()
    assert r.status_code == 400
    assert "手机号应为 7～15 位数字" in field(html, "phone")
    assert "请选择问题的位置" in field(html, "position")
    assert "请描述问题" in field(html, "description")
    # outside the district: said next to the position, the rest kept
    r = report(client, (121.47, 31.23))
    html = r.content.decode()
    assert r.status_code == 400 and "不在辖区范围内" in field(html, "position")
    assert "不在辖区范围内" not in field(html, "phone")
    assert "小区门口垃圾桶满溢" in field(html, "description")
    # everything the server refuses is said at once, not one error a submit: a one-character description outside
    # the district gets both messages together
    r = client.post("/r/report/", {"phone": PHONE, "description": "脏", "lon": "121.47", "lat": "31.23",
                                   "client_key": "y" * 32})
    html = r.content.decode()
    assert r.status_code == 400
    assert "请描述问题（至少 2 个字）" in field(html, "description")
    assert "不在辖区范围内" in field(html, "position")
    assert Case.objects.count() == before, "a refused report writes nothing"


def test_five_photos_keep_the_report_and_the_first_four(client, point, settings, tmp_path):
    """Choosing 5 photos used to refuse the report and drop all of them: now the report goes with the first 4 and
    the fifth is named."""
    settings.DATA_DIR = tmp_path
    r = report(client, point, photos=[upload(f"p{i}.jpg", jpeg()) for i in range(5)])
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    number = re.search(r'id="case-number">([\d-]+)<', html).group(1)
    assert "一次最多上传 4 张照片，「p4.jpg」未保存；问题和前 4 张照片已经上报。" in html
    assert Case.objects.get(number=number).photos.count() == 4


def test_report_shows_the_number_and_a_double_submit_files_one_case(client, point, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    r = report(client, point, photos=[upload("scene.jpg", jpeg()), upload("notes.txt", b"not an image")])
    assert r.status_code == 302
    done = client.get(r["Location"])
    html = done.content.decode()
    number = re.search(r'id="case-number">([\d-]+)<', html).group(1)
    assert "记下此编号" in html and f'href="/r/case/{number}/"' in html
    assert "notes.txt" in html and "不是有效的图片" in html, "a refused photo is said, the report kept"
    again = report(client, point, photos=[upload("scene.jpg", jpeg())])
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert CaseReport.objects.filter(case__number=number).count() == 1
    assert Case.objects.get(number=number).photos.count() == 1
    # the done page and the case page are for this browser only
    assert Client().get(r["Location"]).status_code == 302


def test_track_throttles_the_guessers_address_not_the_case(point):
    number = report(Client(), point)["Location"].split("/")[3]
    guesser = Client(REMOTE_ADDR="203.0.113.66")
    for i in range(5):
        assert guesser.post("/r/track/", {"number": number, "phone": f"1390000000{i}"}).status_code == 400
    r = guesser.post("/r/track/", {"number": number, "phone": PHONE})
    assert r.status_code == 429 and "尝试次数过多，请 15 分钟后再试" in r.content.decode()
    resident = Client(REMOTE_ADDR="198.51.100.66")
    r = resident.post("/r/track/", {"number": number, "phone": PHONE})
    assert r.status_code == 302 and r["Location"] == f"/r/case/{number}/"


def test_track_with_a_wrong_phone_or_number_says_so_without_telling_which(client, point):
    number = report(Client(), point)["Location"].split("/")[3]
    for data in [{"number": number, "phone": "13900000000"}, {"number": "110101-20000101-9999", "phone": PHONE}]:
        r = client.post("/r/track/", data)
        html = r.content.decode()
        assert r.status_code == 400 and "编号或手机号不正确" in field(html, "number")
    assert client.get(f"/r/case/{number}/")["Location"] == f"/r/track/?number={number}"
    r = client.post("/r/track/", {"number": "", "phone": ""})
    html = r.content.decode()
    assert "请填写案件编号" in field(html, "number") and "请填写上报时留的手机号" in field(html, "phone")
    r = client.post("/r/track/", {"number": number, "phone": PHONE})
    assert r.status_code == 302 and r["Location"] == f"/r/case/{number}/"
    assert client.get(f"/r/case/{number}/").status_code == 200


def test_public_case_page_shows_no_staff_names_no_personal_data(client, point, users, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    number = report(client, point, address="东四十条 3 号")["Location"].split("/")[3]
    case = Case.objects.get(number=number)
    CaseReport.objects.filter(case=case).update(reporter_name="张三丰")
    close_loop(users, number)
    from gridgov.cases.services.photos import store_photos

    store_photos(case, [("fixed.jpg", jpeg())], "feedback", users["handler"])
    store_photos(case, [("inspect.jpg", jpeg())], "inspect", users["inspector"])
    html = client.get(f"/r/case/{number}/").content.decode()
    assert "已办结" in html and "已清运" in html and "问题没有解决" in html and "非常满意" in html
    staff = [u for u in users.values() if u.role != "resident"]
    for u in staff:
        assert str(u) not in html, f"staff name {u} on the public page"
        assert u.username not in html
    assert "区环境卫生服务中心" not in html, "who handled it is the staff's business"
    assert PHONE not in html and "139****5678" not in html and "张三丰" not in html
    assert "公众上报" not in html
    # photos: of the report? none; of the handling: yes; of the inspection: never
    feedback = case.photos.get(kind="feedback")
    inspect = case.photos.get(kind="inspect")
    assert f"/r/case/{number}/photos/{feedback.pk}/" in html and f"/photos/{inspect.pk}/" not in html
    assert client.get(f"/r/case/{number}/photos/{feedback.pk}/").status_code == 200
    assert client.get(f"/r/case/{number}/photos/{inspect.pk}/").status_code == 404
    assert Client().get(f"/r/case/{number}/photos/{feedback.pk}/").status_code == 404


def test_internal_steps_stay_off_the_public_timeline(client, point, users):
    number = report(client, point)["Location"].split("/")[3]
    services.transition(users["shift"], number, "urge", {"reason": "内部督办：请核实员尽快到场"})
    html = client.get(f"/r/case/{number}/").content.decode()
    assert "内部督办" not in html and "督办" not in html and "派核实" not in html
    assert "已收到" in html and "已受理" not in html and "上报" in html


def test_rate_on_the_page_once_with_errors_next_to_the_field(client, point, users):
    number = report(client, point)["Location"].split("/")[3]
    html = client.get(f"/r/case/{number}/").content.decode()
    assert 'name="satisfaction"' not in html and "问题没有解决" not in html, "no buttons before it is closed"
    close_loop(users, number)
    html = client.get(f"/r/case/{number}/").content.decode()
    assert html.count('type="radio" name="satisfaction"') == 5
    for words in ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]:
        assert words in html
    r = client.post(f"/r/case/{number}/", {"what": "rate"})
    assert r.status_code == 400 and "请选择满意度" in field(r.content.decode(), "satisfaction")
    assert not Case.objects.get(number=number).followed_up
    r = client.post(f"/r/case/{number}/", {"what": "rate", "satisfaction": "5"}, follow=True)
    html = r.content.decode()
    assert "感谢您的评价" in html and "非常满意" in html and "（5 分）" in html
    assert 'name="satisfaction"' not in html, "rated once: the form is gone"
    assert Case.objects.get(number=number).satisfaction == 5
    events = CaseEvent.objects.filter(case__number=number).count()
    r = client.post(f"/r/case/{number}/", {"what": "rate", "satisfaction": "1"}, follow=True)
    assert "该案件已回访" in r.content.decode()
    assert Case.objects.get(number=number).satisfaction == 5
    assert CaseEvent.objects.filter(case__number=number).count() == events


def test_reopen_needs_a_reason_and_sends_the_case_back(client, point, users):
    number = report(client, point)["Location"].split("/")[3]
    close_loop(users, number)
    r = client.post(f"/r/case/{number}/", {"what": "reopen", "reason": ""})
    assert r.status_code == 400 and "请说明问题哪里没有解决" in field(r.content.decode(), "reason")
    assert Case.objects.get(number=number).status == "closed"
    r = client.post(f"/r/case/{number}/", {"what": "reopen", "reason": "还是满的"}, follow=True)
    html = r.content.decode()
    assert "问题将重新办理" in html and "处理中" in html and "还是满的" in html
    assert Case.objects.get(number=number).status == "registered"


def test_a_signed_in_resident_sees_its_own_reports(client_for, point, users):
    c = client_for("resident")
    number = report(c, point)["Location"].split("/")[3]
    assert Case.objects.get(number=number).reporter.username == "resident"
    html = c.get("/r/").content.decode()
    assert "我反映的问题" in html and number in html
    assert c.get(f"/r/case/{number}/").status_code == 200
    # not someone else's case without the phone
    other = report(Client(), point, client_key="z" * 32)["Location"].split("/")[3]
    assert c.get(f"/r/case/{other}/").status_code == 302
    assert other not in c.get("/r/").content.decode()


def test_map_data_and_where_a_point_lies(client, point):
    fc = client.get("/r/area.json").json()
    names = {f["properties"]["name"] for f in fc["features"]}
    assert "东城区" in names and "东华门街道" in names
    lon, lat = point
    w = client.get(f"/r/where/?lon={lon}&lat={lat}").json()
    assert w["inside"] and "东华门街道" in w["text"]
    w = client.get("/r/where/?lon=121.47&lat=31.23").json()
    assert not w["inside"] and "不在受理范围内" in w["text"]


def test_a_report_merged_into_another_case_says_where_it_went(client, point, users):
    number = report(client, point)["Location"].split("/")[3]
    lon, lat = point
    target = services.intake(users["gridworker"], source="grid_worker", lon=lon, lat=lat, description="垃圾桶满溢",
                             matter="06042").case.number
    services.transition(users["intake"], number, "merge", {"into": target})
    # the reports moved to the other case; the person still opens the old number with the phone
    fresh = Client()
    assert fresh.post("/r/track/", {"number": number, "phone": PHONE})["Location"] == f"/r/case/{number}/"
    html = fresh.get(f"/r/case/{number}/").content.decode()
    assert "已合并办理" in html and target in html
    assert fresh.post("/r/track/", {"number": target, "phone": PHONE})["Location"] == f"/r/case/{target}/"
