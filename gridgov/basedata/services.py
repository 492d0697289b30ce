"""The only place that writes the basic data; each public function owns its transaction.

Personal data never goes into an exception message or a log line: validation errors name the field and
the reason ("身份证号校验位错误"), never the value.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from gridgov import limits
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import OutOfScope, scope_prefix
from gridgov.audit import services as audit
from gridgov.crypto import cipher
from gridgov.errors import Conflict, DomainError, NotFound

from . import rights
from .logic import ids
from .models import (
    AccessAction,
    AccessLog,
    Building,
    DiaryEntry,
    Dwelling,
    DwellingUse,
    EventKind,
    Household,
    KeyCategory,
    KeyTag,
    Organisation,
    OrgKind,
    RegistrationType,
    Relation,
    Resident,
    ResidentEvent,
    ResidentStatus,
    Visit,
    VisitRule,
    VisitTrigger,
)

log = logging.getLogger("gridgov.basedata")

ID_FIELD, PHONE_FIELD, ORG_PHONE_FIELD = "resident.id_number", "resident.phone", "organisation.contact_phone"
# What the audit chain keeps of a write (never personal data in clear: people's records name fields only).
BUILDING_AUDIT = ("code", "name", "address", "floors", "lon", "lat", "unit_grid", "management_grid", "scope_key")
DWELLING_AUDIT = ("building", "code", "unit_no", "floor", "room", "use", "area_m2", "scope_key")
ORG_FIELDS = ("credit_code", "name", "kind", "address", "contact_name", "contact_phone_masked", "opened_on",
              "closed_on", "lon", "lat", "unit_grid", "scope_key")
CATEGORY_FIELDS = ("name", "visit_interval_days", "roles", "description", "active")
RULE_FIELDS = ("name", "within_days", "description", "active")


def _audit_row(user, obj, fields, object_type: str, before: dict | None) -> None:
    """create (with the fields) or update (only what changed; nothing when nothing did) of a non-personal row."""
    after = audit.values(obj, fields)
    if before is None:
        audit.record(user, "create", object_type, obj.pk, after=after)
        return
    old, new = audit.changed(before, after)
    if new:
        audit.record(user, "update", object_type, obj.pk, before=old, after=new)


def _audit_fields(user, obj, fields, object_type: str, before: dict | None) -> None:
    """The same for a record of personal data: which fields were set or changed, never their values."""
    after = audit.values(obj, fields)
    if before is None:
        audit.record(user, "create", object_type, obj.pk, after=audit.names(f for f in fields if after[f] not in ("", None)))
        return
    old, _new = audit.changed(before, after)
    if old:
        audit.record(user, "update", object_type, obj.pk, after=audit.names(old))


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- values


def clean_id(value: str) -> str:
    v = ids.normalize_id(value)
    problem = ids.id_problem(v, today())
    if problem:
        raise DomainError("invalid_id_number", problem)
    return v


def clean_phone(value: str | None, required: bool = False) -> str:
    v = ids.normalize_phone(value or "")
    if not v:
        if required:
            raise DomainError("invalid_phone", "手机号为空")
        return ""
    problem = ids.phone_problem(v)
    if problem:
        raise DomainError("invalid_phone", problem)
    return v


def clean_credit(value: str) -> str:
    v = ids.normalize_credit(value)
    problem = ids.credit_problem(v)
    if problem:
        raise DomainError("invalid_credit_code", problem)
    return v


def choice(enum, value, label: str, default=None):
    """Accept the code ("floating") or the Chinese label ("流动")."""
    if value in (None, ""):
        if default is not None:
            return default
        raise DomainError("invalid_choice", f"{label}为空")
    for c in enum:
        if value == c.value or value == c.label:
            return c.value
    options = "、".join(c.label for c in enum)
    raise DomainError("invalid_choice", f"{label}应为 {options} 之一")


def id_fields(id_number: str) -> dict:
    c = cipher()
    return {"id_cipher": c.encrypt(id_number, ID_FIELD), "id_index": c.index(id_number, ID_FIELD),
            "id_masked": ids.mask_id(id_number), "gender": ids.id_gender(id_number),
            "birth_date": ids.id_birth_date(id_number)}


def phone_fields(phone: str) -> dict:
    c = cipher()
    return {"phone_cipher": c.encrypt(phone, PHONE_FIELD), "phone_index": c.index(phone, PHONE_FIELD),
            "phone_masked": ids.mask_phone(phone)}


def id_index(id_number: str) -> str:
    return cipher().index(ids.normalize_id(id_number), ID_FIELD)


def phone_index(phone: str) -> str:
    return cipher().index(ids.normalize_phone(phone), PHONE_FIELD)


# ---------------------------------------------------------------- places


def grid_of_point(lon: float, lat: float) -> dict:
    """Where a point is: unit grid, management grid, community and the scope key of its unit grid."""
    from gridgov.geo import locating
    from gridgov.geo.models import Grid

    r = locating.locate(lon, lat)
    if not r["inside"]:
        raise DomainError("outside_jurisdiction", "位置不在辖区范围内")
    key = r["community"]["code"]
    if r["unit_grid"]:
        key = Grid.objects.filter(layer__code="unit", code=r["unit_grid"]).values_list("scope_key", flat=True).first() or key
    return {"unit_grid": r["unit_grid"] or "", "management_grid": r["management_grid"] or "",
            "community_code": r["community"]["code"], "scope_key": key}


def _check_write_scope(user, key: str) -> None:
    if user is not None and not rights.in_scope(user, key):
        raise OutOfScope()


@transaction.atomic
def save_building(user, data: dict, pk: int | None = None) -> Building:
    """Create or update a building; its grid comes from its location."""
    limits.check_fields(Building, data)  # raw values within the columns' limits
    if user is not None:
        rights.require(user, rights.EDIT)
    b = rights.get_scoped(Building.objects.all(), user, rights.EDIT, pk=pk) if pk else Building(created_by=user)
    before = audit.values(b, BUILDING_AUDIT) if pk else None
    for f in ("code", "name", "address", "floors"):
        if f in data and data[f] is not None:
            setattr(b, f, data[f])
    if not b.code or not b.address:
        raise DomainError("invalid_building", "楼栋编码和地址不能为空")
    if "lon" in data or "lat" in data or not b.pk:
        from gridgov.geo.locating import check_point

        b.lon, b.lat = check_point(data.get("lon", b.lon), data.get("lat", b.lat))
        where = grid_of_point(b.lon, b.lat)
        for k, v in where.items():
            setattr(b, k, v)
    _check_write_scope(user, b.scope_key)
    if Building.objects.filter(code=b.code).exclude(pk=b.pk).exists():
        raise Conflict("duplicate_building", "楼栋编码已存在")
    b.save()
    if b.dwellings.exclude(scope_key=b.scope_key).exists():
        Dwelling.objects.filter(building=b).update(scope_key=b.scope_key)
    if user is not None:
        rights.ensure_in_scope(b, user, rights.EDIT)
    _audit_row(user, b, BUILDING_AUDIT, "building", before)
    return b


@transaction.atomic
def save_dwelling(user, data: dict, pk: int | None = None) -> Dwelling:
    limits.check_fields(Dwelling, data)  # raw values within the columns' limits
    if user is not None:
        rights.require(user, rights.EDIT)
    d = rights.get_scoped(Dwelling.objects.all(), user, rights.EDIT, pk=pk) if pk else Dwelling(created_by=user)
    before = audit.values(d, DWELLING_AUDIT) if pk else None
    if "building_id" in data or not pk:
        d.building = rights.get_scoped(Building.objects.all(), user, rights.EDIT, pk=data.get("building_id"))
        d.scope_key = d.building.scope_key
    for f in ("unit_no", "floor", "room", "area_m2"):
        if f in data and data[f] is not None:
            setattr(d, f, data[f])
    if "use" in data and data["use"] is not None:
        d.use = choice(DwellingUse, data["use"], "用途")
    if not d.room:
        raise DomainError("invalid_dwelling", "室号不能为空")
    d.code = data.get("code") or d.code or f"{d.building.code}-{d.unit_no or 0}-{d.room}"
    if Dwelling.objects.filter(code=d.code).exclude(pk=d.pk).exists():
        raise Conflict("duplicate_dwelling", "房屋编码已存在")
    d.save()
    if user is not None:
        rights.ensure_in_scope(d, user, rights.EDIT)
    _audit_row(user, d, DWELLING_AUDIT, "dwelling", before)
    return d


# ---------------------------------------------------------------- people


def _household(user, number: str, dwelling: Dwelling | None) -> Household:
    number = (number or "").strip()
    if not number:
        if dwelling is None:
            raise DomainError("invalid_household", "户编号和房屋不能同时为空")
        number = f"H{dwelling.code}"
    hh = Household.objects.filter(number=number).first()
    if hh is None:
        if dwelling is None:
            raise DomainError("invalid_household", "新建户须指定房屋")
        return Household.objects.create(number=number, dwelling=dwelling, scope_key=dwelling.scope_key)
    _check_write_scope(user, hh.scope_key)
    return hh


@transaction.atomic
def create_resident(user, data: dict) -> Resident:
    """新增: a resident collected by a grid worker (the phone app) or an office clerk."""
    rights.require(user, rights.EDIT)
    id_number = clean_id(data.get("id_number", ""))
    phone = clean_phone(data.get("phone"))
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("invalid_name", "姓名不能为空")
    dwelling = rights.get_scoped(Dwelling.objects.all(), user, rights.EDIT, pk=data.get("dwelling_id"))
    index = cipher().index(id_number, ID_FIELD)
    if Resident.objects.filter(id_index=index).exists():
        raise Conflict("duplicate_resident", "该身份证号已登记（如为迁入，请由原辖区办理迁移）")
    household = _household(user, data.get("household_number", ""), dwelling)
    r = Resident(
        name=name, **id_fields(id_number), **phone_fields(phone),
        reg_type=choice(RegistrationType, data.get("reg_type"), "人口类型", RegistrationType.HUKOU),
        relation=choice(Relation, data.get("relation"), "与户主关系", Relation.OTHER),
        household=household, dwelling=dwelling, scope_key=dwelling.scope_key,
        moved_in=data.get("moved_in") or today(), created_by=user,
    )
    r.save()
    ResidentEvent.objects.create(resident=r, kind=EventKind.ADD, date=r.moved_in, reason=data.get("reason") or "采集登记",
                                 to_key=r.scope_key, actor=user, scope_key=r.scope_key)
    rights.ensure_in_scope(r, user, rights.EDIT)
    audit.record(user, "create", "resident", r.pk, after={
        **audit.names(k for k in ("name", "id_number", "phone", "reg_type", "relation") if k != "phone" or phone),
        "household": household.pk, "dwelling": dwelling.pk, "scope_key": r.scope_key})
    return r


@transaction.atomic
def update_resident(user, pk: int, data: dict) -> Resident:
    """变更: name, phone, type, relation. The old values are not kept in plain form; the event says what changed."""
    r = rights.get_scoped(Resident.objects.select_for_update(), user, rights.EDIT, pk=pk)
    changed, fields = [], []
    if data.get("name") is not None and data["name"].strip() != r.name:
        r.name = data["name"].strip()
        changed.append("姓名")
        fields.append("name")
    if data.get("phone") is not None:
        phone = clean_phone(data["phone"])
        if cipher().index(phone, PHONE_FIELD) != r.phone_index:
            for k, v in phone_fields(phone).items():
                setattr(r, k, v)
            changed.append("手机号")
            fields.append("phone")
    for field, enum, label in (("reg_type", RegistrationType, "人口类型"), ("relation", Relation, "与户主关系")):
        if data.get(field) is not None:
            v = choice(enum, data[field], label)
            if v != getattr(r, field):
                setattr(r, field, v)
                changed.append(label)
                fields.append(field)
    if changed:
        r.save()
        ResidentEvent.objects.create(resident=r, kind=EventKind.UPDATE, date=today(), reason="变更：" + "、".join(changed),
                                     from_key=r.scope_key, to_key=r.scope_key, actor=user, scope_key=r.scope_key)
        audit.record(user, "update", "resident", r.pk, after=audit.names(fields))
    rights.ensure_in_scope(r, user, rights.EDIT)
    return r


@transaction.atomic
def move_resident(user, pk: int, kind: str, date: dt.date, reason: str, dwelling_id: int | None = None,
                  household_number: str = "") -> Resident:
    """注销 (cancel: death, …) or 迁移 (move: to another dwelling within one's scope, or out of the territory)."""
    r = rights.get_scoped(Resident.objects.select_for_update(), user, rights.EDIT, pk=pk)
    if r.status != ResidentStatus.ACTIVE:
        raise Conflict("resident_inactive", "该人员已注销或迁出")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写原因")
    if date > today():
        raise DomainError("invalid_date", "变动日期不能晚于今天")
    old = r.scope_key
    if kind == EventKind.CANCEL:
        r.status, new = ResidentStatus.CANCELLED, ""
    elif kind == EventKind.MOVE and dwelling_id:
        dwelling = rights.get_scoped(Dwelling.objects.all(), user, rights.EDIT, pk=dwelling_id)
        r.dwelling = dwelling
        r.household = _household(user, household_number, dwelling)
        r.scope_key = new = dwelling.scope_key
        r.moved_in = date
    elif kind == EventKind.MOVE:
        r.status, new = ResidentStatus.MOVED_OUT, ""
    else:
        raise DomainError("invalid_kind", "变动类型应为 cancel（注销）或 move（迁移）")
    r.save()
    ResidentEvent.objects.create(resident=r, kind=kind, date=date, reason=reason, from_key=old, to_key=new,
                                 actor=user, scope_key=r.scope_key)
    audit.record(user, str(kind), "resident", r.pk, before={"scope_key": old},
                 after={"status": r.status, "scope_key": new, **audit.names(["date", "reason"])})
    rights.ensure_in_scope(r, user, rights.EDIT)
    return r


def log_access(user, action: str, target: str, object_id="", fields="", count=1, reason="", scope_key="") -> None:
    AccessLog.objects.create(user=user if getattr(user, "pk", None) else None,
                             username=getattr(user, "username", "") or "system", action=action, target=target,
                             object_id=str(object_id), fields=fields, count=count, reason=reason[:200],
                             scope_key=scope_key)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("reason_required", "查看或导出个人信息明文须填写事由")
    return reason


@transaction.atomic
def unmask_resident(user, pk: int, reason: str) -> dict:
    """The ID number and phone in full — for a post with the right, with a reason; always logged."""
    rights.require(user, rights.UNMASK)
    r = rights.get_scoped(Resident.objects.all(), user, rights.UNMASK, pk=pk)
    reason = _reason(reason)
    c = cipher()
    out = {"id": r.pk, "id_number": c.decrypt(r.id_cipher, ID_FIELD), "phone": c.decrypt(r.phone_cipher, PHONE_FIELD)}
    log_access(user, AccessAction.UNMASK, "resident", r.pk, "id_number,phone", 1, reason, r.scope_key)
    return out


# ---------------------------------------------------------------- organisations


@transaction.atomic
def save_organisation(user, data: dict, pk: int | None = None) -> Organisation:
    # raw values within the columns' limits (the credit code is checked once normalised, by clean_credit)
    limits.check_fields(Organisation, {k: v for k, v in data.items() if k != "credit_code"})
    rights.require(user, rights.EDIT)
    o = rights.get_scoped(Organisation.objects.all(), user, rights.EDIT, pk=pk) if pk else Organisation(created_by=user)
    before = audit.values(o, ORG_FIELDS) if pk else None
    if "credit_code" in data or not pk:
        o.credit_code = clean_credit(data.get("credit_code", ""))
    for f in ("name", "address", "contact_name", "opened_on", "closed_on"):
        if data.get(f) is not None:
            setattr(o, f, data[f])
    if data.get("kind") is not None or not pk:
        o.kind = choice(OrgKind, data.get("kind"), "单位类型", OrgKind.ENTERPRISE)
    if data.get("contact_phone") is not None:
        phone = clean_phone(data["contact_phone"])
        o.contact_phone_cipher = cipher().encrypt(phone, ORG_PHONE_FIELD)
        o.contact_phone_masked = ids.mask_phone(phone)
    if not o.name or not o.address:
        raise DomainError("invalid_organisation", "单位名称和地址不能为空")
    if data.get("lon") is not None and data.get("lat") is not None:
        from gridgov.geo.locating import check_point

        o.lon, o.lat = check_point(data["lon"], data["lat"])
        where = grid_of_point(o.lon, o.lat)
        o.unit_grid, o.scope_key = where["unit_grid"], where["scope_key"]
    if not o.scope_key:
        raise DomainError("location_required", "请提供单位位置（经纬度）")
    if o.closed_on and o.opened_on and o.closed_on < o.opened_on:
        raise DomainError("invalid_date", "注销日期早于成立日期")
    _check_write_scope(user, o.scope_key)
    if Organisation.objects.filter(credit_code=o.credit_code).exclude(pk=o.pk).exists():
        raise Conflict("duplicate_organisation", "该统一社会信用代码已登记")
    o.save()
    rights.ensure_in_scope(o, user, rights.EDIT)
    _audit_fields(user, o, ORG_FIELDS, "organisation", before)
    return o


# ---------------------------------------------------------------- key populations


def visible_categories(user):
    """The key-population categories this account may see (an administrator sees all)."""
    qs = KeyCategory.objects.filter(active=True)
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    ids_ = [c.pk for c in qs if user.role in (c.roles or [])]
    return qs.filter(pk__in=ids_)


@transaction.atomic
def tag_resident(user, resident_id: int, category_code: str, since: dt.date | None = None, note: str = "") -> KeyTag:
    r = rights.get_scoped(Resident.objects.all(), user, rights.EDIT, pk=resident_id)
    cat = visible_categories(user).filter(code=category_code).first()
    if cat is None:
        raise NotFound("unknown_category", "没有此重点人群类别，或您的岗位无权查看")
    if KeyTag.objects.filter(resident=r, category=cat, until__isnull=True).exists():
        raise Conflict("already_tagged", "该人员已在此类别中")
    tag = KeyTag.objects.create(resident=r, category=cat, since=since or today(), note=note, scope_key=r.scope_key,
                                created_by=user)
    audit.record(user, "create", "key_tag", tag.pk, after={"resident": r.pk, "category": cat.code,
                                                           **audit.names(["since", "note"] if note else ["since"])})
    return tag


# ---------------------------------------------------------------- visits and diary


@transaction.atomic
def record_visit(user, data: dict) -> Visit:
    """走访: of a household, a resident or an organisation of one's scope. Completes open 六必访 items of the household."""
    rights.require(user, rights.VISIT)
    household = resident = org = None
    if data.get("resident_id"):
        resident = rights.get_scoped(Resident.objects.all(), user, rights.VISIT, pk=data["resident_id"])
        household = resident.household
    if data.get("household_id"):
        household = rights.get_scoped(Household.objects.all(), user, rights.VISIT, pk=data["household_id"])
    if data.get("organisation_id"):
        org = rights.get_scoped(Organisation.objects.all(), user, rights.VISIT, pk=data["organisation_id"])
    target = resident or household or org
    if target is None:
        raise DomainError("visit_target", "请指定走访的户、人员或单位")
    visited_at = data.get("visited_at") or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("invalid_date", "走访时间不能晚于现在")
    v = Visit.objects.create(
        worker=user, household=household, resident=resident, organisation=org, visited_at=visited_at,
        place=data.get("place") or "", issues=data.get("issues") or "", follow_up=data.get("follow_up") or "",
        case_number=(data.get("case_number") or None), scope_key=target.scope_key,
    )
    done = 0
    if household is not None:
        done = VisitTrigger.objects.filter(household=household, visit__isnull=True,
                                           occurred_on__lte=timezone.localdate(visited_at)).update(visit=v)
    rights.ensure_in_scope(v, user, rights.VISIT)
    audit.record(user, "create", "visit", v.pk, after={
        "household": v.household_id, "resident": v.resident_id, "organisation": v.organisation_id,
        "case_number": v.case_number, "triggers_done": done,
        **audit.names(k for k in ("visited_at", "place", "issues", "follow_up") if getattr(v, k))})
    return v


@transaction.atomic
def add_diary(user, content: str, date: dt.date | None = None) -> DiaryEntry:
    rights.require(user, rights.VISIT)
    content = (content or "").strip()
    if not content:
        raise DomainError("empty_diary", "日记内容不能为空")
    key = scope_prefix(user) or ""
    entry = DiaryEntry.objects.create(worker=user, date=date or today(), content=content, scope_key=key)
    audit.record(user, "create", "diary_entry", entry.pk, after={"date": entry.date, **audit.names(["content"])})
    return entry


@transaction.atomic
def add_trigger(user, household_id: int, rule_code: str, occurred_on: dt.date, note: str = "") -> VisitTrigger:
    """A 六必访 event in a household: due within the rule's days."""
    hh = rights.get_scoped(Household.objects.all(), user, rights.VISIT, pk=household_id)
    rule = VisitRule.objects.filter(code=rule_code, active=True).first()
    if rule is None:
        raise NotFound("unknown_rule", "没有此六必访规则")
    trigger = VisitTrigger.objects.create(household=hh, rule=rule, occurred_on=occurred_on,
                                          due_on=occurred_on + dt.timedelta(days=rule.within_days), note=note,
                                          scope_key=hh.scope_key, created_by=user)
    audit.record(user, "create", "visit_trigger", trigger.pk, after={
        "household": hh.pk, "rule": rule.code, "due_on": trigger.due_on,
        **audit.names(["occurred_on", "note"] if note else ["occurred_on"])})
    return trigger


def due_list(user, limit: int = 500) -> list[dict]:
    """What this account must visit: open 六必访 items and key-population people past their visit interval."""
    from django.db.models import Max

    now = today()
    out = []
    triggers = rights.scoped(VisitTrigger.objects.select_related("rule", "household"), user, rights.VISIT)
    for t in triggers.filter(visit__isnull=True).order_by("due_on")[:limit]:
        out.append({"kind": "rule", "rule": t.rule.name, "household_id": t.household_id, "household": t.household.number,
                    "resident_id": None, "resident": "", "occurred_on": t.occurred_on, "due_on": t.due_on,
                    "overdue": t.due_on < now, "scope_key": t.scope_key})
    cats = list(visible_categories(user))
    tags = (rights.scoped(KeyTag.objects.select_related("resident", "category"), user, rights.VISIT)
            .filter(until__isnull=True, category__in=cats, resident__status=ResidentStatus.ACTIVE)
            .annotate(last=Max("resident__visits__visited_at")))
    for tag in tags[: limit * 4]:
        last = timezone.localdate(tag.last) if tag.last else None
        due = (last or tag.since) + dt.timedelta(days=tag.category.visit_interval_days)
        if last is None or due <= now + dt.timedelta(days=7):
            out.append({"kind": "key_population", "rule": tag.category.name, "household_id": tag.resident.household_id,
                        "household": "", "resident_id": tag.resident_id, "resident": tag.resident.name,
                        "occurred_on": last or tag.since, "due_on": due, "overdue": due < now,
                        "scope_key": tag.scope_key})
    out.sort(key=lambda x: x["due_on"])
    return out[:limit]


# ---------------------------------------------------------------- configuration (key categories, 六必访 rules)


@transaction.atomic
def save_key_category(user, code: str, data: dict) -> KeyCategory:
    """新增或修改重点人群类别 (``data``: name, visit_interval_days, roles, description, active); audited."""
    if user is not None:
        rights.require(user, rights.CONFIGURE)
    bad = [r for r in data.get("roles") or [] if r not in Role.__members__.values()]
    if bad:
        raise DomainError("invalid_role", "可见岗位中有无效的岗位编码")
    c = KeyCategory.objects.select_for_update().filter(code=code).first() or KeyCategory(code=code)
    for k in CATEGORY_FIELDS:
        if k in data:
            setattr(c, k, data[k])
    audit.save_row(user, c, CATEGORY_FIELDS, "key_category", code)
    return c


@transaction.atomic
def save_visit_rule(user, code: str, data: dict) -> VisitRule:
    """新增或修改六必访规则 (``data``: name, within_days, description, active); audited."""
    if user is not None:
        rights.require(user, rights.CONFIGURE)
    r = VisitRule.objects.select_for_update().filter(code=code).first() or VisitRule(code=code)
    for k in RULE_FIELDS:
        if k in data:
            setattr(r, k, data[k])
    audit.save_row(user, r, RULE_FIELDS, "visit_rule", code)
    return r
