"""API of 培训考试, mounted at /api/v1/training: courses and materials, question banks (Excel import), exams, attempts
(start, save, submit, certificate), results, sessions and each person's record.

Parse → call a service → serialise; the rules are in ``services``.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.accounts.scope import require
from gridgov.ledgers.models import TrainingKind
from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services
from .models import Attempt, Bank, Course, Exam, Material, Session

router = Router(tags=["培训考试"])

Post = Annotated[str, Field(max_length=20, title="岗位代码")]
Account = Annotated[str, Field(min_length=1, max_length=150, title="账号")]
Answer = Annotated[str, Field(max_length=20, title="答案（选项字母，如 A、ACD；判断题：对 / 错）")]


# ---------------------------------------------------------------- courses


class TrainingCourseIn(Schema):
    title: str = field(Course, "title")
    summary: str = Field("", max_length=2000, title="课程简介")
    unit: str | None = Field(None, max_length=40, title="面向辖区代码（默认本人所在辖区）")
    posts: list[Post] = Field([], max_length=20, title="面向岗位（为空：全部工作人员）")


class TrainingMaterialOut(Schema):
    id: int
    title: str
    body: str
    file_name: str
    url: str | None = Field(None, description="附件下载地址（页面）")


class TrainingCourseOut(Schema):
    id: int
    title: str
    summary: str
    unit: str
    posts: list[str]


class TrainingCourseDetailOut(TrainingCourseOut):
    materials: list[TrainingMaterialOut]


def _course(c: Course) -> dict:
    return {"id": c.pk, "title": c.title, "summary": c.summary, "unit": c.scope_key, "posts": c.post_list}


def _material(m: Material) -> dict:
    return {"id": m.pk, "title": m.title, "body": m.body, "file_name": m.file_name,
            "url": f"/training/materials/{m.pk}/file" if m.file else None}


@router.get("/courses", response=answers(page_of(TrainingCourseOut), 403, 422), summary="本人可学的课程（管理者：本辖区全部课程）")
def courses(request, page: Query[PageIn]):
    return paginate(services.courses(request.user).order_by("-created_at", "-id"), page, _course)


@router.post("/courses", response=answers(TrainingCourseOut, 400, 403, 404, 422, status=201), summary="新建课程")
def create_course(request, payload: TrainingCourseIn):
    return Status(201, _course(services.create_course(request.user, **payload.dict())))


@router.get("/courses/{course_id}", response=answers(TrainingCourseDetailOut, 403, 404, 422), summary="一门课程及其材料")
def course(request, course_id: Id):
    c = services.get_course(request.user, course_id)
    return {**_course(c), "materials": [_material(m) for m in c.materials.all()]}


class TrainingMaterialIn(Schema):
    title: str = field(Material, "title")
    body: str = Field("", max_length=20000, title="正文")


@router.post("/courses/{course_id}/materials", response=answers(TrainingMaterialOut, 400, 403, 404, 422, status=201),
             summary="添加课程材料（multipart：title、body 和可选的附件 file）")
def add_material(request, course_id: Id, payload: Form[TrainingMaterialIn], file: File[UploadedFile] = None):
    upload = (file.name, file.read()) if file is not None else None
    return Status(201, _material(services.add_material(request.user, course_id, payload.title, payload.body, upload)))


# ---------------------------------------------------------------- banks


class TrainingBankIn(Schema):
    title: str = field(Bank, "title")
    unit: str | None = Field(None, max_length=40, title="所属辖区代码（默认本人所在辖区）")


class TrainingBankOut(Schema):
    id: int
    title: str
    unit: str
    questions: int


class TrainingImportOut(Schema):
    imported: int
    questions: int


def _bank(b: Bank) -> dict:
    return {"id": b.pk, "title": b.title, "unit": b.scope_key, "questions": b.questions.count()}


@router.post("/banks", response=answers(TrainingBankOut, 400, 403, 404, 422, status=201), summary="新建题库")
def create_bank(request, payload: TrainingBankIn):
    return Status(201, _bank(services.create_bank(request.user, payload.title, payload.unit)))


@router.get("/banks/template", response=answers(None, 403), summary="题库导入模板（Excel）",
            openapi_extra=binary("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
def bank_template(request):
    require(request.user, services.MANAGE)
    data, ctype = services.template()
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = 'attachment; filename="question-bank-template.xlsx"'
    return resp


@router.post("/banks/{bank_id}/import", response=answers(TrainingImportOut, 400, 403, 404, 413, 422),
             summary="导入试题：请求体为 xlsx 或 CSV 文件（或 multipart 的 file 字段）；先校验每一行，有错误则不写入"
                     "（400 import_rejected，errors 逐行列出）",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def import_questions(request, bank_id: Id):
    from gridgov.basedata.importing import read_upload

    require(request.user, services.MANAGE)
    data, name = read_upload(request)
    made = services.import_questions(request.user, bank_id, data, name)
    return {"imported": len(made), "questions": Bank.objects.get(pk=bank_id).questions.count()}


# ---------------------------------------------------------------- exams and attempts


class TrainingExamIn(Schema):
    course: Id
    bank: Id
    title: str = field(Exam, "title")
    question_count: int = Field(ge=1, le=200, title="抽题数")
    minutes: int = Field(ge=1, le=600, title="限时（分钟）")
    pass_mark: int = Field(ge=1, le=20000, title="合格分数")


class TrainingExamOut(Schema):
    id: int
    course: int
    title: str
    question_count: int
    minutes: int
    pass_mark: int


def _exam(e: Exam) -> dict:
    return {"id": e.pk, "course": e.course_id, "title": e.title, "question_count": e.question_count,
            "minutes": e.minutes, "pass_mark": e.pass_mark}


@router.get("/exams", response=answers(page_of(TrainingExamOut), 403, 422), summary="本人可参加的考试")
def exams(request, page: Query[PageIn]):
    return paginate(services.exams(request.user).order_by("-created_at", "-id"), page, _exam)


@router.post("/exams", response=answers(TrainingExamOut, 400, 403, 404, 422, status=201), summary="新建考试")
def create_exam(request, payload: TrainingExamIn):
    return Status(201, _exam(services.create_exam(request.user, payload.course, payload.bank, payload.title,
                                                  payload.question_count, payload.minutes, payload.pass_mark)))


class TrainingQuestionOut(Schema):
    id: int
    kind: str
    text: str
    options: list[str]
    points: int
    given: str | None = Field(None, description="已保存的答案")
    answer: str | None = Field(None, description="标准答案（交卷后才显示）")


class TrainingAttemptOut(Schema):
    id: int
    exam: int
    person: str
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime
    finished_at: dt.datetime | None
    score: int | None
    max_score: int | None
    passed: bool | None
    questions: list[TrainingQuestionOut] | None = Field(None, description="试题（本人的考试）")


def _attempt(a: Attempt, with_questions: bool = False) -> dict:
    out = {"id": a.pk, "exam": a.exam_id, "person": str(a.user), "number": a.number, "status": a.status,
           "started_at": a.started_at, "deadline": a.deadline, "finished_at": a.finished_at, "score": a.score,
           "max_score": a.max_score, "passed": a.passed}
    if with_questions:
        done = a.status != "in_progress"
        out["questions"] = [{"id": q.pk, "kind": q.kind, "text": q.text, "options": q.options, "points": q.points,
                             "given": a.answers.get(str(q.pk)), "answer": q.answer if done else None}
                            for q in services.questions_of(a)]
    return out


@router.post("/exams/{exam_id}/attempts", response=answers(TrainingAttemptOut, 403, 404, 409, 422, status=201),
             summary="开始考试（已有进行中的考试时返回它）；服务器按限时设定截止时间")
def start(request, exam_id: Id):
    return Status(201, _attempt(services.start(request.user, exam_id), with_questions=True))


@router.get("/attempts/{attempt_id}", response=answers(TrainingAttemptOut, 403, 404, 422), summary="一次考试")
def attempt(request, attempt_id: Id):
    a = services.get_attempt(request.user, attempt_id)
    return _attempt(a, with_questions=a.user_id == request.user.pk)


class TrainingAnswersIn(Schema):
    answers: dict[str, Answer] = Field(max_length=500, title="答案（试题编号 → 答案；空字符串清除）")


@router.put("/attempts/{attempt_id}/answers", response=answers(TrainingAttemptOut, 400, 403, 404, 409, 422),
            summary="保存答案（截止时间前）")
def save_answers(request, attempt_id: Id, payload: TrainingAnswersIn):
    return _attempt(services.save_answers(request.user, attempt_id, payload.answers), with_questions=True)


class TrainingSubmitIn(Schema):
    answers: dict[str, Answer] = Field({}, max_length=500, title="最后的答案（可省略：按已保存的答案）")


@router.post("/attempts/{attempt_id}/submit", response=answers(TrainingAttemptOut, 400, 403, 404, 409, 422),
             summary="交卷并自动评分；重复交卷（attempt_closed）和超时交卷（attempt_expired）被拒绝")
def submit(request, attempt_id: Id, payload: TrainingSubmitIn):
    return _attempt(services.submit(request.user, attempt_id, payload.answers), with_questions=True)


@router.get("/attempts/{attempt_id}/certificate", response=answers(None, 403, 404, 409, 422),
            summary="合格证书（PDF）", openapi_extra=binary("application/pdf"))
def certificate(request, attempt_id: Id):
    data, name = services.certificate(request.user, attempt_id)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@router.get("/results", response=answers(page_of(TrainingAttemptOut), 403, 422), summary="本辖区的考试成绩（管理者）")
def results(request, page: Query[PageIn], exam: Id | None = None):
    return paginate(services.results(request.user, exam), page, _attempt)


# ---------------------------------------------------------------- sessions and records


class TrainingSessionIn(Schema):
    held_on: dt.date = Field(title="培训日期")
    title: str = Field(min_length=1, max_length=200, title="培训主题")
    kind: TrainingKind = Field(title="培训范围（whole 全体网格员 / partial 部分网格员）")
    attendees: list[Account] = Field(min_length=1, max_length=2000, title="参训人员账号")
    street: str | None = Field(None, max_length=9, title="镇街代码（默认本人所在镇街）")
    course: Id | None = None


class TrainingSessionOut(Schema):
    id: int
    held_on: dt.date
    title: str
    kind: str
    street: str
    attendees: int
    ledger: int = Field(description="考评台账中的培训记录编号")
    ledger_status: str = Field(description="台账状态：submitted 待确认 / confirmed 已确认 / rejected 不予认定")


def _session(s: Session) -> dict:
    t = s.ledger
    return {"id": s.pk, "held_on": t.held_on, "title": t.title, "kind": t.kind, "street": t.scope_key,
            "attendees": t.attendees, "ledger": t.pk, "ledger_status": t.status}


@router.get("/sessions", response=answers(page_of(TrainingSessionOut), 403, 422),
            summary="培训场次（管理者：本辖区；其他人：本人参加的）")
def sessions(request, page: Query[PageIn]):
    return paginate(services.sessions(request.user), page, _session)


@router.post("/sessions", response=answers(TrainingSessionOut, 400, 403, 404, 422, status=201),
             summary="登记培训场次（同时记入考评台账的培训记录，待中心确认）")
def record_session(request, payload: TrainingSessionIn):
    return Status(201, _session(services.record_session(
        request.user, payload.held_on, payload.title, payload.kind, payload.attendees, payload.street,
        payload.course)))


class TrainingRecordOut(Schema):
    person: str
    post: str
    sessions: list[TrainingSessionOut]
    attempts: list[TrainingAttemptOut]


@router.get("/records/{person_id}", response=answers(TrainingRecordOut, 403, 404, 422),
            summary="培训档案：参加的培训场次和考试成绩（本人；管理者：本辖区人员）")
def record(request, person_id: Id):
    r = services.record(request.user, person_id)
    return {"person": str(r["person"]), "post": r["person"].role_label,
            "sessions": [_session(s) for s in r["sessions"]], "attempts": [_attempt(a) for a in r["attempts"]]}
