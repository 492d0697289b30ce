"""Intake (上报): validate, locate, number, persist, audit — idempotent by the client's key."""

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from gridgov import sqlrows
from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import require, scope_prefix
from gridgov.analytics import rollup
from gridgov.audit.services import Entry, record_many
from gridgov.basedata.logic.ids import mask_phone
from gridgov.catalog.cache import matter_by_code
from gridgov.catalog.models import Component
from gridgov.crypto import cipher
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.geo import locating
from gridgov.geo.models import Grid, Jurisdiction

from ..logic.lifecycle import OPEN_STATES, Stage, State
from ..models import Case, CaseCounter, CaseEvent, CaseReport, PhotoKind, Source, Urgency
from . import clock
from .entry import entry_of
from .notifications import notify_entry, notify_urgent
from .photos import store_photos
from .routing import suggest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PHONE_FIELD = "cases.report.phone"  # bound into the ciphertext: the value cannot be moved to another column


def report_phone_index(phone: str) -> str:
    """The blind index of a reporter's phone (digits as stored; '' for none): a person's reports by phone."""
    return cipher().index(phone or "", PHONE_FIELD)


# the sources each post may report as (residents only as residents; the centre records hotline, media, leaders)
SOURCES_BY_ROLE = {
    Role.GRID_WORKER: {Source.GRID_WORKER, Source.INSPECTION}, Role.GRID_LEADER: {Source.GRID_WORKER, Source.INSPECTION},
    Role.GRID_SUPERVISOR: {Source.GRID_WORKER, Source.INSPECTOR, Source.INSPECTION},
    Role.INSPECTOR: {Source.INSPECTOR, Source.INSPECTION},
    Role.INTAKE_CLERK: set(Source), Role.SHIFT_LEADER: set(Source), Role.ADMIN: set(Source),
    Role.RESIDENT: {Source.RESIDENT},
    Role.CLERK: set(Source),  # levels: 信息员 records reports from every channel at the centre's desk
}


@dataclass
class IntakeResult:
    case: Case
    created: bool
    duplicates: list = field(default_factory=list)
    photo_errors: list = field(default_factory=list)
    routing: object = None  # where the routing rules would send it at 立案 (routing.Suggestion), for a new case


def next_number(district_code: str, when: dt.datetime) -> str:
    """110101-20261123-0042: district, local date, daily serial (allocated atomically, also under concurrency)."""
    return next_numbers(district_code, when, 1)[0]


def next_numbers(district_code: str, when: dt.datetime, count: int) -> list[str]:
    """``count`` consecutive numbers of one district and day, taken in one statement."""
    day = when.astimezone(SHANGHAI).strftime("%Y%m%d")
    table = CaseCounter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (district_code, day, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (district_code, day) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [district_code, day, count],
        )
        last = cur.fetchone()[0]
    return [f"{district_code}-{day}-{serial:04d}" for serial in range(last - count + 1, last + 1)]


def _distance_m(lon1, lat1, lon2, lat2) -> float:
    k = math.pi / 180
    x = (lon2 - lon1) * k * math.cos((lat1 + lat2) / 2 * k)
    y = (lat2 - lat1) * k
    return 6371008.8 * math.hypot(x, y)


def duplicates_of(case: Case, radius_m: float | None = None, window_hours: float | None = None,
                  limit: int | None = None) -> list[dict]:
    """The nearest open cases (at most ``limit``) of the same matter within ``radius_m``, reported within
    ``window_hours`` before or after."""
    if case.matter_id is None:
        return []
    radius = radius_m if radius_m is not None else settings.GRIDGOV["DUPLICATE_RADIUS_M"]
    hours = window_hours if window_hours is not None else settings.GRIDGOV["DUPLICATE_WINDOW_HOURS"]
    limit = max(0, limit if limit is not None else settings.GRIDGOV["DUPLICATE_LIMIT"])
    dlat = radius / 111_000
    shrink = max(0.1, math.cos(math.radians(case.lat)))  # a degree of longitude is this much of one of latitude
    dlon = radius / (111_000 * shrink)
    window = dt.timedelta(hours=hours)
    # every intake asks (POST /cases answers with the suggestions): a fixed statement through gridgov.sqlrows,
    # the conditions of matter_id=, status__in, lon/lat/reported_at__range and exclude(pk) written out, nearest
    # first (planar distance in degrees of latitude: exact enough at 50 m to order by)
    conn = connections[Case.objects.db]
    when = Case._meta.get_field("reported_at")
    rows = sqlrows.values(Case, ("number", "status", "lon", "lat", "description", "reported_at"), _NEARBY, [
        case.matter_id, *_OPEN, case.lon - dlon, case.lon + dlon, case.lat - dlat, case.lat + dlat,
        when.get_db_prep_value(case.reported_at - window, conn), when.get_db_prep_value(case.reported_at + window, conn),
        case.pk, case.lon, shrink, case.lon, shrink, case.lat, case.lat, limit])
    out = []
    for r in rows:
        d = _distance_m(case.lon, case.lat, r["lon"], r["lat"])
        if d <= radius:
            out.append({"number": r["number"], "status": r["status"], "distance_m": round(d, 1),
                        "description": r["description"][:80], "reported_at": r["reported_at"]})
    return sorted(out, key=lambda r: r["distance_m"])


_OPEN = sorted(str(s) for s in OPEN_STATES)  # plain strings: drivers may write an Enum by its name
_NEARBY = (f"matter_id = %s AND status IN ({', '.join(['%s'] * len(_OPEN))}) AND lon BETWEEN %s AND %s "
           "AND lat BETWEEN %s AND %s AND reported_at BETWEEN %s AND %s AND id <> %s "
           "ORDER BY ((lon - %s) * %s) * ((lon - %s) * %s) + (lat - %s) * (lat - %s), id LIMIT %s")


def _validate(user, source, urgency, description, lon, lat):
    if source not in Source.values:
        raise DomainError("invalid_source", f"来源应为：{'、'.join(f'{v}（{label}）' for v, label in Source.choices)}")
    if not user.is_superuser and source not in SOURCES_BY_ROLE.get(Role(user.role), set()):
        raise DomainError("source_not_allowed", f"您的岗位不能以「{Source(source).label}」来源上报")
    if urgency not in Urgency.values:
        raise DomainError("invalid_urgency", "紧急程度应为 normal（一般）或 urgent（紧急）")
    description = _check_description(description)
    lon, lat = locating.check_point(lon, lat)
    return description, lon, lat


def _check_description(description) -> str:
    description = (description or "").strip()
    if len(description) < 2:
        raise DomainError("description_required", "请描述问题（至少 2 个字）")
    if len(description) > 2000:
        raise DomainError("description_too_long", "问题描述不能超过 2000 字")
    return description


def _check_place(user, lon, lat) -> dict:
    lon, lat = locating.check_point(lon, lat)
    where = locating.locate(lon, lat, with_ids=True)
    if not where["inside"]:
        raise DomainError("outside_jurisdiction", f"位置（{lon:.6f}, {lat:.6f}）不在辖区范围内，无法受理")
    _own_district(user, where["district"])
    return where


def report_problems(user, *, lon, lat, description, matter: str | None = None) -> list[DomainError]:
    """Every reason ``intake`` would refuse this report's description, place and matter — all of them, for a form
    that says everything at once (``intake`` itself stops at the first)."""
    problems = []
    checks = [lambda: _check_description(description)]
    if lon is not None and lat is not None:
        checks.append(lambda: _check_place(user, lon, lat))
    if matter:
        checks.append(lambda: matter_by_code(matter))
    for check in checks:
        try:
            check()
        except DomainError as e:
            problems.append(e)
    return problems


def _own_district(user, district: dict) -> None:
    """Staff report within their own district (a case elsewhere would leave their sight at once); residents and
    the whole-system accounts report anywhere the system serves."""
    prefix = scope_prefix(user) or ""
    if len(prefix) >= 6 and district["code"] != prefix[:6]:
        mine = Jurisdiction.objects.filter(code=prefix[:6]).values_list("name", flat=True).first() or prefix[:6]
        raise DomainError("outside_district", f"该位置在{district['name']}，不在您的辖区（{mine}）内，无法上报")


MAX_BATCH = 500  # reports in one intake_many


@dataclass
class _Draft:
    """A checked and located report, ready to be filed."""

    case: Case
    report: CaseReport
    where: dict


def intake(user, *, source: str, lon, lat, description: str, matter: str | None = None, address: str = "",
           urgency: str = "normal", client_key: str | None = None, reporter_name: str = "",
           reporter_phone: str = "", component: str | None = None, photos=(), now: dt.datetime | None = None,
           find_duplicates: bool = True) -> IntakeResult:
    """Register a report as a new case (state 上报). The same ``client_key`` twice makes one case."""
    require(user, roles.CASE_REPORT)
    client_key = _client_key(client_key)
    if client_key:
        existing = CaseReport.objects.filter(client_key=client_key).select_related("case").first()
        if existing:
            return IntakeResult(existing.case, False)
    now = now or timezone.now()
    draft = _prepare(user, now, source=source, lon=lon, lat=lat, description=description, matter=matter,
                     address=address, urgency=urgency, client_key=client_key, reporter_name=reporter_name,
                     reporter_phone=reporter_phone, component=component)
    _number([draft], now)
    try:
        with transaction.atomic():
            _file(user, [draft], now)
            case = draft.case
            _, photo_errors = store_photos(case, photos, PhotoKind.REPORT, user) if photos else ([], [])
    except IntegrityError:
        # the same client key arrived twice at once: the other request made the case
        existing = CaseReport.objects.filter(client_key=client_key).select_related("case").first() if client_key else None
        if existing is None:
            raise
        return IntakeResult(existing.case, False)
    # duplicate suggestions name other people's cases: for staff, never for a resident
    staff = user.is_superuser or roles.has_right(user.role, roles.CASE_VIEW)
    dups = duplicates_of(case) if find_duplicates and staff else []
    return IntakeResult(case, True, dups, photo_errors, suggest(case))


def intake_many(user, reports: list[dict], *, now: dt.datetime | None = None) -> list[IntakeResult | DomainError]:
    """Several reports by one user at once — an integration's batch (the 12345 hotline's work orders, a sensor
    gateway's alarms). Each report (the keyword arguments of :func:`intake`, without photos) is checked and
    located on its own: a bad one comes back as its DomainError and the others are filed, all in one transaction
    (one numbering per district, one INSERT per table, one audit append). A ``client_key`` already filed, or
    repeated within the batch, gives the existing case (``created`` False). No duplicate suggestions here: the
    case page and ``GET /cases/{number}/duplicates`` show them."""
    require(user, roles.CASE_REPORT)
    if user.role == Role.RESIDENT:  # residents report one at a time (and are throttled on the public pages)
        raise Forbidden("batch_not_allowed", "批量上报仅供工作人员和系统对接使用，请逐条上报")
    if len(reports) > MAX_BATCH:
        raise DomainError("too_many_reports", f"一次最多上报 {MAX_BATCH} 条")
    now = now or timezone.now()
    for attempt in (1, 2):
        try:
            return _intake_batch(user, reports, now)
        except IntegrityError:  # a client key filed meanwhile by another request: once more, it is found now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _intake_batch(user, reports: list[dict], now: dt.datetime) -> list[IntakeResult | DomainError]:
    out: list = [None] * len(reports)
    keys = {}
    for i, fields in enumerate(reports):
        try:
            keys[i] = _client_key(fields.get("client_key"))
        except DomainError as e:
            out[i] = e
    wanted = {k for k in keys.values() if k}
    known = {r.client_key: r.case for r in CaseReport.objects.filter(client_key__in=wanted).select_related("case")
             } if wanted else {}
    drafts, first_of_key = [], {}
    for i, fields in enumerate(reports):
        if out[i] is not None:
            continue
        key = keys[i]
        if key in known:
            out[i] = IntakeResult(known[key], False)
            continue
        if key and key in first_of_key:
            continue  # filled in below from the first report with this key
        try:
            if "photos" in fields:
                raise DomainError("photos_not_allowed", "批量上报不带照片，请用 /cases/form 逐件上传")
            draft = _prepare(user, now, **{**fields, "client_key": key})
        except DomainError as e:
            out[i] = e
            continue
        except TypeError as e:
            out[i] = DomainError("invalid_input", f"上报内容有误：{e}")
            continue
        drafts.append((i, draft))
        if key:
            first_of_key[key] = i
    if drafts:
        _number([d for _, d in drafts], now)
        with transaction.atomic():
            _file(user, [d for _, d in drafts], now)
    for i, draft in drafts:
        out[i] = IntakeResult(draft.case, True, routing=suggest(draft.case))
    for i, key in keys.items():
        if out[i] is None:  # a key repeated within the batch: the case its first report made
            out[i] = IntakeResult(out[first_of_key[key]].case, False)
    return out


def _client_key(value) -> str | None:
    key = (value or "").strip() or None
    if key and len(key) > 64:
        raise DomainError("invalid_client_key", "client_key 不能超过 64 个字符")
    return key


def _prepare(user, now: dt.datetime, *, source: str, lon, lat, description: str, matter: str | None = None,
             address: str = "", urgency: str = "normal", client_key: str | None = None, reporter_name: str = "",
             reporter_phone: str = "", component: str | None = None) -> _Draft:
    """Check and locate one report and build its rows (nothing is written; raises DomainError)."""
    description, lon, lat = _validate(user, source, urgency, description, lon, lat)
    where = _check_place(user, lon, lat)
    item = matter_by_code(matter) if matter else None
    comp = None
    if component:
        comp = Component.objects.filter(code=str(component)).first()
        if comp is None:
            raise NotFound("unknown_component", f"部件「{component}」不存在")
    reporter_phone = reporter_phone or ""
    if reporter_phone and not (reporter_phone.isdigit() and 7 <= len(reporter_phone) <= 15):
        raise DomainError("invalid_phone", "联系电话应为 7～15 位数字")
    ids = where["ids"]
    in_grid = where["unit_grid"] is not None
    case = Case(
        district_id=ids["district_id"], source=source,
        urgency=urgency, matter=item, component=comp, description=description, address=(address or "")[:200],
        lon=lon, lat=lat, unit_grid_id=ids["id"] if in_grid else None,
        management_grid_id=ids["parent_id"] if in_grid else None, community_id=ids["community_id"],
        scope_key=ids["scope_key"] if in_grid else ids["community"],
        area_class=ids["area_class"] if in_grid else "B", reporter=user if user.pk else None, reported_at=now,
        verified=source not in ("resident", "hotline", "media"),
    )
    # levels: where the report enters (the entry rules: with the 网格长 of its grid, or at the centre)
    case.assignee_node = entry_of(item.code if item else None, source, case.scope_key)
    clock.start_stage(case, Stage.REGISTER, now)
    report = CaseReport(
        source=source, reporter=case.reporter, reporter_name=(reporter_name or "")[:50],
        reporter_phone_cipher=cipher().encrypt(reporter_phone, PHONE_FIELD),
        reporter_phone_masked=mask_phone(reporter_phone), reporter_phone_index=report_phone_index(reporter_phone),
        description=description, lon=lon, lat=lat,
        address=case.address, client_key=client_key, created_at=now,
    )
    return _Draft(case, report, where)


def _number(drafts: list[_Draft], now: dt.datetime) -> None:
    """Give checked reports their case numbers. Called before the filing transaction: outside a caller's
    transaction each counter statement commits by itself, so concurrent intakes do not queue on the counter row
    for the whole of their transaction (a number is skipped only if the filing then fails)."""
    by_district: dict[str, list[_Draft]] = {}
    for d in drafts:
        by_district.setdefault(d.where["district"]["code"], []).append(d)
    for code, group in by_district.items():
        for d, number in zip(group, next_numbers(code, now, len(group)), strict=True):
            d.case.number = number


def _file(user, drafts: list[_Draft], now: dt.datetime) -> None:
    """Write numbered reports: each case with its report and timeline row, and the audit records."""
    events = [CaseEvent(action="report", from_state="", to_state=State.REPORTED, actor=d.case.reporter,
                        actor_name=str(user), role=user.role, at=now,
                        data={"source": d.case.source, "description": d.case.description}) for d in drafts]
    if len(drafts) == 1:
        # plain SQL (gridgov.sqlrows): the rows save() would write, at a fraction of the ORM's CPU, and on
        # PostgreSQL the case, its report and its timeline row in one statement (one round trip)
        sqlrows.insert_with_children(drafts[0].case, [drafts[0].report, events[0]], link="case")
    else:
        sqlrows.insert_many([d.case for d in drafts])
        for d, event in zip(drafts, events, strict=True):
            d.report.case = event.case = d.case
        sqlrows.insert_many([d.report for d in drafts])
        sqlrows.insert_many(events)
    rollup.added([d.case for d in drafts])  # analytics: per-day counts, same transaction
    record_many(user, [Entry("report", "case", d.case.number, before={},
                             after={"status": State.REPORTED, "source": d.case.source,
                                    "matter": d.case.matter.code if d.case.matter_id else None,
                                    "urgency": d.case.urgency, "grid": d.where["unit_grid"]}) for d in drafts],
                role=user.role)
    # duty (应急预案): an urgent case of an emergency class starts its plan in the same transaction as the case; the
    # people the plan tells do not get the 紧急案件 alert as well (one message each, the plan's)
    from gridgov.duty.services import start_plans

    told = {}
    for activation in start_plans(user, [d.case for d in drafts], now):
        told.setdefault(activation.case_id, set()).update(activation.told)
    for d in drafts:
        if d.case.urgency == Urgency.URGENT:
            notify_urgent(d.case, skip=told.get(d.case.pk, set()))
        if d.case.assignee_node:  # levels: entered at the grid — its 网格长 受理s it
            notify_entry(d.case)
        _known_places(d.case, d.where)


def _known_places(case: Case, where: dict) -> None:
    """The new case's unit grid and community as the locator already knows them (id, code, name): attached like
    rows loaded with ``.only()``, so callers that show them need no query (other fields load on access)."""
    alias = case._state.db
    if case.unit_grid_id is not None:
        Case.unit_grid.field.set_cached_value(case, Grid.from_db(alias, ["id", "code"],
                                                                 [case.unit_grid_id, where["unit_grid"]]))
    if case.community_id is not None:
        Case.community.field.set_cached_value(case, Jurisdiction.from_db(
            alias, ["id", "code", "name"], [case.community_id, where["community"]["code"], where["community"]["name"]]))
