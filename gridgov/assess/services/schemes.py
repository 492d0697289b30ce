"""考评方案: the shipped 003 篇7 scheme (installed on first use), copies, validated edits, the one in use."""

import json

from django.db import transaction

from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound

from ..logic import scheme as scheme_logic
from ..models import Item, Part, Scheme
from .common import MANAGE, VIEW

# ---------------------------------------------------------------- schemes


def shipped_document() -> dict:
    return scheme_logic.shipped_document()


def _install(doc: dict, *, shipped: bool, name: str | None = None, based_on=None, district: str = "") -> Scheme:
    s = Scheme.objects.create(name=name or doc["name"], basis=doc.get("basis", ""), total=doc["total"],
                              params=doc.get("params") or {}, shipped=shipped, based_on=based_on,
                              district_code=district)
    for p in doc["parts"]:
        part = Part.objects.create(scheme=s, no=p["no"], name=p["name"], points=p["points"])
        Item.objects.bulk_create([Item(part=part, key=i["key"], name=i["name"], points=i["points"], cap=i["points"],
                                       method=i["method"], rule=i["rule"], params=i.get("params") or {},
                                       tiers=i.get("tiers") or [], tier_labels=i.get("tier_labels") or [],
                                       content=i.get("content", ""), order=n) for n, i in enumerate(p["items"])])
    return s


@transaction.atomic
def shipped_scheme() -> Scheme:
    """003 篇7's scheme, installed (and made the one in use) the first time it is asked for."""
    s = Scheme.objects.filter(shipped=True).order_by("id").first()
    if s is None:
        s = _install(shipped_document(), shipped=True)
        if not Scheme.objects.filter(active=True).exists():
            Scheme.objects.filter(pk=s.pk).update(active=True)
            s.active = True
        audit.record(None, "install", "assess_scheme", s.pk, after={"name": s.name, "version": s.version})
    return s


def active_scheme() -> Scheme:
    return Scheme.objects.filter(active=True).order_by("-id").first() or shipped_scheme()


def document(s: Scheme) -> dict:
    """The scheme as the facts document inlines it (``logic.scheme``'s format)."""
    parts = []
    for p in s.parts.order_by("no").prefetch_related("items"):
        parts.append({"no": p.no, "name": p.name, "points": p.points, "items": [
            {"key": i.key, "name": i.name, "points": i.points, "method": i.method, "rule": i.rule,
             **({"params": i.params} if i.params else {}), **({"tiers": i.tiers} if i.tiers else {}),
             **({"tier_labels": i.tier_labels} if i.tier_labels else {}), "content": i.content}
            for i in sorted(p.items.all(), key=lambda i: i.order)]})
    return {"format": "gridgov.assess.scheme/1", "id": s.pk, "version": s.version, "name": s.name,
            "basis": s.basis, "total": s.total, "params": s.params, "parts": parts}


def schemes(user):
    require(user, VIEW)
    shipped_scheme()
    return Scheme.objects.all()


def get_scheme(user, pk: int) -> Scheme:
    require(user, VIEW)
    shipped_scheme()
    s = Scheme.objects.filter(pk=pk).first()
    if s is None:
        raise NotFound("not_found", "没有这个考评方案")
    return s


@transaction.atomic
def copy_scheme(user, pk: int, name: str = "") -> Scheme:
    require(user, MANAGE)
    source = get_scheme(user, pk)
    name = (name or "").strip() or f"{source.name}（副本）"
    if len(name) > 100:
        raise DomainError("invalid_name", "方案名称不超过 100 个字")
    s = _install(document(source), shipped=False, name=name, based_on=source, district=source.district_code)
    audit.record(user, "copy", "assess_scheme", s.pk, after={"name": s.name, "based_on": source.pk,
                                                             "based_on_version": source.version})
    return s


@transaction.atomic
def edit_scheme(user, pk: int, changes: dict) -> Scheme:
    """Change a copied scheme: ``{"name", "params": {...}, "parts": {no: points}, "items": {key: {"points",
    "tiers", "tier_labels", "params"}}}``. The changed scheme must validate as a whole; otherwise nothing is written
    (``invalid_scheme`` naming every problem)."""
    require(user, MANAGE)
    s = Scheme.objects.select_for_update().filter(pk=pk).first()
    if s is None:
        raise NotFound("not_found", "没有这个考评方案")
    if s.shipped:
        raise Conflict("scheme_locked", "随系统提供的方案不能修改：请先复制，再修改副本")
    before = document(s)
    doc = json.loads(json.dumps(before))
    if changes.get("name") is not None:
        doc["name"] = str(changes["name"]).strip()
    if changes.get("params") is not None:
        if not isinstance(changes["params"], dict):
            raise DomainError("invalid_scheme", "方案参数应为对象")
        doc["params"] = {**doc["params"], **changes["params"]}
    parts = {p["no"]: p for p in doc["parts"]}
    for no, points in (changes.get("parts") or {}).items():
        key = int(no) if str(no).isdigit() else None
        if key not in parts:
            raise DomainError("invalid_scheme", f"方案中没有第 {no} 部分")
        parts[key]["points"] = points
    its = {i["key"]: i for p in doc["parts"] for i in p["items"]}
    for key, values in (changes.get("items") or {}).items():
        if key not in its:
            raise DomainError("invalid_scheme", f"方案中没有考评项「{key}」")
        if not isinstance(values, dict) or set(values) - {"points", "tiers", "tier_labels", "params", "name"}:
            raise DomainError("invalid_scheme", f"考评项「{key}」只能修改 points、tiers、tier_labels、params、name")
        for k, v in values.items():
            its[key][k] = {**its[key].get("params", {}), **v} if k == "params" and isinstance(v, dict) else v
    problems = scheme_logic.validate(doc)
    if len(doc["name"]) > 100:
        problems.append("方案名称不超过 100 个字")
    if problems:
        raise DomainError("invalid_scheme", "考评方案有误，未保存：" + "；".join(problems), errors=problems)
    s.name, s.params, s.version = doc["name"], doc["params"], s.version + 1
    s.save(update_fields=["name", "params", "version"])
    for p in doc["parts"]:
        Part.objects.filter(scheme=s, no=p["no"]).update(points=p["points"])
        for i in p["items"]:
            Item.objects.filter(part__scheme=s, key=i["key"]).update(
                name=i["name"], points=i["points"], cap=i["points"], params=i.get("params") or {},
                tiers=i.get("tiers") or [], tier_labels=i.get("tier_labels") or [])
    old, new = audit.changed(_flat(before), _flat(doc))
    audit.record(user, "edit", "assess_scheme", s.pk, before={**old, "version": s.version - 1},
                 after={**new, "version": s.version})
    return s


def _flat(doc: dict) -> dict:
    out = {"name": doc["name"], "params": doc["params"]}
    for p in doc["parts"]:
        out[f"part{p['no']}"] = p["points"]
        for i in p["items"]:
            out[i["key"]] = {k: i.get(k) for k in ("name", "points", "tiers", "params")}
    return out


@transaction.atomic
def activate_scheme(user, pk: int) -> Scheme:
    require(user, MANAGE)
    s = get_scheme(user, pk)
    previous = list(Scheme.objects.filter(active=True).exclude(pk=s.pk).values_list("pk", flat=True))
    Scheme.objects.filter(active=True).exclude(pk=s.pk).update(active=False)
    s.active = True
    s.save(update_fields=["active"])
    audit.record(user, "activate", "assess_scheme", s.pk, before={"active": previous}, after={"active": s.pk})
    return s
