"""培训考试 over the pages (issue #17 item 7, Done when: 「a finished exam … tested over the pages」): a grid worker
takes an exam of 10 questions × 10 points with hand-chosen answers, 7 right → 70, pass mark 60 → 合格, and downloads a
certificate naming the person and the score; a second submission and a submission after the time are refused (the
late one closed with what was saved before the deadline); an Excel import with bad rows writes nothing; a session
enters the assessment's training register; who may open which page, per post."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.test import Client

from gridgov import spreadsheets
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADER = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "分值"]
# the paper: 10 questions of 10 points; the right answer of each, typed by hand
QUESTIONS = [
    ["单选", "发现暴露垃圾首先应当", "拍照上报", "不管", "", "", "A", "10"],
    ["单选", "案件结案后应当", "不再过问", "回访", "", "", "B", "10"],
    ["单选", "居民电话在列表中", "完整显示", "打印张贴", "掩码显示", "", "C", "10"],
    ["多选", "巡查内容包括", "市容环境", "安全隐患", "个人私事", "矛盾纠纷", "ABD", "10"],
    ["多选", "上报时应附", "照片", "位置", "", "", "AB", "10"],
    ["判断", "超时后仍可交卷", "", "", "", "", "错", "10"],
    ["判断", "培训记录计入考评", "", "", "", "", "对", "10"],
    ["判断", "可私自收费", "", "", "", "", "错", "10"],
    ["判断", "应熟悉责任网格", "", "", "", "", "对", "10"],
    ["单选", "超期案件应当", "督办", "撤销", "", "", "A", "10"],
]
# the grid worker's answers on the page: the first 7 right, the last 3 wrong → 70 points
CHOSEN = {"发现暴露垃圾首先应当": ["A"], "案件结案后应当": ["B"], "居民电话在列表中": ["C"], "巡查内容包括": ["A", "B", "D"],
          "上报时应附": ["A", "B"], "超时后仍可交卷": ["F"], "培训记录计入考评": ["T"],
          "可私自收费": ["T"], "应熟悉责任网格": ["F"], "超期案件应当": ["B"]}


def xlsx(rows) -> bytes:
    return spreadsheets.write("xlsx", HEADER, rows, title="试题")[0]


@pytest.fixture
def exam(users):
    from gridgov.training import services

    admin = users["admin"]
    course = services.create_course(admin, "浏览器外的测试课程", "", "110101", ["grid_worker"])
    bank = services.create_bank(admin, "十道题的题库", "110101")
    services.import_questions(admin, bank.pk, xlsx(QUESTIONS), "q.xlsx")
    return services.create_exam(admin, course.pk, bank.pk, "十题考试", 10, 30, 60)


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def start(client, exam) -> int:
    r = client.post(f"/training/exams/{exam.pk}/start/")
    assert r.status_code == 302, r.content[:300]
    return int(r["Location"].rstrip("/").rsplit("/", 1)[1])


def form(attempt_id: int, chosen: dict, action: str) -> dict:
    from gridgov.training.models import Attempt, Question

    ids = Attempt.objects.get(pk=attempt_id).question_ids
    data = {"action": action}
    for q in Question.objects.filter(pk__in=ids):
        if q.text in chosen:
            data[f"q{q.pk}"] = chosen[q.text]
    return data


def test_a_grid_worker_takes_the_exam_over_the_pages_and_gets_a_certificate(users, exam, time_machine):
    time_machine.move_to(NOW, tick=False)
    worker = users["gridworker"]
    c = signed_in(worker)
    home = c.get("/training/").content.decode()
    assert "十题考试" in home and "开始考试" in home
    pk = start(c, exam)
    page = c.get(f"/training/attempts/{pk}/").content.decode()
    assert "截止 2026-11-10 09:30:00" in page and page.count('<fieldset class="tk-question">') == 10
    time_machine.move_to(NOW + dt.timedelta(minutes=12), tick=False)
    r = c.post(f"/training/attempts/{pk}/", form(pk, CHOSEN, "submit"))
    assert r.status_code == 200
    text = r.content.decode()
    assert '<strong id="score">70</strong> 分（满分 100 分）' in text and '<strong id="verdict">合格</strong>' in text
    pdf = c.get(f"/training/attempts/{pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    words = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    words = re.sub(r"\s+", "", words)  # the PDF's text comes back with line breaks and spaces of its own
    assert "培训合格证书" in words and worker.display_name in words and "成绩70分" in words
    # the record per person lists the pass
    record = c.get(f"/training/people/{worker.pk}/").content.decode()
    assert "十题考试" in record and "70 / 100" in record and "合格" in record
    # a second submission is refused and changes nothing
    before = AuditRecord.objects.count()
    again = c.post(f"/training/attempts/{pk}/", form(pk, {k: ["A"] for k in CHOSEN}, "submit"))
    assert again.status_code == 409 and "本次考试已经交卷，不能重复提交" in again.content.decode()
    assert AuditRecord.objects.count() == before
    from gridgov.training.models import Attempt

    a = Attempt.objects.get(pk=pk)
    assert (a.status, a.score, a.max_score, a.passed) == ("submitted", 70, 100, True)
    # and once passed, no new attempt
    assert "您已通过考试「十题考试」" in c.post(f"/training/exams/{exam.pk}/start/").content.decode()


def test_a_failed_exam_has_no_certificate(users, exam, time_machine):
    time_machine.move_to(NOW, tick=False)
    c = signed_in(users["gridworker"])
    pk = start(c, exam)
    five = dict(list(CHOSEN.items())[:5])  # 5 right, 5 unanswered → 50 < 60
    text = c.post(f"/training/attempts/{pk}/", form(pk, five, "submit")).content.decode()
    assert '<strong id="score">50</strong>' in text and '<strong id="verdict">不合格</strong>' in text
    r = c.get(f"/training/attempts/{pk}/certificate.pdf")
    assert r.status_code == 409 and "考试合格后才能下载合格证书" in r.content.decode()


def test_a_submission_after_the_time_is_refused_and_the_saved_answers_are_marked(users, exam, time_machine):
    from gridgov.training.models import Attempt

    time_machine.move_to(NOW, tick=False)
    c = signed_in(users["gridworker"])
    pk = start(c, exam)
    time_machine.move_to(NOW + dt.timedelta(minutes=5), tick=False)
    two = {"发现暴露垃圾首先应当": ["A"], "案件结案后应当": ["B"]}
    assert c.post(f"/training/attempts/{pk}/", form(pk, two, "save")).status_code == 200
    assert Attempt.objects.get(pk=pk).status == "in_progress"
    time_machine.move_to(NOW + dt.timedelta(minutes=30, seconds=1), tick=False)  # the deadline was 09:30:00
    late = c.post(f"/training/attempts/{pk}/", form(pk, CHOSEN, "submit"))
    assert late.status_code == 409
    assert "考试时间已于 2026-11-10 09:30:00 截止，交卷未被接受；已按截止前保存的答案评分" in late.content.decode()
    a = Attempt.objects.get(pk=pk)
    assert (a.status, a.score, a.passed, a.finished_at) == ("expired", 20, False, NOW + dt.timedelta(minutes=30))
    # the API says the same with a stable code, and nothing changes
    api = c.post(f"/api/v1/training/attempts/{pk}/submit", {"answers": {}}, content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "attempt_expired"
    assert Attempt.objects.get(pk=pk).score == 20


def test_an_attempt_left_open_is_closed_when_read_after_its_deadline(users, exam, time_machine):
    from gridgov.training.models import Attempt

    time_machine.move_to(NOW, tick=False)
    c = signed_in(users["gridworker"])
    pk = start(c, exam)
    c.post(f"/training/attempts/{pk}/", form(pk, dict(list(CHOSEN.items())[:6]), "save"))  # 6 right saved
    time_machine.move_to(NOW + dt.timedelta(hours=2), tick=False)
    text = signed_in(users["supervisor"]).get("/training/results/").content.decode()
    assert "超时（按截止前保存的答案评分）" in text and "60 / 100" in text
    assert Attempt.objects.get(pk=pk).passed is True  # 60 ≥ 60


def test_the_same_attempt_draws_the_same_paper(users, exam):
    from gridgov.training.logic import marking
    from gridgov.training.services import start as begin

    a = begin(users["gridworker"], exam.pk)
    ids = sorted(exam.bank.questions.values_list("pk", flat=True))
    assert a.seed == f"{exam.pk}:{users['gridworker'].pk}:1"
    assert marking.draw(ids, 10, a.seed) == a.question_ids and sorted(a.question_ids) == ids
    assert begin(users["gridworker"], exam.pk).pk == a.pk  # going on with it, not a second one


def test_an_excel_import_with_bad_rows_writes_nothing(users):
    from gridgov.training import services

    bank = services.create_bank(users["supervisor"], "东华门街道题库")
    rows = [QUESTIONS[0], ["填空", "网格员的职责是", "", "", "", "", "巡查", "10"], ["单选", "超期案件应当", "督办", "撤销", "", "",
                                                                                "E", "10"],
            ["判断", "应熟悉责任网格", "", "", "", "", "对", "0"]]
    c = signed_in(users["supervisor"])
    upload = io.BytesIO(xlsx(rows))
    upload.name = "题库.xlsx"
    r = c.post(f"/training/banks/{bank.pk}/", {"file": upload})
    assert r.status_code == 400
    text = r.content.decode()
    assert "有 3 行有误，未导入任何试题" in text
    assert "第 3 行：题型「填空」应为 单选、多选 或 判断" in text
    assert "第 4 行：答案「E」无效（单选题填一个选项字母）" in text
    assert "第 5 行：分值应为 1～100 的整数" in text
    assert bank.questions.count() == 0
    ok = c.post(f"/training/banks/{bank.pk}/", {"file": io.BytesIO(xlsx(QUESTIONS[:3]))})
    assert ok.status_code == 200 and "已导入 3 道试题" in ok.content.decode() and bank.questions.count() == 3
    tpl = c.get("/training/banks/template.xlsx")
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"


def test_a_session_enters_the_ledgers_training_register(users, time_machine):
    from gridgov.ledgers.models import Training

    time_machine.move_to(NOW, tick=False)
    c = signed_in(users["supervisor"])
    r = c.post("/training/sessions/", {"held_on": "2026-10-20", "title": "网格员全员业务培训", "kind": "whole",
                                       "attendees": "gridworker\ngridleader"})
    assert r.status_code == 302
    t = Training.objects.get(title="网格员全员业务培训")
    assert (t.scope_key, t.held_on, t.kind, t.attendees, t.status) == ("110101001", dt.date(2026, 10, 20), "whole", 2,
                                                                       "submitted")
    assert "网格员全员业务培训" in c.get("/ledgers/trainings/").content.decode()
    assert "网格员全员业务培训" in signed_in(users["gridworker"]).get(
        f"/training/people/{users['gridworker'].pk}/").content.decode()
    # someone of another street, or nobody at all: refused, nothing written
    bad = c.post("/training/sessions/", {"held_on": "2026-10-21", "title": "另一场", "kind": "partial",
                                         "attendees": "gridworker, demo-nobody"})
    assert bad.status_code == 400 and "参训人员「demo-nobody」不存在或不是" in bad.content.decode()
    assert not Training.objects.filter(title="另一场").exists()


def test_a_street_supervisor_makes_a_course_with_a_file_and_an_exam_over_the_pages(users):
    from gridgov.training.models import Course, Exam

    sup = signed_in(users["supervisor"])
    r = sup.post("/training/manage/", {"action": "course", "title": "东华门街道新员工课程", "summary": "岗前必学",
                                       "posts": ["grid_worker"]})
    assert r.status_code == 200 and "已新建课程「东华门街道新员工课程」" in r.content.decode()
    course = Course.objects.get(title="东华门街道新员工课程")
    assert (course.scope_key, course.posts) == ("110101001", ",grid_worker,")
    upload = io.BytesIO("第一条：按时巡查。".encode())
    upload.name = "手册.txt"
    r = sup.post("/training/manage/", {"action": "material", "course": course.pk, "title": "员工手册", "body": "",
                                       "file": upload})
    assert "已添加材料「员工手册」" in r.content.decode()
    bank = sup.post("/training/banks/", {"title": "街道题库"})
    bank_id = int(bank["Location"].rstrip("/").rsplit("/", 1)[1])
    sup.post(f"/training/banks/{bank_id}/", {"file": io.BytesIO(xlsx(QUESTIONS[:3]))})
    exam = {"action": "exam", "course": course.pk, "bank": bank_id, "title": "岗前测验", "question_count": "5",
            "minutes": "20", "pass_mark": "20"}
    r = sup.post("/training/manage/", exam)
    assert r.status_code == 400 and "题库「街道题库」只有 3 道题，不够抽取 5 道" in r.content.decode()
    assert not Exam.objects.filter(title="岗前测验").exists()
    r = sup.post("/training/manage/", {**exam, "question_count": "3"})
    assert "已新建考试「岗前测验」" in r.content.decode()
    # the street's grid worker finds the course, its file and the exam; the grid leader (another post) does not
    worker = signed_in(users["gridworker"])
    assert "东华门街道新员工课程" in worker.get("/training/").content.decode()
    page = worker.get(f"/training/courses/{course.pk}/").content.decode()
    assert "下载附件：手册.txt" in page and "岗前测验" in page
    m = course.materials.get()
    f = worker.get(f"/training/materials/{m.pk}/file")
    assert f.status_code == 200 and b"".join(f.streaming_content).decode() == "第一条：按时巡查。"
    assert signed_in(users["gridleader"]).get(f"/training/courses/{course.pk}/").status_code == 404
    # the district's course is not the street's to change
    district = Course.objects.create(title="区级课程", scope_key="110101")
    r = sup.post("/training/manage/", {"action": "material", "course": district.pk, "title": "改", "body": "改"})
    assert r.status_code == 403 and "只能管理本辖区的培训内容" in r.content.decode()


# who may open which page (typed from the rights: every staff post learns; 值班长, 督导员, administrator manage)
PAGES = {
    #                    admin leader intake shift disp sup  insp gld  gwk  hand res  clerk
    "/training/":          "200 200 200 200 200 200 200 200 200 200 403 200",
    "/training/results/":  "200 403 403 200 403 200 403 403 403 403 403 403",
    "/training/banks/":    "200 403 403 200 403 200 403 403 403 403 403 403",
    "/training/manage/":   "200 403 403 200 403 200 403 403 403 403 403 403",
    "/training/sessions/": "200 200 200 200 200 200 200 200 200 200 403 200",
}
ORDER = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
         "handler", "resident", "clerk"]


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_per_post(path, users):
    got = [str(signed_in(users[p]).get(path).status_code) for p in ORDER]
    assert got == PAGES[path].split()
    assert Client().get(path).status_code == 302  # not signed in: the sign-in page


def test_someone_elses_attempt_and_record(users, exam):
    from gridgov.training.services import start as begin

    a = begin(users["gridworker"], exam.pk)
    assert signed_in(users["gridleader"]).get(f"/training/attempts/{a.pk}/").status_code == 404
    assert signed_in(users["supervisor"]).get(f"/training/attempts/{a.pk}/").status_code == 200  # its street
    assert signed_in(users["gridleader"]).get(f"/training/people/{users['gridworker'].pk}/").status_code == 404
    r = signed_in(users["supervisor"]).post(f"/api/v1/training/attempts/{a.pk}/submit", {},
                                            content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "not_your_attempt"
