"""The default 应急预案 (消防, 防汛/雨雪, 危房险路): configuration, edited afterwards in the admin."""

from django.db import migrations

from gridgov.duty.logic.defaults import CENTRE_AND_PATH, PLANS


def load(apps, schema_editor):
    Plan = apps.get_model("duty", "EmergencyPlan")
    Step = apps.get_model("duty", "PlanStep")
    for code, name, matters, steps in PLANS:
        if Plan.objects.filter(code=code).exists():
            continue
        plan = Plan.objects.create(code=code, name=name, matter_codes=matters, majors=[],
                                   notify_posts=CENTRE_AND_PATH, notify_on_duty=True, active=True)
        Step.objects.bulk_create([Step(plan=plan, order=i, title=t, responsible=r, minutes=m)
                                  for i, (t, r, m) in enumerate(steps, start=1)])


def unload(apps, schema_editor):
    apps.get_model("duty", "EmergencyPlan").objects.filter(code__in=[p[0] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("duty", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
