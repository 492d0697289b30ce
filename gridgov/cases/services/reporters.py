"""回拨: a reporter's phone in full for the centre posts that call people back (受理员, 值班长, 派遣员, 信息员) — always with
a reason, every look written to the personal-data access log like the basic data's 查看明文. Everyone else sees the
masked phone only."""

from django.db import transaction

from gridgov.accounts.roles import Role
from gridgov.basedata.services import log_access
from gridgov.crypto import cipher
from gridgov.errors import DomainError, Forbidden, NotFound

from ..models import CaseReport
from .intake import PHONE_FIELD
from .transitions import load_case

CALLERS = frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER, Role.CLERK})


def may_reveal(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in CALLERS


def reveal_phone(user, number: str, reason: str, report_id: int | None = None) -> dict:
    """The phone of one report of the case (the first one that left a phone when ``report_id`` is None), in full."""
    if not may_reveal(user):
        raise Forbidden("no_right", "您的岗位不能查看上报人的完整联系电话")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "查看联系电话明文须填写事由")
    case = load_case(user, number)
    reports = CaseReport.objects.filter(case=case).exclude(reporter_phone_cipher=b"").order_by("created_at", "id")
    report = (reports.filter(pk=report_id) if report_id else reports).first()
    if report is None:
        raise NotFound("no_phone", f"案件 {case.number} 没有留联系电话")
    phone = cipher().decrypt(bytes(report.reporter_phone_cipher), PHONE_FIELD)
    with transaction.atomic():
        log_access(user, "unmask", "case_report", report.pk, "reporter_phone", 1, reason, case.scope_key)
    return {"number": case.number, "report": report.pk, "phone": phone, "name": report.reporter_name}
