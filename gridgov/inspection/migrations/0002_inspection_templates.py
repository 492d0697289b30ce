"""Data: the shipped checklist templates (消防, 企业安全环保, 养殖场, 园区, 门前三包) — see logic/defaults.py."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.inspection.logic.defaults import TEMPLATES

    Template = apps.get_model("inspection", "ChecklistTemplate")
    Item = apps.get_model("inspection", "ChecklistItem")
    for code, name, kind, items in TEMPLATES:
        t, _ = Template.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        for order, (item_code, text, matter, photo) in enumerate(items, start=1):
            Item.objects.get_or_create(template=t, code=item_code, defaults={
                "text": text, "matter_code": matter, "photo_required": photo, "order": order})


class Migration(migrations.Migration):
    dependencies = [("inspection", "0001_initial"), ("catalog", "0005_local_social_governance")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
