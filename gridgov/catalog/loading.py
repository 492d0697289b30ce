"""Load the bundled catalog (``data/``) into the database — idempotent, called by migration 0002.

Standard parts (codes, names, major classes) are refreshed on every run; local parts an administrator may have
edited (department, 立案/结案条件, deadline rules, legacy mappings set by hand) are only filled where empty or
missing. Works with the live models or with a migration's historical ``apps`` registry.
"""

from decimal import Decimal
from importlib import resources

from django.db import transaction

from .logic.codes import LOCAL_MAJORS, event_rule, normalise_legacy, normalise_name, read_csv_text

KIND_OF = {"管理部件": "component", "管理事项": "matter"}
CJT214, EVENT2007, EVENT_LOCAL = "cjt214", "event2007", "event_local"


def data_text(name: str) -> str:
    return resources.files("gridgov.catalog").joinpath(f"data/{name}").read_text(encoding="utf-8")


def catalog_rows() -> list[dict]:
    return read_csv_text(data_text("gb47678_5_2026_parts_and_matters.csv"))


# local classes: majors 50–99 (LOCAL_MAJORS); GB/T 47678.5 uses 01–49, so codes never collide


def local_rows() -> list[dict]:
    """gridgov's shipped local catalog (社会治理事项: 矛盾纠纷, 信访, 安全隐患, 生态环境, 民生服务, 治安信息)."""
    return read_csv_text(data_text("local_social_governance.csv"))


@transaction.atomic
def load_local_catalog(apps=None) -> int:
    """Add the shipped local matters that are missing (an administrator's later edits are kept); returns how many."""
    CatalogItem = _models(apps)[0]
    have = set(CatalogItem.objects.filter(kind="matter").values_list("code", flat=True))
    new = []
    for r in local_rows():
        assert int(r["major_code"]) in LOCAL_MAJORS, r
        if r["code5"] not in have:
            new.append(CatalogItem(kind=KIND_OF[r["kind"]], code=r["code5"], major_code=r["major_code"],
                                   major_name=r["major_name"], minor_code=r["minor_code"], name=r["name"],
                                   default_department=r["default_department"]))
    CatalogItem.objects.bulk_create(new)
    return len(new)


def _models(apps):
    if apps is None:
        from django.apps import apps
    return (apps.get_model("catalog", "CatalogItem"), apps.get_model("catalog", "LegacyCode"),
            apps.get_model("catalog", "DeadlineRule"))


@transaction.atomic
def load_catalog(apps=None) -> dict[str, int]:
    """Bring the catalog, legacy codes, default conditions and default deadlines up to date; returns counts."""
    CatalogItem, LegacyCode, DeadlineRule = _models(apps)
    existing = {(i.kind, i.code): i for i in CatalogItem.objects.all()}
    new, changed = [], []
    for r in catalog_rows():
        kind = KIND_OF[r["kind"]]
        std = {"major_code": r["major_code"], "major_name": r["major_name"], "minor_code": r["minor_code"],
               "name": r["name"]}
        item = existing.get((kind, r["code5"]))
        if item is None:
            new.append(CatalogItem(kind=kind, code=r["code5"], default_department=r["default_department_local_suggestion"],
                                   **std))
        elif any(getattr(item, k) != v for k, v in std.items()):
            for k, v in std.items():
                setattr(item, k, v)
            changed.append(item)
    CatalogItem.objects.bulk_create(new)
    CatalogItem.objects.bulk_update(changed, ["major_code", "major_name", "minor_code", "name"])
    items = {(i.kind, i.code): i for i in CatalogItem.objects.all()}
    conditions = _load_conditions(CatalogItem, items)
    legacy = _load_legacy(LegacyCode, items)
    deadlines = _load_deadlines(DeadlineRule, items)
    return {"components": sum(1 for k in items if k[0] == "component"), "matters": sum(1 for k in items if k[0] == "matter"),
            "new_items": len(new), "conditions": conditions, "legacy_codes": legacy, "new_deadline_rules": deadlines}


def _load_conditions(CatalogItem, items) -> int:
    """Fill empty 立案/结案条件 of the commonest matters from data/default_conditions.csv."""
    filled = []
    for row in read_csv_text(data_text("default_conditions.csv")):
        if row["code"].endswith("*"):
            major = row["code"][:-1]
            targets = [i for (k, _), i in items.items()
                       if k == "matter" and i.major_code == major and row["name_pattern"] in i.name]
        else:
            targets = [items[("matter", row["code"])]]
        for item in targets:
            touched = False
            if not item.register_condition:
                item.register_condition, touched = row["register_condition"], True
            if not item.close_condition:
                item.close_condition, touched = row["close_condition"], True
            if touched:
                filled.append(item)
    CatalogItem.objects.bulk_update(filled, ["register_condition", "close_condition"])
    return len(filled)


def legacy_rows(items_by_kind: dict[tuple[str, str], str]) -> list[dict]:
    """The legacy code table with its mapping, from the bundled CSVs and ``{(kind, code): name}`` of the catalog.

    cjt214 (CJ/T 214-2007 component classes): exact name (brackets normalised), else data/legacy_component_names.csv.
    event2007 (CJ/T 214-2007 / GB/T 30428.2-2013 event classes): the observed rule (old major + 5) ‖ "0" ‖ minor,
    when that matter exists; else the name match the source notes (01-98 垃圾满溢 → 06042).
    event_local (a local mini-program's event list, ids not standard codes): exact name only.
    """
    by_name = {}
    for (kind, code), name in sorted(items_by_kind.items()):
        by_name.setdefault((kind, normalise_name(name)), code)
    synonyms = {r["old_name"]: (r["new_code"], r["basis"]) for r in read_csv_text(data_text("legacy_component_names.csv"))}
    out = []
    for r in read_csv_text(data_text("cjt214_2007_components_legacy.csv")):
        name = r["minor_name"]
        code = by_name.get(("component", normalise_name(name)))
        method, note = ("name", r["evidence"]) if code else ("", r["evidence"])
        if code is None and name in synonyms:
            code, basis = synonyms[name]
            method, note = "synonym", f"{basis}；{r['evidence']}"
        out.append({"scheme": CJT214, "code": r["class_code"], "name": name, "major_name": r["major_name"],
                    "kind": "component", "target": code, "method": method, "note": note})
    for r in read_csv_text(data_text("legacy_event_catalogs.csv")):
        name = r["minor_name"]
        if r["source"].startswith("GB/T 30428.2"):
            old = normalise_legacy(r["class_code"])
            code, method = event_rule(old), "rule"
            if ("matter", code) not in items_by_kind:
                code, method = None, ""
                for other in items_by_kind:  # the source names the GB/T 47678.5 match for local codes
                    if other[0] == "matter" and f"name match is {other[1]}" in r["note"]:
                        code, method = other[1], "name"
            out.append({"scheme": EVENT2007, "code": old, "name": name, "major_name": r["major_name"],
                        "kind": "matter", "target": code, "method": method, "note": r["note"]})
        else:
            code = by_name.get(("matter", normalise_name(name)))
            out.append({"scheme": EVENT_LOCAL, "code": r["class_code"], "name": name, "major_name": r["major_name"],
                        "kind": "matter", "target": code, "method": "name" if code else "", "note": r["note"]})
    return out


def _load_legacy(LegacyCode, items) -> int:
    existing = {(x.scheme, x.code): x for x in LegacyCode.objects.all()}
    new, changed = [], []
    for r in legacy_rows({k: i.name for k, i in items.items()}):
        target = items.get((r["kind"], r["target"])) if r["target"] else None
        fields = {"name": r["name"], "major_name": r["major_name"], "note": r["note"]}
        row = existing.get((r["scheme"], r["code"]))
        if row is None:
            new.append(LegacyCode(scheme=r["scheme"], code=r["code"], item=target, method=r["method"], **fields))
            continue
        if row.method != "manual":  # a mapping set by hand in the admin stays
            fields.update(item=target, method=r["method"])
        if any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            changed.append(row)
    LegacyCode.objects.bulk_create(new)
    LegacyCode.objects.bulk_update(changed, ["name", "major_name", "note", "item", "method"])
    return LegacyCode.objects.count()


def default_deadline_rows() -> list[dict]:
    return read_csv_text(data_text("default_deadlines.csv"))


def _load_deadlines(DeadlineRule, items) -> int:
    """Add the shipped default rules that are missing (an edited rule keeps its edited value)."""
    have = set(DeadlineRule.objects.values_list("matter__code", "urgency", "area_class", "stage"))
    new = []
    for r in default_deadline_rows():
        matter = items[("matter", r["matter_code"])] if r["matter_code"] else None
        key = (r["matter_code"] or None, r["urgency"], r["area_class"], r["stage"])
        if key in have:
            continue
        new.append(DeadlineRule(matter=matter, urgency=r["urgency"], area_class=r["area_class"], stage=r["stage"],
                                amount=Decimal(r["amount"]), unit=r["unit"], note=_note(r)))
        have.add(key)
    DeadlineRule.objects.bulk_create(new)
    return len(new)


def _note(r: dict) -> str:
    return "；".join(x for x in (r["note"], f"依据：{r['basis']}") if x)[:200]


# ---------------------------------------------------------------- the open catalog (area: matters)


@transaction.atomic
def load_local_restrictions(apps=None) -> int:
    """Set the shipped restriction (column ``restricted_right``) of the local matters that have none; returns how many."""
    CatalogItem = _models(apps)[0]
    done = 0
    for r in local_rows():
        if r.get("restricted_right"):
            done += CatalogItem.objects.filter(kind=KIND_OF[r["kind"]], code=r["code5"], restricted_right="").update(
                restricted_right=r["restricted_right"])
    return done


def local_deadline_rows() -> list[dict]:
    return read_csv_text(data_text("local_deadlines.csv"))


@transaction.atomic
def load_local_deadlines(apps=None) -> int:
    """Add the shipped deadline rules of the local matters that are missing (edited rules keep their values)."""
    CatalogItem, _, DeadlineRule = _models(apps)
    items = {("matter", i.code): i for i in CatalogItem.objects.filter(kind="matter", major_code__gte="50")}
    have = set(DeadlineRule.objects.values_list("matter__code", "urgency", "area_class", "stage"))
    new = []
    for r in local_deadline_rows():
        key = (r["matter_code"], r["urgency"], r["area_class"], r["stage"])
        matter = items.get(("matter", r["matter_code"]))
        if key in have or matter is None:
            continue
        new.append(DeadlineRule(matter=matter, urgency=r["urgency"], area_class=r["area_class"], stage=r["stage"],
                                amount=Decimal(r["amount"]), unit=r["unit"], note=_note(r)))
        have.add(key)
    DeadlineRule.objects.bulk_create(new)
    return len(new)
