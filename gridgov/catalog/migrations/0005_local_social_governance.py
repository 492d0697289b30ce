"""Data: gridgov's local social-governance matters (majors 50–55: 矛盾纠纷, 信访, 安全隐患, 生态环境, 民生服务, 治安信息)."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.catalog.loading import load_local_catalog

    load_local_catalog(apps)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_time_unit_labels")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
