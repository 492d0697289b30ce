"""The only writer of the duty tables (值班与应急). Each public function owns its transaction and audits its write.

- 预案: :func:`start_plans` is called by the intake service (``cases/services/intake.py: _file``) for the cases
  it files, inside the filing transaction — an urgent case of an emergency class starts its plan in the same
  commit as the case (a client key filed twice never reaches it, so a plan starts once); :func:`start_manual`
  lets the duty staff start a plan for a case that became urgent later (立案); :func:`tick` records a step.
- 值班: :func:`save_shift`, :func:`delete_shift`, :func:`month` (gaps and overlaps), :func:`on_duty`.
- 交班记录 and reports: :func:`write_handover`, :func:`daily_report` (值班日报), :func:`clearance` (日产日清) —
  the figures are counted by the pure ``logic.daily``.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import User
from gridgov.accounts.roles import ROLE_LABELS, Role
from gridgov.accounts.scope import OutOfScope, require, scope_prefix, scoped
from gridgov.audit.services import Entry, record, record_many, save_row
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.geo.models import Jurisdiction, Level
from gridgov.notify.services import notify

from .logic import daily, plans, roster
from .models import Activation, ActivationStep, EmergencyPlan, Handover, PlanStep, Shift, ShiftMember

VIEW, ACT, ROSTER, CONFIGURE = roles.DUTY_VIEW, roles.DUTY_ACT, roles.DUTY_ROSTER, roles.DUTY_CONFIGURE
SHANGHAI = daily.SHANGHAI


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(SHANGHAI).date()


# ---------------------------------------------------------------- centres


def centre_of(user, code: str | None = None) -> Jurisdiction:
    """The centre (a district's 指挥中心 or a street's 分中心) a duty page or report is about: ``code``, or the
    user's own node. Outside the user's scope: OutOfScope (404)."""
    prefix = scope_prefix(user)
    if prefix is None:
        raise OutOfScope()
    code = (code or "").strip() or (prefix if len(prefix) in (6, 9) else "")
    if not code and prefix == "":  # an account of the whole system: the first district
        code = Jurisdiction.objects.filter(level=Level.DISTRICT).order_by("code").values_list("code", flat=True).first()
    if not code or not code.startswith(prefix):
        raise OutOfScope()
    j = Jurisdiction.objects.filter(code=code, level__in=[Level.DISTRICT, Level.STREET]).first()
    if j is None:
        raise NotFound("unknown_centre", f"「{code}」不是区或街道，没有值班中心")
    return j


def _centres_over(scope_key: str) -> list[str]:
    """The centres a case's place belongs to: its district's and its street's."""
    return [scope_key[:6], scope_key[:9]]


# ---------------------------------------------------------------- 预案


def _path(scope_key: str) -> list[str]:
    """The nodes on the way from a case's district down to its management grid (its posts are told)."""
    grid = scope_key.split(".")[0]
    return list(dict.fromkeys([scope_key[:6], scope_key[:9], scope_key[:12], grid]))


def recipients(plan: EmergencyPlan, scope_key: str, now: dt.datetime, exclude: int | None = None) -> list[User]:
    """Who a plan tells about a case at ``scope_key``: the plan's posts bound to a node on the case's path
    (district, street, community, grid), the handlers of its departments, its named accounts, and — when the plan
    says so — whoever is on duty now at the case's district centre and street 分中心 (with nobody on the roster
    now: the district's 值班长)."""
    q = Q(pk__in=[])
    if plan.notify_posts:
        q |= Q(role__in=plan.notify_posts, node_key__in=_path(scope_key), department__isnull=True)
    if plan.notify_departments:
        q |= Q(role=Role.HANDLER, department__code__in=plan.notify_departments)
    if plan.notify_users:
        q |= Q(username__in=plan.notify_users)
    if plan.notify_on_duty:
        duty = ShiftMember.objects.filter(shift__centre__in=_centres_over(scope_key), shift__starts_at__lte=now,
                                          shift__ends_at__gt=now)
        if duty.exists():
            q |= Q(pk__in=duty.values("user_id"))
        else:  # nobody on the roster now: the district centre's shift leaders must hear of it
            q |= Q(role=Role.SHIFT_LEADER, node_key=scope_key[:6])
    users = User.objects.filter(q, is_active=True).exclude(pk=exclude).order_by("username")
    return list(users)


def _start(actor, case, plan: EmergencyPlan, now: dt.datetime, trigger: str) -> Activation:
    """Write one activation with its steps, tell its people, audit it (inside the caller's transaction)."""
    act = Activation.objects.create(plan=plan, case=case, scope_key=case.scope_key, trigger=trigger, started_at=now,
                                    started_by=actor if getattr(actor, "pk", None) else None)
    steps = [ActivationStep(activation=act, order=s.order, title=s.title, responsible=s.responsible,
                            due_at=now + dt.timedelta(minutes=s.minutes)) for s in plan.steps.all()]
    ActivationStep.objects.bulk_create(steps)
    told = recipients(plan, case.scope_key, now, exclude=getattr(actor, "pk", None))
    act.told = [u.username for u in told]
    act.save(update_fields=["told"])
    if told:
        first = steps[0].title if steps else ""
        notify(told, "duty.plan", f"启动{plan.name}：案件 {case.number}",
               f"{case.description[:60]}；第一步：{first}" if first else case.description[:60], "case", case.number)
    return act


def _rules() -> list[tuple[plans.PlanRule, EmergencyPlan]]:
    out = []
    for p in EmergencyPlan.objects.filter(active=True).prefetch_related("steps"):
        out.append((plans.PlanRule(p.pk, frozenset(p.matter_codes or ()), frozenset(p.majors or ())), p))
    return out


def start_plans(actor, cases: Iterable, now: dt.datetime) -> list[Activation]:
    """The plans the newly filed ``cases`` start (called by intake inside its transaction): only urgent cases with a
    matter can start one, so an ordinary report costs no query here."""
    cases = [c for c in cases if c.matter_id and c.urgency == "urgent"]
    if not cases:
        return []
    rules = _rules()
    started = []
    for case in cases:
        code = case.matter.code
        for rule, plan in rules:
            if plans.matches(rule, code, case.urgency):
                started.append(_start(actor, case, plan, now, "intake"))
    if started:
        record_many(actor, [Entry("start", "duty_activation", a.pk, after=_activation_values(a)) for a in started],
                    role=getattr(actor, "role", None))
    return started


def _activation_values(a: Activation) -> dict:
    return {"plan": a.plan.code, "case": a.case.number, "trigger": a.trigger, "status": a.status,
            "steps": a.steps.count(), "told": a.told}


def start_manual(user, number: str, plan_code: str, now: dt.datetime | None = None) -> Activation:
    """值班人员启动预案 for a case in scope (one that became urgent at 立案, or any case the duty staff judge so)."""
    from gridgov.cases.services import load_case

    require(user, ACT)
    now = now or timezone.now()
    case = load_case(user, number)
    plan = EmergencyPlan.objects.filter(code=plan_code, active=True).first()
    if plan is None:
        raise NotFound("unknown_plan", f"没有启用的预案「{plan_code}」")
    if Activation.objects.filter(plan=plan, case=case).exists():
        raise Conflict("plan_already_started", f"案件 {case.number} 已启动{plan.name}")
    try:
        with transaction.atomic():
            act = _start(user, case, plan, now, "manual")
            record(user, "start", "duty_activation", act.pk, after=_activation_values(act))
    except IntegrityError:
        raise Conflict("plan_already_started", f"案件 {case.number} 已启动{plan.name}") from None
    return act


def activations(user):
    """The activations within the user's scope (a queryset, newest first)."""
    return scoped(Activation.objects.select_related("plan", "case", "started_by"), user, VIEW)


def activation(user, pk: int) -> Activation:
    a = activations(user).filter(pk=pk).first()
    if a is None:
        raise NotFound("activation_not_found", "预案启动记录不存在或不在您的管辖范围内")
    return a


def tick(user, pk: int, order: int, note: str = "", now: dt.datetime | None = None) -> Activation:
    """Tick one step of an activation (who, when, note); the last step finishes the activation. A finished
    activation, or a step already done, is refused (409) and nothing is written."""
    require(user, ACT)
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("note_too_long", "情况说明不能超过 500 字")
    with transaction.atomic():
        # lock the activation row only (started_by is a nullable join: PostgreSQL cannot lock its outer side)
        a = scoped(Activation.objects.select_related("plan", "case").select_for_update(of=("self",)), user,
                   VIEW).filter(pk=pk).first()
        if a is None:
            raise NotFound("activation_not_found", "预案启动记录不存在或不在您的管辖范围内")
        if a.status == Activation.Status.FINISHED:
            raise Conflict("activation_finished", f"{a.plan.name}（案件 {a.case.number}）已完成，不能再勾选步骤")
        step = a.steps.filter(order=order).first()
        if step is None:
            raise NotFound("step_not_found", f"该预案没有第 {order} 步")
        if step.done_at is not None:
            raise Conflict("step_done", f"第 {order} 步「{step.title}」已由他人完成")
        step.done_at, step.done_by, step.note = now, user, note
        step.save(update_fields=["done_at", "done_by", "note"])
        after = {"step": order, "title": step.title, "late": now > step.due_at}
        if not a.steps.filter(done_at__isnull=True).exists():
            a.status, a.finished_at = Activation.Status.FINISHED, now
            a.save(update_fields=["status", "finished_at"])
            after["status"] = a.status
        record(user, "tick", "duty_activation", a.pk, after=after)
    return a


# ---------------------------------------------------------------- plans (configuration, the admin)

PLAN_FIELDS = ["code", "name", "matter_codes", "majors", "notify_posts", "notify_departments",
               "notify_users", "notify_on_duty", "active", "note"]


def _codes(values, digits: int, what: str) -> list[str]:
    out = []
    for v in values or []:
        v = str(v).strip()
        if not (v.isdigit() and len(v) == digits):
            raise DomainError("invalid_plan", f"{what}应为 {digits} 位数字：「{v}」")
        out.append(v)
    return out


def save_plan(user, plan: EmergencyPlan) -> EmergencyPlan:
    """Create or change a plan (the admin): codes checked, posts known, audited."""
    require(user, CONFIGURE)
    plan.matter_codes = _codes(plan.matter_codes, 5, "事项代码")
    plan.majors = _codes(plan.majors, 2, "事项大类")
    unknown = [p for p in plan.notify_posts or [] if p not in Role.__members__.values()]
    if unknown:
        raise DomainError("invalid_plan", f"没有这些岗位：{'、'.join(map(str, unknown))}")
    with transaction.atomic():
        save_row(user, plan, PLAN_FIELDS, "duty_plan", plan.code)
    return plan


def save_step(user, step: PlanStep) -> PlanStep:
    require(user, CONFIGURE)
    with transaction.atomic():
        save_row(user, step, ["plan", "order", "title", "responsible", "minutes"], "duty_plan_step")
    return step


# ---------------------------------------------------------------- 值班 roster


def _people(members: Iterable) -> list[tuple[User, str]]:
    """(username or user, duty role) pairs → accounts; each person once, a known duty role."""
    out, seen = [], set()
    for who, duty_role in members:
        if duty_role not in roster.DUTY_ROLE_LABELS:
            raise DomainError("invalid_duty_role", "值班职责应为 leader（带班领导）、chief（值班长）或 officer（值班员）")
        user = who if isinstance(who, User) else User.objects.filter(username=str(who), is_active=True).first()
        if user is None:
            raise NotFound("unknown_user", f"没有账号「{who}」")
        if user.pk in seen:
            raise DomainError("duplicate_member", f"{user} 在同一班次中只能出现一次")
        seen.add(user.pk)
        out.append((user, duty_role))
    if not out:
        raise DomainError("members_required", "班次至少要有一名值班人员")
    return out


def _shift_values(shift: Shift, people) -> dict:
    return {"centre": shift.centre, "date": shift.date.isoformat(), "starts_at": shift.starts_at.isoformat(),
            "ends_at": shift.ends_at.isoformat(), "members": [[u.username, r] for u, r in people]}


def save_shift(user, *, centre: str, date: dt.date, starts_at: dt.datetime, ends_at: dt.datetime,
               members: Iterable, note: str = "", pk: int | None = None) -> Shift:
    """Create (or, with ``pk``, change) a shift of a centre in the user's scope. Refused with nothing written: a
    span that ends before it starts (or is longer than 48 hours), a person already on another shift at the same
    time (at any centre), an unknown person or duty role."""
    require(user, ROSTER)
    j = centre_of(user, centre)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError("naive_time", "开始和结束时间须带时区（如 2026-12-03T08:30:00+08:00）")
    problem = roster.span_problem(starts_at, ends_at)
    if problem:
        raise DomainError("invalid_shift_span", problem)
    people = _people(members)
    with transaction.atomic():
        if pk is not None:
            shift = scoped(Shift.objects.select_for_update(), user, ROSTER).filter(pk=pk).first()
            if shift is None:
                raise NotFound("shift_not_found", "班次不存在或不在您的管辖范围内")
            before = _shift_values(shift, [(m.user, m.duty_role) for m in shift.members.select_related("user")])
        else:
            shift, before = Shift(), None
        clash = (ShiftMember.objects.filter(user__in=[u for u, _ in people], shift__starts_at__lt=ends_at,
                                            shift__ends_at__gt=starts_at)
                 .exclude(shift_id=shift.pk).select_related("user", "shift").order_by("shift__starts_at").first())
        if clash:
            s = clash.shift
            raise Conflict("shift_overlap", f"{clash.user} 在 {s.starts_at.astimezone(SHANGHAI):%m月%d日 %H:%M}—"
                                            f"{s.ends_at.astimezone(SHANGHAI):%m月%d日 %H:%M} 已有班次（{s.centre}），"
                                            "同一人不能同时值两个班")
        shift.centre, shift.date, shift.starts_at, shift.ends_at, shift.note = j.code, date, starts_at, ends_at, \
            (note or "")[:200]
        shift.save()
        shift.members.all().delete()
        ShiftMember.objects.bulk_create([ShiftMember(shift=shift, user=u, duty_role=r) for u, r in people])
        after = _shift_values(shift, people)
        if before is None:
            record(user, "create", "duty_shift", shift.pk, after=after)
        else:
            record(user, "update", "duty_shift", shift.pk, before=before, after=after)
    return shift


def delete_shift(user, pk: int) -> None:
    require(user, ROSTER)
    with transaction.atomic():
        shift = scoped(Shift.objects.select_for_update(), user, ROSTER).filter(pk=pk).first()
        if shift is None:
            raise NotFound("shift_not_found", "班次不存在或不在您的管辖范围内")
        before = _shift_values(shift, [(m.user, m.duty_role) for m in shift.members.select_related("user")])
        shift.delete()
        record(user, "delete", "duty_shift", pk, before=before)


def shifts(user, centre: str, start: dt.datetime, end: dt.datetime):
    """The shifts of a centre touching ``[start, end)``, with their people."""
    return (scoped(Shift.objects.all(), user, VIEW).filter(centre=centre, starts_at__lt=end, ends_at__gt=start)
            .prefetch_related("members__user").order_by("starts_at", "id"))


def on_duty(centres: Iterable[str], now: dt.datetime | None = None) -> list[ShiftMember]:
    """Who is on duty now at the centres (no scope: the caller decides who may see it)."""
    now = now or timezone.now()
    rank = {r: i for i, r in enumerate(roster.DUTY_ROLE_LABELS)}  # 带班领导, 值班长, 值班员
    found = ShiftMember.objects.filter(shift__centre__in=list(centres), shift__starts_at__lte=now,
                                       shift__ends_at__gt=now).select_related("user", "shift")
    return sorted(found, key=lambda m: (m.shift.centre, rank.get(m.duty_role, 9), m.user.username))


def month(user, centre: str, year: int, month_no: int) -> dict:
    """A month of a centre's roster: each day with its shifts and whether it is covered (gaps, overlaps)."""
    require(user, VIEW)
    j = centre_of(user, centre)
    if not (1 <= month_no <= 12 and 2000 <= year <= 2100):
        raise DomainError("invalid_month", "月份应为 2000～2100 年的 1～12 月")
    first = dt.date(year, month_no, 1)
    last = dt.date(year + (month_no == 12), month_no % 12 + 1, 1)
    start, _ = daily.day_bounds(first)
    end, _ = daily.day_bounds(last)
    rows = list(shifts(user, j.code, start, end))
    days = []
    d = first
    while d < last:
        ds, de = daily.day_bounds(d)
        mine = [s for s in rows if roster.overlaps(s.starts_at, s.ends_at, ds, de)]
        c = roster.cover(d, ds, de, [(s.starts_at, s.ends_at) for s in mine])
        days.append({"date": d, "covered": c.covered, "gaps": list(c.gaps), "doubled": list(c.doubled),
                     "shifts": mine})
        d += dt.timedelta(days=1)
    return {"centre": j, "year": year, "month": month_no, "days": days,
            "uncovered": [x["date"] for x in days if not x["covered"]]}


# ---------------------------------------------------------------- 交班记录


def write_handover(user, text: str, centre: str | None = None, now: dt.datetime | None = None) -> Handover:
    """交班记录 of the outgoing shift: what it hands over, for the centre and today (local date)."""
    require(user, ACT)
    now = now or timezone.now()
    j = centre_of(user, centre)
    text = (text or "").strip()
    if len(text) < 2:
        raise DomainError("text_required", "请填写交班内容（至少 2 个字）")
    if len(text) > 5000:
        raise DomainError("text_too_long", "交班内容不能超过 5000 字")
    current = Shift.objects.filter(centre=j.code, starts_at__lte=now, ends_at__gt=now).order_by("-starts_at").first()
    with transaction.atomic():
        h = Handover.objects.create(centre=j.code, day=local_today(now), shift=current, text=text, written_by=user,
                                    written_at=now)
        record(user, "create", "duty_handover", h.pk, after={"centre": j.code, "day": h.day.isoformat(),
                                                              "shift": current.pk if current else None})
    return h


# ---------------------------------------------------------------- 值班日报 and 日产日清


def _facts(user, centre: str, start: dt.datetime, end: dt.datetime) -> list[daily.Fact]:
    """The facts of the cases of the centre that came in, were handled or were closed within ``[start, end)``."""
    from gridgov.cases.models import Case

    window = (Q(reported_at__gte=start, reported_at__lt=end) | Q(handled_at__gte=start, handled_at__lt=end)
              | Q(closed_at__gte=start, closed_at__lt=end))
    rows = (scoped(Case.objects.all(), user, roles.CASE_VIEW).filter(scope_key__startswith=centre).filter(window)
            .values_list("number", "source", "matter__major_code", "urgency", "scope_key",
                         "assignee_department__name", "reported_at", "handled_at", "closed_at"))
    return [daily.Fact(n, s, m or "", u, k[:9], d or "", r, h, c) for n, s, m, u, k, d, r, h, c in rows]


def _check_day(day: dt.date, now: dt.datetime) -> None:
    if day > local_today(now):
        raise DomainError("future_day", f"{day:%Y年%m月%d日}还没有到，不能生成这一天的报表")


def daily_report(user, day: dt.date, centre: str | None = None, now: dt.datetime | None = None) -> dict:
    """值班日报 of a centre for a day: what came in (by source and class), what was cleared and closed, urgent cases
    and plan activations, overdue cases (as of the end of the day, or now for today), the shifts and the
    交班记录. A day in the future is refused."""
    from gridgov.cases.models import Case
    from gridgov.cases.services.lights import overdue_q
    from gridgov.catalog.models import CatalogItem

    require(user, VIEW)
    now = now or timezone.now()
    _check_day(day, now)
    j = centre_of(user, centre)
    start, end = daily.day_bounds(day)
    fig = daily.figures(day, _facts(user, j.code, start, end))
    at = min(now, end)
    overdue = scoped(Case.objects.all(), user, roles.CASE_VIEW).filter(scope_key__startswith=j.code).filter(
        overdue_q(at)).count()
    acts = list(activations(user).filter(scope_key__startswith=j.code, started_at__gte=start, started_at__lt=end)
                .order_by("started_at", "id"))
    majors = dict(CatalogItem.objects.filter(kind="matter", major_code__in=list(fig.by_class)).values_list(
        "major_code", "major_name").distinct())
    streets = dict(Jurisdiction.objects.filter(code__in=[c.group for c in fig.by_street]).values_list("code", "name"))
    return {
        "centre": j, "day": day, "figures": fig, "overdue": overdue, "overdue_at": at, "activations": acts,
        "class_names": majors, "street_names": streets,
        "shifts": list(shifts(user, j.code, start, end)),
        "handovers": list(scoped(Handover.objects.select_related("written_by", "shift"), user, VIEW)
                          .filter(centre=j.code, day=day)),
    }


def clearance(user, day: dt.date, centre: str | None = None, days: int = 7, now: dt.datetime | None = None) -> dict:
    """日产日清 of a centre: the day's cases, each cleared the same day or not, by street and department with
    the 日清率 — and the rate of each of the ``days`` days up to ``day``."""
    require(user, VIEW)
    now = now or timezone.now()
    _check_day(day, now)
    if not 1 <= days <= 31:
        raise DomainError("invalid_days", "天数应为 1～31")
    j = centre_of(user, centre)
    first = day - dt.timedelta(days=days - 1)
    start, _ = daily.day_bounds(first)
    _, end = daily.day_bounds(day)
    facts = _facts(user, j.code, start, end)
    series = [daily.figures(first + dt.timedelta(days=i), facts) for i in range(days)]
    fig = series[-1]
    ds, de = daily.day_bounds(day)
    came = sorted((f for f in facts if daily.within(f.reported_at, ds, de)), key=lambda f: (f.reported_at, f.number))
    streets = dict(Jurisdiction.objects.filter(code__in=[c.group for c in fig.by_street]).values_list("code", "name"))
    return {"centre": j, "day": day, "figures": fig, "series": series, "street_names": streets,
            "cases": [(f, daily.cleared_same_day(f, de)) for f in came]}


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role
