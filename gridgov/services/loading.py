"""Load the elderly service catalogue (``data/elderly_catalogue.csv``) — idempotent, called by migration 0001.

Each item becomes a local matter of the open catalog (major 60, in the local range 50–99 the national catalog never
uses), with its time limit as the matter's 处置 deadline rule, the way the catalog app loads its local majors
(``catalog/loading.py``); items already there keep an administrator's edits. Works with the live models or with a
migration's historical ``apps`` registry.
"""

from decimal import Decimal
from importlib import resources

from django.db import transaction

from gridgov.catalog.logic.codes import LOCAL_MAJORS, read_csv_text

MAJOR_CODE, MAJOR_NAME = "60", "居家养老服务类"


def catalogue_rows() -> list[dict]:
    text = resources.files("gridgov.services").joinpath("data/elderly_catalogue.csv").read_text(encoding="utf-8")
    return read_csv_text(text)


@transaction.atomic
def load_elderly_catalogue(apps=None) -> int:
    """Add the catalogue's matters, their deadline rules and items that are missing; returns how many items."""
    if apps is None:
        from django.apps import apps
    CatalogItem, DeadlineRule = apps.get_model("catalog", "CatalogItem"), apps.get_model("catalog", "DeadlineRule")
    ElderlyItem = apps.get_model("services", "ElderlyItem")
    assert int(MAJOR_CODE) in LOCAL_MAJORS
    added = 0
    for r in catalogue_rows():
        code = r["code5"]
        assert code[:2] == MAJOR_CODE and len(code) == 5, r
        matter, made = CatalogItem.objects.get_or_create(
            kind="matter", code=code, defaults={"major_code": MAJOR_CODE, "major_name": MAJOR_NAME,
                                                "minor_code": code[2:], "name": r["name"],
                                                "default_department": r["default_department"]})
        if made:
            DeadlineRule.objects.create(matter=matter, urgency="normal", area_class="", stage="handle",
                                        amount=Decimal(r["amount"]), unit=r["unit"],
                                        note=f"居家养老服务限时办结：{r['description']}（gridgov choice）"[:200])
        if not ElderlyItem.objects.filter(matter=matter).exists():
            ElderlyItem.objects.create(class_no=int(r["class_no"]), class_name=r["class_name"], name=r["name"],
                                       description=r["description"], matter=matter)
            added += 1
    return added
