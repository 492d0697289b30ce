"""What a 督办通知书 and a 市级派件 show as their state — pure, no Django import.

督办通知书: 已下发 → (the unit replies) 已回复 → (the issuer accepts) 已办结, or (returns it) 整改中 → 已回复 …;
逾期 is shown instead of the stored state while it is not 已办结 and its 整改期限 has passed.
市级派件: 待签收 → 已签收（办理中） → 已答复; 已退回 when the district sent the case back to the city instead.
"""

import datetime as dt

from gridgov.worktime.logic.sla import past_due

NOTICE_LABELS = {"issued": "已下发", "rectifying": "整改中", "replied": "已回复", "closed": "已办结", "overdue": "逾期"}
DISPATCH_LABELS = {"waiting": "待签收", "signed": "已签收（办理中）", "answered": "已答复", "returned": "已退回"}

# which step may follow which (the services check these; the pages offer only these)
REPLY_FROM = frozenset({"issued", "rectifying"})
REVIEW_FROM = frozenset({"replied"})


def notice_state(status: str, due_at: dt.datetime, now: dt.datetime) -> str:
    """The state a notice shows: its stored state, or 逾期 when it is still open past its 整改期限."""
    if status != "closed" and past_due(due_at, now):
        return "overdue"
    return status


def dispatch_state(signed: bool, returned: bool, answered: bool) -> str:
    """The state a 派件 shows, from what the district did: answered, else signed, else returned, else waiting."""
    if answered:
        return "answered"
    if signed:
        return "signed"
    if returned:
        return "returned"
    return "waiting"


def notice_number(issuer_name: str, year: int, serial: int) -> str:
    """文号: 「北京市网格督〔2026〕3号」 — the issuer, 网格督, the year in 〔〕, the serial of that issuer's year."""
    return f"{issuer_name}网格督〔{year}〕{serial}号"
