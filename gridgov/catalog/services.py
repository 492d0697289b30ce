"""The only place that writes components (and reads the catalog for others); each public writer owns its transaction.

Reads of components go through ``scoped`` with ``roles.VIEW``; writes need ``roles.EDIT`` and re-check the saved
row with ``ensure_in_scope`` in the same transaction. A write that fails writes nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, Q

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, ensure_in_scope, get_scoped, in_scope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.fresh import Fresh

from .logic import deadlines as dl
from .logic.codes import (
    SERIAL_MAX,
    class_of,
    component_code,
    event_rule,
    normalise_legacy,
)
from .models import (
    CatalogItem,
    Component,
    ComponentSerial,
    ComponentStatus,
    DeadlineRule,
    Kind,
    LegacyCode,
    Stage,
    Urgency,
)

# ---------------------------------------------------------------- the catalog


def check_kind(kind: str) -> str:
    if kind not in Kind.values:
        raise DomainError("invalid_kind", f"类型应为 component（管理部件）或 matter（管理事项），收到「{kind}」")
    return kind


def get_item(kind: str, code: str) -> CatalogItem:
    check_kind(kind)
    item = CatalogItem.objects.filter(kind=kind, code=class_of(code) or code).first()
    if item is None:
        label = dict(Kind.choices)[kind]
        raise NotFound("item_not_found", f"没有分类代码为「{code}」的{label}")
    return item


def search_items(kind: str | None = None, query: str | None = None, major: str | None = None,
                 active_only: bool = True):
    """Catalog items by kind, major class and a name substring or code (5-digit class, or an 11/17-digit code)."""
    qs = CatalogItem.objects.all()
    if kind:
        qs = qs.filter(kind=check_kind(kind))
    if major:
        if not (len(major) == 2 and major.isdigit()):
            raise DomainError("invalid_major", f"大类代码应为 2 位数字，收到「{major}」")
        qs = qs.filter(major_code=major)
    if active_only:
        qs = qs.filter(active=True)
    query = (query or "").strip()
    if query:
        cond = Q(name__icontains=query) | Q(major_name__icontains=query)
        code = class_of(query) or (query if query.isdigit() and len(query) < 5 else None)
        if code:
            cond |= Q(code__startswith=code)
        qs = qs.filter(cond)
    return qs.order_by("kind", "code")


def resolve_legacy(scheme: str, code: str) -> CatalogItem | None:
    """The GB/T 47678.5 class of a legacy code (None when there is none).

    The table (``LegacyCode``, editable in the admin) decides. For ``event2007`` codes not in the table the observed
    rule new = (old major + 5) ‖ "0" ‖ old minor is applied when the resulting matter exists.
    """
    digits = normalise_legacy(code) or (code or "").strip()
    row = LegacyCode.objects.filter(scheme=scheme, code=digits).select_related("item").first()
    if row is not None:
        return row.item
    if scheme == "event2007":
        target = event_rule(digits)
        if target:
            return CatalogItem.objects.filter(kind=Kind.MATTER, code=target).first()
    return None


# ---------------------------------------------------------------- deadlines


def _matter_code(matter) -> str | None:
    if matter is None or matter == "":
        return None
    if isinstance(matter, CatalogItem):
        if matter.kind != Kind.MATTER:
            raise DomainError("not_a_matter", f"「{matter.name}」是管理部件，不是管理事项")
        return matter.code
    code = class_of(str(matter))
    if code is None:
        raise DomainError("invalid_matter", f"事项代码应为 5 位分类代码或 11 位事项代码，收到「{matter}」")
    return code


def check_deadline_key(urgency: str, area_class: str, stage: str) -> None:
    if stage not in Stage.values:
        raise DomainError("invalid_stage", f"环节应为 {'/'.join(Stage.values)}（核实/立案/派遣/签收/处置/核查/结案），收到「{stage}」")
    if urgency not in Urgency.values:
        raise DomainError("invalid_urgency", f"紧急程度应为 normal（一般）或 urgent（紧急），收到「{urgency}」")
    if area_class not in ("", *dl.AREA_CLASSES):
        raise DomainError("invalid_area_class", f"区域类别应为 A/B/C，收到「{area_class}」")


def deadline_rule_for(matter, urgency: str, area_class: str, stage: str) -> DeadlineRule:
    """The rule that decides (the most specific applicable one, see ``logic.deadlines``)."""
    urgency, area_class = urgency or "", area_class or ""
    check_deadline_key(urgency, area_class, stage)
    code = _matter_code(matter)
    qs = DeadlineRule.objects.filter(stage=stage, urgency__in=["", urgency], area_class__in=["", area_class]).filter(
        Q(matter__isnull=True) | Q(matter__code=code, matter__kind=Kind.MATTER)
    ).select_related("matter")
    by_id = {r.id: r for r in qs}
    best = dl.pick(
        (dl.Rule(r.matter.code if r.matter_id else None, r.urgency, r.area_class, r.stage, r.amount, r.unit, r.id)
         for r in by_id.values()),
        code, urgency, area_class, stage,
    )
    if best is None:
        raise NotFound("no_deadline_rule", f"没有适用于「{Stage(stage).label}」环节的时限规则，请管理员补充通用规则")
    return by_id[best.id]


def _rule_fingerprint():
    return tuple(DeadlineRule.objects.aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at")).values())


def _build_rules(_key) -> dict[str, list]:
    by_stage: dict[str, list] = {}
    for r in DeadlineRule.objects.select_related("matter"):
        by_stage.setdefault(r.stage, []).append(
            dl.Rule(r.matter.code if r.matter_id else None, r.urgency, r.area_class, r.stage, r.amount, r.unit, r.id))
    return by_stage


_rules: Fresh[dict[str, list]] = Fresh(_rule_fingerprint, _build_rules)


def deadline_for(matter, urgency: str, area_class: str, stage: str) -> tuple[Decimal, str]:
    """(amount, unit) for a stage of a case: ``matter`` is a CatalogItem, a class/matter code or None;
    ``urgency`` "" / normal / urgent; ``area_class`` "" / A / B / C; unit one of ``logic.deadlines.UNITS``.

    Served from memory (every case transition asks); the rules are re-read when they change (gridgov.fresh).
    """
    urgency, area_class = urgency or "", area_class or ""
    check_deadline_key(urgency, area_class, stage)
    best = dl.pick(_rules.get().get(stage, ()), _matter_code(matter), urgency, area_class, stage)
    if best is None:
        raise NotFound("no_deadline_rule", f"没有适用于「{Stage(stage).label}」环节的时限规则，请管理员补充通用规则")
    return best.amount, best.unit


# ---------------------------------------------------------------- components


def _locate(lon, lat) -> tuple[float, float, dict]:
    from gridgov.geo.locating import check_point, locate

    lon, lat = check_point(lon, lat)
    where = locate(lon, lat)
    if not where["inside"]:
        raise DomainError("outside_jurisdiction", f"坐标 ({lon}, {lat}) 不在任何辖区范围内")
    if not where["unit_grid"]:
        raise DomainError("no_unit_grid", f"坐标 ({lon}, {lat}) 所在社区尚未划分单元网格，请先生成网格")
    return lon, lat, where


def _unit_grid(code: str):
    from gridgov.geo.models import Grid

    return Grid.objects.select_related("community").get(layer__code="unit", code=code)


def allocate_serials(division: str, class_code: str, n: int = 1) -> int:
    """Reserve ``n`` consecutive serials for (division, class) and return the first; call inside a transaction.

    The counter row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers), so two concurrent
    writers never get the same serial; a serial is never handed out twice, even after its component is deleted.
    """
    prefix = division + class_code
    start = Component.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    counter, _ = ComponentSerial.objects.select_for_update().get_or_create(
        division=division, class_code=class_code, defaults={"last": int(start[11:]) if start else 0}
    )
    if counter.last + n > SERIAL_MAX:
        raise DomainError("serial_exhausted", f"{division} 的 {class_code} 类部件顺序码已用完（{SERIAL_MAX}）")
    ComponentSerial.objects.filter(pk=counter.pk).update(last=F("last") + n)
    return counter.last + 1


def _check_text(changes: dict) -> None:
    for field, limit, label in (("owner", 100, "权属单位"), ("maintainer", 100, "养护单位"), ("note", 1000, "备注")):
        if len(changes.get(field) or "") > limit:
            raise DomainError("too_long", f"{label}最多 {limit} 个字")


def check_status(status: str) -> str:
    """A status value; the Chinese label (完好/破损/丢失/废弃/移除) is accepted too."""
    status = {label: value for value, label in ComponentStatus.choices}.get(status, status)
    if status not in ComponentStatus.values:
        labels = "、".join(f"{v}（{label}）" for v, label in ComponentStatus.choices)
        raise DomainError("invalid_status", f"部件状态应为 {labels}，收到「{status}」")
    return status


def component_item(item_code: str) -> CatalogItem:
    item = CatalogItem.objects.filter(kind=Kind.COMPONENT, code=class_of(item_code) or item_code).first()
    if item is None:
        raise NotFound("item_not_found", f"没有分类代码为「{item_code}」的管理部件")
    if not item.active:
        raise DomainError("item_inactive", f"部件分类「{item.name}」已停用")
    return item


@transaction.atomic
def create_component(user, item_code: str, lon, lat, owner: str = "", maintainer: str = "",
                     status: str = ComponentStatus.INTACT, note: str = "") -> Component:
    """Register a component at (lon, lat): located in its unit grid, coded division + class + next serial."""
    require(user, roles.EDIT)
    item = component_item(item_code)
    status = check_status(status)
    _check_text({"owner": owner, "maintainer": maintainer, "note": note})
    lon, lat, where = _locate(lon, lat)
    grid = _unit_grid(where["unit_grid"])
    if not in_scope(user, grid.scope_key):
        raise OutOfScope()
    division = grid.community.code[:6]
    serial = allocate_serials(division, item.code)
    component = Component.objects.create(
        code=component_code(division, item.code, serial), item=item, lon=lon, lat=lat, grid=grid,
        community=grid.community, scope_key=grid.scope_key, owner=owner.strip(), maintainer=maintainer.strip(),
        status=status, note=note.strip(),
    )
    ensure_in_scope(component, user, roles.EDIT)
    audit.record(user, "create", "component", component.code, after=audit.values(component, COMPONENT_FIELDS))
    return component


def component_queryset():
    return Component.objects.select_related("item", "grid", "community")


def get_component(user, code: str, right: str = roles.VIEW) -> Component:
    try:
        return get_scoped(component_queryset(), user, right, code=code)
    except OutOfScope:
        raise NotFound("component_not_found", f"部件 {code} 不存在或不在您的管辖范围内") from None


EDITABLE = {"status", "owner", "maintainer", "note", "lon", "lat"}
COMPONENT_FIELDS = ("item", "status", "owner", "maintainer", "note", "lon", "lat", "grid", "scope_key")


@transaction.atomic
def update_component(user, code: str, changes: dict) -> Component:
    """Change status, owner, maintainer, note, or the position (re-located; it must stay within scope)."""
    component = get_component(user, code, roles.EDIT)
    before = audit.values(component, COMPONENT_FIELDS)
    changes = {k: v for k, v in changes.items() if v is not None}
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError("unknown_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    if "status" in changes:
        changes["status"] = check_status(changes["status"])
    _check_text(changes)
    if "lon" in changes or "lat" in changes:
        lon, lat, where = _locate(changes.pop("lon", component.lon), changes.pop("lat", component.lat))
        grid = _unit_grid(where["unit_grid"])
        component.lon, component.lat, component.grid, component.community = lon, lat, grid, grid.community
        component.scope_key = grid.scope_key
    for k, v in changes.items():
        setattr(component, k, v.strip() if isinstance(v, str) and k != "status" else v)
    component.save()
    ensure_in_scope(component, user, roles.EDIT)  # nobody moves a component out of their own subtree
    old, new = audit.changed(before, audit.values(component, COMPONENT_FIELDS))
    audit.record(user, "update", "component", component.code, before=old, after=new)
    return component


def update_component_status(user, code: str, status: str) -> Component:
    return update_component(user, code, {"status": status})


def list_components(user, *, bbox=None, grid: str | None = None, community: str | None = None,
                    status: str | None = None, item: str | None = None):
    qs = scoped(component_queryset(), user, roles.VIEW)
    if bbox:
        x0, y0, x1, y1 = bbox
        qs = qs.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)
    if grid:
        qs = qs.filter(grid__code=grid)
    if community:
        qs = qs.filter(community__code=community)
    if status:
        qs = qs.filter(status=check_status(status))
    if item:
        qs = qs.filter(item__code=class_of(item) or item)
    return qs.order_by("code")


def create_components_bulk(rows: list[dict]) -> int:
    """Operator/demo path (no user): rows of item_code, lon, lat, owner, maintainer, status, note; all or nothing."""
    from gridgov.geo.locating import check_point, locate_many

    items = {i.code: i for i in CatalogItem.objects.filter(kind=Kind.COMPONENT)}
    points = [check_point(r["lon"], r["lat"]) for r in rows]
    located = locate_many([p[0] for p in points], [p[1] for p in points])
    grid_codes = {w["unit_grid"] for w in located if w["unit_grid"]}
    from gridgov.geo.models import Grid

    grids = {g.code: g for g in Grid.objects.filter(layer__code="unit", code__in=grid_codes).select_related("community")}
    prepared = []
    for i, (r, (lon, lat), w) in enumerate(zip(rows, points, located, strict=True)):
        if r["item_code"] not in items:
            raise NotFound("item_not_found", f"第 {i + 1} 行：没有分类代码为「{r['item_code']}」的管理部件")
        if not w["unit_grid"]:
            raise DomainError("no_unit_grid", f"第 {i + 1} 行：坐标 ({lon}, {lat}) 不在任何单元网格内")
        prepared.append((r, lon, lat, grids[w["unit_grid"]]))
    with transaction.atomic():
        groups: dict[tuple[str, str], list] = {}
        for p in prepared:
            groups.setdefault((p[3].community.code[:6], p[0]["item_code"]), []).append(p)
        objs = []
        for (division, class_code), members in sorted(groups.items()):
            first = allocate_serials(division, class_code, len(members))
            for k, (r, lon, lat, grid) in enumerate(members):
                objs.append(Component(
                    code=component_code(division, class_code, first + k), item=items[class_code], lon=lon, lat=lat,
                    grid=grid, community=grid.community, scope_key=grid.scope_key, owner=r.get("owner", ""),
                    maintainer=r.get("maintainer", ""), status=check_status(r.get("status", ComponentStatus.INTACT)),
                    note=r.get("note", ""),
                ))
        Component.objects.bulk_create(objs, batch_size=1000)
        if objs:
            audit.record(None, "create_many", "component", "bulk",
                         after={"count": len(objs), "codes": [o.code for o in objs]})
    return len(objs)


@transaction.atomic
def relocate_components(district: str | None = None) -> int:
    """After grids are regenerated: put components whose unit grid is gone back into the grid at their position."""
    from gridgov.geo.locating import locate_many

    qs = Component.objects.filter(grid__isnull=True)
    if district:
        qs = qs.filter(code__startswith=district)
    orphans = list(qs)
    if not orphans:
        return 0
    located = locate_many([c.lon for c in orphans], [c.lat for c in orphans])
    from gridgov.geo.models import Grid

    grids = {g.code: g for g in Grid.objects.filter(
        layer__code="unit", code__in={w["unit_grid"] for w in located if w["unit_grid"]}).select_related("community")}
    fixed = []
    for c, w in zip(orphans, located, strict=True):
        grid = grids.get(w["unit_grid"])
        if grid is not None:
            c.grid, c.community, c.scope_key = grid, grid.community, grid.scope_key
            fixed.append(c)
    Component.objects.bulk_update(fixed, ["grid", "community", "scope_key"], batch_size=1000)
    if fixed:
        audit.record(None, "relocate_many", "component", district or "all",
                     after={"count": len(fixed), "codes": [c.code for c in fixed]})
    return len(fixed)



# ---------------------------------------------------------------- configuration (the admin and the API write here)

ITEM_LOCAL = ("default_department", "register_condition", "close_condition", "active", "restricted_right")
RULE_FIELDS = ("matter", "urgency", "area_class", "stage", "amount", "unit", "note")
LEGACY_EDITABLE = ("item", "note")


def _configure(user) -> None:
    if user is not None:  # None: the operator on the command line
        require(user, roles.CASE_CONFIGURE)


@transaction.atomic
def update_item(user, kind: str, code: str, changes: dict) -> CatalogItem:
    """The local parts of a class of the catalog (department, 立案/结案 conditions, active); the standard's codes
    and names are not editable."""
    _configure(user)
    unknown = set(changes) - set(ITEM_LOCAL)
    if unknown:
        raise DomainError("unknown_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    item = get_item(kind, code)
    if "restricted_right" in changes:
        changes["restricted_right"] = check_restriction(changes["restricted_right"])
    for k, v in changes.items():
        setattr(item, k, v)
    audit.save_row(user, item, ITEM_LOCAL, "catalog_item", f"{item.kind}/{item.code}")
    invalidate_catalog()
    return item


# ---------------------------------------------------------------- the open catalog (area: matters)
# Administrators add local classes (and majors) beside GB/T 47678.5, in the local code range (major 50–99); the
# standard's classes stay read-only. Each local matter has deadline rules (DeadlineRule, below), routing rules
# (cases.RoutingRule) and a restriction: "" (every post) or a right a post needs to read its cases.

LOCAL_FIELDS = ("kind", "code", "major_code", "major_name", "minor_code", "name", *ITEM_LOCAL)
LOCAL_EDITABLE = ("name", "major_name", *ITEM_LOCAL)


def invalidate_catalog() -> None:
    from .cache import invalidate

    invalidate()


def check_restriction(right) -> str:
    """"" or a right of gridgov.accounts.roles (the posts holding it may read the class's cases)."""
    right = (right or "").strip()
    known = {r for rights in roles.RIGHTS.values() for r in rights}
    if right and right not in known:
        raise DomainError("invalid_restriction", f"可见权限应为空（不限）或系统中的权限名（如 {roles.CASE_RESTRICTED}），"
                                                 f"收到「{right}」")
    return right


def _text(data: dict, key: str, label: str, limit: int, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise DomainError(f"{key}_required", f"请填写{label}")
    if len(value) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字")
    return value


@transaction.atomic
def create_local_item(user, data: dict, deadlines: list[dict] | None = None) -> CatalogItem:
    """Add a local class (本地事项/部件分类) in the local range: ``data`` has kind (default matter), code (5 digits,
    major 50–99), name, major_name (required for a new major; an existing major keeps its name), default_department,
    register_condition, close_condition, restricted_right; ``deadlines`` its rules (stage, amount, unit, urgency,
    area_class, note). Refused (nothing written): outside the local range, a national code, a duplicate."""
    from .logic.codes import local_code_refusal

    _configure(user)
    kind = check_kind(str(data.get("kind") or Kind.MATTER))
    code = str(data.get("code") or "").strip()
    refusal = local_code_refusal(code)
    if refusal:
        raise DomainError(*refusal)
    if CatalogItem.objects.filter(kind=kind, code=code).exists():
        raise Conflict("duplicate_code", f"分类代码「{code}」已存在，请使用其他小类代码")
    name = _text(data, "name", "名称", 50, required=True)
    if CatalogItem.objects.filter(kind=kind, name=name).exists():
        raise Conflict("duplicate_name", f"已有名为「{name}」的{dict(Kind.choices)[kind]}")
    major_code = code[:2]
    existing_major = CatalogItem.objects.filter(major_code=major_code).values_list("major_name", flat=True).first()
    major_name = _text(data, "major_name", "大类名称", 50)
    if existing_major is not None:
        if major_name and major_name != existing_major:
            raise DomainError("major_name_mismatch", f"大类 {major_code} 已名为「{existing_major}」，不能另起名称")
        major_name = existing_major
    elif not major_name:
        raise DomainError("major_name_required", f"大类 {major_code} 是新大类，请填写大类名称")
    item = CatalogItem(
        kind=kind, code=code, major_code=major_code, major_name=major_name, minor_code=code[2:], name=name,
        default_department=_text(data, "default_department", "建议主管部门", 100),
        register_condition=_text(data, "register_condition", "立案条件", 2000),
        close_condition=_text(data, "close_condition", "结案条件", 2000),
        restricted_right=check_restriction(data.get("restricted_right")), active=bool(data.get("active", True)),
    )
    audit.save_row(user, item, LOCAL_FIELDS, "catalog_item", f"{item.kind}/{item.code}")
    for rule in deadlines or []:
        if kind != Kind.MATTER:
            raise DomainError("not_a_matter", "时限规则只适用于管理事项")
        amount = rule.get("amount")
        save_deadline_rule(user, {**rule, "matter": item,
                                  "amount": Decimal(str(amount)) if amount is not None else None})
    invalidate_catalog()
    return item


@transaction.atomic
def update_local_item(user, kind: str, code: str, changes: dict) -> CatalogItem:
    """Change a class: a local one's name and major name too; a national one only its local parts (update_item)."""
    _configure(user)
    item = get_item(kind, code)
    if not item.is_local:
        if set(changes) & {"name", "major_name"}:
            raise DomainError("national_item", f"「{item.code} {item.name}」是国家标准分类，名称不可修改")
        return update_item(user, kind, code, changes)
    unknown = set(changes) - set(LOCAL_EDITABLE)
    if unknown:
        raise DomainError("unknown_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    if "name" in changes:
        changes["name"] = _text(changes, "name", "名称", 50, required=True)
    if "major_name" in changes:
        changes["major_name"] = _text(changes, "major_name", "大类名称", 50, required=True)
    if "restricted_right" in changes:
        changes["restricted_right"] = check_restriction(changes["restricted_right"])
    for k, v in changes.items():
        setattr(item, k, v)
    audit.save_row(user, item, LOCAL_EDITABLE, "catalog_item", f"{item.kind}/{item.code}")
    invalidate_catalog()
    return item


@transaction.atomic
def save_deadline_rule(user, data: dict, pk: int | None = None) -> DeadlineRule:
    """Create or change a deadline rule (``data``: matter — a CatalogItem or None —, urgency, area_class, stage,
    amount, unit, note)."""
    _configure(user)
    rule = DeadlineRule.objects.select_for_update().filter(pk=pk).order_by().first() if pk else DeadlineRule()
    if rule is None:
        raise NotFound("rule_not_found", "时限规则不存在")
    for k in RULE_FIELDS:
        if k in data:
            setattr(rule, k, "" if data[k] is None and k != "matter" else data[k])
    check_deadline_key(rule.urgency, rule.area_class, rule.stage)
    audit.save_row(user, rule, RULE_FIELDS, "deadline_rule")
    return rule


@transaction.atomic
def delete_deadline_rule(user, pk: int) -> None:
    _configure(user)
    rule = DeadlineRule.objects.select_for_update().filter(pk=pk).order_by().first()
    if rule is None:
        raise NotFound("rule_not_found", "时限规则不存在")
    audit.delete_row(user, rule, RULE_FIELDS, "deadline_rule")


@transaction.atomic
def update_legacy_code(user, pk: int, changes: dict) -> LegacyCode:
    """Map an old code to a class of the catalog by hand (or unmap it), with a note."""
    _configure(user)
    unknown = set(changes) - set(LEGACY_EDITABLE)
    if unknown:
        raise DomainError("unknown_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    legacy = LegacyCode.objects.select_for_update().filter(pk=pk).first()
    if legacy is None:
        raise NotFound("legacy_not_found", "旧分类代码不存在")
    if "item" in changes and changes["item"] != legacy.item:
        legacy.item = changes["item"]
        legacy.method = LegacyCode.Method.MANUAL if legacy.item_id else LegacyCode.Method.NONE
    if "note" in changes:
        legacy.note = changes["note"] or ""
    audit.save_row(user, legacy, ("item", "method", "note"), "legacy_code", f"{legacy.scheme}/{legacy.code}")
    return legacy
