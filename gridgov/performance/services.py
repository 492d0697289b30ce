"""人员考核: each grid worker's and inspector's monthly sheet (``sheets``), the pay scheme (``scheme`` /
``set_scheme``, the only writer of ``PayScheme``, audited).

A sheet is computed when asked from the month's facts — attendance and patrols (``patrol.services.
attendance_facts``), reports, visits, cases settled, rework and confirmed 弄虚作假 flags — and scored with the
district's scheme (``logic/score.py``); the rank is within the person's street. Reads need ``patrol.attendance``
(the supervising chain and the leader) and see the people of their scope; the scheme is the administrator's
(``assess.manage``).
"""

import datetime as dt
import zoneinfo
from collections import Counter

from django.conf import settings
from django.db import transaction

from gridgov.accounts import roles
from gridgov.accounts.roles import ROLE_LABELS, Role
from gridgov.accounts.scope import require, scope_prefix
from gridgov.audit import services as audit
from gridgov.errors import DomainError

from .logic import score
from .models import PayScheme

READ, MANAGE = roles.PATROL_ATTENDANCE, roles.ASSESS_MANAGE
POSTS = (Role.GRID_WORKER, Role.INSPECTOR)
INVALID_STATES = ("declined", "voided")

COLUMNS = [
    ("rank", "街道内排名"), ("street", "街道"), ("username", "账号"), ("name", "姓名"), ("post", "岗位"),
    ("grid", "网格"), ("workdays", "工作日"), ("days_on_duty", "出勤天数"), ("late", "迟到"), ("absent", "缺勤"),
    ("leave", "请假"), ("patrols", "巡查次数"), ("patrols_planned", "计划巡查"), ("reports", "上报案件"),
    ("valid_reports", "有效上报"), ("visits", "走访"), ("settled", "办结"), ("rework", "返工"),
    ("flags", "确认的弄虚作假"), ("p_attendance", "出勤分"), ("p_patrols", "巡查分"), ("p_reports", "上报分"),
    ("p_visits", "走访分"), ("p_settled", "办结分"), ("p_quality", "质量分"), ("score", "得分"), ("band", "档次"),
    ("coefficient", "绩效系数"),
]


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------- the scheme


def scheme(district: str) -> PayScheme:
    """The district's scheme (the shipped defaults until the administrator saves one)."""
    return PayScheme.objects.filter(district=district).first() or PayScheme(district=district)


def scheme_out(s: PayScheme) -> dict:
    return {"district": s.district, "weights": s.weights, "targets": s.targets, "deductions": s.deductions,
            "bands": s.bands}


def _numbers(values: dict, keys, what: str, top: float) -> dict:
    out = {}
    for k in keys:
        v = values.get(k)
        if not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= top:
            raise DomainError("invalid_scheme", f"{what}「{k}」应为 0～{top:g} 之间的数")
        out[k] = float(v)
    unknown = set(values) - set(keys)
    if unknown:
        raise DomainError("invalid_scheme", f"{what}中没有「{'、'.join(sorted(unknown))}」")
    return out


def set_scheme(user, district: str, *, weights: dict, targets: dict, deductions: dict, bands: list[dict]
               ) -> PayScheme:
    from gridgov.geo.models import Jurisdiction, Level

    require(user, MANAGE)
    prefix = scope_prefix(user)
    if not Jurisdiction.objects.filter(code=district, level=Level.DISTRICT).exists() or prefix is None \
            or not district.startswith(prefix[:6]) or len(prefix) > 6:
        raise DomainError("unknown_district", f"区县「{district}」不存在或不归您管理")
    w = _numbers(weights, score.PARTS, "权重", 100)
    if sum(w.values()) <= 0:
        raise DomainError("invalid_scheme", "各项权重之和应大于 0")
    t = _numbers(targets, score.DEFAULT_TARGETS, "月度目标", 10000)
    d = _numbers(deductions, score.DEFAULT_DEDUCTIONS, "扣分", 100)
    clean = [{"band": str(b.get("band", "")).strip()[:8], "min": b.get("min"), "coefficient": b.get("coefficient")}
             for b in bands]
    problem = score.check_bands(clean)
    if problem:
        raise DomainError("invalid_bands", problem)
    with transaction.atomic():
        s = PayScheme.objects.select_for_update().filter(district=district).first() or PayScheme(district=district)
        before = scheme_out(s) if s.pk else None
        s.weights, s.targets, s.deductions = w, t, d
        s.bands = [{**b, "min": float(b["min"]), "coefficient": float(b["coefficient"])} for b in clean]
        s.save()
        audit.record(user, "update" if before else "create", "pay_scheme", district, before=before,
                     after=scheme_out(s))
    return s


# ---------------------------------------------------------------- the monthly sheets


def _month(month: str) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    from gridgov.patrol.services import month_bounds

    first, last = month_bounds(month)
    tz = _tz()
    return first, last, dt.datetime.combine(first, dt.time.min, tz), \
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)


def people_of(user):
    from gridgov.accounts.models import User

    require(user, READ)
    prefix = scope_prefix(user)
    if prefix is None:
        return User.objects.none()
    qs = User.objects.filter(role__in=POSTS, is_active=True).exclude(node_key="").order_by("node_key", "username")
    return qs.filter(node_key__startswith=prefix) if prefix else qs


def facts_of(people, month: str, today: dt.date | None = None) -> dict[int, dict]:
    """The month's facts per person: attendance_facts plus valid reports, settled, rework and confirmed flags."""
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.integrity.models import Flag, Status
    from gridgov.patrol.services import attendance_facts

    people = list(people)
    ids = [p.pk for p in people]
    first, last, start, stop = _month(month)
    facts = attendance_facts(people, first, last, today)
    invalid = Counter(Case.objects.filter(reporter_id__in=ids, reported_at__gte=start, reported_at__lt=stop,
                                          status__in=INVALID_STATES).values_list("reporter_id", flat=True))
    settled = Counter(CaseEvent.objects.filter(actor_id__in=ids, at__gte=start, at__lt=stop,
                                               action__in=["handle", "self_handle"]).values_list("actor_id", flat=True))
    # rework: a 核查不通过 in the month is charged to whoever last handled the case before it
    fails = list(CaseEvent.objects.filter(action="inspect_fail", at__gte=start, at__lt=stop)
                 .values_list("case_id", "at"))
    handles: dict[int, list[tuple[dt.datetime, int]]] = {}
    for cid, at, actor in CaseEvent.objects.filter(case_id__in={c for c, _ in fails}, actor_id__in=ids,
                                                   action__in=["handle", "self_handle"]).values_list(
            "case_id", "at", "actor_id"):
        handles.setdefault(cid, []).append((at, actor))
    rework: Counter = Counter()
    for cid, at in fails:
        before = [h for h in handles.get(cid, []) if h[0] <= at]
        if before:
            rework[max(before)[1]] += 1
    flags = Counter(Flag.objects.filter(person_id__in=ids, period=month, status=Status.CONFIRMED)
                    .values_list("person_id", flat=True))
    for p in people:
        f = facts[p.pk]
        inspector = p.role == Role.INSPECTOR
        f.update({
            "invalid_reports": invalid[p.pk], "valid_reports": f["reports"] - invalid[p.pk],
            "settled": f["verifications"] + f["inspections"] if inspector else settled[p.pk],
            "rework": rework[p.pk], "flags": flags[p.pk], "inspector": inspector,
        })
    return facts


def sheets(user, month: str, today: dt.date | None = None) -> list[dict]:
    """One row per grid worker and inspector of the user's scope for the month, ranked within each street."""
    return _rows(list(people_of(user)), month, today)


def own_sheet(user, month: str, today: dt.date | None = None) -> dict | None:
    """A grid worker's or an inspector's own row (their rank among the people of their street), or None."""
    from gridgov.accounts.models import User

    if getattr(user, "role", None) not in POSTS or not user.node_key:
        return None
    street = list(User.objects.filter(role__in=POSTS, is_active=True, node_key__startswith=user.node_key[:9])
                  .order_by("node_key", "username"))
    return next((r for r in _rows(street, month, today) if r["username"] == user.username), None)


def _rows(people: list, month: str, today: dt.date | None) -> list[dict]:
    facts = facts_of(people, month, today)
    schemes: dict[str, PayScheme] = {}
    rows = []
    for p in people:
        f = facts[p.pk]
        s = schemes.setdefault(p.node_key[:6], scheme(p.node_key[:6]))
        result = score.person_score(score.Facts(
            workdays=f["workdays"], days_on_duty=f["days_on_duty"], patrols=f["patrols"],
            patrols_planned=f["patrols_planned"], valid_reports=f["valid_reports"],
            invalid_reports=f["invalid_reports"], visits=f["visits"], settled=f["settled"], rework=f["rework"],
            flags=f["flags"], inspector=f["inspector"]), s.weights, s.targets, s.deductions)
        band, coefficient = score.band_of(result.score, s.bands)
        na = "—"
        rows.append({
            "street": p.node_key[:9], "username": p.username, "name": f["name"], "post": ROLE_LABELS[p.role],
            "grid": f["grid"] or p.node_key, "workdays": f["workdays"] if not f["inspector"] else na,
            "days_on_duty": f["days_on_duty"] if not f["inspector"] else na,
            "late": f["late"] if not f["inspector"] else na, "absent": f["absent"] if not f["inspector"] else na,
            "leave": f["leave"] if not f["inspector"] else na, "patrols": f["patrols"] if not f["inspector"] else na,
            "patrols_planned": f["patrols_planned"] if not f["inspector"] else na, "reports": f["reports"],
            "valid_reports": f["valid_reports"], "visits": f["visits"] if not f["inspector"] else na,
            "settled": f["settled"], "rework": f["rework"], "flags": f["flags"],
            **{f"p_{k}": na if v is None else v for k, v in result.points.items()},
            "score": result.score, "band": band, "coefficient": coefficient,
        })
    by_street: dict[str, list[dict]] = {}
    for r in rows:
        by_street.setdefault(r["street"], []).append(r)
    for group in by_street.values():
        for r, rank in zip(group, score.ranks([r["score"] for r in group]), strict=True):
            r["rank"] = rank
    rows.sort(key=lambda r: (r["street"], r["rank"], r["username"]))
    return rows


def sheet_file(rows: list[dict], fmt: str, month: str) -> tuple[bytes, str]:
    from gridgov import spreadsheets

    return spreadsheets.write(fmt, [label for _, label in COLUMNS], ([r[k] for k, _ in COLUMNS] for r in rows),
                              title=f"人员考核{month}")
