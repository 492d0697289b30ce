"""The only writer of 核查线索 (integrity flags). Each public function owns its transaction and appends to the audit
chain.

- ``scan``: runs the four detectors (``logic/detectors.py``) over what happened since a time and records each new
  finding once (a flag's ``key``), actor 系统; `gridgov integrity scan [--since]` and a loop in `gridgov serve`
- ``create``: a flag entered by hand (third-party 督查 found 弄虚作假 on an item)
- ``decide``: 确认 or 排除 a pending flag, with the reason; confirming may name another item or month
- ``confirmed_zeroings``: the confirmed flags of a month, in the assessment's shared contract

Reads: ``assess.view`` within scope (a flag's ``scope_key`` is the case's or the person's key); decisions:
``assess.review``. A refused request writes nothing.
"""

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, get_scoped, in_scope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError

from .logic import detectors as det
from .logic.items import DEFAULT_ITEM, ITEMS, KINDS
from .models import Flag, Status

VIEW, REVIEW = roles.ASSESS_VIEW, roles.ASSESS_REVIEW
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
REASON_MAX = 300
DEFAULT_SINCE_DAYS = 35
REUSE_LOOKBACK_DAYS = 365


def thresholds() -> det.Thresholds:
    return det.Thresholds.of(settings.GRIDGOV.get("INTEGRITY_THRESHOLDS"))


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(when: dt.datetime) -> str:
    return timezone.localtime(when, _tz()).strftime("%Y-%m")


def _check_period(period: str) -> str:
    period = (period or "").strip()
    if not PERIOD.match(period):
        raise DomainError("invalid_period", "月份格式应为 YYYY-MM，如 2026-11")
    if period > timezone.localdate().strftime("%Y-%m"):
        raise DomainError("period_in_future", f"月份 {period} 尚未到来")
    return period


def _check_item(item: str) -> str:
    if item not in ITEMS:
        raise DomainError("invalid_item", f"考评项「{item}」不存在（可选：{'、'.join(ITEMS)}）")
    return item


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写理由")
    if len(reason) > REASON_MAX:
        raise DomainError("reason_too_long", f"理由不能超过 {REASON_MAX} 个字")
    return reason


# ---------------------------------------------------------------- reads


def flags(user):
    """The flags of the user's subtree. A department's staff (who hold ``assess.view`` for their own department's
    results) see none: flags concern streets, their cases and their people."""
    qs = scoped(Flag.objects.all(), user, VIEW)
    if _is_department(user):
        qs = qs.none()
    return qs.select_related("case", "person", "decided_by", "created_by")


def get_flag(user, pk: int) -> Flag:
    return get_scoped(flags(user), user, VIEW, pk=pk)


def _is_department(user) -> bool:
    return bool(getattr(user, "department_id", None)) and not user.is_superuser


def flag_out(f: Flag) -> dict:
    return {
        "id": f.pk, "kind": f.kind, "kind_label": f.get_kind_display(), "subject_type": f.subject_type,
        "subject": f.subject, "case": f.case.number if f.case_id else None, "photo": f.photo_id,
        "person": f.person.username if f.person_id else None, "unit": f.unit, "period": f.period, "item": f.item,
        "item_label": ITEMS.get(f.item, f.item), "summary": f.summary, "evidence": f.evidence, "status": f.status,
        "status_label": f.get_status_display(), "created_at": f.created_at,
        "created_by": f.created_by.username if f.created_by_id else "系统",
        "decided_by": f.decided_by.username if f.decided_by_id else None, "decided_at": f.decided_at,
        "reason": f.reason,
    }


def _audit_view(f: Flag) -> dict:
    return {"kind": f.kind, "subject": f.subject, "unit": f.unit, "period": f.period, "item": f.item,
            "status": f.status, "reason": f.reason}


# ---------------------------------------------------------------- writes by a reviewer


def create(user, *, unit: str, item: str, period: str, reason: str, case: str = "", person: str = "") -> Flag:
    """A flag entered by hand: a street (or a case, or a person of it) found falsifying an item in a month."""
    from gridgov.accounts.models import User
    from gridgov.cases.models import Case
    from gridgov.geo.models import Jurisdiction, Level

    require(user, REVIEW)
    _check_item(item)
    period = _check_period(period)
    reason = _check_reason(reason)
    case_obj = person_obj = None
    if case:
        case_obj = Case.objects.filter(number=case.strip()).first()
        if case_obj is None or not in_scope(user, case_obj.scope_key):
            raise DomainError("unknown_case", f"案件「{case}」不存在或不在您的辖区内")
        unit = unit or case_obj.scope_key[:9]
    if person:
        person_obj = User.objects.filter(username=person.strip()).first()
        if person_obj is None or not person_obj.node_key or not in_scope(user, person_obj.node_key):
            raise DomainError("unknown_person", f"人员「{person}」不存在或不在您的辖区内")
        unit = unit or person_obj.node_key[:9]
    street = Jurisdiction.objects.filter(code=(unit or "").strip(), level=Level.STREET).first()
    if street is None or not in_scope(user, street.code):
        raise DomainError("unknown_unit", f"街道「{unit}」不存在或不在您的辖区内（请填写 9 位街道代码）")
    if case_obj and case_obj.scope_key[:9] != street.code or person_obj and person_obj.node_key[:9] != street.code:
        raise DomainError("unit_mismatch", "案件或人员不属于所填街道")
    subject_type, subject = (("case", case_obj.number) if case_obj else ("worker", person_obj.username)
                             if person_obj else ("unit", street.code))
    scope_key = case_obj.scope_key if case_obj else person_obj.node_key if person_obj else street.code
    with transaction.atomic():
        f = Flag.objects.create(
            kind="manual", subject_type=subject_type, subject=subject, case=case_obj, person=person_obj,
            scope_key=scope_key, unit=street.code, period=period, item=item, summary=reason[:300],
            evidence={"reported_by": user.username}, created_by=user, created_at=timezone.now())
        audit.record(user, "create", "integrity_flag", f.pk, after=_audit_view(f))
    return f


def decide(user, pk: int, decision: str, reason: str, item: str | None = None, period: str | None = None) -> Flag:
    """确认 (``confirm``) or 排除 (``clear``) a pending flag. Confirming may correct the item or the month."""
    require(user, REVIEW)
    if decision not in ("confirm", "clear"):
        raise DomainError("invalid_decision", "核定结果只能是 confirm（确认）或 clear（排除）")
    reason = _check_reason(reason)
    if item:
        _check_item(item)
    if period:
        period = _check_period(period)
    with transaction.atomic():
        f = flags(user).select_for_update(of=("self",)).filter(pk=pk).first() if not _is_department(user) else None
        if f is None:
            raise OutOfScope()
        if f.status != Status.PENDING:
            raise Conflict("already_decided", f"该线索已{f.get_status_display()}，不能再次核定")
        before = _audit_view(f)
        f.status = Status.CONFIRMED if decision == "confirm" else Status.CLEARED
        f.item = item or f.item
        f.period = period or f.period
        f.reason = reason
        f.decided_by = user
        f.decided_at = timezone.now()
        f.save(update_fields=["status", "item", "period", "reason", "decided_by", "decided_at"])
        audit.record(user, decision, "integrity_flag", f.pk, before=before, after=_audit_view(f))
    return f


# ---------------------------------------------------------------- the assessment's contract


def confirmed_zeroings(period: str, district_code: str) -> list[dict]:
    """The confirmed flags of ``period`` in the streets of the district: each zeroes its item of its street that
    month (003 篇7 第五条). One entry per flag, oldest decision first (several may name the same item)."""
    rows = (Flag.objects.filter(status=Status.CONFIRMED, period=period, unit__startswith=district_code)
            .select_related("decided_by").order_by("decided_at", "id"))
    tz = _tz()
    return [{"unit": f.unit, "item": f.item, "by": f.decided_by.username if f.decided_by_id else "",
             "at": timezone.localtime(f.decided_at, tz).isoformat(timespec="seconds"), "reason": f.reason,
             "source": f"integrity flag {f.pk}"} for f in rows]


# ---------------------------------------------------------------- the scan


def _new(kind: str, key: str, summary: str, evidence: dict, *, subject_type: str, subject: str, scope_key: str,
         period: str, case_id=None, photo_id=None, person_id=None) -> Flag:
    return Flag(kind=kind, key=key, summary=summary[:300], evidence=evidence, subject_type=subject_type,
                subject=subject[:64], scope_key=scope_key, unit=scope_key[:9], period=period,
                item=DEFAULT_ITEM[kind], case_id=case_id, photo_id=photo_id, person_id=person_id)


def _photo_flags(since: dt.datetime, th: det.Thresholds) -> list[Flag]:
    from gridgov.cases.models import CasePhoto

    tz = _tz()
    out = []
    rows = (CasePhoto.objects.filter(created_at__gte=since).select_related("case")
            .only("id", "kind", "exif_lon", "exif_lat", "taken_at", "created_at", "case__id", "case__number",
                  "case__lon", "case__lat", "case__reported_at", "case__scope_key").order_by("id"))
    for p in rows.iterator(chunk_size=2000):
        c = p.case
        common = {"subject_type": "photo", "subject": f"{c.number} 照片 {p.pk}", "scope_key": c.scope_key,
                  "period": month_of(p.created_at), "case_id": c.pk, "photo_id": p.pk}
        where = det.photo_place(c.lon, c.lat, p.exif_lon, p.exif_lat, th)
        if where:
            out.append(_new("photo_place", f"photo_place:{p.pk}", f"案件 {c.number}：{where['summary']}",
                            {k: v for k, v in where.items() if k != "summary"}, **common))
        taken = det.parse_exif_time(p.taken_at)
        if taken is not None:
            when = det.photo_time(taken, timezone.localtime(c.reported_at, tz).replace(tzinfo=None),
                                  timezone.localtime(p.created_at, tz).replace(tzinfo=None), th)
            if when:
                out.append(_new("photo_time", f"photo_time:{p.pk}", f"案件 {c.number}：{when['summary']}",
                                {k: v for k, v in when.items() if k != "summary"}, **common))
    return out


def _reuse_flags(since: dt.datetime, th: det.Thresholds) -> list[Flag]:
    from gridgov.cases.models import CasePhoto

    horizon = since - dt.timedelta(days=REUSE_LOOKBACK_DAYS)
    rows = list(CasePhoto.objects.filter(created_at__gte=horizon).exclude(dhash="")
                .values_list("id", "case_id", "dhash", "created_at"))
    recent = {pid for pid, _, _, at in rows if at >= since}
    # one flag per new photo, against the first photo it repeats (not one per pair: a picture used five times
    # raises four flags, not ten)
    first_use: dict[int, tuple[int, int]] = {}
    for a, b, d in det.reused_photos([(p, c, h) for p, c, h, _ in rows], th, only=recent):
        if b in recent and (b not in first_use or a < first_use[b][0]):
            first_use[b] = (a, d)
    pairs = sorted((a, b, d) for b, (a, d) in first_use.items())
    if not pairs:
        return []
    photos = {p.pk: p for p in CasePhoto.objects.filter(pk__in={x for a, b, _ in pairs for x in (a, b)})
              .select_related("case").only("id", "created_at", "case__id", "case__number", "case__scope_key")}
    out = []
    for a, b, d in pairs:
        first, later = photos[a], photos[b]
        out.append(_new(
            "photo_reuse", f"photo_reuse:{a}:{b}",
            f"案件 {later.case.number} 的照片与案件 {first.case.number} 的照片几乎相同（感知哈希相差 {d} 位）",
            {"photo": b, "same_as": a, "same_case": first.case.number, "distance_bits": d,
             "limit_bits": th.hash_max_bits},
            subject_type="photo", subject=f"{later.case.number} 照片 {b}", scope_key=later.case.scope_key,
            period=month_of(later.created_at), case_id=later.case_id, photo_id=b))
    return out


# who files reports without being where they are: residents, and the centre's desk posts (a 12345 call, a video
# alarm entered by the 受理员 is at the problem's place, not the clerk's) — their reports are no track of theirs
DESK = ("resident", "intake_clerk", "shift_leader", "dispatcher", "clerk", "admin")


def _speed_flags(since: dt.datetime, th: det.Thresholds) -> list[Flag]:
    from gridgov.accounts.models import User
    from gridgov.cases.models import CaseReport
    from gridgov.patrol.models import Shift

    points = [det.Position(pid, at, lon, lat, f"上报案件 {number}") for pid, at, lon, lat, number in
              CaseReport.objects.filter(created_at__gte=since, reporter__isnull=False)
              .exclude(reporter__role__in=DESK).values_list("reporter_id", "created_at", "lon", "lat", "case__number")]
    for pid, start, slon, slat, end, elon, elat in Shift.objects.filter(started_at__gte=since).values_list(
            "person_id", "started_at", "start_lon", "start_lat", "ended_at", "end_lon", "end_lat"):
        if slon is not None:
            points.append(det.Position(pid, start, slon, slat, "上班签到"))
        if end is not None and elon is not None:
            points.append(det.Position(pid, end, elon, elat, "下班签退"))
    found = det.impossible_speeds(points, th)
    people = {u.pk: u for u in User.objects.filter(pk__in={f["person"] for f in found})}
    out = []
    for f in found:
        person = people[f["person"]]
        if not person.node_key:
            continue
        a, b = f["from"], f["to"]
        key = f"speed:{person.pk}:{a.at.timestamp():.0f}:{b.at.timestamp():.0f}"
        tz = _tz()
        out.append(_new(
            "speed", key, f"{person.display_name or person.username}：{f['summary']}",
            {"from": {"what": a.what, "at": timezone.localtime(a.at, tz).isoformat(timespec="seconds"),
                      "lon": a.lon, "lat": a.lat},
             "to": {"what": b.what, "at": timezone.localtime(b.at, tz).isoformat(timespec="seconds"),
                    "lon": b.lon, "lat": b.lat},
             "distance_m": f["distance_m"], "seconds": f["seconds"], "kmh": f["kmh"], "limit_kmh": th.max_kmh},
            subject_type="worker", subject=person.username, scope_key=person.node_key, period=month_of(b.at),
            person_id=person.pk))
    return out


def _closure_flags(since: dt.datetime, th: det.Thresholds) -> list[Flag]:
    from gridgov.cases.models import Case, CaseEvent

    tz = _tz()
    month_start = timezone.localtime(since, tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    closures = []
    cases: dict[int, tuple[str, str]] = {}
    for cid, at, number, matter, grid, lon, lat, key in (
            CaseEvent.objects.filter(action="close", at__gte=month_start)
            .values_list("case_id", "at", "case__number", "case__matter__code", "case__unit_grid__code",
                         "case__lon", "case__lat", "case__scope_key")):
        cases[cid] = (number, key)
        closures.append(det.Closure(cid, number, key[:9], matter or "", grid or det.cell_of(lon, lat),
                                    timezone.localtime(at, tz)))
    out = []
    for g in det.repeat_closures(closures, th):
        first = g["case_ids"][0]
        out.append(_new(
            "repeat_close", f"repeat_close:{g['street']}:{g['matter']}:{g['place']}:{g['month']}", g["summary"],
            {"matter": g["matter"], "place": g["place"], "cases": g["cases"], "limit": th.repeat_min},
            subject_type="case", subject=g["cases"][-1], scope_key=cases[first][1], period=g["month"],
            case_id=g["case_ids"][-1]))
    reopened = CaseEvent.objects.filter(action="reopen", at__gte=since).values("case_id")
    events = list(CaseEvent.objects.filter(case_id__in=reopened, action__in=["close", "reopen"])
                  .values_list("case_id", "action", "at"))
    if events:
        info = dict(Case.objects.filter(pk__in={e[0] for e in events}).values_list("id", "number"))
        keys = dict(Case.objects.filter(pk__in=info).values_list("id", "scope_key"))
        for r in det.quick_reopens(events, th):
            number = info[r["case"]]
            out.append(_new(
                "quick_reopen", f"quick_reopen:{r['case']}:{r['closed_at'].timestamp():.0f}",
                f"案件 {number}：{r['summary']}",
                {"closed_at": timezone.localtime(r["closed_at"], tz).isoformat(timespec="seconds"),
                 "reopened_at": timezone.localtime(r["reopened_at"], tz).isoformat(timespec="seconds"),
                 "hours": r["hours"], "limit_hours": th.reopen_within_h},
                subject_type="case", subject=number, scope_key=keys[r["case"]], period=month_of(r["closed_at"]),
                case_id=r["case"]))
    return out


def scan(since: dt.datetime | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every detector over what happened since ``since`` (default: the last 35 days) and record each new
    finding once. Returns the new flags per kind. Idempotent: running it again records nothing new."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=DEFAULT_SINCE_DAYS)
    th = thresholds()
    found = (_photo_flags(since, th) + _reuse_flags(since, th) + _speed_flags(since, th)
             + _closure_flags(since, th))
    counts = {k: 0 for k in KINDS if k != "manual"}
    with transaction.atomic():
        known = set(Flag.objects.filter(key__in=[f.key for f in found]).values_list("key", flat=True))
        new, seen = [], set()
        for f in found:
            if f.key in known or f.key in seen:
                continue
            seen.add(f.key)
            f.created_at = now
            new.append(f)
            counts[f.kind] += 1
        Flag.objects.bulk_create(new, batch_size=500)
        saved = Flag.objects.filter(key__in=[f.key for f in new]).order_by("id") if new else []
        audit.record_many(None, [audit.Entry("detect", "integrity_flag", f.pk, after=_audit_view(f)) for f in saved])
    return counts


def start_background_scan(interval_s: float):
    """The loop `gridgov serve` runs (``serving.every``): :func:`scan`."""
    import logging

    from gridgov.serving import every

    def once():
        n = sum(scan().values())
        if n:
            logging.getLogger("gridgov.integrity").info("integrity flags raised: %d", n)

    return every("integrity-scan", interval_s, once)
