"""Residents without an account (居民上报, 进度查询, 回访): report, follow a case by number + phone, rate or reopen it.

Anonymous reports are filed through ``intake`` as one system account per installation (``public-reporter``,
post 居民, unusable password), so the lifecycle's guard ``reporter_if_resident`` lets that account do 回访 and
重新办理 on its reports. This module is what authenticates the *person*: the phone number given must match the
phone stored (encrypted) with the report. A right phone earns a signed *grant* for that one case number, which
the pages keep in the session; every later call presents the grant. The GUESSER is throttled, not the case
(gridgov.accounts.throttle, rules ``public.case`` and ``public.address``): attempts are counted per client
address and per address + case number before they are evaluated, so beyond the limit (5 for one number, 20 in
all, per 15 minutes) even the right phone is refused *from that address* — while the rightful resident, from
their own address, is never locked out of their case. A refused call writes nothing but its count.

A signed-in resident account is its own reporter: ``grant_for_user`` gives it a grant for its own reports.
"""

import re
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction

from gridgov.accounts import throttle
from gridgov.accounts.roles import Role
from gridgov.crypto import cipher
from gridgov.errors import DomainError

from ..logic.lifecycle import Action, State
from ..models import Case, CaseReport, Source
from .intake import PHONE_FIELD, intake
from .intake import report_problems as intake_problems
from .transitions import available_actions

PUBLIC_USERNAME = "public-reporter"
PUBLIC_NAME = "公众上报"
GRANT_MAX_AGE_S = 7 * 24 * 3600
GRANT_SALT = "gridgov.cases.public.grant"
PUBLIC_ACTIONS = (Action.FOLLOW_UP, Action.REOPEN)
PHONE_RE = re.compile(r"^\d{7,15}$")
NUMBER_RE = re.compile(r"^\d{6}-\d{8}-\d{4,6}$")

WRONG = "编号或手机号不正确"
THROTTLED = "尝试次数过多，请 {minutes} 分钟后再试"


class AccessDenied(DomainError):
    """Wrong number or phone (the message never says which), too many tries, or an expired grant."""

    status = 403


def public_user():
    """The one system account anonymous reports are filed as (created on first use)."""
    from gridgov.accounts.models import User

    try:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=PUBLIC_USERNAME,
                defaults={"role": Role.RESIDENT.value, "display_name": PUBLIC_NAME, "is_active": True})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
    except IntegrityError:  # created by a concurrent request
        user = User.objects.get(username=PUBLIC_USERNAME)
    return user


def clean_phone(phone) -> str:
    """Digits only (spaces, dashes and a leading +86 are dropped); 7–15 digits or a DomainError."""
    digits = re.sub(r"[\s\-()（）]", "", str(phone or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not digits:
        raise DomainError("phone_required", "请填写手机号，用于查询办理进度")
    if not PHONE_RE.match(digits):
        raise DomainError("invalid_phone", "手机号应为 7～15 位数字")
    return digits


@dataclass
class Filed:
    """A filed report: the case, whether this call made it, photos refused, and the grant to follow it."""

    case: Case
    created: bool
    photo_errors: list
    grant: str


def is_resident(user) -> bool:
    """A signed-in resident account (not the public system account)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role == Role.RESIDENT
                and user.username != PUBLIC_USERNAME)


def report(user, *, phone, lon, lat, description: str, address: str = "", matter: str | None = None, photos=(),
           client_key: str | None = None) -> Filed:
    """File a resident's report. ``user``: a signed-in resident (its own report) or anyone else (anonymous).

    The phone is required (it is how the person follows the case). The same ``client_key`` twice files one case;
    it returns the existing case only to the same phone.
    """
    phone = clean_phone(phone)
    reporter = user if is_resident(user) else public_user()
    key = (client_key or "").strip() or None
    if key:
        key = f"r-{key}"[:64]
        existing = CaseReport.objects.filter(client_key=key).select_related("case").first()
        if existing is not None:
            if not _phone_matches([existing], phone):
                raise DomainError("form_used", "此表单已提交过，请重新打开上报页面填写")
            return Filed(existing.case, False, [], _grant(existing.case.number))
    r = intake(reporter, source=Source.RESIDENT, lon=lon, lat=lat, description=description, address=address,
               matter=matter or None, client_key=key, reporter_phone=phone, photos=photos)
    return Filed(r.case, r.created, r.photo_errors, _grant(r.case.number))


def report_problems(user, *, lon, lat, description: str, matter: str | None = None) -> list[DomainError]:
    """Everything ``report`` would refuse in the description, the place and the matter, at once (the form shows
    them together; the phone is the form's own field check)."""
    reporter = user if is_resident(user) else public_user()
    return intake_problems(reporter, lon=lon, lat=lat, description=description, matter=matter or None)


# ---------------------------------------------------------------- access by number + phone


def _phone_matches(reports, phone: str) -> bool:
    c = cipher()
    for r in reports:
        try:
            if r.reporter_phone_cipher and c.decrypt(r.reporter_phone_cipher, PHONE_FIELD) == phone:
                return True
        except Exception:  # noqa: BLE001 — an unreadable value (rotated key) matches nothing
            continue
    return False


def _grant(number: str) -> str:
    return signing.dumps({"n": number}, salt=GRANT_SALT, compress=False)


def clean_number(number) -> str:
    """110101-20261123-0042, also typed with spaces, other dashes or none at all."""
    text = re.sub(r"\s", "", str(number or "")).translate(str.maketrans("－—–_", "----"))
    if re.fullmatch(r"\d{18,20}", text):
        text = f"{text[:6]}-{text[6:14]}-{text[14:]}"
    return text


def _checks(number: str, address: str):
    return [(throttle.rule("public.case"), f"{address}|{number}"), (throttle.rule("public.address"), address)]


def check_phone(number, phone, *, address: str) -> str:
    """A grant for case ``number`` if ``phone`` is the phone it was reported with, else ``AccessDenied``.

    ``address`` is the client's address (``throttle.client_address(request)``): the attempt is counted against it
    (and against it with this number) before anything is looked at; beyond the limits ``throttle.Throttled``
    (429, 「尝试次数过多，请 N 分钟后再试」). A right phone takes its attempt back and clears that number's failures.
    Also a case merged into another opens with its reporter's phone (the reports moved to the other case).
    """
    number = clean_number(number)
    try:
        phone = clean_phone(phone)
    except DomainError:
        phone = ""
    hits = throttle.attempt(_checks(number, address), "too_many_attempts", THROTTLED)
    ok = False
    if NUMBER_RE.match(number) and phone:
        case = Case.objects.filter(number=number).first()
        if case is not None:
            reports = list(CaseReport.objects.filter(case=case))
            if not reports and case.merged_into_id:
                reports = list(CaseReport.objects.filter(case_id=case.merged_into_id))
            ok = _phone_matches(reports, phone)
    if not ok:
        raise AccessDenied("wrong_number_or_phone", WRONG)
    case_rule, _ = _checks(number, address)
    throttle.reset(*case_rule)
    for h in hits:
        if h.rule.name == "public.address":
            throttle.forgive(h)
    return _grant(number)


def grant_for_user(user, number) -> str:
    """A grant for a signed-in resident's own report."""
    if not is_resident(user) or not Case.objects.filter(number=str(number), reporter=user).exists():
        raise AccessDenied("wrong_number_or_phone", WRONG)
    return _grant(str(number))


def granted_number(grant: str | None) -> str:
    """The case number a grant opens (or ``AccessDenied``: forged, expired)."""
    try:
        return signing.loads(grant or "", salt=GRANT_SALT, max_age=GRANT_MAX_AGE_S)["n"]
    except (signing.BadSignature, KeyError, TypeError):
        raise AccessDenied("access_expired", "查询已过期，请重新输入编号和手机号") from None


def case_for(grant: str | None, number: str) -> Case:
    """The case a grant opens; the grant must be for this very number."""
    if granted_number(grant) != str(number):
        raise AccessDenied("wrong_number_or_phone", WRONG)
    case = (Case.objects.select_related("matter", "merged_into", "community").filter(number=str(number)).first())
    if case is None:
        raise AccessDenied("wrong_number_or_phone", WRONG)
    return case


# ---------------------------------------------------------------- 回访 / 重新办理


def actor_for(case: Case):
    """Who acts for the person: the case's reporter when it is a resident account, else the public account."""
    reporter = case.reporter
    if reporter is not None and reporter.role == Role.RESIDENT:
        return reporter
    return public_user()


def public_actions(case: Case) -> list[str]:
    """What the person may do on the case now: 回访 and/or 重新办理, exactly as the lifecycle table allows."""
    allowed = available_actions(actor_for(case), case)
    return [str(a) for a in PUBLIC_ACTIONS if str(a) in allowed]


# ---------------------------------------------------------------- what the person reads

PLAIN_STATUS = {
    State.REPORTED: ("已收到", "您反映的问题已收到，等待工作人员受理（核实后立案）。"),
    State.VERIFYING: ("核实中", "工作人员正在现场核实。"),
    State.VERIFIED: ("已核实", "问题已核实，即将立案办理。"),
    State.REGISTERED: ("处理中", "已立案，正在派给负责的单位。"),
    State.DISPATCHED: ("处理中", "已派给负责的单位。"),
    State.ACCEPTED: ("处理中", "负责的单位正在处理。"),
    State.SUSPENDED: ("暂缓办理", "因客观原因暂缓办理，条件具备后继续。"),
    State.HANDLED: ("处理中", "已处理，等待现场核查。"),
    State.INSPECTED: ("处理中", "现场核查通过，即将办结。"),
    State.CLOSED: ("已办结", "问题已处理完毕。"),
    State.ARCHIVED: ("已办结", "问题已处理完毕，已归档。"),
    State.DECLINED: ("不予受理", "经核实不属于受理范围或问题不存在。"),
    State.VOIDED: ("已撤销", "该问题已撤销。"),
    State.MERGED: ("已合并办理", "同一问题已有人反映，合并到另一编号一起办理。"),
}
STEP = {State.REPORTED: 1, State.VERIFYING: 1, State.VERIFIED: 1, State.REGISTERED: 2, State.DISPATCHED: 2,
        State.ACCEPTED: 2, State.SUSPENDED: 2, State.HANDLED: 2, State.INSPECTED: 2, State.CLOSED: 3,
        State.ARCHIVED: 3, State.DECLINED: 3, State.VOIDED: 3, State.MERGED: 3}
# internal steps of the centre's work that say nothing to the person (督办, approvals of requests)
INTERNAL = {Action.URGE, Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION,
            Action.REQUEST_SUSPENSION, Action.REFUSE_SUSPENSION, Action.ASSIGN_VERIFY}
SATISFACTION = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def status_of(case: Case) -> dict:
    state = State(case.status)
    label, text = PLAIN_STATUS[state]
    return {"label": label, "text": text, "step": STEP[state], "state": state.value}


def public_timeline(case: Case) -> list[dict]:
    """The timeline without names or personal data (``timeline(staff=False)``) and without internal steps."""
    from .timeline import timeline

    return [e for e in timeline(case, staff=False) if e["action"] == "report" or Action(e["action"]) not in INTERNAL]


def public_photos(case: Case):
    """The photos a person may see: of the report and of the handling (核实/核查 photos stay with the staff)."""
    return list(case.photos.filter(kind__in=["report", "feedback"]).order_by("id"))


def resident_cases(user, limit: int = 50) -> list[Case]:
    """A signed-in resident's own reports, newest first."""
    if not is_resident(user):
        return []
    return list(Case.objects.filter(reporter=user).select_related("matter").order_by("-reported_at")[:limit])
