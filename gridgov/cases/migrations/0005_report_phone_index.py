"""A keyed blind index of the reporter's phone on every report, so a person's reports are found by their phone
(个人信息保护法: 查询、复制), and the index filled for the reports already stored (decrypting each phone once;
a value that does not decrypt with the configured key — a rotated key — is left without index)."""

from django.conf import settings
from django.db import migrations, models

PHONE_FIELD = "cases.report.phone"  # as gridgov.cases.services.intake.PHONE_FIELD (a migration keeps its own copy)
BATCH = 2000


def fill_index(apps, schema_editor):
    from gridgov.crypto import cipher

    CaseReport = apps.get_model("cases", "CaseReport")
    c = None  # the key is read only when there is something to index (a fresh database has nothing)
    todo = CaseReport.objects.exclude(reporter_phone_cipher=b"").filter(reporter_phone_index="").order_by("pk")
    last = 0
    while True:
        rows = list(todo.filter(pk__gt=last).only("pk", "reporter_phone_cipher")[:BATCH])
        if not rows:
            return
        c = c or cipher()
        for r in rows:
            try:
                phone = c.decrypt(r.reporter_phone_cipher, PHONE_FIELD)
            except Exception:  # noqa: BLE001 — unreadable with this key: no index rather than a failed upgrade
                continue
            r.reporter_phone_index = c.index(phone, PHONE_FIELD)
        CaseReport.objects.bulk_update(rows, ["reporter_phone_index"])
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_dashboard_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='casereport',
            name='reporter_phone_index',
            field=models.CharField(blank=True, max_length=40, verbose_name='联系电话索引'),
        ),
        migrations.AddIndex(
            model_name='casereport',
            index=models.Index(fields=['reporter_phone_index'], name='cases_report_phone'),
        ),
        migrations.RunPython(fill_index, migrations.RunPython.noop),
    ]
