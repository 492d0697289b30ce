"""The only writer of 满意度回访 and 条块双向考核, and the figures read from them.

- the 待回访 queue (``queue``): closed cases not yet followed up (nor recorded 无法联系), oldest closing first, with
  the reporter's masked phone; ``reveal_phone`` gives the plain number to a post that follows up, with a reason,
  and logs the access (the 个人信息 access log of ``gridgov.basedata``);
- ``phone_survey`` (the centre's clerk) / ``resident_survey`` (the person on the public case page): the survey is
  stored AND the case's ``follow_up`` transition is applied through ``cases.services.transition`` in the same
  transaction — the case's overall 满意度 is the 结果 dimension (``logic.figures.overall``); 「问题没有解决」 applies
  ``reopen`` (重办) instead; ``record_call``: a call that did not reach the person, the MAX_ATTEMPTS-th makes a
  survey 无法联系 (the attempts are kept);
- ``rate``: a street's 督导员 rates a department, a department's handler rates the centre's dispatch, on the active
  dimensions (data: ``Dimension``, edited by ``save_dimension``), one rating per rater, ratee and month (a second
  replaces it, audited) within the window (the month and the first 5 working days after it);
- ``figures(period, district_code)``: satisfaction per street and department and the ratings received — what the
  assessment reads; ``send_notices``: each department's monthly figures to its handlers' inbox.

Who may follow up is what the lifecycle table allows for FOLLOW_UP (``FOLLOW_UP_POSTS``); ratings need
``assess.rate``; figures and results ``assess.view`` — a unit (a street's 督导员, a department's handler) sees only
its own: its satisfaction figures, the surveys of its cases and the means and remarks of the ratings it received,
never who gave which.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.models import Department, User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import NoRight, require, scoped
from gridgov.audit import services as audit
from gridgov.cases.logic.lifecycle import TABLE, Action, State
from gridgov.cases.models import Case, CaseReport
from gridgov.cases.services import transition
from gridgov.cases.services.transitions import load_case
from gridgov.dashboard.kpi import SHANGHAI
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.geo.models import Jurisdiction
from gridgov.inspection.services import month_bounds
from gridgov.notify.services import notify_many

from .logic import figures as fig
from .logic import window
from .models import CallAttempt, Channel, Dimension, Outcome, RateeKind, Rating, Survey

VIEW, RATE, REVIEW = roles.ASSESS_VIEW, roles.ASSESS_RATE, roles.ASSESS_REVIEW
FOLLOW_UP_POSTS = frozenset(TABLE[(State.CLOSED, Action.FOLLOW_UP)].roles) - {Role.RESIDENT}
CENTRE_VIEWERS = frozenset({Role.ADMIN, Role.LEADER, Role.SHIFT_LEADER})  # see every unit's figures and ratings
CLOSED = (State.CLOSED.value, State.ARCHIVED.value)
MAX_REMARK = 500


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def current_period(now: dt.datetime | None = None) -> str:
    return local_today(now).strftime("%Y-%m")


def previous_period(now: dt.datetime | None = None) -> str:
    first = local_today(now).replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-11' → [1 Nov 00:00, 1 Dec 00:00) Asia/Shanghai; ``invalid_month`` otherwise."""
    return month_bounds(period)


def district_of(user) -> str:
    if getattr(user, "department_id", None):
        return user.department.district.code
    return (user.node_key or "")[:6]


# ---------------------------------------------------------------- 待回访


def may_follow_up(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in FOLLOW_UP_POSTS


def _require_follow_up(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NoRight(roles.CASE_VIEW)
    if not may_follow_up(user):
        raise Forbidden("role_not_allowed", "只有受理员、值班长可以进行满意度回访")


def _surveyed_closing():
    return Survey.objects.filter(case=OuterRef("pk"), closed_at=OuterRef("closed_at"))


def queue(user):
    """The 待回访 cases: closed, not followed up, no survey for this closing (无法联系 leaves the queue); oldest
    closing first. Read by the posts that follow up and the administrator (who does not follow up himself)."""
    if not (getattr(user, "is_authenticated", False) and user.role == Role.ADMIN):
        _require_follow_up(user)
    qs = scoped(Case.objects.filter(status=State.CLOSED.value, followed_up=False, closed_at__isnull=False),
                user, roles.CASE_VIEW)
    return (qs.exclude(Exists(_surveyed_closing()))
            .select_related("matter", "assignee_department", "community").order_by("closed_at", "id"))


def queue_rows(cases) -> list[dict]:
    """The queue's cases with the first reporter's masked phone and the calls made for this closing (2 queries)."""
    cases = list(cases)
    ids = [c.pk for c in cases]
    phones: dict[int, str] = {}
    for case_id, masked in (CaseReport.objects.filter(case_id__in=ids).exclude(reporter_phone_masked="")
                            .order_by("created_at", "id").values_list("case_id", "reporter_phone_masked")):
        phones.setdefault(case_id, masked)
    calls: dict[tuple[int, dt.datetime], int] = {}
    for a in CallAttempt.objects.filter(case_id__in=ids).values("case_id", "closed_at"):
        calls[(a["case_id"], a["closed_at"])] = calls.get((a["case_id"], a["closed_at"]), 0) + 1
    return [{"case": c, "number": c.number, "phone": phones.get(c.pk, ""), "calls": calls.get((c.pk, c.closed_at), 0),
             "matter": c.matter.name if c.matter_id else "未分类", "description": c.description,
             "address": c.address, "closed_at": c.closed_at, "source": c.source, "source_label": c.get_source_display(),
             "department": c.assignee_department.name if c.assignee_department_id else ""} for c in cases]


def reveal_phone(user, number: str, reason: str) -> dict:
    """The reporter's phone in full, for the call: a post that follows up, with a reason; logged every time (the one
    rule of ``cases.services.reporters``)."""
    from gridgov.cases.services.reporters import reveal_phone as reveal

    _require_follow_up(user)
    return reveal(user, number, reason)


def _closing(user, number: str) -> Case:
    case = load_case(user, number)
    if case.status != State.CLOSED.value or case.closed_at is None:
        raise Conflict("not_closed", f"案件 {case.number} 不是已结案状态，不能回访")
    if case.followed_up or Survey.objects.filter(case=case, closed_at=case.closed_at).exists():
        raise Conflict("already_followed_up", f"案件 {case.number} 本次结案已回访")
    return case


def _answers(attitude, efficiency, result, resolved, remark, optional: tuple[str, ...] = ()) -> dict:
    """The survey's answers checked; ``optional``: dimensions the person may leave out (on the public page)."""
    scores = {}
    for key, label in fig.DIMENSIONS:
        given = {"attitude": attitude, "efficiency": efficiency, "result": result}[key]
        if given in (None, "") and key in optional:
            scores[key] = None
            continue
        value = fig.valid_score(given)
        if value is None:
            raise DomainError("invalid_satisfaction" if key == "result" else "invalid_score",
                              f"「{label}」应为 1～5 的整数")
        scores[key] = value
    if resolved not in (True, False):
        raise DomainError("resolved_required", "请选择问题是否已解决")
    remark = (remark or "").strip()
    if len(remark) > MAX_REMARK:
        raise DomainError("remark_too_long", f"意见不能超过 {MAX_REMARK} 字")
    if not resolved and len(remark) < 2:
        raise DomainError("reason_required", "问题未解决时请说明哪里没有解决（至少 2 个字）")
    return {**scores, "resolved": resolved, "remark": remark}


def _apply(actor, case: Case, answers: dict, channel: str, by, now: dt.datetime) -> Survey:
    """Store the survey and apply follow_up (or reopen) — one transaction, the caller's."""
    closed_at, department_id = case.closed_at, case.assignee_department_id
    attempts = CallAttempt.objects.filter(case=case, closed_at=closed_at).count()
    if answers["resolved"]:
        data = {"satisfaction": fig.overall(answers["result"])}
        if answers["remark"]:
            data["note"] = answers["remark"]
        transition(actor, case.number, Action.FOLLOW_UP, data, now=now)
    else:
        data = {"reason": answers["remark"] if channel == Channel.WEB else f"回访：问题未解决。{answers['remark']}"}
        if answers["result"] is not None:
            data["satisfaction"] = fig.overall(answers["result"])
        transition(actor, case.number, Action.REOPEN, data, now=now)
    survey = Survey.objects.create(
        case=case, closed_at=closed_at, outcome=Outcome.SURVEYED, channel=channel, attitude=answers["attitude"],
        efficiency=answers["efficiency"], result=answers["result"], resolved=answers["resolved"],
        remark=answers["remark"], attempts=attempts + (channel == Channel.PHONE), department_id=department_id,
        street_code=case.scope_key[:9], scope_key=case.scope_key, by=by, at=now)
    audit.record(actor, "create", "survey", survey.pk, after={
        "case": case.number, "channel": channel, "attitude": survey.attitude, "efficiency": survey.efficiency,
        "result": survey.result, "resolved": survey.resolved, "remark": survey.remark})
    return survey


def phone_survey(user, number: str, *, attitude, efficiency, result, resolved, remark: str = "",
                 now: dt.datetime | None = None) -> Survey:
    """电话回访 by the centre: the three dimensions, 问题是否解决 and a remark."""
    _require_follow_up(user)
    answers = _answers(attitude, efficiency, result, resolved, remark)
    now = now or timezone.now()
    with transaction.atomic():
        case = _closing(user, number)
        return _apply(user, case, answers, Channel.PHONE, user, now)


def resident_survey(grant: str, number: str, *, attitude=None, efficiency=None, result=None, resolved=True,
                    remark: str = "", now: dt.datetime | None = None) -> Survey | None:
    """The person's own evaluation on the public case page (the grant of ``cases.services.public``): 结果 is
    required when resolved, 态度 and 效率 may be left out; 「没有解决」 needs only the remark (the case is reopened; a
    closing already rated keeps its survey and is just reopened — None). The transition decides whether it may happen now (closed, not yet
    followed up) — refused, nothing is written."""
    from gridgov.cases.services import public

    optional = ("attitude", "efficiency") + (() if resolved else ("result",))  # 「没有解决」 alone is an answer
    answers = _answers(attitude, efficiency, result, resolved, remark, optional=optional)
    now = now or timezone.now()
    with transaction.atomic():
        case = public.case_for(grant, number)
        actor = public.actor_for(case)
        if not resolved and Survey.objects.filter(case=case, closed_at=case.closed_at).exists():
            # rated already, then 「没有解决」: the case is reopened, the survey of this closing stays as given
            transition(actor, case.number, Action.REOPEN, {"reason": answers["remark"]}, now=now)
            return None
        return _apply(actor, case, answers, Channel.WEB, actor if actor.role == Role.RESIDENT else None, now)


def record_call(user, number: str, note: str = "", now: dt.datetime | None = None) -> dict:
    """A call that did not reach the person. The MAX_ATTEMPTS-th call records the closing as 无法联系 (a survey
    without answers; the case leaves the queue, its satisfaction stays empty)."""
    _require_follow_up(user)
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("note_too_long", "说明不能超过 200 字")
    now = now or timezone.now()
    with transaction.atomic():
        case = _closing(user, number)
        attempt = CallAttempt.objects.create(case=case, closed_at=case.closed_at, note=note, by=user, at=now)
        audit.record(user, "create", "call_attempt", attempt.pk, after={"case": case.number, "note": note})
        calls = CallAttempt.objects.filter(case=case, closed_at=case.closed_at).count()
        survey = None
        if calls >= fig.MAX_ATTEMPTS:
            survey = Survey.objects.create(
                case=case, closed_at=case.closed_at, outcome=Outcome.UNREACHABLE, channel=Channel.PHONE,
                attempts=calls, department_id=case.assignee_department_id, street_code=case.scope_key[:9],
                scope_key=case.scope_key, by=user, at=now, remark=note)
            audit.record(user, "create", "survey", survey.pk, after={
                "case": case.number, "outcome": Outcome.UNREACHABLE.value, "attempts": calls})
    return {"number": case.number, "calls": calls, "unreachable": survey is not None}


# ---------------------------------------------------------------- surveys and figures (reads)


def visible_surveys(user):
    """Surveys one may read: the centre's viewers all of their district, a department those of its cases, a
    street's 督导员 those of its street."""
    require(user, VIEW)
    qs = Survey.objects.select_related("case", "department")
    if user.is_superuser:
        return qs
    return scoped(qs, user, VIEW)


def _month_surveys(district: str, start, end):
    return Survey.objects.filter(street_code__startswith=district, closed_at__gte=start, closed_at__lt=end)


def _closed_counts(district: str, start, end) -> tuple[dict, dict]:
    """Cases closed in the month per street and per department (code): still closed, plus the closings that a
    survey 「未解决」 reopened (the case lost that closing time)."""
    base = Case.objects.filter(district__code=district, status__in=CLOSED, closed_at__gte=start, closed_at__lt=end)
    streets = {r["street"]: r["n"] for r in base.annotate(street=Substr("scope_key", 1, 9))
               .values("street").annotate(n=Count("id"))}
    depts = {r["assignee_department__code"]: r["n"] for r in base.exclude(assignee_department=None)
             .values("assignee_department__code").annotate(n=Count("id"))}
    for s in _month_surveys(district, start, end).filter(resolved=False).values("street_code", "department__code"):
        streets[s["street_code"]] = streets.get(s["street_code"], 0) + 1
        if s["department__code"]:
            depts[s["department__code"]] = depts.get(s["department__code"], 0) + 1
    return streets, depts


def _ratings(period: str, district: str) -> dict[str, dict]:
    rows = list(Rating.objects.filter(period=period, district_code=district).values(
        "rater_code", "ratee_kind", "ratee_code", "scores", "remark"))
    out = {}
    for kind in RateeKind.values:
        dims = list(Dimension.objects.filter(ratee_kind=kind).values_list("key", flat=True))
        out[kind] = fig.rating_summary(
            [{"rater": r["rater_code"], "ratee": r["ratee_code"], "scores": r["scores"], "remark": r["remark"]}
             for r in rows if r["ratee_kind"] == kind], dims)
    return out


def figures(period: str, district_code: str) -> dict:
    """The month's satisfaction per street and department and the two-way ratings received — for the assessment.

    ``{"period", "district", "streets": {code: {name, satisfaction}}, "departments": {code: {name, satisfaction,
    ratings}}, "centre": {"ratings"}}`` where ``satisfaction`` is ``logic.figures.satisfaction`` (closed,
    surveyed, unreachable, follow_up_rate, means {attitude, efficiency, result}, satisfied_share, resolved_share)
    and ``ratings`` is ``logic.figures.rating_summary``'s entry (raters, means per dimension, overall, remarks)
    or None when nobody rated. Surveys count in the month their case was closed.
    """
    start, end = period_bounds(period)
    district = str(district_code)
    rows = [{"street": s["street_code"], "department": s["department__code"], "outcome": s["outcome"],
             "attitude": s["attitude"], "efficiency": s["efficiency"], "result": s["result"],
             "resolved": s["resolved"]}
            for s in _month_surveys(district, start, end).values(
                "street_code", "department__code", "outcome", "attitude", "efficiency", "result", "resolved")]
    closed_streets, closed_depts = _closed_counts(district, start, end)
    by_street = fig.by_unit(rows, closed_streets, "street")
    by_dept = fig.by_unit(rows, closed_depts, "department")
    ratings = _ratings(period, district)
    names = dict(Jurisdiction.objects.filter(code__startswith=district, level="street").values_list("code", "name"))
    depts = dict(Department.objects.filter(district__code=district).values_list("code", "name"))
    empty = fig.satisfaction([], 0)
    return {
        "period": period, "district": district,
        "streets": {code: {"name": name, "satisfaction": by_street.get(code, empty)} for code, name in
                    sorted(names.items())},
        "departments": {code: {"name": name, "satisfaction": by_dept.get(code, empty),
                               "ratings": ratings[RateeKind.DEPARTMENT].get(code)} for code, name in
                        sorted(depts.items())},
        "centre": {"ratings": ratings[RateeKind.CENTRE].get(district)},
    }


def figures_for(user, period: str) -> dict:
    """``figures`` as a post may read them: the centre's viewers everything of their district; a department's
    handler its own department (and no street, no centre); a street's 督导员 its own street and the departments'
    satisfaction on its street is not split out — only its street's figures."""
    require(user, VIEW)
    district = district_of(user)
    data = figures(period, district)
    if user.is_superuser or user.role in CENTRE_VIEWERS:
        return data
    if user.role == Role.HANDLER:
        code = user.department.code
        return {**data, "streets": {}, "centre": {"ratings": None},
                "departments": {k: v for k, v in data["departments"].items() if k == code}}
    street = (user.node_key or "")[:9]
    return {**data, "departments": {}, "centre": {"ratings": None},
            "streets": {k: v for k, v in data["streets"].items() if k == street}}


# ---------------------------------------------------------------- 条块双向考核


def dimensions(kind: str) -> list[Dimension]:
    return list(Dimension.objects.filter(ratee_kind=kind, active=True))


def rater_of(user) -> tuple[str, str, str]:
    """(rater kind, rater code, the kind of unit it rates): a street's 督导员 rates departments, a department's
    handler the centre."""
    require(user, RATE)
    if user.role == Role.HANDLER and user.department_id:
        return "department", user.department.code, RateeKind.CENTRE.value
    node = user.node_key or ""
    if user.role == Role.GRID_SUPERVISOR and len(node) == 9:
        return "street", node, RateeKind.DEPARTMENT.value
    raise Forbidden("not_a_rater", "只有街道督导员（评部门）和部门处置人员（评区指挥中心）可以评价")


def window_of(period: str, now: dt.datetime | None = None) -> dict:
    """The rating window of ``period``: its state and last day."""
    from gridgov.worktime.services import current_calendar

    period_bounds(period)  # invalid_month
    cal = current_calendar()
    return {"state": window.window_state(period, local_today(now), cal.is_workday),
            "last_day": window.last_rating_day(period, cal.is_workday)}


def rate(user, period: str, ratee: str | None, scores: dict, remark: str = "", now: dt.datetime | None = None
         ) -> Rating:
    """One rating: ``ratee`` is a department code (a street rating) or omitted (a department rating the centre).
    Replaces the rater's earlier rating of the same ratee and month while the window is open."""
    rater_kind, rater_code, ratee_kind = rater_of(user)
    now = now or timezone.now()
    win = window_of(period, now)
    if win["state"] == "not_started":
        raise DomainError("period_not_started", f"{period} 尚未开始，不能评价")
    if win["state"] == "closed":
        raise Conflict("rating_window_closed",
                       f"{period} 的评价已于 {win['last_day']:%Y-%m-%d}（次月第 5 个工作日）截止")
    district = rater_code[:6] if rater_kind == "street" else user.department.district.code
    if ratee_kind == RateeKind.DEPARTMENT:
        if not ratee or not Department.objects.filter(district__code=district, code=str(ratee)).exists():
            raise NotFound("unknown_department", f"本区没有部门「{ratee or ''}」")
        ratee_code = str(ratee)
    else:
        if ratee not in (None, "", district):
            raise DomainError("invalid_ratee", "部门只评价本区指挥中心的派遣，被评对象应留空")
        ratee_code = district
    dims = dimensions(ratee_kind)
    if not isinstance(scores, dict):
        raise DomainError("invalid_scores", "评分应为「维度: 分值」")
    known = {d.key: d.name for d in dims}
    unknown = sorted(set(scores) - set(known))
    if unknown:
        raise DomainError("unknown_dimension", f"没有评价维度「{'、'.join(unknown)}」")
    clean = {}
    for d in dims:
        value = fig.valid_score(scores.get(d.key))
        if value is None:
            raise DomainError("invalid_score", f"「{d.name}」应为 1～5 的整数")
        clean[d.key] = value
    remark = (remark or "").strip()
    if len(remark) > MAX_REMARK:
        raise DomainError("remark_too_long", f"意见不能超过 {MAX_REMARK} 字")
    with transaction.atomic():
        old = (Rating.objects.select_for_update()
               .filter(period=period, rater_code=rater_code, ratee_kind=ratee_kind, ratee_code=ratee_code).first())
        after = {"period": period, "rater": rater_code, "ratee": ratee_code, "scores": clean, "remark": remark}
        if old is None:
            try:
                with transaction.atomic():  # two first ratings at the same moment: the second is told, not a 500
                    r = Rating.objects.create(period=period, district_code=district, rater_kind=rater_kind,
                                              rater_code=rater_code, ratee_kind=ratee_kind, ratee_code=ratee_code,
                                              scores=clean, remark=remark, by=user, at=now)
            except IntegrityError:
                raise Conflict("rating_conflict", "同一评价刚刚由本单位其他人提交，请刷新后查看或修改") from None
            audit.record(user, "create", "rating", r.pk, after=after)
            return r
        before = {"period": period, "rater": rater_code, "ratee": ratee_code, "scores": old.scores,
                  "remark": old.remark}
        old.scores, old.remark, old.by, old.at, old.revision = clean, remark, user, now, old.revision + 1
        old.save(update_fields=["scores", "remark", "by", "at", "revision"])
        audit.record(user, "update", "rating", old.pk, before=before, after=after)
        return old


def ratings_given(user, period: str):
    """The ratings this user's unit gave in ``period``."""
    _, rater_code, _ = rater_of(user)
    period_bounds(period)
    return Rating.objects.filter(period=period, rater_code=rater_code)


def visible_ratings(user, period: str):
    """The ratings one may list: the centre's viewers (the administrator, the leader, the 值班长) all of their
    district with who gave them; a rating unit (street, department) those it gave."""
    period_bounds(period)
    if getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in CENTRE_VIEWERS):
        require(user, VIEW)
        return Rating.objects.filter(period=period, district_code=district_of(user))
    return ratings_given(user, period)


def partners(user, period: str) -> list[Department]:
    """The departments a street worked with in ``period``: those its cases were sent to (any time in the month)."""
    _, street, kind = rater_of(user)
    if kind != RateeKind.DEPARTMENT:
        return []
    start, end = period_bounds(period)
    worked = set(Case.objects.filter(scope_key__startswith=street, dispatched_at__gte=start, dispatched_at__lt=end)
                 .exclude(assignee_department=None).values_list("assignee_department_id", flat=True))
    worked |= set(Survey.objects.filter(street_code=street, closed_at__gte=start, closed_at__lt=end)
                  .exclude(department=None).values_list("department_id", flat=True))
    return list(Department.objects.filter(pk__in=worked).order_by("code"))


def save_dimension(user, kind: str, key: str, name: str, order: int = 0, active: bool = True) -> Dimension:
    """The administrator adds or edits a rating dimension (audited)."""
    require(user, roles.ASSESS_MANAGE)
    if kind not in RateeKind.values:
        raise DomainError("invalid_kind", "被评对象应为 department 或 centre")
    key, name = (key or "").strip(), (name or "").strip()
    if not key or not name or len(key) > 32 or len(name) > 50:
        raise DomainError("invalid_dimension", "维度代码（≤32 字符）和名称（≤50 字）不能为空")
    with transaction.atomic():
        d = Dimension.objects.filter(ratee_kind=kind, key=key).first()
        before = audit.values(d, ["name", "order", "active"]) if d else None
        d = d or Dimension(ratee_kind=kind, key=key)
        d.name, d.order, d.active = name, int(order), bool(active)
        d.save()
        audit.record(user, "update" if before else "create", "rating_dimension", d.pk, before=before,
                     after={"kind": kind, "key": key, "name": name, "order": d.order, "active": d.active})
    return d


# ---------------------------------------------------------------- 反馈给责任单位


def send_notices(user, period: str, district_code: str | None = None) -> int:
    """Each department's figures of ``period`` to its handlers' inbox (the 反馈 of 003 篇8 4.5). Returns the
    number of departments notified. ``user`` None: the system (the monthly command), for ``district_code``."""
    if user is not None:
        require(user, REVIEW)
        district = district_of(user)
    elif not district_code or not Jurisdiction.objects.filter(code=str(district_code), level="district").exists():
        raise NotFound("unknown_district", f"没有区县「{district_code or ''}」")
    else:
        district = str(district_code)
    data = figures(period, district)
    handlers: dict[str, list[int]] = {}
    for uid, code in User.objects.filter(role=Role.HANDLER, is_active=True, department__district__code=district
                                         ).values_list("id", "department__code"):
        handlers.setdefault(code, []).append(uid)
    messages = []
    for code, d in data["departments"].items():
        if not handlers.get(code):
            continue
        messages.append((handlers[code], "evaluation", f"{period} 满意度回访与双向评价结果", notice_text(d),
                         "evaluation_notice", period))
    with transaction.atomic():
        notify_many(messages)
        audit.record(user, "send", "evaluation_notice", period, after={"period": period,
                                                                        "departments": len(messages)})
    return len(messages)


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def notice_text(d: dict) -> str:
    s = d["satisfaction"]
    means = "、".join(f"{label} {s['means'][key] if s['means'][key] is not None else '—'}"
                      for key, label in fig.DIMENSIONS)
    text = (f"{d['name']}：本月结案 {s['closed']} 件，回访 {s['surveyed']} 件（回访率 {_pct(s['follow_up_rate'])}），"
            f"满意率 {_pct(s['satisfied_share'])}，各维度均分 {means}；无法联系 {s['unreachable']} 件。")
    r = d.get("ratings")
    if r:
        text += f"街道评价：{r['raters']} 个街道评价，综合均分 {r['overall']}。"
    return text + "请在「满意度」页查看回访意见并作出回应。"
