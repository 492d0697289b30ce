"""The audit log in the database: appending, streaming verification, tamper evidence, the command and the API.

Tampering is simulated the way an intruder with database access would do it: raw SQL with the guard
trigger dropped (SQLite) or disabled (PostgreSQL) inside the test's transaction, so the trigger comes back
when the test is rolled back.
"""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gridgov.audit import services
from gridgov.audit.logic import chain
from gridgov.audit.models import AppendOnly, AuditHead, AuditRecord
from gridgov.audit.services import Entry


def append(n: int, per_transaction: int = 8, actor=None, prefix: str = "C") -> list[AuditRecord]:
    out = []
    for start in range(0, n, per_transaction):
        with transaction.atomic():
            for i in range(start, min(n, start + per_transaction)):
                out.append(services.record(actor, "dispatch", "case", f"{prefix}{i}", before={"state": "registered"},
                                           after={"state": "dispatched", "dept": i % 7, "w": 1.5}))
    return out


def bypass_guard(cursor) -> None:
    """What an intruder does first; undone when the test's transaction rolls back."""
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_auditrecord_guard")
    else:
        cursor.execute("DROP TRIGGER audit_auditrecord_no_update")
        cursor.execute("DROP TRIGGER audit_auditrecord_no_delete")


def verify_fails_at(record_id: int) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify")
    message = str(info.value)
    assert message.startswith(f"第一条被篡改的记录：#{record_id}（"), message
    return message


@pytest.mark.django_db
def test_records_link_into_one_gap_free_chain(users):
    head = AuditHead.objects.get(pk=1)
    recs = append(20, actor=users["dispatcher"])
    assert [r.id for r in recs] == list(range(head.last_id + 1, head.last_id + 21))
    assert recs[0].prev_hash == head.last_hash
    assert all(b.prev_hash == a.hash for a, b in zip(recs, recs[1:], strict=False))
    stored = AuditRecord.objects.get(pk=recs[3].id)
    assert stored.actor_id == users["dispatcher"].pk and stored.role == "dispatcher"
    assert "dispatcher" in stored.actor_name
    assert stored.after == {"state": "dispatched", "dept": 3, "w": 1.5}
    assert stored.hash == chain.record_hash(stored.chain_fields(), stored.prev_hash)
    head.refresh_from_db()
    assert (head.last_id, head.last_hash) == (recs[-1].id, recs[-1].hash)


@pytest.mark.django_db
def test_system_actor_and_role_snapshot(users):
    with transaction.atomic():
        sys_rec = services.record(None, "overdue", "case", 42)
        rec = services.record(users["admin"], "update", "grid", "110101001001W001", role="grid_leader")
    assert (sys_rec.actor_id, sys_rec.actor_name, sys_rec.role, sys_rec.object_id) == (None, "系统", "", "42")
    assert rec.role == "grid_leader"


@pytest.mark.django_db
def test_a_rolled_back_append_leaves_no_gap():
    before = AuditHead.objects.get(pk=1).last_id
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(None, "dispatch", "case", "X")
        raise RuntimeError("the caller fails")
    rec = append(1)[0]
    assert rec.id == before + 1
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_record_many_is_one_lock_one_insert_one_head_update(django_assert_num_queries):
    entries = [Entry("update", "grid", f"G{i}", {"households": i}, {"households": i + 1}) for i in range(50)]
    # PostgreSQL locks, hashes, inserts and moves the head in one statement
    with transaction.atomic(), django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        recs = services.record_many(None, entries)
    assert [r.object_id for r in recs] == [f"G{i}" for i in range(50)]
    assert recs[-1].id - recs[0].id == 49
    with transaction.atomic():
        assert services.record_many(None, [{"action": "x", "object_type": "y", "object_id": 1}])[0].id == recs[-1].id + 1
    assert services.verify_chain().ok
    stored = AuditRecord.objects.get(pk=recs[7].pk)
    assert (stored.object_id, stored.before, stored.after, stored.hash) == ("G7", {"households": 7}, {"households": 8},
                                                                          recs[7].hash)


@pytest.mark.django_db
def test_record_many_in_several_inserts():
    with transaction.atomic():
        recs = services.record_many(None, [Entry("import", "person", i) for i in range(2500)])
    assert AuditHead.objects.get(pk=1).last_id == recs[-1].id
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_bad_input_is_refused_before_anything_is_written():
    head = AuditHead.objects.get(pk=1).last_id
    with transaction.atomic():
        with pytest.raises(ValueError):
            services.record(None, "", "case", 1)
        with pytest.raises(ValueError):
            services.record(None, "dispatch", "case", "x" * 65)
        with pytest.raises(chain.ChainError):
            services.record(None, "dispatch", "case", 1, after={"x": float("inf")})
    assert AuditHead.objects.get(pk=1).last_id == head


@pytest.mark.django_db
def test_a_thousand_records_verify(capsys):
    start = AuditRecord.objects.count()
    assert services.guard_active() is True
    append(1000)
    report = services.verify_chain(batch=128)
    assert report.ok and report.count == start + 1000
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == f"审计链完整：{start + 1000} 条记录"


@pytest.mark.django_db
def test_history_of_one_object():
    append(10)
    with transaction.atomic():
        services.record(None, "close", "case", "C3")
    assert [r.action for r in services.history("case", "C3")] == ["dispatch", "close"]
    assert services.history("case", "nope") == []


# ---------------------------------------------------------------- tamper evidence


@pytest.mark.django_db
def test_orm_cannot_change_or_remove_records():
    rec = append(1)[0]
    with pytest.raises(AppendOnly):
        rec.save()
    with pytest.raises(AppendOnly):
        rec.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=rec.pk).update(action="void")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=rec.pk).delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.create(created=rec.created, object_type="case", object_id="1", action="x",
                                   prev_hash=rec.hash, hash="0" * 64)
    assert AuditRecord.objects.get(pk=rec.pk).action == "dispatch"


@pytest.mark.django_db
def test_the_database_refuses_raw_update_and_delete():
    rec = append(1)[0]
    with connection.cursor() as cursor:
        for sql in ("UPDATE audit_auditrecord SET action = 'void' WHERE id = %s",
                    "DELETE FROM audit_auditrecord WHERE id = %s"):
            with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic():
                cursor.execute(sql, [rec.pk])
    assert AuditRecord.objects.get(pk=rec.pk).action == "dispatch"


@pytest.mark.django_db
def test_an_edit_bypassing_the_guard_is_named_by_verify():
    recs = append(40)
    target = recs[17]
    with connection.cursor() as cursor:
        bypass_guard(cursor)
        cursor.execute("UPDATE audit_auditrecord SET after = %s WHERE id = %s",
                       [json.dumps({"state": "closed"}), target.pk])
    assert services.guard_active() is False
    message = verify_fails_at(target.pk)
    assert "case C17、dispatch" in message and "记录被修改" in message
    report = services.verify_chain()
    assert (report.ok, report.first_bad_id, report.first_bad.pk) == (False, target.pk, target.pk)


@pytest.mark.django_db
def test_an_edit_under_the_maintenance_switch_is_still_caught():
    recs = append(10)
    with transaction.atomic(), services.maintenance(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET actor_name = 'someone else' WHERE id = %s", [recs[4].pk])
    verify_fails_at(recs[4].pk)
    # the switch is off again afterwards
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'x' WHERE id = %s", [recs[5].pk])


@pytest.mark.django_db
def test_a_deleted_record_is_caught_at_its_successor():
    recs = append(10)
    with connection.cursor() as cursor:
        bypass_guard(cursor)
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [recs[4].pk])
    verify_fails_at(recs[5].pk)


@pytest.mark.django_db
def test_deleting_the_newest_records_is_caught_against_the_head():
    recs = append(10)
    with connection.cursor() as cursor:
        bypass_guard(cursor)
        cursor.execute("DELETE FROM audit_auditrecord WHERE id >= %s", [recs[8].pk])
    report = services.verify_chain()
    assert (report.ok, report.first_bad_id, report.first_bad) == (False, recs[8].pk, None)
    assert "缺失" in report.reason
    with pytest.raises(CommandError, match=f"#{recs[8].pk}（记录已缺失）"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_row_slipped_in_behind_the_service_is_caught():
    rec = append(3)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditrecord (id, created, actor_name, role, object_type, object_id, action, prev_hash, hash)"
            " VALUES (%s, %s, '', '', 'case', 'X', 'void', %s, %s)",
            [rec.pk + 1, rec.created, rec.hash, "f" * 64],
        )
    verify_fails_at(rec.pk + 1)


@pytest.mark.django_db
def test_deleting_the_actor_keeps_the_record_intact():
    from gridgov.accounts.models import User

    temp = User.objects.create(username="audit-temp", role="admin")
    with transaction.atomic():
        rec = services.record(temp, "update", "grid", "G1")
    # no FK constraint and no cascade from the log: the account row can go, the record stays as it was
    User.objects.filter(pk=temp.pk)._raw_delete(using="default")
    stored = AuditRecord.objects.get(pk=rec.pk)
    assert (stored.actor_id, stored.actor_name) == (temp.pk, "audit-temp")
    assert services.verify_chain().ok


# ---------------------------------------------------------------- API


@pytest.mark.django_db
def test_api_records_and_verify_for_administrators_only(client_for):
    append(5)
    with transaction.atomic():
        services.record(None, "close", "case", "C2")
    for username, status in [(None, 401), ("gridworker", 403), ("leader", 403), ("dispatcher", 403), ("admin", 200)]:
        client = client_for(username)
        assert client.get("/api/v1/audit/records").status_code == status, username
        assert client.get("/api/v1/audit/verify").status_code == status, username
    admin = client_for("admin")
    body = admin.get("/api/v1/audit/records?object_type=case&object_id=C2").json()["items"]
    assert [r["action"] for r in body] == ["dispatch", "close"]
    assert body[0]["after"]["state"] == "dispatched" and len(body[0]["hash"]) == 64
    page = admin.get(f"/api/v1/audit/records?after_id={body[0]['id']}&limit=2").json()
    assert [r["id"] for r in page["items"]] == [body[0]["id"] + 1, body[0]["id"] + 2]
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 0)  # C3, C4 and the close of C2
    verdict = admin.get("/api/v1/audit/verify").json()
    assert verdict["ok"] is True and verdict["message"].startswith("审计链完整")


@pytest.mark.django_db
def test_api_verify_reports_tampering(client_for):
    recs = append(5)
    with connection.cursor() as cursor:
        bypass_guard(cursor)
        cursor.execute("UPDATE audit_auditrecord SET object_id = 'C999' WHERE id = %s", [recs[2].pk])
    verdict = client_for("admin").get("/api/v1/audit/verify").json()
    assert (verdict["ok"], verdict["first_bad_id"]) == (False, recs[2].pk)


@pytest.mark.django_db
def test_stored_hashes_are_the_chain_hashes_for_awkward_content(users):
    """The append computes hashes where the database is (PostgreSQL: in SQL); they must be chain.record_hash."""
    awkward = [
        {"text": 'quote " backslash \\ newline \n tab \t', "emoji": "🚧", "zh": "井盖缺失（东华门）"},
        {"float": 1e20, "small": 1.5e-7, "int": 10**18, "neg": -0.25, "bool": True, "none": None},
        {"nested": {"b": [1, {"a": "GRIDGOVc"}], "a": []}, "separator": "\u2028"},  # jsonb refuses \u0000 anyway
        None, [], "", 0,
    ]
    with transaction.atomic():
        recs = services.record_many(users["admin"], [Entry("edit", "case", f"N{i}", v, awkward[-1 - i])
                                                     for i, v in enumerate(awkward)])
        recs.append(services.record(None, "scan", "case", "系统", before=None, after={"level": "red"}))
    for r in recs:
        stored = AuditRecord.objects.get(pk=r.pk)
        assert stored.hash == r.hash == chain.record_hash(stored.chain_fields(), stored.prev_hash)
        assert stored.created == r.created
    assert [r.prev_hash for r in recs[1:]] == [r.hash for r in recs[:-1]]
    assert services.verify_chain().ok
