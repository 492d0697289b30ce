"""Pages of 培训考试 (/training/): one's courses and exams, taking an exam (answers saved on the server, the
server's deadline shown), the result and the certificate, one's training record; for managers the question banks
(Excel import), the results and the training sessions (which enter the assessment's training register).

Server-rendered, no script of its own; every write is a form posted to a view that calls ``services``; a refused
write shows the service's Chinese message and writes nothing.
"""

import datetime as dt

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov import pages
from gridgov.accounts.roles import ROLE_LABELS, Role
from gridgov.errors import DomainError
from gridgov.ledgers.models import TrainingKind
from gridgov.pages import has, page

from . import services
from .models import AttemptStatus, QuestionKind

VIEW, MANAGE = services.VIEW, services.MANAGE


def render_page(request, template, context=None, status=200):
    """The page with what the training menu needs (whether the user manages)."""
    return pages.render_page(request, template, {"manager": has(request.user, MANAGE), **(context or {})}, status)


def _error(request, e: DomainError, back: str):
    return render_page(request, "training/error.html", {"message": e.message, "back": back}, status=e.status)


@page(VIEW)
def home(request):
    u = request.user
    mine = {}
    for a in services.attempts(u).filter(user=u).order_by("started_at", "id"):
        mine[a.exam_id] = a  # the latest attempt of each exam
    exams = [(e, mine.get(e.pk)) for e in services.exams(u).select_related("course").order_by("-created_at", "-id")]
    return render_page(request, "training/home.html", {
        "courses": services.courses(u).order_by("-created_at", "-id")[:100], "exams": exams})


@page(VIEW)
def course(request, pk: int):
    c = services.get_course(request.user, pk)
    return render_page(request, "training/course.html", {
        "c": c, "materials": list(c.materials.all()), "exams": list(c.exams.all())})


@page(VIEW)
def material_file(request, pk: int):
    m = services.get_material(request.user, pk)
    if not m.file:
        return render_page(request, "not_found.html", status=404)
    return FileResponse(m.file.open("rb"), as_attachment=True, filename=m.file_name or "附件")


@require_POST
@page(VIEW)
def start(request, pk: int):
    try:
        a = services.start(request.user, pk)
    except DomainError as e:
        return _error(request, e, "/training/")
    return redirect(f"/training/attempts/{a.pk}/")


def _given(request, a) -> dict[str, str]:
    return {str(q.pk): "".join(request.POST.getlist(f"q{q.pk}")) for q in services.questions_of(a)}


@page(VIEW)
def attempt(request, pk: int):
    a = services.get_attempt(request.user, pk)
    back = f"/training/attempts/{pk}/"
    message = ""
    if request.method == "POST":
        final = request.POST.get("action") == "submit"
        try:
            (services.submit if final else services.save_answers)(request.user, pk, _given(request, a))
        except DomainError as e:
            return _error(request, e, back)
        if not final:
            message = "答案已保存。"
        a = services.get_attempt(request.user, pk)
    done = a.status != AttemptStatus.IN_PROGRESS
    rows = [(i, q, a.answers.get(str(q.pk), ""), [(chr(65 + j), o) for j, o in enumerate(q.options)])
            for i, q in enumerate(services.questions_of(a), 1)]
    return render_page(request, "training/attempt.html", {
        "a": a, "rows": rows, "done": done, "own": a.user_id == request.user.pk, "message": message,
        "kinds": QuestionKind, "left": max(0, int((a.deadline - timezone.now()).total_seconds() // 60))})


@page(VIEW)
def certificate(request, pk: int):
    try:
        data, name = services.certificate(request.user, pk)
    except DomainError as e:
        return _error(request, e, f"/training/attempts/{pk}/")
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _int(value: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_input", f"{label}应为整数") from None


@page(MANAGE)
def manage(request):
    """课程与考试: a new course, a material (text and/or a file) for a course, a new exam."""
    u, p = request.user, request.POST
    ctx, status = {"posts": [(r.value, ROLE_LABELS[r]) for r in Role if r != Role.RESIDENT], "form": p}, 200
    if request.method == "POST":
        action = p.get("action")
        try:
            if action == "course":
                c = services.create_course(u, p.get("title", ""), p.get("summary", ""), p.get("unit") or None,
                                           p.getlist("posts"))
                ctx["done"] = f"已新建课程「{c.title}」"
            elif action == "material":
                f = request.FILES.get("file")
                m = services.add_material(u, _int(p.get("course"), "课程"), p.get("title", ""), p.get("body", ""),
                                          (f.name, f.read()) if f else None)
                ctx["done"] = f"已添加材料「{m.title}」"
            elif action == "exam":
                e = services.create_exam(u, _int(p.get("course"), "课程"), _int(p.get("bank"), "题库"),
                                         p.get("title", ""), _int(p.get("question_count"), "抽题数"),
                                         _int(p.get("minutes"), "限时"), _int(p.get("pass_mark"), "合格分数"))
                ctx["done"] = f"已新建考试「{e.title}」"
        except DomainError as e:
            ctx["error"], ctx["failed"], status = e.message, action, e.status
        else:
            ctx["form"] = {}
    ctx["courses"] = services.courses(u).order_by("-created_at", "-id")[:200]
    ctx["banks"] = services.banks(u)[:200]
    return render_page(request, "training/manage.html", ctx, status=status)


@page(MANAGE)
def banks(request):
    if request.method == "POST":
        try:
            b = services.create_bank(request.user, request.POST.get("title", ""))
        except DomainError as e:
            return _error(request, e, "/training/banks/")
        return redirect(f"/training/banks/{b.pk}/")
    return render_page(request, "training/banks.html", {"banks": services.banks(request.user)[:200]})


@page(MANAGE)
def bank_template(request):
    data, ctype = services.template()
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = 'attachment; filename="question-bank-template.xlsx"'
    return resp


@page(MANAGE)
def bank(request, pk: int):
    b = services.get_bank(request.user, pk)
    ctx, status = {"b": b}, 200
    if request.method == "POST":
        from gridgov.basedata.importing import read_upload

        try:
            if not request.FILES.get("file"):
                raise DomainError("no_file", "请选择要导入的 Excel 文件")
            data, name = read_upload(request)
            ctx["imported"] = len(services.import_questions(request.user, pk, data, name))
        except DomainError as e:
            ctx["error"], ctx["errors"], status = e.message.split("：")[0], e.details.get("errors", [e.message]), e.status
    ctx["questions"] = list(b.questions.all())
    return render_page(request, "training/bank.html", ctx, status=status)


@page(MANAGE)
def results(request):
    return render_page(request, "training/results.html", {"attempts": services.results(request.user)[:500]})


@page(VIEW)
def sessions(request):
    ctx, status = {"kinds": TrainingKind.choices, "manager": has(request.user, MANAGE),
                   "today": timezone.localdate(), "form": {}}, 200
    if request.method == "POST" and ctx["manager"]:
        p = request.POST
        try:
            try:
                held_on = dt.date.fromisoformat(p.get("held_on", ""))
            except ValueError:
                raise DomainError("invalid_date", "培训日期格式不正确（应为 YYYY-MM-DD）") from None
            names = p.get("attendees", "").replace("，", ",").replace("\n", ",").split(",")
            services.record_session(request.user, held_on, p.get("title", ""), p.get("kind", ""), names,
                                    p.get("street") or None)
        except DomainError as e:
            ctx.update(error=e.message, form=p)
            status = e.status
        else:
            return redirect("/training/sessions/")
    ctx["sessions"] = [(s, s.attendees.count()) for s in services.sessions(request.user)[:200]]
    return render_page(request, "training/sessions.html", ctx, status=status)


@page(VIEW)
def person(request, pk: int):
    return render_page(request, "training/person.html", services.record(request.user, pk))
