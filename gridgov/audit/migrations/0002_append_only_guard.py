"""The chain's head row, and database triggers that refuse UPDATE and DELETE of audit records.

PostgreSQL: a row trigger raises unless the session setting ``gridgov.audit_maintenance`` is 'on'
(``SET LOCAL gridgov.audit_maintenance = 'on'`` in a transaction; see ``services.maintenance()``).
SQLite: two row triggers raise unless ``audit_audithead.maintenance`` is 1 (SQLite has no session settings;
writers are serialised, so the flag set and reset in one transaction is seen by that transaction only).
Other databases: no trigger (the model and queryset still refuse; verification still catches edits).
"""

from django.db import migrations

GUARD_MESSAGE = "审计日志只能追加，不能修改或删除"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION audit_auditrecord_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('gridgov.audit_maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION '{GUARD_MESSAGE}（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_auditrecord_guard BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_auditrecord_guard ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_auditrecord_guard();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER audit_auditrecord_no_{op.lower()} BEFORE {op} ON audit_auditrecord
    WHEN coalesce((SELECT maintenance FROM audit_audithead WHERE id = 1), 0) = 0
    BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}'); END;"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_auditrecord_no_update;", "DROP TRIGGER IF EXISTS audit_auditrecord_no_delete;"]


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditHead.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


def guard_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql, params=None)


def guard_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(guard_up, guard_down),
    ]
