"""The open counts (``OpenCount``) for the cases already kept: ``logic.open_key`` as it stood when this migration
was written, over the open cases (later changes of that definition come with their own migration or a
``gridgov analytics rebuild``)."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import migrations, models


def fill(apps, schema_editor):
    from gridgov.cases.logic.lifecycle import OPEN_STATES

    Case = apps.get_model("cases", "Case")
    OpenCount = apps.get_model("analytics", "OpenCount")
    sh = ZoneInfo("Asia/Shanghai")
    counts: dict = defaultdict(int)
    rows = (Case.objects.filter(status__in=sorted(str(s) for s in OPEN_STATES)).order_by()
            .values_list("scope_key", "management_grid_id", "assignee_department_id", "matter__restricted_right",
                         "stage", "paused_at", "stage_due_at"))
    for scope, grid, dept, restricted, stage, paused, due in rows.iterator(chunk_size=5000):
        month = 0
        if stage and paused is None and due is not None:
            local = due.astimezone(sh) if isinstance(due, dt.datetime) else due
            month = local.year * 100 + local.month
        counts[((scope or "")[:12], grid or 0, dept or 0, restricted or "", month)] += 1
    OpenCount.objects.bulk_create([OpenCount(area=a, grid=g, department=d, restricted=r, due_month=m, n=n)
                                   for (a, g, d, r, m), n in sorted(counts.items())], batch_size=2000)


def empty(apps, schema_editor):
    apps.get_model("analytics", "OpenCount").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_area_dims'),
        ('cases', '0012_open_lights_index'),
        ('catalog', '0007_matters_open_catalog'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area', models.CharField(max_length=12, verbose_name='社区代码')),
                ('grid', models.BigIntegerField(default=0, verbose_name='管理网格')),
                ('department', models.BigIntegerField(default=0, verbose_name='主办部门')),
                ('restricted', models.CharField(blank=True, default='', max_length=40, verbose_name='可见权限')),
                ('due_month', models.IntegerField(default=0, help_text='yyyymm；0 为未计时（挂账或无当前环节）', verbose_name='到期月份')),
                ('n', models.IntegerField(default=0, verbose_name='件数')),
            ],
            options={
                'verbose_name': '在办案件计数',
                'verbose_name_plural': '在办案件计数',
                'constraints': [models.UniqueConstraint(fields=('area', 'grid', 'department', 'restricted', 'due_month'), name='analytics_open_key')],
            },
        ),
        migrations.RunPython(fill, empty),
    ]
