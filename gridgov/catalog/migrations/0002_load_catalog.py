"""Data: the GB/T 47678.5-2026 catalog (153 components, 250 matters), legacy codes, default conditions and deadlines."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.catalog.loading import load_catalog

    load_catalog(apps)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
