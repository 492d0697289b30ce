"""Personal information (个人信息保护法): retention periods and their purge, and a person's requests.

- ``policies`` / ``set_policy``: how long each kind of personal data is kept (defaults in ``logic/retention.py``,
  an administrator's changes in ``RetentionPolicy``, each change audited).
- ``purge(now)``: erases what is past its period — one transaction and at most one audit record per kind (the
  count, the period and the day, no personal data); idempotent (a second run finds nothing and writes nothing).
  Run by ``gridgov privacy purge`` and once a day by ``gridgov serve``.
- ``person_file``: 查询、复制 — everything held about one person, found by ID number or phone (blind indexes)
  across residents, households, key-population tags, visits, the resident's history (corrections included)
  and case reports. Every search and export is written to the personal-data access log; the result is not.
- Corrections and erasure on request are basedata services (``gridgov/basedata/personal.py``).
"""

import datetime as dt
import logging
import threading
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix, scoped
from gridgov.audit.services import record
from gridgov.basedata import personal
from gridgov.basedata import services as basedata
from gridgov.basedata.logic import ids
from gridgov.basedata.models import AccessAction, EventKind, KeyTag, Resident, Visit
from gridgov.cases.models import Case, CaseReport
from gridgov.cases.services import retention as case_retention
from gridgov.cases.services.intake import PHONE_FIELD as REPORT_PHONE_FIELD
from gridgov.cases.services.intake import report_phone_index
from gridgov.crypto import cipher
from gridgov.errors import DomainError

from .logic import retention
from .logic.retention import ACCESS_LOG, CASE_REPORTER, KINDS, RESIDENT_LEFT
from .models import RetentionPolicy

log = logging.getLogger("gridgov.privacy")

ERASED_MARK = "已按保存期限删除"  # shown where a value was erased at the end of its retention period
REQUEST_MARK = "已应本人请求删除"  # shown where a value was erased on the person's request
REQUEST, CONFIGURE = roles.PRIVACY_REQUEST, roles.PRIVACY_CONFIGURE


# ---------------------------------------------------------------- retention periods


def policies() -> dict[str, int | None]:
    """The period in days of every kind (None: kept)."""
    out = {k: v.default_days for k, v in KINDS.items()}
    out.update(RetentionPolicy.objects.filter(kind__in=list(KINDS)).values_list("kind", "days"))
    return out


def policy_rows() -> list[dict]:
    """The retention table as people read it: every kind with its label, period, what it counts from, default."""
    configured = {p.kind: p for p in RetentionPolicy.objects.all()}
    days = policies()
    return [{"kind": k.code, "label": k.label, "days": days[k.code], "counted_from": k.event,
             "default_days": k.default_days, "min_days": k.min_days,
             "note": configured[k.code].note if k.code in configured else "",
             "purged_by": "自动删除" if k.code in _purgers else "尚无此类数据（保存期限已设定，供巡查轨迹接入）"}
            for k in KINDS.values()]


@transaction.atomic
def set_policy(user, kind: str, days: int | None, note: str = "") -> RetentionPolicy:
    """Set how long one kind of personal data is kept (an administrator); audited with the old and new period."""
    require(user, CONFIGURE)
    problem = retention.days_problem(kind, days)
    if problem:
        raise DomainError("invalid_retention", problem)
    before = policies()[kind]
    p, _ = RetentionPolicy.objects.select_for_update().get_or_create(kind=kind)
    p.days, p.note = days, (note or "").strip()[:200]
    p.save()
    record(user, "set_retention", "retention", kind, before={"days": before}, after={"days": days, "note": p.note})
    return p


# ---------------------------------------------------------------- the purge

# kind → eraser(before: the aware start of the first day that is kept, day: that day) → how many erased
Purger = Callable[[dt.datetime, dt.date], int]


def _case_reporters(before: dt.datetime, day: dt.date) -> int:
    return case_retention.erase_reporters(before, ERASED_MARK)


def _access_log(before: dt.datetime, day: dt.date) -> int:
    return personal.expire_access_logs(before)


def _residents_left(before: dt.datetime, day: dt.date) -> int:
    return personal.erase_left_residents(day, ERASED_MARK)


_purgers: dict[str, Purger] = {CASE_REPORTER: _case_reporters, ACCESS_LOG: _access_log, RESIDENT_LEFT: _residents_left}


def register_purger(kind: str, purger: Purger) -> None:
    """Where another app plugs in the erasure of its personal data (the field-work app: ``field_track``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of personal data: {kind}")
    _purgers[kind] = purger


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def purge(now: dt.datetime | None = None, actor=None) -> dict[str, int]:
    """Erase every kind's data past its period on the day of ``now``; returns how many were erased per kind.

    Each kind in its own transaction with its audit record (only when something was erased: a run that finds
    nothing writes nothing, so running it twice is running it once)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = policies()
    out = {}
    for kind, purger in _purgers.items():
        days = periods.get(kind)
        if days is None:
            continue
        day = retention.due_before(today, days)
        with transaction.atomic():
            n = purger(_start_of(day), day)
            if n:
                record(actor, "purge", "retention", kind, after={"count": n, "days": days, "before": day.isoformat()})
        out[kind] = n
    return out


def start_background_purge(interval_s: float) -> threading.Thread | None:
    """The loop of ``gridgov serve`` (``serving.every``): purges a minute after start, then every interval."""
    from gridgov.serving import every

    def once():
        done = purge()
        if any(done.values()):
            log.info("retention purge: %s", ", ".join(f"{k} {n}" for k, n in done.items() if n))

    return every("retention-purge", interval_s, once, first_after=min(60.0, interval_s))


# ---------------------------------------------------------------- 查询、复制: a person's file


def _query(id_number: str | None, phone: str | None) -> tuple[str, str]:
    id_number, phone = (id_number or "").strip(), (phone or "").strip()
    if bool(id_number) == bool(phone):
        raise DomainError("one_key", "请填写身份证号或手机号（二者填一项）")
    if id_number:
        return "id_number", basedata.clean_id(id_number)
    value = ids.normalize_phone(phone)
    if not (value.isdigit() and 7 <= len(value) <= 15):
        raise DomainError("invalid_phone", "手机号应为 7～15 位数字")
    return "phone", value


def _found(user, by: str, value: str) -> tuple[list[Resident], list[CaseReport]]:
    residents_qs = scoped(Resident.objects.select_related("household", "dwelling__building"), user, REQUEST)
    if by == "id_number":
        residents = list(residents_qs.filter(id_index=basedata.id_index(value)))
    else:
        residents = list(residents_qs.filter(phone_index=basedata.phone_index(value)))
    phones = {value} if by == "phone" else set()
    c = cipher()
    phones |= {c.decrypt(r.phone_cipher, basedata.PHONE_FIELD) for r in residents if r.phone_cipher}
    indexes = [report_phone_index(p) for p in sorted(phones)]
    reports = list(CaseReport.objects.filter(reporter_phone_index__in=indexes,
                                             case__in=scoped(Case.objects.all(), user, REQUEST))
                   .select_related("case").order_by("created_at", "id")) if indexes else []
    return residents, reports


def _resident(user, r: Resident, unmask: bool) -> dict:
    c = cipher()
    events = list(r.events.select_related("actor").order_by("date", "id"))
    categories = basedata.visible_categories(user)
    tags = KeyTag.objects.filter(resident=r, category__in=categories).select_related("category").order_by("since", "id")
    visits = (Visit.objects.filter(Q(resident=r) | Q(resident__isnull=True, household_id=r.household_id)
                                   if r.household_id else Q(resident=r))
              .select_related("worker").order_by("visited_at", "id"))
    dwelling = r.dwelling
    return {
        "id": r.pk, "name": r.name if unmask else ids.mask_name(r.name),
        "id_number": c.decrypt(r.id_cipher, basedata.ID_FIELD) if unmask and r.id_cipher else r.id_masked,
        "phone": c.decrypt(r.phone_cipher, basedata.PHONE_FIELD) if unmask and r.phone_cipher else r.phone_masked,
        "gender": r.get_gender_display(), "birth_date": r.birth_date, "reg_type": r.get_reg_type_display(),
        "status": r.get_status_display(), "moved_in": r.moved_in,
        "dwelling": str(dwelling) if dwelling else "", "household": r.household.number if r.household_id else "",
        "relation": r.get_relation_display(), "scope_key": r.scope_key,
        "history": [{"kind": e.get_kind_display(), "date": e.date, "reason": e.reason,
                     "actor": e.actor.username if e.actor_id else "", "at": e.created_at}
                    for e in events if e.kind != EventKind.CORRECT],
        "corrections": [{"field": e.field_name, "old": e.old_masked, "new": e.new_masked, "reason": e.reason,
                         "actor": e.actor.username if e.actor_id else "", "at": e.created_at}
                        for e in events if e.kind == EventKind.CORRECT],
        "key_population": [{"category": t.category.code, "name": t.category.name, "since": t.since, "until": t.until,
                            "note": t.note} for t in tags],
        "visits": [{"about": "本人" if v.resident_id else "本户", "visited_at": v.visited_at, "place": v.place,
                    "issues": v.issues, "follow_up": v.follow_up, "case_number": v.case_number or "",
                    "worker": v.worker.username} for v in visits],
    }


def _report(r: CaseReport, unmask: bool) -> dict:
    phone = r.reporter_phone_masked
    if unmask and r.reporter_phone_cipher:
        phone = cipher().decrypt(r.reporter_phone_cipher, REPORT_PHONE_FIELD)
    return {"case_number": r.case.number, "case_status": r.case.get_status_display(), "source": r.get_source_display(),
            "reporter_name": r.reporter_name if unmask else ids.mask_name(r.reporter_name), "phone": phone,
            "description": r.description, "address": r.address, "reported_at": r.created_at}


def person_file(user, *, id_number: str | None = None, phone: str | None = None, reason: str = "",
                export: bool = False) -> dict:
    """查询 (masked, ``export`` False) or 复制 (the person's copy, plain values, ``export`` True) of everything held
    about one person within the user's scope. Needs ``privacy.request`` and a reason; always logged."""
    require(user, REQUEST)
    reason = basedata._reason(reason)
    by, value = _query(id_number, phone)
    with transaction.atomic():
        residents, reports = _found(user, by, value)
        out = {"query": {"by": by, "value": ids.mask_id(value) if by == "id_number" else ids.mask_phone(value)},
               "generated_at": timezone.now(), "masked": not export,
               "residents": [_resident(user, r, export) for r in residents],
               "case_reports": [_report(r, export) for r in reports]}
        n = len(residents) + len(reports)
        basedata.log_access(user, AccessAction.EXPORT if export else AccessAction.SEARCH, "person",
                            residents[0].pk if len(residents) == 1 else "",
                            "id_number,phone,name" if export else by, n, reason, scope_prefix(user) or "")
    return out
