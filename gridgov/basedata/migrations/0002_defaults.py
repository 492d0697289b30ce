"""Shipped defaults: key-population categories (with the posts that may see each) and the 六必访 rules.

Both are configuration an administrator edits (admin or API); these are only the starting point.
"""

from django.db import migrations

STAFF = ["grid_worker", "grid_leader", "grid_supervisor", "leader"]
CATEGORIES = [
    # code, name, visit interval (days), posts that may see it, description
    ("elderly_alone", "独居老人", 7, STAFF, "独居、空巢的高龄老人"),
    ("disabled", "残疾人", 30, STAFF, "持证残疾人"),
    ("hardship", "困难群体", 30, STAFF, "低保、特困、低收入家庭成员"),
    ("left_behind_child", "留守儿童", 30, STAFF, ""),
    ("community_correction", "社区矫正人员", 7, ["grid_leader"], "敏感：仅网格长及管理员可见"),
    ("mental_disorder", "严重精神障碍患者", 14, ["grid_leader"], "敏感：仅网格长及管理员可见"),
]
RULES = [
    ("death", "家中有人去世", 3, "丧事必访"),
    ("illness", "家中有人患重病或住院", 7, "生病住院必访"),
    ("hardship", "家庭遭遇困难或变故", 3, "困难必访"),
    ("dispute", "家庭发生矛盾纠纷", 2, "纠纷必访"),
    ("wedding", "婚嫁、添丁等喜事", 7, "喜事必访"),
    ("new_household", "新入住户", 7, "新户必访"),
]


def forwards(apps, schema_editor):
    KeyCategory = apps.get_model("basedata", "KeyCategory")
    VisitRule = apps.get_model("basedata", "VisitRule")
    for code, name, days, roles, desc in CATEGORIES:
        KeyCategory.objects.get_or_create(code=code, defaults={"name": name, "visit_interval_days": days,
                                                                "roles": roles, "description": desc})
    for code, name, days, desc in RULES:
        VisitRule.objects.get_or_create(code=code, defaults={"name": name, "within_days": days, "description": desc})


class Migration(migrations.Migration):
    dependencies = [("basedata", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
