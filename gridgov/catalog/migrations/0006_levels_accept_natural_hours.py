"""levels: 签收 within 24 NATURAL hours (seed 003 篇8, 海淀: 承办单位「在24小时之内签收系统交办的任务」), not working
hours — the shipped generic 签收 rule is corrected where it still has its shipped value."""

from django.db import migrations


def natural(apps, schema_editor):
    DeadlineRule = apps.get_model("catalog", "DeadlineRule")
    DeadlineRule.objects.filter(matter=None, urgency="", area_class="", stage="accept", amount=24,
                                unit="work_hours").update(unit="natural_hours",
                                                          note="签收：24 自然小时（海淀「在24小时之内签收」）")


def back(apps, schema_editor):
    DeadlineRule = apps.get_model("catalog", "DeadlineRule")
    DeadlineRule.objects.filter(matter=None, urgency="", area_class="", stage="accept", amount=24,
                                unit="natural_hours").update(unit="work_hours")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_local_social_governance")]

    operations = [migrations.RunPython(natural, back)]
