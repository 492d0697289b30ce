"""The two area dimensions (community, street: ``logic.AREA_DIMS``) for the roll-up already kept: each is the grid
dimension's rows summed per area — what ``logic.groups`` now adds for every case change."""

from django.db import migrations

AREAS = (("community", 12), ("street", 9))


def derive(apps, schema_editor):
    q = schema_editor.quote_name
    keys = {"id", "dim", "grain", "day", "area", "key", "restricted"}
    counts = [f.column for f in apps.get_model("analytics", "DailyCount")._meta.concrete_fields if f.column not in keys]
    fields = ", ".join(q(f) for f in counts)
    sums = ", ".join(f"SUM({q(f)})" for f in counts)
    with schema_editor.connection.cursor() as cur:
        for dim, n in AREAS:
            cur.execute("DELETE FROM analytics_dailycount WHERE dim = %s", [dim])
            cur.execute(f"""INSERT INTO analytics_dailycount (dim, grain, day, area, {q("key")}, restricted, {fields})
                            SELECT %s, grain, day, substr(area, 1, {n}), '', restricted, {sums}
                            FROM analytics_dailycount WHERE dim = 'grid'
                            GROUP BY grain, day, substr(area, 1, {n}), restricted""", [dim])
            cur.execute("DELETE FROM analytics_cohortcount WHERE dim = %s", [dim])
            cur.execute(f"""INSERT INTO analytics_cohortcount (kind, dim, grain, start, area, {q("key")}, restricted,
                                                               done_month, n)
                            SELECT kind, %s, grain, start, substr(area, 1, {n}), '', restricted, done_month, SUM(n)
                            FROM analytics_cohortcount WHERE dim = 'grid'
                            GROUP BY kind, grain, start, substr(area, 1, {n}), restricted, done_month""", [dim])


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        for dim, _ in AREAS:
            cur.execute("DELETE FROM analytics_dailycount WHERE dim = %s", [dim])
            cur.execute("DELETE FROM analytics_cohortcount WHERE dim = %s", [dim])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_area_indexes'),
    ]

    operations = [migrations.RunPython(derive, drop)]
