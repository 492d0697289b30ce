"""The only writers of the address register and the base-map sources; each owns its transaction and audits.

- ``save_address`` / ``delete_address``: one address (checked, located, scope re-checked after locating);
- ``import_addresses``: an Excel/CSV file (the template from ``template``), every bad row named by row number,
  nothing written unless every row is good;
- ``sync_buildings``: the basic data's buildings feed the register (one address per building, created or updated;
  running it twice changes nothing);
- ``save_source`` / ``delete_source``: a base map an administrator keeps.
Reads (search, nearest) live in ``search.py``.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction

from gridgov import limits
from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, require, scope_prefix
from gridgov.audit import services as audit
from gridgov.errors import DomainError, NotFound
from gridgov.geo import basemap, locating

from . import basemaps
from .logic import address_text, initials_for
from .models import Address, AddressKind, BaseMapSource

ADDRESS_AUDIT = ("code", "kind", "road", "number", "building", "unit", "name", "poi_kind", "lon", "lat",
                 "unit_grid", "community_code", "scope_key", "source", "building_code")
SOURCE_AUDIT = ("name", "label", "kind", "crs", "url", "layer", "matrix_set", "subdomains", "attribution",
                "min_zoom", "max_zoom", "file", "position", "enabled")  # the key is never recorded

# the import sheet: (header, field, required)
COLUMNS = [("地址编码", "code", False), ("类型", "kind", False), ("街路巷", "road", False), ("门牌号", "number", False),
           ("楼栋", "building", False), ("单元", "unit", False), ("名称", "name", False),
           ("兴趣点类别", "poi_kind", False), ("经度", "lon", True), ("纬度", "lat", True)]
KIND_WORDS = {"": AddressKind.DOOR, "门牌": AddressKind.DOOR, "门牌地址": AddressKind.DOOR, "door": AddressKind.DOOR,
              "兴趣点": AddressKind.POI, "poi": AddressKind.POI, "POI": AddressKind.POI}


def _placement(lon: float, lat: float) -> dict:
    """Unit grid, community and scope key of a point (the locator); outside the district is refused."""
    r = locating.locate_many([lon], [lat], with_ids=True)[0]
    if not r["inside"]:
        raise DomainError("outside_jurisdiction", "地址位置不在辖区范围内")
    key = r["ids"].get("scope_key") or r["community"]["code"]
    return {"unit_grid": r["unit_grid"] or "", "community_code": r["community"]["code"], "scope_key": key}


def _check(values: dict, where: str = "") -> dict:
    """Checked, trimmed field values (every field's length from the model; a door address needs its road and number,
    a POI its name). Raises DomainError naming the field."""
    out = {}
    for name in ("code", "road", "number", "building", "unit", "name", "poi_kind"):
        v = str(values.get(name) or "").strip()
        try:
            limits.check_value(Address, name, v)
        except DomainError as e:
            raise DomainError("invalid_address", where + e.message) from None
        out[name] = v
    kind = values.get("kind") or AddressKind.DOOR
    if kind not in AddressKind.values:
        raise DomainError("invalid_address", f"{where}类型应为 门牌 或 兴趣点")
    out["kind"] = kind
    try:
        out["lon"], out["lat"] = locating.check_point(values.get("lon"), values.get("lat"))
    except DomainError as e:
        raise DomainError("invalid_address", where + e.message) from None
    if kind == AddressKind.DOOR and not (out["road"] and out["number"]):
        raise DomainError("invalid_address", f"{where}门牌地址需要街路巷和门牌号")
    if kind == AddressKind.POI and not out["name"]:
        raise DomainError("invalid_address", f"{where}兴趣点需要名称")
    return out


def _code_for(v: dict) -> str:
    if v.get("code"):
        return v["code"]
    digest = hashlib.sha1(f"{v['kind']}|{v['road']}|{v['number']}|{v['building']}|{v['unit']}|{v['name']}"
                          .encode()).hexdigest()[:12]
    return f"A{digest}"


def _fill(a: Address, v: dict, place: dict) -> None:
    for k in ("kind", "road", "number", "building", "unit", "name", "poi_kind", "lon", "lat"):
        setattr(a, k, v[k])
    for k, x in place.items():
        setattr(a, k, x)
    a.text = address_text(a.kind, a.road, a.number, a.building, a.unit, a.name)
    a.initials = initials_for(a.text, a.name)


def _may_write(user, key: str) -> None:
    if user is None:
        return
    require(user, roles.IMPORT)
    prefix = scope_prefix(user)
    if prefix is None or not key.startswith(prefix):
        raise OutOfScope()


def save_address(user, values: dict, *, source: str = "manual") -> Address:
    """Create or update (by code) one address; its grid and community come from its point. ``user`` None: the
    system (the demo)."""
    if user is not None:
        require(user, roles.IMPORT)
    v = _check(values)
    place = _placement(v["lon"], v["lat"])
    with transaction.atomic():
        code = _code_for(v)
        a = Address.objects.select_for_update().filter(code=code).first() or Address(code=code, source=source)
        if a.pk:
            _may_write(user, a.scope_key)
        _fill(a, v, place)
        _may_write(user, a.scope_key)
        audit.save_row(user, a, ADDRESS_AUDIT, "address")
    return a


def delete_address(user, code: str) -> None:
    require(user, roles.IMPORT)
    with transaction.atomic():
        a = Address.objects.select_for_update().filter(code=code).first()
        if a is None:
            raise NotFound("not_found", f"没有编码为「{code}」的地址")
        _may_write(user, a.scope_key)
        audit.delete_row(user, a, ADDRESS_AUDIT, "address")


# ---------------------------------------------------------------- import


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def template() -> tuple[bytes, str]:
    """The import template (.xlsx): the header and two example rows (a 门牌地址 and a POI)."""
    from gridgov import spreadsheets

    head = [h for h, _, _ in COLUMNS]
    rows = [["", "门牌", "示例胡同", "12", "3号楼", "2单元", "", "", "116.410000", "39.920000"],
            ["", "兴趣点", "示例胡同", "1", "", "", "示例社区卫生服务站", "医疗", "116.411000", "39.921000"]]
    return spreadsheets.write("xlsx", head, rows, "标准地址")


def import_addresses(user, data: bytes, file_name: str = "") -> ImportReport:
    """Every row checked first (row errors named: 「第 3 行：经度…」); any error → nothing written."""
    from gridgov.basedata.importing import read_table

    require(user, roles.IMPORT)
    table = read_table(data, file_name)
    if not table:
        raise DomainError("empty_file", "文件为空")
    header = [str(h).strip() for h in table[0]]
    index = {}
    for label, name, required in COLUMNS:
        if label in header:
            index[name] = header.index(label)
        elif required:
            raise DomainError("missing_column", f"第 1 行缺少列「{label}」（请使用导入模板）")
    rows, errors = [], []
    for n, row in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        raw = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        raw["kind"] = KIND_WORDS.get(str(raw.get("kind") or "").strip())
        if raw["kind"] is None:
            errors.append(f"第 {n} 行：类型应为 门牌 或 兴趣点")
            continue
        try:
            v = _check(raw, f"第 {n} 行：")
        except DomainError as e:
            errors.append(e.message)
            continue
        rows.append((n, v))
    if not rows and not errors:
        raise DomainError("empty_file", "文件中没有数据行")
    placed = locating.locate_many([v["lon"] for _, v in rows], [v["lat"] for _, v in rows], with_ids=True) \
        if rows else []
    prefix = scope_prefix(user)
    items = []
    for (n, v), r in zip(rows, placed, strict=True):
        if not r["inside"]:
            errors.append(f"第 {n} 行：位置不在辖区范围内")
            continue
        place = {"unit_grid": r["unit_grid"] or "", "community_code": r["community"]["code"],
                 "scope_key": r["ids"].get("scope_key") or r["community"]["code"]}
        if prefix is None or not place["scope_key"].startswith(prefix):
            errors.append(f"第 {n} 行：位置不在您的管辖范围内")
            continue
        items.append((n, v, place))
    codes = [_code_for(v) for _, v, _ in items]
    dup = {c for c in codes if codes.count(c) > 1}
    for (n, _v, _), c in zip(items, codes, strict=True):
        if c in dup:
            errors.append(f"第 {n} 行：地址编码「{c}」在文件中重复")
    report = ImportReport(errors=sorted(errors, key=lambda e: int(re.search(r"\d+", e).group())))
    if report.errors:
        return report
    with transaction.atomic():
        existing = {a.code: a for a in Address.objects.select_for_update().filter(code__in=codes)}
        for (_, v, place), code in zip(items, codes, strict=True):
            a = existing.get(code) or Address(code=code, source="import")
            if a.pk:
                _may_write(user, a.scope_key)
            _fill(a, v, place)
            rec = audit.save_row(user, a, ADDRESS_AUDIT, "address")
            if code not in existing:
                report.created += 1
            elif rec is None:
                report.unchanged += 1
            else:
                report.updated += 1
    return report


# ---------------------------------------------------------------- the buildings feed the register


_ADMIN_RE = re.compile(r"^(?:[^市]{1,8}市)?(?:[^区县]{1,8}[区县])?")
_NUMBER_RE = re.compile(r"^(?P<road>.*?[^\d\s])\s*(?P<number>\d+[\d\-]*号?)(?P<rest>.*)$")


def building_parts(address: str) -> tuple[str, str, str]:
    """(街路巷, 门牌号, 楼栋…) of a building's address text: 「多福巷12号3号楼」 → (多福巷, 12号, 3号楼)."""
    address = address.strip()
    address = _ADMIN_RE.sub("", address, count=1) or address  # 「北京市东城区」 is the same for every address
    m = _NUMBER_RE.match(address)
    if not m:
        return address, "", ""
    number = m["number"] if m["number"].endswith("号") else m["number"] + "号"
    return m["road"].strip(), number, m["rest"].strip()


def sync_buildings(user=None) -> dict:
    """Create or update the address of every building (code ``BLD-<building code>``); unchanged ones are left alone.
    ``user`` None: a system run (the demo, a command)."""
    from gridgov.basedata.models import Building

    if user is not None:
        require(user, roles.IMPORT)
    prefix = scope_prefix(user) if user is not None else ""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    buildings = Building.objects.all()
    if prefix:
        buildings = buildings.filter(scope_key__startswith=prefix)
    with transaction.atomic():
        existing = {a.building_code: a for a in Address.objects.select_for_update().filter(source="building")}
        entries = []
        creates = []
        for b in buildings.iterator():
            road, number, rest = building_parts(b.address)
            a = existing.get(b.code) or Address(code=f"BLD-{b.code}"[:60], source="building", building_code=b.code)
            before = {k: getattr(a, k) for k in ADDRESS_AUDIT} if a.pk else None
            a.kind = AddressKind.DOOR
            a.road, a.number = road[:60], number[:20]
            a.building = rest[:40]
            a.unit, a.poi_kind = "", ""
            a.name = (b.name or "")[:100]
            a.lon, a.lat = b.lon, b.lat
            a.unit_grid, a.community_code = b.unit_grid, b.community_code
            a.scope_key = b.scope_key
            a.text = address_text(a.kind, a.road, a.number, a.building, a.unit, "")
            a.initials = initials_for(a.text, a.name)
            after = {k: getattr(a, k) for k in ADDRESS_AUDIT}
            if before is None:
                creates.append(a)
                counts["created"] += 1
            elif before != after:
                old, new = audit.changed(before, after)
                a.save()
                entries.append({"action": "update", "object_type": "address", "object_id": a.pk,
                                "before": old, "after": new})
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        if creates:
            made = Address.objects.bulk_create(creates, batch_size=1000)
            if made and made[0].pk is None:  # backends that do not return ids
                made = list(Address.objects.filter(code__in=[a.code for a in creates]))
            entries += [{"action": "create", "object_type": "address", "object_id": a.pk,
                         "after": audit.values(a, ADDRESS_AUDIT)} for a in made]
        if entries:
            audit.record_many(user, entries)
    return counts


# ---------------------------------------------------------------- base map sources


def save_source(user, obj: BaseMapSource) -> BaseMapSource:
    """Save a base map an administrator keeps, once it checks out (the same check as settings' sources)."""
    require(user, roles.IMPORT)
    try:
        basemap.normalise(obj.as_source())
    except basemap.SourceError as e:
        raise DomainError("invalid_basemap", str(e)) from None
    with transaction.atomic():
        audit.save_row(user, obj, SOURCE_AUDIT, "basemap")
    basemaps.forget()
    return obj


def delete_source(user, obj: BaseMapSource) -> None:
    require(user, roles.IMPORT)
    with transaction.atomic():
        audit.delete_row(user, obj, SOURCE_AUDIT, "basemap")
    basemaps.forget()
