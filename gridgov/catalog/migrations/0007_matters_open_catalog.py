"""The open catalog (area: matters): a restriction per class, and the shipped restrictions and deadlines of the local
social-governance matters (信访 and 治安/维稳 restricted; 信访 15/60 days per 信访工作条例)."""

from django.db import migrations, models


def load(apps, schema_editor):
    from gridgov.catalog.loading import load_local_deadlines, load_local_restrictions

    load_local_restrictions(apps)
    load_local_deadlines(apps)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_levels_accept_natural_hours")]

    operations = [
        migrations.AddField(
            model_name="catalogitem", name="restricted_right",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="可见权限",
                                   help_text="留空 = 不限；填写权限（如 cases.restricted）则只有具备该权限的岗位可见此类案件"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
