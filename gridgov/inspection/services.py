"""The only writer of inspections (检查). Each public function owns its transaction and appends to the audit chain.

- templates: ``save_template`` / ``save_item`` (the admin's writes; items name the matter a failure files)
- plans: ``create_plan`` (with its first targets), ``add_target``, ``add_targets`` (several, all or none); ``due`` —
  what is due, per inspector
- ``submit``: an inspection item by item; each failed item files ONE case through the intake service (source
  检查发现, the item's photos, the inspection's position, a link back); idempotent by the client's key
- 回头看: ``revisit_candidates`` (closed cases of a period, per street), ``record_revisit`` (a new case if the
  problem came back)
- 门前三包: ``save_agreement``; ``fulfilment`` — 履约率 per street (``logic.compliance`` is the one definition)

Reads go through ``scoped``; a target, agreement or case outside one's scope is ``OutOfScope`` (404). A refused
request writes nothing: everything is checked before the first write, and the writes share one transaction.
"""

import datetime as dt
import hashlib
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, in_scope, require, scope_prefix, scoped
from gridgov.audit import services as audit
from gridgov.basedata.models import Building, Organisation
from gridgov.catalog.cache import matter_by_code
from gridgov.catalog.models import Component
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.geo import locating
from gridgov.geo.models import Grid, Jurisdiction

from .logic import compliance, schedule
from .models import (
    Answer,
    AnswerPhoto,
    ChecklistItem,
    ChecklistTemplate,
    FrontageAgreement,
    Inspection,
    Plan,
    Revisit,
    Target,
    TargetKind,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
VIEW, INSPECT, PLAN, CONFIGURE = (roles.INSPECTION_VIEW, roles.INSPECTION_INSPECT, roles.INSPECTION_PLAN,
                                  roles.INSPECTION_CONFIGURE)
FRONTAGE_TEMPLATE = "frontage"
FRONTAGE_FREQUENCY = "monthly"  # 门前三包: each agreement inspected once a month
MAX_PHOTOS_PER_ITEM = 3
MAX_PHOTOS = 20
CLOSED_STATES = ("closed", "archived")
SOURCE = "inspection"  # cases.models.Source.INSPECTION (检查发现)


def local_day(when: dt.datetime) -> dt.date:
    return when.astimezone(SHANGHAI).date()


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def check_day(day: dt.date | None, label: str) -> dt.date | None:
    """A plan's, target's, agreement's or period's day: within 2000–2099 (the schedule works in calendar periods)."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("invalid_date", f"{label}应在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    return day


def _client_key(value) -> str:
    key = (value or "").strip() or uuid.uuid4().hex
    if len(key) > 64:
        raise DomainError("invalid_client_key", "client_key 不能超过 64 个字符")
    return key


def _derived_key(prefix: str, key: str, part: str) -> str:
    """The intake client key of the case one submission files for ``part`` (the same on a resubmission)."""
    return f"{prefix}-" + hashlib.sha256(f"{key}\x1f{part}".encode()).hexdigest()[:40]


# ---------------------------------------------------------------- templates (configuration)

TEMPLATE_FIELDS = ("code", "name", "kind", "active", "note")
ITEM_FIELDS = ("template", "code", "text", "matter_code", "photo_required", "order", "active")


@transaction.atomic
def save_template(user, template: ChecklistTemplate) -> ChecklistTemplate:
    """Create or change a checklist template (the admin's form)."""
    require(user, CONFIGURE)
    audit.save_row(user, template, TEMPLATE_FIELDS, "checklist_template", template.code)
    return template


@transaction.atomic
def save_item(user, item: ChecklistItem) -> ChecklistItem:
    """Create or change a checklist item; its matter must be an active matter of the catalog."""
    require(user, CONFIGURE)
    item.matter_code = (item.matter_code or "").strip()
    matter_by_code(item.matter_code)  # unknown_matter (404) / matter_inactive (400)
    audit.save_row(user, item, ITEM_FIELDS, "checklist_item", f"{item.template.code}/{item.code}")
    return item


def template_by_code(code: str) -> ChecklistTemplate:
    t = ChecklistTemplate.objects.filter(code=code).first()
    if t is None:
        raise NotFound("unknown_template", f"检查表模板「{code}」不存在")
    if not t.active:
        raise DomainError("template_inactive", f"检查表模板「{t.name}」已停用")
    return t


def active_items(template: ChecklistTemplate) -> list[ChecklistItem]:
    return list(template.items.filter(active=True).order_by("order", "code"))


# ---------------------------------------------------------------- plans and targets


@dataclass
class Place:
    kind: str
    name: str
    address: str
    lon: float
    lat: float
    scope_key: str
    refs: dict


def _place(user, kind: str, ref) -> Place:
    """The object a target names, read within the user's scope (404 outside it)."""
    ref = str(ref).strip()
    if kind == TargetKind.ORGANISATION:
        o = Organisation.objects.filter(pk=int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 19 else 0).first()
        if o is None or not in_scope(user, o.scope_key):
            raise NotFound("unknown_target", f"单位「{ref}」不存在或不在您的管辖范围内")
        if o.lon is None or o.lat is None:
            raise DomainError("target_without_position", f"单位「{o.name}」没有位置，请先在基础数据中补充")
        return Place(kind, o.name, o.address, o.lon, o.lat, o.scope_key, {"organisation": o})
    if kind == TargetKind.BUILDING:
        b = Building.objects.filter(pk=int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 19 else 0).first()
        if b is None or not in_scope(user, b.scope_key):
            raise NotFound("unknown_target", f"楼栋「{ref}」不存在或不在您的管辖范围内")
        return Place(kind, str(b), b.address, b.lon, b.lat, b.scope_key, {"building": b})
    if kind == TargetKind.GRID:
        g = Grid.objects.filter(code=ref, layer__code__in=["unit", "management"]).first()
        if g is None or not in_scope(user, g.scope_key):
            raise NotFound("unknown_target", f"网格「{ref}」不存在或不在您的管辖范围内")
        p = g.shape.representative_point()
        return Place(kind, g.name or g.code, "", p.x, p.y, g.scope_key, {"grid": g})
    if kind == TargetKind.COMPONENT:
        c = Component.objects.select_related("item").filter(code=ref).first()
        if c is None or not in_scope(user, c.scope_key):
            raise NotFound("unknown_target", f"部件「{ref}」不存在或不在您的管辖范围内")
        return Place(kind, f"{c.item.name} {c.code}", "", c.lon, c.lat, c.scope_key, {"component": c})
    raise DomainError("invalid_target_kind", "对象类型应为 organisation（单位）、building（楼栋）、grid（网格）或 "
                                             "component（部件）")


def _node_key(user, node: str | None) -> str:
    """The plan's area: a node of the tree within the user's scope (default: the user's own)."""
    mine = scope_prefix(user)
    if mine is None:
        raise OutOfScope()
    node = (node or "").strip() or mine
    if not node:
        raise DomainError("node_required", "请指定计划的范围（街道或社区代码）")
    if not node.startswith(mine):
        raise OutOfScope()
    if "W" not in node and not Jurisdiction.objects.filter(code=node).exists():
        raise NotFound("unknown_node", f"辖区「{node}」不存在")
    return node


def _inspector(user, username: str | None, node: str):
    if not username:
        return None
    from gridgov.accounts.models import User

    person = User.objects.filter(username=username, is_active=True).first()
    if person is None or not (person.is_superuser or roles.has_right(person.role, INSPECT)):
        raise DomainError("invalid_inspector", f"「{username}」不是可以检查的人员")
    key = scope_prefix(person)
    if key is None or not (node.startswith(key) or key.startswith(node)):
        raise DomainError("invalid_inspector", f"「{username}」的范围与计划范围不相交")
    return person


def _target(plan: Plan, place: Place, start_on: dt.date) -> Target:
    return Target(plan=plan, kind=place.kind, name=place.name[:200], address=(place.address or "")[:200],
                  lon=place.lon, lat=place.lat, scope_key=place.scope_key, start_on=start_on, **place.refs)


@transaction.atomic
def create_plan(user, *, name: str, template: str, frequency: str, start_on: dt.date, node: str | None = None,
                inspector: str | None = None, inspector_role: str = "", targets=()) -> Plan:
    """A 监督检查计划 with its targets (``[(kind, ref), …]``), within the user's scope."""
    require(user, PLAN)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写计划名称")
    if frequency not in schedule.FREQUENCIES:
        raise DomainError("invalid_frequency", "检查频次应为：" + "、".join(
            f"{k}（{v}）" for k, v in schedule.FREQUENCIES.items()))
    if inspector_role and inspector_role not in [r.value for r in roles.Role]:
        raise DomainError("invalid_role", f"岗位「{inspector_role}」不存在")
    if inspector_role and not roles.has_right(inspector_role, INSPECT):
        raise DomainError("invalid_role", "该岗位不能开展检查")
    check_day(start_on, "开始日期")
    tpl = template_by_code(template)
    key = _node_key(user, node)
    person = _inspector(user, inspector, key)
    places = [_place(user, kind, ref) for kind, ref in targets]
    for p in places:
        if not p.scope_key.startswith(key):
            raise DomainError("target_outside_plan", f"「{p.name}」不在计划范围（{key}）内")
    plan = Plan.objects.create(name=name[:100], template=tpl, frequency=frequency, inspector=person,
                               inspector_role=inspector_role if not person else "", start_on=start_on,
                               scope_key=key, created_by=user if user.pk else None)
    Target.objects.bulk_create([_target(plan, p, start_on) for p in places])
    audit.record(user, "create", "inspection_plan", plan.pk, after={
        "name": plan.name, "template": tpl.code, "frequency": frequency, "scope": key,
        "inspector": person.username if person else "", "inspector_role": plan.inspector_role,
        "targets": len(places)})
    return plan


@transaction.atomic
def add_target(user, plan_id: int, kind: str, ref, start_on: dt.date | None = None) -> Target:
    require(user, PLAN)
    check_day(start_on, "纳入日期")
    plan = scoped(Plan.objects.select_for_update(), user, PLAN).filter(pk=plan_id).first()
    if plan is None:
        raise OutOfScope()
    place = _place(user, kind, ref)
    if not place.scope_key.startswith(plan.scope_key):
        raise DomainError("target_outside_plan", f"「{place.name}」不在计划范围（{plan.scope_key}）内")
    target = _target(plan, place, start_on or local_day(timezone.now()))
    target.save()
    audit.record(user, "create", "inspection_target", target.pk, after={
        "plan": plan.pk, "kind": kind, "name": target.name, "scope_key": target.scope_key})
    return target


@transaction.atomic
def add_targets(user, plan_id: int, targets, start_on: dt.date | None = None) -> list[Target]:
    """Several targets (``[(kind, ref), …]``) for a plan at once — all or none (the page form's)."""
    if not targets:
        raise DomainError("no_targets", "请至少选择一个单位或填写一个网格编码")
    return [add_target(user, plan_id, kind, ref, start_on) for kind, ref in targets]


# ---------------------------------------------------------------- what is due


@dataclass
class DueRow:
    kind: str  # target | agreement
    id: int
    name: str
    address: str
    template: str
    template_name: str
    plan: str
    frequency: str
    due_on: dt.date
    state: str
    days_overdue: int
    last_inspected_on: dt.date | None
    scope_key: str

    @property
    def state_label(self) -> str:
        return schedule.STATE_LABELS[self.state]

    @property
    def frequency_label(self) -> str:
        return schedule.FREQUENCIES[self.frequency]


def _mine(user) -> Q:
    """Plans assigned to the user: by name, or to their post (any holder within the plan's area)."""
    return Q(plan__inspector=user) | Q(plan__inspector__isnull=True, plan__inspector_role__in=["", user.role])


def due(user, today: dt.date, *, mine: bool = True, include_done: bool = False) -> list[DueRow]:
    """The targets and 门前三包 agreements to inspect, overdue first, then by due day. ``mine``: only the user's
    (assigned by name or post; the agreements of their area when they inspect); else everything in scope."""
    require(user, VIEW)
    rows: list[DueRow] = []
    targets = scoped(Target.objects.filter(plan__active=True, plan__template__active=True), user, VIEW)
    if mine:
        targets = targets.filter(_mine(user))
    for t in targets.select_related("plan", "plan__template"):
        s = schedule.status(t.plan.frequency, t.start_on, t.last_inspected_on, today)
        rows.append(DueRow("target", t.pk, t.name, t.address, t.plan.template.code, t.plan.template.name,
                           t.plan.name, t.plan.frequency, s.due_on, s.state, s.days_overdue, t.last_inspected_on,
                           t.scope_key))
    agreements = scoped(FrontageAgreement.objects.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today)),
                        user, VIEW)
    if not mine or user.is_superuser or roles.has_right(user.role, INSPECT):
        for a in agreements:
            s = schedule.status(FRONTAGE_FREQUENCY, a.signed_on, a.last_inspected_on, today)
            rows.append(DueRow("agreement", a.pk, a.name, a.frontage, FRONTAGE_TEMPLATE, "门前三包检查", "门前三包",
                               FRONTAGE_FREQUENCY, s.due_on, s.state, s.days_overdue, a.last_inspected_on,
                               a.scope_key))
    if not include_done:
        rows = [r for r in rows if r.state != "done"]
    order = {"overdue": 0, "due": 1, "done": 2}
    return sorted(rows, key=lambda r: (order[r.state], r.due_on, r.name, r.id))


# ---------------------------------------------------------------- submitting an inspection


@dataclass
class SubmitResult:
    inspection: Inspection
    created: bool
    cases: list = field(default_factory=list)  # the case numbers filed by failed items


def _checked_photos(files_by_item: dict[str, list[tuple[str, bytes]]]) -> dict[str, list]:
    from gridgov.cases.services.photos import check_photo

    total = sum(len(v) for v in files_by_item.values())
    if total > MAX_PHOTOS:
        raise DomainError("too_many_photos", f"一次检查最多上传 {MAX_PHOTOS} 张照片")
    out = {}
    for code, files in files_by_item.items():
        if len(files) > MAX_PHOTOS_PER_ITEM:
            raise DomainError("too_many_photos", f"检查项 {code} 最多 {MAX_PHOTOS_PER_ITEM} 张照片")
        out[code] = [(name, check_photo(name, data)) for name, data in files]  # a bad photo refuses the whole
    return out


def load_subject(user, *, target_id: int | None = None, agreement_id: int | None = None, right: str = INSPECT):
    """(template, target, agreement) of what is inspected, within the user's scope."""
    if bool(target_id) == bool(agreement_id):
        raise DomainError("subject_required", "请指定一个检查对象（target）或一份门前三包责任书（agreement）")
    if target_id:
        t = scoped(Target.objects.select_related("plan__template"), user, right).filter(pk=target_id).first()
        if t is None:
            raise OutOfScope()
        if not t.plan.active:
            raise DomainError("plan_inactive", f"计划「{t.plan.name}」已停止执行")
        return t.plan.template, t, None
    a = scoped(FrontageAgreement.objects.all(), user, right).filter(pk=agreement_id).first()
    if a is None:
        raise OutOfScope()
    return template_by_code(FRONTAGE_TEMPLATE), None, a


def submit(user, *, answers: list[dict], target_id: int | None = None, agreement_id: int | None = None,
           lon: float | None = None, lat: float | None = None, note: str = "", client_key: str | None = None,
           photos: dict[str, list[tuple[str, bytes]]] | None = None, now: dt.datetime | None = None) -> SubmitResult:
    """Record an inspection. ``answers``: ``[{"item": code, "answer": pass|fail|na, "note": …}]``, one per item of
    the template; ``photos``: item code → ``[(file name, bytes)]``. Each failed item files one case (source 检查发现)
    with that item's photos at the inspection's position (the target's when not given). The same ``client_key``
    again gives the first inspection back and files nothing."""
    require(user, INSPECT)
    key = _client_key(client_key)
    existing = Inspection.objects.filter(client_key=key).first()
    if existing is not None:
        return _existing(user, existing)
    now = now or timezone.now()
    template, target, agreement = load_subject(user, target_id=target_id, agreement_id=agreement_id)
    items = {i.code: i for i in active_items(template)}
    given: dict[str, dict] = {}
    for a in answers:
        code = str(a.get("item", "")).strip()
        if code not in items:
            raise DomainError("unknown_item", f"检查项「{code}」不在检查表「{template.name}」中")
        if code in given:
            raise DomainError("duplicate_item", f"检查项「{code}」填写了两次")
        if not isinstance(a.get("answer"), str) or a["answer"] not in compliance.ANSWERS:
            raise DomainError("invalid_answer", f"检查项「{code}」的结果应为 pass（合格）、fail（不合格）或 na（不适用）")
        given[code] = a
    missing = [c for c in items if c not in given]
    if missing:
        raise DomainError("answers_missing", "以下检查项未填写：" + "、".join(missing))
    photos = photos or {}
    for code in photos:
        if code not in items:
            raise DomainError("unknown_item", f"照片所属的检查项「{code}」不在检查表「{template.name}」中")
    checked = _checked_photos({c: f for c, f in photos.items() if f})
    for code, a in given.items():
        if a["answer"] == compliance.FAIL and items[code].photo_required and not checked.get(code):
            raise DomainError("photo_required", f"检查项「{code} {items[code].text}」不合格，须拍照留证")
    for code, a in given.items():  # the matter of each failure is checked before anything is written
        if a["answer"] == compliance.FAIL:
            matter_by_code(items[code].matter_code)
    subject = target or agreement
    if lon is None or lat is None:
        lon, lat = subject.lon, subject.lat
    lon, lat = locating.check_point(lon, lat)
    note = (note or "").strip()[:2000]
    result = compliance.outcome(a["answer"] for a in given.values())
    try:
        with transaction.atomic():
            return _write(user, key, now, template, target, agreement, items, given, checked, lon, lat, note,
                          result)
    except IntegrityError:
        existing = Inspection.objects.filter(client_key=key).first()
        if existing is None:
            raise
        return _existing(user, existing)


def _existing(user, inspection: Inspection) -> SubmitResult:
    if not in_scope(user, inspection.scope_key) and not user.is_superuser:
        raise Conflict("client_key_used", "该 client_key 已被另一次提交使用")
    numbers = [n for n in inspection.answers.filter(case__isnull=False).values_list("case__number", flat=True)]
    return SubmitResult(inspection, False, numbers)


def _write(user, key, now, template, target, agreement, items, given, checked, lon, lat, note, result):
    from gridgov.cases.services.intake import intake
    from gridgov.cases.storage import photo_store

    subject = target or agreement
    inspection = Inspection.objects.create(
        template=template, target=target, agreement=agreement, place=subject.name[:200], inspector=user,
        inspector_name=(getattr(user, "display_name", "") or user.get_username())[:50], lon=lon, lat=lat,
        inspected_at=now, outcome=result, note=note, client_key=key, scope_key=subject.scope_key,
        failed_count=sum(1 for a in given.values() if a["answer"] == compliance.FAIL))
    store = photo_store()
    numbers = []
    address = (target.address if target else agreement.frontage) or ""
    for code, item in items.items():
        a = given[code]
        answer = Answer(inspection=inspection, item=item, answer=a["answer"], note=str(a.get("note") or "")[:500])
        if a["answer"] == compliance.FAIL:
            text = f"【{template.name}】{subject.name}：{item.text}——不合格。"
            if answer.note:
                text += answer.note
            text += f"（检查记录 #{inspection.pk}，检查项 {item.code}）"
            r = intake(user, source=SOURCE, lon=lon, lat=lat, description=text[:2000], matter=item.matter_code,
                       address=address[:200], client_key=_derived_key("insp", key, code), now=now,
                       photos=[(name, p.data) for name, p in checked.get(code, [])], find_duplicates=False)
            answer.case = r.case
            numbers.append(r.case.number)
        answer.save()
        AnswerPhoto.objects.bulk_create([
            AnswerPhoto(answer=answer, storage_key=store.save(p.data, p.suffix), content_type=p.content_type,
                        size=len(p.data), sha256=hashlib.sha256(p.data).hexdigest())
            for _, p in checked.get(code, [])])
    day = local_day(now)
    if subject.last_inspected_on is None or subject.last_inspected_on < day:
        type(subject).objects.filter(pk=subject.pk).update(last_inspected_on=day)
    audit.record(user, "submit", "inspection", inspection.pk, after={
        "template": template.code, "target": target.pk if target else None,
        "agreement": agreement.pk if agreement else None, "outcome": result,
        "failed": inspection.failed_count, "cases": numbers})
    return SubmitResult(inspection, True, numbers)


def inspections(user):
    """The inspections within the user's scope (newest first)."""
    return scoped(Inspection.objects.select_related("template"), user, VIEW)


def get_inspection(user, pk: int) -> Inspection:
    i = inspections(user).filter(pk=pk).first()
    if i is None:
        raise OutOfScope()
    return i


# ---------------------------------------------------------------- 回头看


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-11' → [1 Nov 00:00, 1 Dec 00:00) in local time."""
    try:
        year, mon = (int(x) for x in str(month).split("-"))
        start = dt.datetime(year, mon, 1, tzinfo=SHANGHAI)
        check_day(start.date(), "月份")
    except (ValueError, TypeError, OverflowError):
        raise DomainError("invalid_month", "月份格式应为 YYYY-MM，如 2026-11") from None
    end = dt.datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def revisit_candidates(user, month: str, street: str | None = None):
    """The cases closed in ``month`` (within scope, optionally one street) not yet revisited: the 回头看 list."""
    from gridgov.cases.models import Case

    start, end = month_bounds(month)
    qs = scoped(Case.objects.filter(status__in=CLOSED_STATES, closed_at__gte=start, closed_at__lt=end),
                user, VIEW).exclude(revisits__isnull=False)
    if street:
        qs = qs.filter(scope_key__startswith=street)
    return qs.select_related("matter", "community").order_by("closed_at", "id")


@dataclass
class RevisitResult:
    revisit: Revisit
    created: bool


def record_revisit(user, *, case_number: str, recurred: bool, note: str = "", lon: float | None = None,
                   lat: float | None = None, client_key: str | None = None,
                   photos: list[tuple[str, bytes]] = (), now: dt.datetime | None = None) -> RevisitResult:
    """回头看 of a closed case: whether the problem came back; if so a new case (same matter, source 检查发现)."""
    from gridgov.cases.models import Case
    from gridgov.cases.services.intake import intake
    from gridgov.cases.services.photos import check_photo

    require(user, INSPECT)
    key = _client_key(client_key)
    existing = Revisit.objects.filter(client_key=key).first()
    if existing is not None:
        return RevisitResult(existing, False)
    case = scoped(Case.objects.select_related("matter"), user, VIEW).filter(number=case_number).first()
    if case is None:
        raise OutOfScope()
    if case.status not in CLOSED_STATES:
        raise Conflict("case_not_closed", f"案件 {case.number} 尚未结案，回头看只针对已结案的案件")
    note = (note or "").strip()[:500]
    if len(photos) > MAX_PHOTOS_PER_ITEM:
        raise DomainError("too_many_photos", f"回头看最多 {MAX_PHOTOS_PER_ITEM} 张照片")
    checked = [(name, check_photo(name, data)) for name, data in photos]
    if recurred and case.matter_id:
        matter_by_code(case.matter.code)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            new_case = None
            if recurred:
                text = f"【回头看】原案件 {case.number} 的问题复发。{note}"
                r = intake(user, source=SOURCE, lon=case.lon if lon is None else lon,
                           lat=case.lat if lat is None else lat, description=text[:2000],
                           matter=case.matter.code if case.matter_id else None, address=case.address,
                           client_key=_derived_key("revisit", key, case.number), now=now,
                           photos=[(n, p.data) for n, p in checked], find_duplicates=False)
                new_case = r.case
            revisit = Revisit.objects.create(
                case=case, recurred=recurred, note=note, new_case=new_case, inspector=user,
                inspector_name=(getattr(user, "display_name", "") or user.get_username())[:50], visited_at=now,
                client_key=key, scope_key=case.scope_key)
            audit.record(user, "create", "revisit", revisit.pk, after={
                "case": case.number, "recurred": recurred, "new_case": new_case.number if new_case else None})
            return RevisitResult(revisit, True)
    except IntegrityError:
        existing = Revisit.objects.filter(client_key=key).first()
        if existing is None:
            raise
        return RevisitResult(existing, False)


# ---------------------------------------------------------------- 门前三包


@transaction.atomic
def save_agreement(user, *, organisation_id: int, frontage: str, signed_on: dt.date,
                   expires_on: dt.date | None = None, clean: bool = True, orderly: bool = True,
                   green: bool = True) -> FrontageAgreement:
    """A shop's 门前三包 responsibility agreement (within scope)."""
    require(user, PLAN)
    check_day(signed_on, "签订日期")
    check_day(expires_on, "到期日期")
    place = _place(user, TargetKind.ORGANISATION, organisation_id)
    frontage = (frontage or "").strip()
    if not frontage:
        raise DomainError("frontage_required", "请填写责任区范围（如：门前至路缘石）")
    if not (clean or orderly or green):
        raise DomainError("no_duty", "三包内容（市容整洁、秩序、绿化）至少选一项")
    if expires_on and expires_on <= signed_on:
        raise DomainError("invalid_dates", "到期日期应晚于签订日期")
    if FrontageAgreement.objects.filter(organisation=place.refs["organisation"], signed_on=signed_on).exists():
        raise Conflict("agreement_exists", f"「{place.name}」在 {signed_on} 已签订门前三包责任书")
    a = FrontageAgreement.objects.create(
        organisation=place.refs["organisation"], name=place.name[:200], frontage=frontage[:200], clean=clean,
        orderly=orderly, green=green, signed_on=signed_on, expires_on=expires_on, lon=place.lon, lat=place.lat,
        scope_key=place.scope_key, created_by=user if user.pk else None)
    audit.record(user, "create", "frontage_agreement", a.pk, after={
        "organisation": a.organisation_id, "frontage": a.frontage, "signed_on": str(signed_on),
        "expires_on": str(expires_on) if expires_on else None, "clean": clean, "orderly": orderly, "green": green})
    return a


@dataclass
class StreetRate:
    street: str
    name: str
    passed: int
    counted: int
    rate: object  # Decimal | None


def fulfilment(user, start: dt.date, end: dt.date, street: str | None = None) -> list[StreetRate]:
    """门前三包 履约率 per street, over the 门前三包 inspections made in [start, end] (local days)."""
    require(user, VIEW)
    check_day(start, "起始日期")
    check_day(end, "截止日期")
    since = dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    qs = inspections(user).filter(agreement__isnull=False, inspected_at__gte=since, inspected_at__lt=until)
    if street:
        qs = qs.filter(scope_key__startswith=street)
    rows = [(key[:9], outcome) for key, outcome in qs.values_list("scope_key", "outcome")]
    rates = compliance.fulfilment_by(rows)
    names = dict(Jurisdiction.objects.filter(code__in=list(rates)).values_list("code", "name"))
    return [StreetRate(code, names.get(code, code), r.passed, r.counted, r.rate) for code, r in rates.items()]
