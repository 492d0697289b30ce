"""信访 due dates and rules — pure, no Django import.

信访工作条例 (2022): the receiving body tells the petitioner within 15 days of receipt whether the matter is accepted
(受理告知); an accepted matter is settled (办结, the written reply 答复) within 60 days of its acceptance; when
complicated, the time may be extended once, by at most 30 days; a petitioner who disagrees may ask for a review (复查)
within 30 days of receiving the reply, and the review is answered within 30 days of the request. All in calendar
(natural) days: a due date is the start date plus the days (received 2026-11-02 → acceptance due 2026-11-17).

The 15 and 60 days come from the catalog's deadline rules of the matter (stage register / handle, editable by the
administrator, see ``Rules``); the extension and review limits are the statute's.
"""

import datetime as dt
from dataclasses import dataclass

ACCEPT_DAYS = 15
SETTLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
MAX_EXTENSIONS = 1
REVIEW_REQUEST_DAYS = 30
REVIEW_DAYS = 30

FORMS = {"letter": "来信", "visit": "来访"}
DECISIONS = {"accepted": "受理", "rejected": "不予受理", "transferred": "转送"}
STATUSES = {"registered": "已登记", "accepted": "已受理", "rejected": "不予受理", "transferred": "已转送",
            "replied": "已答复", "review": "复查中", "reviewed": "已复查"}


@dataclass(frozen=True)
class Rules:
    accept_days: int = ACCEPT_DAYS
    settle_days: int = SETTLE_DAYS
    max_extension_days: int = MAX_EXTENSION_DAYS
    max_extensions: int = MAX_EXTENSIONS
    review_request_days: int = REVIEW_REQUEST_DAYS
    review_days: int = REVIEW_DAYS


def accept_due(received: dt.date, rules: Rules = Rules()) -> dt.date:
    """受理告知 due: received + 15 days."""
    return received + dt.timedelta(days=rules.accept_days)


def reply_due(accepted: dt.date, extension_days: int = 0, rules: Rules = Rules()) -> dt.date:
    """办结/答复 due: accepted + 60 days (+ the extension)."""
    return accepted + dt.timedelta(days=rules.settle_days + extension_days)


def review_request_due(replied: dt.date, rules: Rules = Rules()) -> dt.date:
    return replied + dt.timedelta(days=rules.review_request_days)


def review_due(requested: dt.date, rules: Rules = Rules()) -> dt.date:
    return requested + dt.timedelta(days=rules.review_days)


Refusal = tuple[str, str] | None  # (stable code, Chinese message) or None when allowed


def decision_refusal(status: str, decision: str, received: dt.date, decided: dt.date) -> Refusal:
    if decision not in DECISIONS:
        return "invalid_decision", "受理意见应为 accepted（受理）、rejected（不予受理）或 transferred（转送）"
    if status != "registered":
        return "already_decided", "该信访事项已作出受理意见，不能重复作出"
    if decided < received:
        return "invalid_date", "受理意见日期不能早于收到日期"
    return None


def extension_refusal(status: str, extensions_so_far: int, days: int, rules: Rules = Rules()) -> Refusal:
    if status != "accepted":
        return "not_accepted", "只有已受理、尚未答复的信访事项可以延期"
    if extensions_so_far >= rules.max_extensions:
        return "extension_used", f"办理期限只能延长 {rules.max_extensions} 次，本事项已延期"
    if days < 1 or days > rules.max_extension_days:
        return "extension_too_long", f"延长期限应为 1～{rules.max_extension_days} 日，收到 {days} 日"
    return None


def reply_refusal(status: str, accepted: dt.date | None, replied: dt.date) -> Refusal:
    if status in ("registered",):
        return "not_accepted", "该信访事项尚未作出受理意见，不能答复（请先受理）"
    if status in ("rejected", "transferred"):
        return "not_accepted", "该信访事项未受理（不予受理或已转送），不能答复"
    if status != "accepted":
        return "already_replied", "该信访事项已答复"
    if accepted is not None and replied < accepted:
        return "invalid_date", "答复日期不能早于受理日期"
    return None


def review_request_refusal(status: str, replied: dt.date | None, requested: dt.date, rules: Rules = Rules()) -> Refusal:
    if status != "replied" or replied is None:
        return "not_replied", "只有已答复的信访事项可以申请复查"
    if requested < replied:
        return "invalid_date", "复查申请日期不能早于答复日期"
    if requested > review_request_due(replied, rules):
        return "review_too_late", f"复查申请应在收到答复之日起 {rules.review_request_days} 日内提出"
    return None


def review_refusal(status: str, requested: dt.date | None, reviewed: dt.date) -> Refusal:
    if status != "review" or requested is None:
        return "no_review_request", "没有待复查的申请"
    if reviewed < requested:
        return "invalid_date", "复查意见日期不能早于复查申请日期"
    return None
