"""The only writer of the social-governance records (矛盾纠纷调解, 信访); each public function owns its transaction and
appends one audit record (personal data as field names and counts, never values).

Records are reached through their case: ``cases.services.load_case`` decides who may see it (scope, department,
restricted classes such as 信访), so a record is never readable where its case is not. Lists start from
``scoped(Case, …)`` for the same reason. Refused writes raise DomainError with a stable code and write nothing.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, OutOfScope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound

from .logic import mediation as ml
from .logic import petitions as pl
from .models import Mediation, Party, Petition, Session

VIEW, RECORD = roles.GOV_VIEW, roles.GOV_RECORD
DISPUTE_MAJOR, PETITION_MAJOR = "50", "51"  # 矛盾纠纷类, 信访类 (local_social_governance.csv)


def _refuse(refusal, conflict: bool = False) -> None:
    if refusal:
        raise (Conflict if conflict else DomainError)(*refusal)


def _case(user, number: str, right: str = VIEW):
    from gridgov.cases.services import load_case

    require(user, right)
    return load_case(user, number)


def _day(value, label: str) -> dt.date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("invalid_date", f"{label}应为日期（如 2026-11-02），收到「{value}」") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("invalid_date", f"{label}应在 {FIRST_DAY} 至 {LAST_DAY} 之间，收到 {day}")
    return day


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _text(value, label: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}")
    if len(text) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字")
    return text


# ---------------------------------------------------------------- parties (personal data)


def _party(user, data: dict, **owner) -> Party:
    """A party from a resident of the basic data (resident_id, within the user's scope) or a name and phone."""
    from gridgov.basedata import rights
    from gridgov.basedata.models import Resident
    from gridgov.basedata.services import clean_phone, phone_fields

    role = _text(data.get("role"), "身份", 20)
    resident_id = data.get("resident_id")
    if resident_id:
        try:
            resident = rights.get_scoped(Resident.objects.all(), user, rights.VIEW, pk=int(resident_id))
        except (OutOfScope, NoRight, ValueError, TypeError):
            raise NotFound("resident_not_found", "实有人口不存在或不在您的管辖范围内") from None
        return Party(resident=resident, role=role, name=resident.name, phone_cipher=resident.phone_cipher,
                     phone_masked=resident.phone_masked, phone_index=resident.phone_index, **owner)
    name = _text(data.get("name"), "当事人姓名", 50, required=True)
    phone = clean_phone(data.get("phone"))
    return Party(role=role, name=name, **(phone_fields(phone) if phone else {}), **owner)


def may_unmask(user) -> bool:
    return user.is_superuser or roles.has_right(user.role, roles.BD_UNMASK)


def party_view(user, p: Party) -> dict:
    from gridgov.basedata.logic.ids import mask_name

    return {"id": p.pk, "role": p.role, "resident_id": p.resident_id,
            "name": p.name if may_unmask(user) else mask_name(p.name), "phone": p.phone_masked}


# ---------------------------------------------------------------- 矛盾纠纷调解


def get_mediation(user, number: str) -> Mediation:
    case = _case(user, number)
    m = Mediation.objects.filter(case=case).first()
    if m is None:
        raise NotFound("mediation_not_found", f"案件 {case.number} 没有调解记录")
    m.case = case
    return m


def _mediation_for_update(user, number: str) -> Mediation:
    case = _case(user, number, RECORD)
    m = Mediation.objects.select_for_update().filter(case=case).first()
    if m is None:
        raise NotFound("mediation_not_found", f"案件 {case.number} 没有调解记录，请先受理调解")
    m.case = case
    return m


@transaction.atomic
def open_mediation(user, number: str, summary: str = "", accepted_on=None, parties: list[dict] | None = None
                   ) -> Mediation:
    """受理调解 on a 矛盾纠纷 case, with its parties when known."""
    case = _case(user, number, RECORD)
    if case.matter is None or case.matter.major_code != DISPUTE_MAJOR:
        raise DomainError("not_a_dispute", "只有矛盾纠纷类（50）案件可以登记调解")
    if Mediation.objects.filter(case=case).exists():
        raise Conflict("mediation_exists", f"案件 {case.number} 已有调解记录")
    m = Mediation.objects.create(case=case, summary=_text(summary, "纠纷概要", 2000),
                                 accepted_on=_day(accepted_on, "受理日期"), created_by=user)
    made = [_party(user, p, mediation=m) for p in parties or []]
    Party.objects.bulk_create(made)
    audit.record(user, "open", "mediation", case.number, after={"status": m.status, "parties": len(made)})
    return m


@transaction.atomic
def add_party(user, number: str, data: dict) -> Party:
    m = _mediation_for_update(user, number)
    _refuse(ml.party_refusal(m.status), conflict=True)
    p = _party(user, data, mediation=m)
    p.save()
    audit.record(user, "add_party", "mediation", m.case.number,
                 after={"role": p.role, "resident": p.resident_id, **audit.names(["name", "phone"])})
    return p


@transaction.atomic
def add_session(user, number: str, data: dict) -> Session:
    m = _mediation_for_update(user, number)
    _refuse(ml.session_refusal(m.status), conflict=True)
    held_on = _day(data.get("held_on"), "调解日期")
    if held_on < m.accepted_on:
        raise DomainError("invalid_date", "调解日期不能早于受理日期")
    s = Session.objects.create(mediation=m, held_on=held_on, place=_text(data.get("place"), "调解地点", 100, True),
                               mediator=_text(data.get("mediator"), "调解员", 50, True),
                               notes=_text(data.get("notes"), "调解情况", 5000), created_by=user)
    before = m.status
    m.status = ml.after(m.status, "session")
    m.save(update_fields=["status", "updated_at"])
    audit.record(user, "add_session", "mediation", m.case.number, before={"status": before},
                 after={"status": m.status, "held_on": str(held_on), "place": s.place, "mediator": s.mediator})
    return s


@transaction.atomic
def record_outcome(user, number: str, outcome: str, text: str = "", signed_on=None) -> Mediation:
    """达成协议 (the agreement's text and signed date; needs the parties) or 调解不成 (the reason)."""
    m = _mediation_for_update(user, number)
    counts = Mediation.objects.filter(pk=m.pk).aggregate(p=Count("parties", distinct=True),
                                                         s=Count("sessions", distinct=True))
    refusal = ml.outcome_refusal(m.status, outcome, counts["p"], counts["s"])
    _refuse(refusal, conflict=bool(refusal) and refusal[0] == "mediation_closed")
    day = _day(signed_on, "日期")
    if day < m.accepted_on:
        raise DomainError("invalid_date", "日期不能早于受理日期")
    before = m.status
    if outcome == "agreed":
        m.agreement_text = _text(text, "协议内容", 5000, required=True)
        m.agreement_signed_on = day
    else:
        m.failure_reason = _text(text, "调解不成原因", 5000, required=True)
    m.concluded_on = day
    m.status = ml.after(m.status, outcome)
    m.save()
    audit.record(user, outcome, "mediation", m.case.number, before={"status": before},
                 after={"status": m.status, "on": str(day)})
    return m


@transaction.atomic
def record_visit(user, number: str, result: str, visited_on=None, satisfied: bool | None = None) -> Mediation:
    """回访: the follow-up visit after the outcome, with its result."""
    m = _mediation_for_update(user, number)
    _refuse(ml.visit_refusal(m.status), conflict=True)
    day = _day(visited_on, "回访日期")
    if m.concluded_on and day < m.concluded_on:
        raise DomainError("invalid_date", "回访日期不能早于调解结束日期")
    before = m.status
    m.visit_result, m.visited_on, m.visit_satisfied = _text(result, "回访结果", 5000, True), day, satisfied
    m.status = ml.after(m.status, "visit")
    m.save()
    audit.record(user, "visit", "mediation", m.case.number, before={"status": before},
                 after={"status": m.status, "on": str(day), "satisfied": satisfied})
    return m


def mediations(user, status: str | None = None):
    """调解台账: the mediation records of the cases the user may read."""
    from gridgov.cases.models import Case

    require(user, VIEW)
    qs = Mediation.objects.filter(case__in=scoped(Case.objects.all(), user, roles.CASE_VIEW))
    if status:
        if status not in ml.STATUSES:
            raise DomainError("invalid_status", f"状态应为 {'/'.join(ml.STATUSES)}，收到「{status}」")
        qs = qs.filter(status=status)
    return qs.select_related("case", "case__matter", "case__community").annotate(
        n_parties=Count("parties", distinct=True), n_sessions=Count("sessions", distinct=True)
    ).order_by("-accepted_on", "-id")


# ---------------------------------------------------------------- 信访


def petition_rules(matter) -> pl.Rules:
    """The 15/60 days from the matter's deadline rules (register / handle, in natural days); the statute's values
    when a rule is in another unit."""
    from gridgov.catalog.services import deadline_for

    def days(stage: str, default: int) -> int:
        try:
            amount, unit = deadline_for(matter, "", "", stage)
        except DomainError:
            return default
        return int(amount) if unit == "natural_days" else default

    return pl.Rules(accept_days=days("register", pl.ACCEPT_DAYS), settle_days=days("handle", pl.SETTLE_DAYS))


def get_petition(user, number: str) -> Petition:
    case = _case(user, number)
    p = Petition.objects.filter(case=case).first()
    if p is None:
        raise NotFound("petition_not_found", f"案件 {case.number} 没有信访登记")
    p.case = case
    return p


def _petition_for_update(user, number: str) -> Petition:
    case = _case(user, number, RECORD)
    p = Petition.objects.select_for_update().filter(case=case).first()
    if p is None:
        raise NotFound("petition_not_found", f"案件 {case.number} 没有信访登记，请先登记")
    p.case = case
    return p


@transaction.atomic
def register_petition(user, number: str, form: str, subject: str, received_on=None,
                      petitioners: list[dict] | None = None) -> Petition:
    """登记: 来信/来访, the petitioner(s), the subject, the received date; the acceptance due date follows."""
    case = _case(user, number, RECORD)
    if case.matter is None or case.matter.major_code != PETITION_MAJOR:
        raise DomainError("not_a_petition", "只有信访类（51）案件可以登记信访")
    if form not in pl.FORMS:
        raise DomainError("invalid_form", "信访形式应为 letter（来信）或 visit（来访）")
    if not petitioners:
        raise DomainError("petitioner_required", "请登记至少一名信访人")
    if Petition.objects.filter(case=case).exists():
        raise Conflict("petition_exists", f"案件 {case.number} 已有信访登记")
    received = _day(received_on, "收到日期")
    p = Petition.objects.create(case=case, form=form, subject=_text(subject, "信访事项", 200, True),
                                received_on=received, accept_due_on=pl.accept_due(received, petition_rules(case.matter)),
                                created_by=user)
    made = [_party(user, x, petition=p) for x in petitioners]
    Party.objects.bulk_create(made)
    audit.record(user, "register", "petition", case.number,
                 after={"form": form, "received_on": str(received), "accept_due_on": str(p.accept_due_on),
                        "petitioners": len(made)})
    return p


@transaction.atomic
def decide_petition(user, number: str, decision: str, decided_on=None, note: str = "") -> Petition:
    """受理意见: 受理 (the reply due date follows), 不予受理 or 转送."""
    p = _petition_for_update(user, number)
    day = _day(decided_on, "受理意见日期")
    refusal = pl.decision_refusal(p.status, decision, p.received_on, day)
    _refuse(refusal, conflict=bool(refusal) and refusal[0] == "already_decided")
    p.decision, p.decided_on, p.decision_note = decision, day, _text(note, "说明", 2000)
    p.status = {"accepted": "accepted", "rejected": "rejected", "transferred": "transferred"}[decision]
    if decision == "accepted":
        p.reply_due_on = pl.reply_due(day, 0, petition_rules(p.case.matter))
    p.save()
    audit.record(user, "decide", "petition", p.case.number, before={"status": "registered"},
                 after={"status": p.status, "decided_on": str(day),
                        "reply_due_on": str(p.reply_due_on) if p.reply_due_on else None})
    return p


@transaction.atomic
def extend_petition(user, number: str, days: int, reason: str) -> Petition:
    """延期: once, at most 30 days (信访工作条例)."""
    p = _petition_for_update(user, number)
    rules = petition_rules(p.case.matter)
    refusal = pl.extension_refusal(p.status, p.extension_count, int(days), rules)
    _refuse(refusal, conflict=bool(refusal) and refusal[0] in ("extension_used", "not_accepted"))
    reason = _text(reason, "延期理由", 2000, True)
    before = str(p.reply_due_on)
    p.extension_days, p.extension_count, p.extension_reason = int(days), p.extension_count + 1, reason
    p.reply_due_on = pl.reply_due(p.decided_on, p.extension_days, rules)
    p.save()
    audit.record(user, "extend", "petition", p.case.number, before={"reply_due_on": before},
                 after={"reply_due_on": str(p.reply_due_on), "days": p.extension_days})
    return p


@transaction.atomic
def reply_petition(user, number: str, text: str, replied_on=None) -> Petition:
    """答复 (办结): only after the acceptance decision 受理."""
    p = _petition_for_update(user, number)
    day = _day(replied_on, "答复日期")
    _refuse(pl.reply_refusal(p.status, p.decided_on, day), conflict=True)
    p.reply_text, p.replied_on, p.status = _text(text, "答复意见", 5000, True), day, "replied"
    p.save()
    audit.record(user, "reply", "petition", p.case.number, before={"status": "accepted"},
                 after={"status": p.status, "replied_on": str(day), "late": day > p.reply_due_on})
    return p


@transaction.atomic
def request_review(user, number: str, text: str, requested_on=None) -> Petition:
    """复查申请, within 30 days of the reply; the review is due 30 days later."""
    p = _petition_for_update(user, number)
    day = _day(requested_on, "复查申请日期")
    rules = petition_rules(p.case.matter)
    _refuse(pl.review_request_refusal(p.status, p.replied_on, day, rules), conflict=True)
    p.review_request_text, p.review_requested_on = _text(text, "复查请求", 5000, True), day
    p.review_due_on, p.status = pl.review_due(day, rules), "review"
    p.save()
    audit.record(user, "review_request", "petition", p.case.number, before={"status": "replied"},
                 after={"status": p.status, "requested_on": str(day), "review_due_on": str(p.review_due_on)})
    return p


@transaction.atomic
def record_review(user, number: str, result: str, reviewed_on=None) -> Petition:
    """复查意见."""
    p = _petition_for_update(user, number)
    day = _day(reviewed_on, "复查日期")
    _refuse(pl.review_refusal(p.status, p.review_requested_on, day), conflict=True)
    p.review_result, p.reviewed_on, p.status = _text(result, "复查意见", 5000, True), day, "reviewed"
    p.save()
    audit.record(user, "review", "petition", p.case.number, before={"status": "review"},
                 after={"status": p.status, "reviewed_on": str(day)})
    return p


def petitions(user, status: str | None = None):
    """信访登记簿: the petitions of the cases the user may read (信访 is a restricted class)."""
    from gridgov.cases.models import Case

    require(user, VIEW)
    qs = Petition.objects.filter(case__in=scoped(Case.objects.all(), user, roles.CASE_VIEW))
    if status:
        if status not in pl.STATUSES:
            raise DomainError("invalid_status", f"状态应为 {'/'.join(pl.STATUSES)}，收到「{status}」")
        qs = qs.filter(status=status)
    return qs.select_related("case", "case__matter", "case__community").annotate(
        n_petitioners=Count("petitioners")).order_by("-received_on", "-id")


def due_label(due: dt.date | None, done: bool, today: dt.date | None = None) -> str:
    """期限 as shown: 「剩 N 天」, 「今日到期」, 「超期 N 天」 (nothing once done)."""
    if due is None or done:
        return ""
    today = today or timezone.localdate()
    left = (due - today).days
    return f"剩 {left} 天" if left > 0 else ("今日到期" if left == 0 else f"超期 {-left} 天")


# ---------------------------------------------------------------- retention (个人信息保存期限)


def purge_parties(before: dt.datetime, day: dt.date) -> int:
    """Erase the 当事人 and 信访人 of records whose case finished before ``before`` (the privacy purge owns the
    transaction and audits the count): the name becomes the erased mark, the phone and its index nothing, the link to
    the resident is cut; the record itself (what was agreed or answered) stays. Running it again erases nothing."""
    from gridgov.cases.services.retention import finished_before
    from gridgov.privacy.services import ERASED_MARK

    due = finished_before(before, "mediation__case__") | finished_before(before, "petition__case__")
    ids = list(Party.objects.filter(due).exclude(name=ERASED_MARK).values_list("pk", flat=True))
    if not ids:
        return 0
    return Party.objects.filter(pk__in=ids).update(name=ERASED_MARK, phone_cipher=b"", phone_masked="",
                                                   phone_index="", resident=None)
