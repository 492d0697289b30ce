"""The only writer of campaigns (专项行动), tasks (专项工作), progress reports, drills (演练) and meetings (例会).

Each public write owns its transaction, checks the right and the scope, writes, re-checks the saved row and
appends its audit record; a refused request raises before anything is written. Notifications go to the inbox
(``gridgov.notify``) in the same transaction. Reads go through the scoping primitive (``accounts.scope``).

Who acts for a unit (答复任务、上报进展): the people bound to it — a department's staff for a department, the accounts
bound to exactly that node (a street's 网格督导员, a community's 网格长, a grid's 网格员) — and the administrator
within scope. Who decides on feedback (通过 / 退回): the people of the issuing office, in the same way.
"""

import datetime as dt
import mimetypes
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov import limits
from gridgov.accounts import roles
from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import OutOfScope, in_scope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.notify import services as notify

from .logic import late
from .models import (
    Campaign,
    Drill,
    DrillAction,
    DrillKind,
    DrillPhoto,
    IssuedTask,
    Meeting,
    MeetingMember,
    Phase,
    PhaseKind,
    Report,
    Task,
    TaskStatus,
    Unit,
)

VIEW, ISSUE, REPORT, ORGANISE = roles.TASKS_VIEW, roles.TASKS_ISSUE, roles.TASKS_REPORT, roles.TASKS_ORGANISE
ATTACHMENT_TYPES = {"application/pdf": ".pdf"}
MAX_UNITS = 200
MAX_FIGURES = 30


def today() -> dt.date:
    return timezone.localdate()


EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _in_range(*days) -> None:
    """Dates of campaigns, phases, tasks, drills and meetings: between 2000 and 2099 (nothing else is plausible, and a
    campaign's months are enumerated)."""
    for d in days:
        if d is not None and not EARLIEST <= (d.date() if isinstance(d, dt.datetime) else d) <= LATEST:
            raise DomainError("date_out_of_range", f"日期 {d:%Y-%m-%d} 超出范围（应在 2000—2099 年之间）")


def _text(value, model, name: str, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("invalid_input", required)
    limits.check_value(model, name, value)
    return value


# ---------------------------------------------------------------- offices and units


@dataclass(frozen=True)
class Office:
    """A node of the tree (``key`` is its code) or a department (``key`` is its district's code)."""

    key: str
    name: str
    department: Department | None = None

    @property
    def code(self) -> str:
        return self.department.code if self.department else self.key


def resolve(code: str) -> Office:
    """A unit or office by its code: a department code (110101-HW), a jurisdiction code or a management grid."""
    from gridgov.geo.models import Grid, Jurisdiction

    code = (code or "").strip()
    dept = Department.objects.select_related("district").filter(code=code).first() if code else None
    if dept is not None:
        return Office(dept.scope_key, dept.name, dept)
    node = Jurisdiction.objects.filter(code=code).only("code", "name").first() if code else None
    if node is not None:
        return Office(node.code, node.name)
    grid = Grid.objects.filter(layer__code="management", code=code).only("code", "name").first() if code else None
    if grid is not None:
        return Office(grid.code, grid.name or grid.code)
    raise DomainError("unknown_unit", f"没有编码为「{code[:40]}」的单位（应为部门编码、区划代码或管理网格编码）")


def own_office(user) -> Office:
    """The office a user works for: their department, or the node they are bound to."""
    if user.department_id:
        return Office(user.department.scope_key, user.department.name, user.department)
    if not user.node_key:
        raise Forbidden("no_office", "您的账号未绑定辖区或部门，不能以单位名义办理")
    return resolve(user.node_key)


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def acts_for(user, key: str, department_id: int | None) -> bool:
    """Whether ``user`` may answer for (or decide as) the office with this key and department."""
    if _is_admin(user):
        return in_scope(user, key)
    if department_id is not None:
        return user.department_id == department_id
    return not user.department_id and bool(user.node_key) and user.node_key == key


def _people_of(key: str, department_id: int | None, right: str) -> list[int]:
    """The accounts bound to an office that hold ``right`` (who is notified for a unit)."""
    qs = User.objects.filter(is_active=True)
    qs = qs.filter(department_id=department_id) if department_id else qs.filter(node_key=key, department__isnull=True)
    return [u.pk for u in qs.only("id", "role") if roles.has_right(u.role, right)]


# ---------------------------------------------------------------- reads (through the scoping primitive)


def visible_campaigns(user):
    """Campaigns issued within the user's scope, and those with a responsible unit within it."""
    require(user, VIEW)
    issued = scoped(Campaign.objects.all(), user, VIEW).values("pk")
    as_unit = scoped(Unit.objects.all(), user, VIEW).values("campaign_id")
    if user.department_id and not user.is_superuser:
        as_unit = Unit.objects.filter(department_id=user.department_id).values("campaign_id")
        issued = Campaign.objects.filter(issuer_department_id=user.department_id).values("pk")
    return Campaign.objects.filter(Q(pk__in=issued) | Q(pk__in=as_unit))


def visible_tasks(user):
    """Tasks sent to units within the user's scope, and those sent by offices within it."""
    to_units = scoped(Task.objects.all(), user, VIEW).values("pk")
    sent = scoped(IssuedTask.objects.all(), user, VIEW).values("pk")
    return Task.objects.filter(Q(pk__in=to_units) | Q(pk__in=sent))


def visible_meetings(user):
    """Meetings held within the user's scope, and those the user is a member of."""
    held = scoped(Meeting.objects.all(), user, VIEW).values("pk")
    return Meeting.objects.filter(Q(pk__in=held) | Q(members__user=user)).distinct()


def visible_drills(user):
    return scoped(Drill.objects.all(), user, VIEW)


def _one(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise OutOfScope()
    return obj


def get_campaign(user, pk: int) -> Campaign:
    return _one(visible_campaigns(user), pk)


def get_task(user, pk: int) -> Task:
    return _one(visible_tasks(user).select_related("campaign", "department", "issued_by", "feedback_by"), pk)


def get_meeting(user, pk: int) -> Meeting:
    return _one(visible_meetings(user), pk)


def get_drill(user, pk: int) -> Drill:
    return _one(visible_drills(user), pk)


# ---------------------------------------------------------------- campaigns


def _issuer(user, code: str | None) -> Office:
    office = resolve(code) if code else own_office(user)
    if office.department is None and not office.key.isdigit():  # a grid sends nothing down (issuer_key not re-keyed)
        raise DomainError("issuer_not_office", "发起单位应为部门或区划（市、区、街道、社区），不能是网格")
    if not in_scope(user, office.key) and not (office.department and user.department_id == office.department.pk):
        raise OutOfScope()
    return office


def _unit_under(user, issuer: Office, code: str) -> Office:
    unit = resolve(code)
    if not unit.key.startswith(issuer.key) or not in_scope(user, unit.key):
        raise DomainError("unit_out_of_reach", f"「{unit.name}」不在发起单位「{issuer.name}」的管辖范围内")
    return unit


@transaction.atomic
def create_campaign(user, data: dict) -> Campaign:
    """专项行动 with its phases and responsible units. ``data``: name, summary, issuer (code; default the user's own
    office), start, end, report_day, phases [{kind, start, end, reporting, note}], units [{unit, duty}]."""
    require(user, ISSUE)
    issuer = _issuer(user, data.get("issuer"))
    name = _text(data.get("name"), Campaign, "name", "请填写专项行动名称")
    start, end = data.get("start"), data.get("end")
    if start is None:
        raise DomainError("invalid_input", "请填写开始日期")
    _in_range(start, end, *(d for p in data.get("phases") or [] for d in (p.get("start"), p.get("end"))))
    if end is not None and end < start:
        raise DomainError("campaign_dates", f"专项行动的结束日期（{end}）早于开始日期（{start}）")
    report_day = data.get("report_day") or 27
    if not 1 <= report_day <= 31:
        raise DomainError("invalid_report_day", "每月上报日应在 1～31 之间")
    phases = data.get("phases") or []
    seen = set()
    for p in phases:
        problem = late.phase_problem(p.get("start"), p.get("end"))
        if problem:
            raise DomainError("phase_dates", f"「{PhaseKind(p['kind']).label}」{problem}")
        if p["kind"] in seen:
            raise DomainError("phase_twice", f"阶段「{PhaseKind(p['kind']).label}」重复")
        seen.add(p["kind"])
    units_in = data.get("units") or []
    if not units_in:
        raise DomainError("no_units", "请至少指定一个责任单位")
    if len(units_in) > MAX_UNITS:
        raise DomainError("too_many_units", f"责任单位最多 {MAX_UNITS} 个")
    units, codes = [], set()
    for u in units_in:
        office = _unit_under(user, issuer, u["unit"])
        if office.code in codes:
            raise DomainError("unit_twice", f"责任单位「{office.name}」重复")
        codes.add(office.code)
        units.append((office, _text(u.get("duty"), Unit, "duty")))
    c = Campaign.objects.create(
        name=name, summary=_text(data.get("summary"), Campaign, "summary"), issuer_name=issuer.name,
        issuer_department=issuer.department, scope_key=issuer.key, start=start, end=end, report_day=report_day,
        created_by=user)
    Phase.objects.bulk_create([Phase(campaign=c, kind=p["kind"], start=p["start"], end=p.get("end"),
                                     reporting=p["kind"] == PhaseKind.IMPLEMENT if p.get("reporting") is None
                                     else p["reporting"],
                                     note=_text(p.get("note"), Phase, "note")) for p in phases])
    Unit.objects.bulk_create([Unit(campaign=c, scope_key=o.key, department=o.department, name=o.name, duty=duty)
                              for o, duty in units])
    audit.record(user, "create", "campaign", c.pk, after={
        **audit.values(c, ("name", "issuer_name", "scope_key", "start", "end", "report_day")),
        "phases": [[p["kind"], str(p["start"]), str(p.get("end") or "")] for p in phases],
        "units": sorted(codes)})
    return c


def report_months(c: Campaign, until: dt.date) -> list[dt.date]:
    """The months for which each unit owes a report: those overlapping the campaign's reporting phases."""
    return late.months([(p.start, p.end) for p in c.phases.all() if p.reporting], until)


@transaction.atomic
def submit_report(user, campaign_id: int, unit_code: str, period: dt.date, text: str,
                  figures: dict | None = None, now: dt.datetime | None = None) -> Report:
    """One unit's monthly progress report (本月工作开展情况), once a month; late when after the month's report day."""
    require(user, REPORT)
    c = get_campaign(user, campaign_id)
    unit = next((u for u in c.units.select_related("department") if u.code == (unit_code or "").strip()), None)
    if unit is None:
        raise DomainError("unit_not_in_campaign", f"「{(unit_code or '')[:40]}」不是本专项行动的责任单位")
    if not acts_for(user, unit.scope_key, unit.department_id):
        raise Forbidden("not_your_unit", f"您不能代「{unit.name}」上报进展")
    period = period.replace(day=1)
    _in_range(period)
    now = now or timezone.now()
    if period > timezone.localdate(now):
        raise DomainError("report_in_future", "不能上报尚未开始的月份")
    if period not in report_months(c, timezone.localdate(now)):
        raise DomainError("not_a_report_month", f"{period:%Y年%m月}不在本专项行动按月上报的阶段内")
    text = _text(text, Report, "text", "请填写本月工作开展情况")
    figures = _figures(figures)
    if Report.objects.filter(unit=unit, period=period).exists():
        raise Conflict("already_reported", f"「{unit.name}」已上报{period:%Y年%m月}的进展")
    r = Report.objects.create(campaign=c, unit=unit, period=period, text=text, figures=figures, submitted_at=now,
                              submitted_by=user, scope_key=unit.scope_key)
    due = late.due_day(period.year, period.month, c.report_day)
    s = late.state(due, timezone.localdate(now), timezone.localdate(now))
    audit.record(user, "report", "campaign_report", r.pk, after={
        "campaign": c.pk, "unit": unit.code, "period": f"{period:%Y-%m}", "state": s, "figures": figures})
    return r


def _figures(figures) -> dict:
    out = {}
    for k, v in (figures or {}).items():
        k = str(k).strip()
        if not k or len(k) > 40:
            raise DomainError("invalid_figures", "数据项名称应为 1～40 个字符")
        if isinstance(v, bool) or not isinstance(v, int | float) or not -1e12 <= v <= 1e12 or v != v:
            raise DomainError("invalid_figures", f"数据项「{k}」应为数字")
        out[k] = v
    if len(out) > MAX_FIGURES:
        raise DomainError("invalid_figures", f"数据项最多 {MAX_FIGURES} 个")
    return out


@dataclass
class Cell:
    """One unit's report for one month, with its state (late.STATE_LABELS)."""

    unit: Unit
    period: dt.date
    due: dt.date
    report: Report | None
    state: str

    @property
    def late(self) -> bool:
        return late.is_late(self.state)

    @property
    def label(self) -> str:
        return late.STATE_LABELS[self.state]


@dataclass
class Board:
    """A campaign aggregated: every unit × reporting month, the figures summed, what is late."""

    campaign: Campaign
    months: list[dt.date]
    units: list[Unit]
    cells: list[Cell]
    totals: dict[str, float] = field(default_factory=dict)

    @property
    def late(self) -> list[Cell]:
        return [c for c in self.cells if c.late]

    def row(self, unit: Unit) -> list[Cell]:
        return [c for c in self.cells if c.unit.pk == unit.pk]


def board(c: Campaign, on: dt.date | None = None) -> Board:
    """Who reported what for which month, with the late ones flagged (as of ``on``, default today)."""
    on = on or today()
    months = report_months(c, on)
    units = list(c.units.select_related("department"))
    reports = {(r.unit_id, r.period): r for r in c.reports.select_related("submitted_by")}
    cells, totals = [], defaultdict(float)
    for m in months:
        due = late.due_day(m.year, m.month, c.report_day)
        for u in units:
            r = reports.get((u.pk, m))
            done = timezone.localdate(r.submitted_at) if r else None
            cells.append(Cell(u, m, due, r, late.state(due, done, on)))
            for k, v in (r.figures if r else {}).items():
                totals[k] += v
    return Board(c, months, units, cells, dict(totals))


EXPORT_HEAD = ["月份", "责任单位", "截止日期", "上报时间", "状态", "逾期", "上报人", "工作开展情况"]


def export_rows(user, campaign_id: int, on: dt.date | None = None) -> tuple[list[str], list[list], str]:
    """The campaign's reports as rows for ``gridgov.spreadsheets.write``: one row per unit and month (the late ones
    flagged 「是」), the figures as columns."""
    c = get_campaign(user, campaign_id)
    b = board(c, on)
    keys = sorted(b.totals)
    rows = []
    for cell in b.cells:
        r = cell.report
        rows.append([f"{cell.period:%Y-%m}", cell.unit.name, cell.due.isoformat(),
                     timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r else "", cell.label,
                     "是" if cell.late else "否", str(r.submitted_by or "") if r else "", r.text if r else ""]
                    + [(r.figures.get(k) if r else None) for k in keys])
    return EXPORT_HEAD + keys, rows, c.name


# ---------------------------------------------------------------- tasks (专项工作)


def _task_audit(t: Task) -> dict:
    return audit.values(t, ("campaign", "title", "deadline", "scope_key", "department", "issuer_key", "status"))


@transaction.atomic
def assign(user, data: dict, now: dt.datetime | None = None) -> list[Task]:
    """Send a task down to one or more units (one task per unit): title, detail, deadline, units [codes], issuer
    (code; default the user's own office), campaign (a campaign's task: the units must be its units)."""
    require(user, ISSUE)
    campaign = get_campaign(user, data["campaign"]) if data.get("campaign") else None
    if campaign is not None:
        issuer = Office(campaign.scope_key, campaign.issuer_name, campaign.issuer_department)
        if not in_scope(user, issuer.key) and not acts_for(user, issuer.key, campaign.issuer_department_id):
            raise Forbidden("not_the_issuer", "只有发起单位可以为专项行动派发任务")
    else:
        issuer = _issuer(user, data.get("issuer"))
    title = _text(data.get("title"), Task, "title", "请填写任务名称")
    detail = _text(data.get("detail"), Task, "detail")
    deadline = data.get("deadline")
    if deadline is None:
        raise DomainError("invalid_input", "请填写完成期限")
    _in_range(deadline)
    now = now or timezone.now()
    if deadline < timezone.localdate(now):
        raise DomainError("deadline_past", "完成期限不能早于今天")
    codes = list(dict.fromkeys((c or "").strip() for c in data.get("units") or []))
    if not codes:
        raise DomainError("no_units", "请至少指定一个承办单位")
    if len(codes) > MAX_UNITS:
        raise DomainError("too_many_units", f"承办单位最多 {MAX_UNITS} 个")
    if campaign is not None:
        by_code = {u.code: u for u in campaign.units.select_related("department")}
        missing = [c for c in codes if c not in by_code]
        if missing:
            raise DomainError("unit_not_in_campaign", f"「{missing[0][:40]}」不是本专项行动的责任单位")
        targets = [Office(by_code[c].scope_key, by_code[c].name, by_code[c].department) for c in codes]
    else:
        targets = [_unit_under(user, issuer, c) for c in codes]
    tasks = [Task.objects.create(
        campaign=campaign, title=title, detail=detail, deadline=deadline, scope_key=t.key, department=t.department,
        unit_name=t.name, issuer_key=issuer.key, issuer_department=issuer.department, issuer_name=issuer.name,
        issued_by=user, issued_at=now) for t in targets]
    audit.record_many(user, [audit.Entry("assign", "task", t.pk, after=_task_audit(t)) for t in tasks])
    notify.notify_many([(_people_of(t.scope_key, t.department_id, REPORT), "task.assigned",
                         f"新任务：{t.title}", f"{t.issuer_name}派发，完成期限 {t.deadline:%Y-%m-%d}", "task", t.pk)
                        for t in tasks])
    return tasks


def _attachment(upload) -> tuple[str, str, str]:
    """(storage key, name, content type) of a feedback attachment: a photo (JPEG/PNG/WebP) or a PDF."""
    from django.conf import settings

    from gridgov.cases.services.photos import check_photo
    from gridgov.cases.storage import photo_store

    name, data = upload
    name = (name or "附件")[-200:]
    if data[:5] == b"%PDF-":
        if len(data) > settings.GRIDGOV["PHOTO_MAX_BYTES"]:
            raise DomainError("attachment_too_large", f"附件「{name}」过大")
        return photo_store().save(data, ".pdf"), name, "application/pdf"
    try:
        checked = check_photo(name, data)
    except DomainError as e:
        if e.code == "photo_not_image":
            raise DomainError("attachment_type", f"附件「{name}」应为图片（JPEG、PNG、WebP）或 PDF 文件") from None
        raise
    return photo_store().save(checked.data, checked.suffix), name, checked.content_type


@transaction.atomic
def give_feedback(user, task_id: int, text: str, attachment: tuple[str, bytes] | None = None,
                  now: dt.datetime | None = None) -> Task:
    """The unit's answer (办理反馈): text and optionally one attachment; the sender is notified."""
    require(user, REPORT)
    t = get_task(user, task_id)
    if not acts_for(user, t.scope_key, t.department_id):
        raise Forbidden("not_your_task", f"这是「{t.unit_name}」的任务，您不能反馈")
    if t.status in (TaskStatus.SUBMITTED, TaskStatus.ACCEPTED):
        raise Conflict("task_not_open", f"任务{t.get_status_display()}，不能再反馈")
    text = _text(text, Task, "feedback", "请填写办理情况")
    if attachment is not None:
        t.attachment_key, t.attachment_name, t.attachment_type = _attachment(attachment)
    t.feedback, t.feedback_at, t.feedback_by, t.status = text, now or timezone.now(), user, TaskStatus.SUBMITTED
    t.save()
    s = late.state(t.deadline, timezone.localdate(t.feedback_at), timezone.localdate(t.feedback_at))
    audit.record(user, "feedback", "task", t.pk, after={"status": t.status, "state": s,
                                                        "attachment": t.attachment_name})
    notify.notify([t.issued_by_id] if t.issued_by_id else _people_of(t.issuer_key, t.issuer_department_id, ISSUE),
                  "task.feedback", f"任务已反馈：{t.title}", f"{t.unit_name}已反馈，请审核", "task", t.pk)
    return t


@transaction.atomic
def decide(user, task_id: int, accept: bool, note: str = "", now: dt.datetime | None = None) -> Task:
    """The sender accepts the feedback (通过: the task is done) or returns it (退回, with the reason)."""
    require(user, ISSUE)
    t = get_task(user, task_id)
    if not acts_for(user, t.issuer_key, t.issuer_department_id):
        raise Forbidden("not_the_issuer", f"只有发起单位「{t.issuer_name}」可以审核此任务")
    if t.status != TaskStatus.SUBMITTED:
        raise Conflict("nothing_to_decide", f"任务{t.get_status_display()}，没有待审核的反馈")
    note = _text(note, Task, "decision_note", None if accept else "退回时请说明原因")
    t.status = TaskStatus.ACCEPTED if accept else TaskStatus.RETURNED
    t.decided_at, t.decided_by, t.decision_note = now or timezone.now(), user, note
    t.save()
    audit.record(user, "accept" if accept else "return", "task", t.pk, after={"status": t.status, "note": note})
    notify.notify(_people_of(t.scope_key, t.department_id, REPORT) + ([t.feedback_by_id] if t.feedback_by_id else []),
                  "task.accepted" if accept else "task.returned",
                  f"任务{'已通过' if accept else '被退回'}：{t.title}", note, "task", t.pk)
    return t


def task_state(t: Task, on: dt.date | None = None) -> str:
    """The task's deadline state (late.TASK_LABELS): done means fed back (and not returned)."""
    done = timezone.localdate(t.feedback_at) if t.feedback_at and t.status != TaskStatus.RETURNED else None
    return late.state(t.deadline, done, on or today())


@transaction.atomic
def scan_overdue(now: dt.datetime | None = None) -> int:
    """Notify the unit and the sender of each task past its deadline without feedback — once per task (the scan may
    run any number of times). Returns how many tasks were flagged; one audit record (the system) when any were."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    due = list(Task.objects.select_for_update().filter(
        deadline__lt=on, overdue_notified_at__isnull=True,
        status__in=[TaskStatus.ASSIGNED, TaskStatus.RETURNED]).order_by("id")[:5000])
    if not due:
        return 0
    Task.objects.filter(pk__in=[t.pk for t in due]).update(overdue_notified_at=now)
    notify.notify_many([(_people_of(t.scope_key, t.department_id, REPORT) + ([t.issued_by_id] if t.issued_by_id else []),
                         "task.overdue", f"任务已逾期：{t.title}",
                         f"{t.unit_name}的任务已过完成期限 {t.deadline:%Y-%m-%d}，尚未反馈", "task", t.pk) for t in due])
    audit.record(None, "overdue", "task", "scan", after={"tasks": [t.pk for t in due]})
    return len(due)


def start_background_scan(interval_s: float):
    """The loop `gridgov serve` runs (``serving.every``): :func:`scan_overdue`."""
    import logging

    from gridgov.serving import every

    def once():
        n = scan_overdue()
        if n:
            logging.getLogger("gridgov.tasks").info("overdue tasks flagged: %d", n)

    return every("tasks-scan", interval_s, once)


@dataclass
class Workload:
    """Tasks done in a period (accepted, counted on the day of the feedback): per person and per unit."""

    people: dict[int, int]
    units: dict[str, int]


def tasks_done(start: dt.date, end: dt.date, prefix: str = "") -> Workload:
    """Per person (the one who fed back) and per unit (its code), the tasks done between ``start`` and ``end``
    (inclusive, Asia/Shanghai dates) under the scope ``prefix`` — for the monthly workload table and assessment."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    rows = Task.objects.filter(status=TaskStatus.ACCEPTED, feedback_at__gte=lo, feedback_at__lt=hi,
                               scope_key__startswith=prefix)
    people: dict[int, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    for person, key, department in rows.values_list("feedback_by_id", "scope_key", "department__code"):
        if person:
            people[person] += 1
        units[department or key] += 1
    return Workload(dict(people), dict(units))


@dataclass
class Todo:
    tasks: list[Task]
    to_review: list[Task]
    reports: list[Cell]
    minutes: list[MeetingMember]


def todo(user, on: dt.date | None = None) -> Todo:
    """A unit's 待办: its open tasks, the reports it owes (due or late), feedback to review, minutes to confirm."""
    require(user, VIEW)
    on = on or today()
    mine = (Q(department_id=user.department_id) if user.department_id
            else Q(department__isnull=True, scope_key=user.node_key or "-"))
    issued = (Q(issuer_department_id=user.department_id) if user.department_id
              else Q(issuer_department__isnull=True, issuer_key=user.node_key or "-"))
    tasks = list(visible_tasks(user).filter(mine, status__in=[TaskStatus.ASSIGNED, TaskStatus.RETURNED])
                 .select_related("campaign"))
    review = list(visible_tasks(user).filter(issued, status=TaskStatus.SUBMITTED).select_related("campaign"))
    reports = []
    for c in visible_campaigns(user).filter(Q(units__department_id=user.department_id) if user.department_id
                                            else Q(units__scope_key=user.node_key or "-")).distinct():
        b = board(c, on)
        reports += [cell for cell in b.cells if cell.report is None
                    and acts_for(user, cell.unit.scope_key, cell.unit.department_id)
                    and cell.period <= on.replace(day=1)]
    minutes = list(MeetingMember.objects.filter(user=user, sent_at__isnull=False, confirmed_at__isnull=True)
                   .select_related("meeting"))
    return Todo(tasks, review, reports, minutes)


# ---------------------------------------------------------------- drills (演练)

DRILL_FIELDS = ("kind", "title", "planned_on", "place", "organiser_name", "participant_count", "held_on",
                "scope_key")


@transaction.atomic
def create_drill(user, data: dict) -> Drill:
    require(user, ORGANISE)
    office = own_office(user)
    kind = data.get("kind") or DrillKind.FIRE
    if kind not in DrillKind.values:
        raise DomainError("invalid_input", "演练类型无效")
    if data.get("planned_on") is None:
        raise DomainError("invalid_input", "请填写计划日期")
    _in_range(data["planned_on"])
    d = Drill.objects.create(
        kind=kind, title=_text(data.get("title"), Drill, "title", "请填写演练名称"), planned_on=data["planned_on"],
        place=_text(data.get("place"), Drill, "place", "请填写演练地点"),
        organiser_name=_text(data.get("organiser_name") or office.name, Drill, "organiser_name"), organiser=user,
        participants=_text(data.get("participants"), Drill, "participants"),
        participant_count=data.get("participant_count") or 0, scope_key=office.key)
    audit.record(user, "create", "drill", d.pk, after=audit.values(d, DRILL_FIELDS))
    return d


def _organised(user, pk: int) -> Drill:
    require(user, ORGANISE)
    return get_drill(user, pk)


@transaction.atomic
def record_drill(user, pk: int, data: dict) -> Drill:
    """What happened: the day it was held, participants, findings (发现的问题与不足)."""
    d = _organised(user, pk)
    before = audit.values(d, DRILL_FIELDS + ("participants", "findings"))
    held_on = data.get("held_on", d.held_on)
    _in_range(held_on)
    if held_on is not None and held_on > today():
        raise DomainError("drill_in_future", "实际演练日期不能晚于今天")
    d.held_on = held_on
    for name in ("participants", "findings", "place"):
        if data.get(name) is not None:
            setattr(d, name, _text(data[name], Drill, name))
    if data.get("participant_count") is not None:
        d.participant_count = data["participant_count"]
    d.save()
    old, new = audit.changed(before, audit.values(d, DRILL_FIELDS + ("participants", "findings")))
    audit.record(user, "update", "drill", d.pk, before=old, after=new)
    return d


@transaction.atomic
def add_drill_photos(user, pk: int, files: list[tuple[str, bytes]]) -> list[DrillPhoto]:
    from gridgov.cases.services.photos import check_photo
    from gridgov.cases.storage import photo_store

    d = _organised(user, pk)
    if not files:
        raise DomainError("no_photos", "请选择照片")
    if len(files) > 10:
        raise DomainError("too_many_photos", "一次最多上传 10 张照片")
    checked = [(name[-200:] or "照片", check_photo(name, data)) for name, data in files]
    photos = [DrillPhoto.objects.create(drill=d, key=photo_store().save(c.data, c.suffix), name=name,
                                        content_type=c.content_type, uploaded_by=user) for name, c in checked]
    audit.record(user, "add_photos", "drill", d.pk, after={"photos": [p.pk for p in photos]})
    return photos


def drill_photo(user, pk: int, photo_id: int) -> tuple[bytes, str]:
    from gridgov.cases.storage import photo_store

    d = get_drill(user, pk)
    p = d.photos.filter(pk=photo_id).first()
    if p is None:
        raise NotFound("not_found", "照片不存在")
    return photo_store().open(p.key), p.content_type


@transaction.atomic
def add_drill_action(user, pk: int, action: str, responsible: str = "", due: dt.date | None = None) -> DrillAction:
    """整改措施 from the drill's findings."""
    d = _organised(user, pk)
    a = DrillAction.objects.create(drill=d, action=_text(action, DrillAction, "action", "请填写整改措施"),
                                   responsible=_text(responsible, DrillAction, "responsible"), due=due)
    audit.record(user, "add_action", "drill", d.pk, after={"action": a.pk, "due": str(due or "")})
    return a


@transaction.atomic
def finish_drill_action(user, pk: int, action_id: int, done_on: dt.date | None = None) -> DrillAction:
    d = _organised(user, pk)
    a = d.actions.filter(pk=action_id).first()
    if a is None:
        raise NotFound("not_found", "整改措施不存在")
    if a.done_on is not None:
        raise Conflict("already_done", "该整改措施已完成")
    done_on = done_on or today()
    _in_range(done_on)
    if done_on > today():
        raise DomainError("done_in_future", "完成日期不能晚于今天")
    a.done_on = done_on
    a.save(update_fields=["done_on"])
    audit.record(user, "finish_action", "drill", d.pk, after={"action": a.pk, "done_on": str(done_on)})
    return a


# ---------------------------------------------------------------- meetings (例会)


def _member_key(u: User) -> str:
    return u.department.scope_key if u.department_id else (u.node_key or "")


@transaction.atomic
def create_meeting(user, data: dict) -> Meeting:
    """例会: title, held_at, place, agenda, members (user names of staff within the organiser's scope)."""
    require(user, ORGANISE)
    office = own_office(user)
    if data.get("held_at") is None:
        raise DomainError("invalid_input", "请填写会议时间")
    if not EARLIEST.year <= data["held_at"].year <= LATEST.year:
        raise DomainError("date_out_of_range", "会议时间超出范围（应在 2000—2099 年之间）")
    names = list(dict.fromkeys(data.get("members") or []))
    if not names:
        raise DomainError("no_members", "请至少指定一名参会人")
    if len(names) > MAX_UNITS:
        raise DomainError("too_many_members", f"参会人最多 {MAX_UNITS} 名")
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)
             .select_related("department")}
    for n in names:
        u = found.get(n)
        if u is None or u.role == Role.RESIDENT or not in_scope(user, _member_key(u)):
            raise DomainError("unknown_member", f"参会人「{str(n)[:40]}」不存在或不在您的管辖范围内")
    m = Meeting.objects.create(title=_text(data.get("title"), Meeting, "title", "请填写会议名称"),
                               held_at=data["held_at"], place=_text(data.get("place"), Meeting, "place"),
                               agenda=_text(data.get("agenda"), Meeting, "agenda"), organiser=user,
                               scope_key=office.key)
    MeetingMember.objects.bulk_create([MeetingMember(meeting=m, user=found[n]) for n in names])
    audit.record(user, "create", "meeting", m.pk, after={**audit.values(m, ("title", "held_at", "scope_key")),
                                                         "members": sorted(found[n].pk for n in names)})
    return m


@transaction.atomic
def send_minutes(user, pk: int, minutes: str, now: dt.datetime | None = None) -> Meeting:
    """Write the minutes (会议纪要) and send them to every member's inbox; they confirm reading."""
    require(user, ORGANISE)
    m = _one(scoped(Meeting.objects.all(), user, ORGANISE), pk)
    m.minutes = _text(minutes, Meeting, "minutes", "请填写会议纪要")
    now = now or timezone.now()
    m.minutes_sent_at = now
    m.save(update_fields=["minutes", "minutes_sent_at"])
    members = list(m.members.all())
    MeetingMember.objects.filter(meeting=m).update(sent_at=now, confirmed_at=None)
    audit.record(user, "send_minutes", "meeting", m.pk, after={"members": len(members)})
    notify.notify([mm.user_id for mm in members], "meeting.minutes", f"会议纪要：{m.title}",
                  f"{timezone.localtime(m.held_at):%Y-%m-%d %H:%M} 的会议纪要已发送，请阅读并确认", "meeting", m.pk)
    return m


@transaction.atomic
def confirm_minutes(user, pk: int, now: dt.datetime | None = None) -> MeetingMember:
    """The member confirms having read the minutes sent to them (once; again is harmless)."""
    require(user, VIEW)
    m = get_meeting(user, pk)
    mm = MeetingMember.objects.select_for_update().filter(meeting=m, user=user).first()
    if mm is None or mm.sent_at is None:
        raise Forbidden("minutes_not_sent_to_you", "这次会议的纪要没有发送给您，无需确认")
    if mm.confirmed_at is not None:
        return mm
    mm.confirmed_at = now or timezone.now()
    mm.save(update_fields=["confirmed_at"])
    audit.record(user, "confirm_minutes", "meeting", m.pk, after={"member": user.pk})
    return mm


def guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
