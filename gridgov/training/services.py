"""培训考试: every write (courses, materials, banks and their Excel import, exams, attempts, sessions) and every read.

Rights: ``training.view`` (every staff post) reads the courses and exams offered to its post and place, takes the
exams, and reads its own attempts, certificates and record; ``training.manage`` (值班长, a street's 督导员,
administrator) writes within its own subtree and reads the results and records of its scope. Each write owns its
transaction and is audited; a refused write leaves the database unchanged.

Time (seed 002 「定期培训和考核」; issue #17 「an exam cannot be submitted twice or after its time」): the server sets
an attempt's deadline when it starts (start + the exam's minutes). Answers are saved and submitted only before it;
a save or a submission after it is refused (``attempt_expired``) and the attempt is closed by the server as
**expired, marked with the answers saved before the deadline** (the late answers are not taken). An attempt whose
deadline has passed is closed the same way the first time anyone reads it (its owner's page, the results list).
A second submission is refused (``attempt_closed``).
"""

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov import spreadsheets
from gridgov.accounts import roles
from gridgov.accounts.models import User
from gridgov.accounts.scope import OutOfScope, in_scope, require, scope_prefix
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.geo.models import Jurisdiction

from .logic import marking, sheet
from .models import Attempt, AttemptStatus, Bank, Course, Exam, Material, Question, Session

VIEW, MANAGE = roles.TRAINING_VIEW, roles.TRAINING_MANAGE
STAFF_POSTS = [r.value for r in roles.Role if r != roles.Role.RESIDENT]
MATERIAL_MAX_BYTES = 20 * 1024 * 1024
MATERIAL_SUFFIXES = (".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx", ".txt", ".jpg", ".jpeg", ".png", ".mp4")
LIMITS = {"question_count": (1, 200, "抽题数"), "minutes": (1, 600, "限时（分钟）"), "pass_mark": (1, 20000, "合格分数")}


def is_manager(user) -> bool:
    return user.is_superuser or roles.has_right(user.role, MANAGE)


def _text(value, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("invalid_input", f"请填写{label}")
    if len(value) > limit:
        raise DomainError("invalid_input", f"{label}不能超过 {limit} 个字")
    if "\x00" in value:
        raise DomainError("invalid_input", f"{label}含有不允许的字符")
    return value


def _prefix(user) -> str:
    p = scope_prefix(user)
    if p is None:
        raise OutOfScope()
    return p


def _covering(prefix: str) -> list[str]:
    """Every key that covers ``prefix`` (the jurisdiction codes above a person and their own node)."""
    return [prefix[:n] for n in range(1, len(prefix) + 1)]


# ---------------------------------------------------------------- courses and materials


def courses(user):
    """The courses offered to the user's post and place; a manager also every course of its subtree."""
    require(user, VIEW)
    prefix = _prefix(user)
    offered = Q(scope_key__in=_covering(prefix)) & (Q(posts="") | Q(posts__contains=f",{user.role},"))
    if user.is_superuser:
        offered = Q()
    elif is_manager(user):
        offered |= Q(scope_key__startswith=prefix)
    return Course.objects.filter(offered)


def get_course(user, pk: int) -> Course:
    c = courses(user).filter(pk=pk).first()
    if c is None:
        raise OutOfScope()
    return c


def _managed(user, obj, scope_key: str):
    """``obj`` when it lies in the manager's own subtree (a street's 督导员 does not change the district's)."""
    require(user, MANAGE)
    if not in_scope(user, scope_key):
        raise Forbidden("not_your_unit", "只能管理本辖区的培训内容")
    return obj


def _jurisdiction(user, code: str | None) -> str:
    code = (code or "").strip() or _prefix(user)
    if "\x00" in code or not Jurisdiction.objects.filter(code=code).exists() or not in_scope(user, code):
        raise NotFound("unknown_unit", f"辖区「{code[:40]}」不存在或不在您的管辖范围内")
    return code


COURSE_FIELDS = ("title", "scope_key", "posts")


@transaction.atomic
def create_course(user, title: str, summary: str = "", unit: str | None = None, posts: list[str] | None = None
                  ) -> Course:
    require(user, MANAGE)
    posts = list(dict.fromkeys(posts or []))
    bad = [p for p in posts if p not in STAFF_POSTS]
    if bad:
        raise DomainError("invalid_post", f"岗位「{bad[0][:20]}」不存在（可选：{'、'.join(STAFF_POSTS)}）")
    c = Course(title=_text(title, "课程名称", 200), summary=_text(summary, "课程简介", 2000, required=False),
               scope_key=_jurisdiction(user, unit), posts=f",{','.join(posts)}," if posts else "", created_by=user)
    c.save()
    audit.record(user, "create", "training_course", c.pk, after=audit.values(c, COURSE_FIELDS))
    return c


@transaction.atomic
def add_material(user, course_id: int, title: str, body: str = "", upload: tuple[str, bytes] | None = None
                 ) -> Material:
    """A text and/or a file (kept through Django's default storage) for a course of one's own subtree."""
    c = get_course(user, course_id)
    _managed(user, c, c.scope_key)
    body = _text(body, "正文", 20000, required=False)
    if not body and upload is None:
        raise DomainError("material_empty", "请填写正文或上传附件")
    m = Material(course=c, title=_text(title, "材料名称", 200), body=body,
                 position=c.materials.count() + 1)
    if upload is not None:
        name, data = upload
        name = os.path.basename(name or "").replace("\x00", "")[-200:] or "附件"
        suffix = os.path.splitext(name)[1].lower()
        if suffix not in MATERIAL_SUFFIXES:
            raise DomainError("material_type", f"附件「{name}」的类型不支持（可上传 {' '.join(MATERIAL_SUFFIXES)}）")
        if not data:
            raise DomainError("material_empty", f"附件「{name}」是空文件")
        if len(data) > MATERIAL_MAX_BYTES:
            raise DomainError("material_too_large", f"附件「{name}」超过 {MATERIAL_MAX_BYTES // 1024 // 1024} MB")
        m.file_name = name
        m.file.save(f"{c.pk}{suffix}", ContentFile(data), save=False)  # the storage picks a free name
    m.save()
    audit.record(user, "create", "training_material", m.pk,
                 after={**audit.values(m, ("course", "title", "file_name")), "file": m.file.name})
    return m


def get_material(user, pk: int) -> Material:
    m = Material.objects.filter(pk=pk, course__in=courses(user)).select_related("course").first()
    if m is None:
        raise OutOfScope()
    return m


# ---------------------------------------------------------------- question banks


def banks(user):
    """The banks a manager may draw exams from: those of its subtree and those covering it."""
    require(user, MANAGE)
    if user.is_superuser:
        return Bank.objects.all()
    prefix = _prefix(user)
    return Bank.objects.filter(Q(scope_key__in=_covering(prefix)) | Q(scope_key__startswith=prefix))


def get_bank(user, pk: int) -> Bank:
    b = banks(user).filter(pk=pk).first()
    if b is None:
        raise OutOfScope()
    return b


@transaction.atomic
def create_bank(user, title: str, unit: str | None = None) -> Bank:
    require(user, MANAGE)
    b = Bank(title=_text(title, "题库名称", 200), scope_key=_jurisdiction(user, unit), created_by=user)
    b.save()
    audit.record(user, "create", "training_bank", b.pk, after=audit.values(b, ("title", "scope_key")))
    return b


def template() -> tuple[bytes, str]:
    """The Excel template of a question bank: the header and three example rows."""
    return spreadsheets.write("xlsx", sheet.HEADER, sheet.EXAMPLE, title="试题")


@transaction.atomic
def import_questions(user, bank_id: int, data: bytes, file_name: str = "") -> list[Question]:
    """Every row of the sheet checked first; any bad row: ``import_rejected`` naming each row, nothing written."""
    from gridgov.basedata.importing import read_table

    b = get_bank(user, bank_id)
    _managed(user, b, b.scope_key)
    parsed, errors = sheet.parse(read_table(data, file_name))
    if errors:
        raise DomainError("import_rejected", f"有 {len(errors)} 行有误，未导入任何试题：" + "；".join(errors[:20]),
                          errors=errors)
    made = Question.objects.bulk_create([Question(bank=b, kind=p.kind, text=p.text, options=p.options,
                                                  answer=p.answer, points=p.points) for p in parsed])
    audit.record(user, "import", "training_bank", b.pk, after={"questions": len(made)})
    return made


# ---------------------------------------------------------------- exams


def exams(user):
    return Exam.objects.filter(course__in=courses(user))


def get_exam(user, pk: int) -> Exam:
    e = exams(user).filter(pk=pk).select_related("course", "bank").first()
    if e is None:
        raise OutOfScope()
    return e


EXAM_FIELDS = ("course", "bank", "title", "question_count", "minutes", "pass_mark")


@transaction.atomic
def create_exam(user, course_id: int, bank_id: int, title: str, question_count: int, minutes: int,
                pass_mark: int) -> Exam:
    c = get_course(user, course_id)
    _managed(user, c, c.scope_key)
    b = get_bank(user, bank_id)
    values = {"question_count": question_count, "minutes": minutes, "pass_mark": pass_mark}
    for name, value in values.items():
        lo, hi, label = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise DomainError("invalid_input", f"{label}应为 {lo}～{hi} 的整数")
    have = b.questions.count()
    if have < question_count:
        raise DomainError("bank_too_small", f"题库「{b.title}」只有 {have} 道题，不够抽取 {question_count} 道")
    e = Exam(course=c, bank=b, title=_text(title, "考试名称", 200), created_by=user, **values)
    e.save()
    audit.record(user, "create", "training_exam", e.pk, after=audit.values(e, EXAM_FIELDS))
    return e


# ---------------------------------------------------------------- attempts

ATTEMPT_FIELDS = ("exam", "user", "number", "deadline")
MARK_FIELDS = ("status", "finished_at", "score", "max_score", "passed")


def questions_of(a: Attempt) -> list[Question]:
    """The attempt's questions in the order drawn."""
    by_id = Question.objects.in_bulk(a.question_ids)
    return [by_id[i] for i in a.question_ids if i in by_id]


def _mark(a: Attempt, status: str, finished_at: dt.datetime) -> None:
    items = {q.pk: marking.Item(q.kind, q.answer, q.points, len(q.options)) for q in questions_of(a)}
    a.score, a.max_score = marking.mark(items, {int(k): v for k, v in a.answers.items()})
    a.passed = a.score >= a.exam.pass_mark
    a.status, a.finished_at = status, finished_at


def _settle(attempt_id: int) -> None:
    """Close an attempt whose deadline has passed: expired, marked with the answers saved before it (by the system)."""
    with transaction.atomic():
        a = Attempt.objects.select_for_update().select_related("exam").filter(pk=attempt_id).first()
        if a is None or a.status != AttemptStatus.IN_PROGRESS or timezone.now() < a.deadline:
            return
        _mark(a, AttemptStatus.EXPIRED, a.deadline)
        a.save()
        audit.record(None, "expire", "training_attempt", a.pk, after=audit.values(a, MARK_FIELDS))


def settle_overdue(qs) -> None:
    for pk in qs.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=timezone.now()).values_list("pk", flat=True):
        _settle(pk)


def start(user, exam_id: int) -> Attempt:
    """Start (or go on with) the user's attempt: the paper drawn with the seed ``exam:person:number``, the deadline
    set by the server. One attempt at a time; none after a pass."""
    e = get_exam(user, exam_id)
    settle_overdue(Attempt.objects.filter(exam=e, user=user))
    with transaction.atomic():
        mine = Attempt.objects.filter(exam=e, user=user)  # two starts at once: the unique number refuses one
        current = mine.filter(status=AttemptStatus.IN_PROGRESS).first()
        if current is not None:
            return current
        if mine.filter(passed=True).exists():
            raise Conflict("exam_passed", f"您已通过考试「{e.title}」，无需再考")
        ids = list(e.bank.questions.values_list("pk", flat=True))
        if len(ids) < e.question_count:
            raise Conflict("bank_too_small", f"题库只有 {len(ids)} 道题，不够抽取 {e.question_count} 道，请联系管理员")
        number = mine.count() + 1
        seed = marking.seed_of(e.pk, user.pk, number)
        now = timezone.now()
        a = Attempt(exam=e, user=user, number=number, scope_key=_prefix(user), seed=seed,
                    question_ids=marking.draw(ids, e.question_count, seed), started_at=now,
                    deadline=now + dt.timedelta(minutes=e.minutes))
        try:
            with transaction.atomic():
                a.save()
        except IntegrityError:
            raise Conflict("attempt_started", "考试已经开始，请刷新页面") from None
        audit.record(user, "start", "training_attempt", a.pk, after=audit.values(a, ATTEMPT_FIELDS))
        return a


def attempts(user):
    """The attempts a user may read: their own, and a manager's whole scope."""
    require(user, VIEW)
    if user.is_superuser:
        return Attempt.objects.all()
    own = Q(user=user)
    if is_manager(user):
        own |= Q(scope_key__startswith=_prefix(user))
    return Attempt.objects.filter(own)


def get_attempt(user, pk: int) -> Attempt:
    if attempts(user).filter(pk=pk, status=AttemptStatus.IN_PROGRESS, deadline__lte=timezone.now()).exists():
        _settle(pk)
    a = attempts(user).filter(pk=pk).select_related("exam", "exam__course", "user").first()
    if a is None:
        raise OutOfScope()
    return a


def _answers(a: Attempt, given: dict) -> dict[str, str]:
    """The saved answers with ``given`` (question id → answer; '' clears one) checked and merged in."""
    by_id = {q.pk: q for q in questions_of(a)}
    out = dict(a.answers)
    for key, value in given.items():
        try:
            q = by_id[int(key)]
        except (KeyError, ValueError):
            raise DomainError("unknown_question", f"试题「{str(key)[:20]}」不在本次考试中") from None
        if value in (None, ""):
            out.pop(str(q.pk), None)
            continue
        norm = marking.normalise(q.kind, str(value)[:20], len(q.options))
        if norm is None:
            raise DomainError("invalid_answer", f"第 {a.question_ids.index(q.pk) + 1} 题的答案「{str(value)[:20]}」无效")
        out[str(q.pk)] = norm
    return out


def _write(user, pk: int, given: dict, final: bool) -> Attempt:
    expired = False
    with transaction.atomic():
        a = attempts(user).select_for_update().filter(pk=pk).first()
        if a is None:
            raise OutOfScope()
        if a.user_id != user.pk:
            raise Forbidden("not_your_attempt", "只能由考生本人作答")
        a.exam = Exam.objects.get(pk=a.exam_id)
        if a.status == AttemptStatus.EXPIRED:
            raise _late(a, final)
        if a.status != AttemptStatus.IN_PROGRESS:
            raise Conflict("attempt_closed", "本次考试已经交卷，不能重复提交" if final else "本次考试已经结束，不能再修改答案")
        now = timezone.now()
        if now >= a.deadline:
            expired = True
        else:
            a.answers = _answers(a, given)
            if final:
                _mark(a, AttemptStatus.SUBMITTED, now)
                a.save()
                audit.record(user, "submit", "training_attempt", a.pk, after=audit.values(a, MARK_FIELDS))
            else:
                a.save(update_fields=["answers"])
                audit.record(user, "answer", "training_attempt", a.pk, after={"answered": len(a.answers)})
    if expired:  # the server closes it as it stood at the deadline, then refuses what came late
        _settle(pk)
        raise _late(a, final)
    return a


def _late(a: Attempt, final: bool) -> Conflict:
    at = timezone.localtime(a.deadline).strftime("%Y-%m-%d %H:%M:%S")
    return Conflict("attempt_expired", f"考试时间已于 {at} 截止，{'交卷' if final else '保存答案'}未被接受；"
                                       "已按截止前保存的答案评分")


def save_answers(user, pk: int, given: dict) -> Attempt:
    return _write(user, pk, given, final=False)


def submit(user, pk: int, given: dict | None = None) -> Attempt:
    return _write(user, pk, given or {}, final=True)


def certificate(user, pk: int) -> tuple[bytes, str]:
    """The PDF 合格证书 of a passed attempt (its owner, or a manager of its scope)."""
    from .certificate import render

    a = get_attempt(user, pk)
    if not a.passed:
        raise Conflict("not_passed", "考试合格后才能下载合格证书")
    return render(a), f"certificate-{a.certificate_number}.pdf"


def results(user, exam_id: int | None = None):
    """Every attempt of the manager's scope (overdue ones closed first)."""
    require(user, MANAGE)
    qs = attempts(user)
    if exam_id:
        qs = qs.filter(exam_id=exam_id)
    settle_overdue(qs)
    return qs.select_related("exam", "user").order_by("-started_at", "-id")


# ---------------------------------------------------------------- sessions and records


@transaction.atomic
def record_session(user, held_on: dt.date, title: str, kind: str, attendees: list[str], street: str | None = None,
                   course_id: int | None = None) -> Session:
    """A training held (全体 whole / 部分 partial, 003 篇7 专业化): its register row is written to the assessment's
    training register (``ledgers.services.submit_training``: date, title, kind, number of attendees, confirmed later
    by the centre); the session keeps who attended (accounts of the street)."""
    from gridgov.ledgers import services as ledgers

    require(user, MANAGE)
    names = list(dict.fromkeys(n.strip() for n in attendees if n and n.strip()))
    if not names:
        raise DomainError("no_attendees", "请填写参训人员（账号）")
    if any("\x00" in n or len(n) > 150 for n in names):
        raise DomainError("unknown_attendee", "参训人员账号含有不允许的字符或过长")
    title = _text(title, "培训主题", 200)
    course = get_course(user, course_id) if course_id else None
    t = ledgers.submit_training(user, held_on, title, kind, len(names), evidence="培训考试：签到名单见培训场次",
                                street_code=street)
    people = {u.username: u for u in User.objects.filter(username__in=names[:2000], is_active=True)}
    for n in names:
        u = people.get(n)
        if u is None or u.role == roles.Role.RESIDENT or not (u.node_key or "").startswith(t.scope_key):
            raise DomainError("unknown_attendee", f"参训人员「{n[:40]}」不存在或不是{t.unit_name}的工作人员")
    s = Session.objects.create(ledger=t, course=course)
    s.attendees.set(people.values())
    audit.record(user, "create", "training_session", s.pk,
                 after={"ledger": t.pk, "course": course.pk if course else None, "attendees": len(people)})
    return s


def sessions(user):
    """A manager: the sessions of its scope; anyone: the sessions they attended."""
    require(user, VIEW)
    if user.is_superuser:
        qs = Session.objects.all()
    elif is_manager(user):
        qs = Session.objects.filter(Q(ledger__scope_key__startswith=_prefix(user)) | Q(attendees=user)).distinct()
    else:
        qs = Session.objects.filter(attendees=user)
    return qs.select_related("ledger", "course")


def person(user, person_id: int) -> User:
    """The person whose record is asked for: oneself, or someone of a manager's scope."""
    require(user, VIEW)
    p = User.objects.filter(pk=person_id).exclude(role=roles.Role.RESIDENT).first()
    if p is None or not (p.pk == user.pk or (is_manager(user) and in_scope(user, p.node_key or "\x00"))):
        raise OutOfScope()
    return p


def record(user, person_id: int) -> dict:
    """培训档案: the sessions a person attended and their finished attempts (passed ones first)."""
    p = person(user, person_id)
    done = Attempt.objects.filter(user=p)
    settle_overdue(done)
    return {"person": p,
            "sessions": list(Session.objects.filter(attendees=p).select_related("ledger", "course")),
            "attempts": list(done.exclude(status=AttemptStatus.IN_PROGRESS).select_related("exam")
                             .order_by("-passed", "-finished_at"))}
