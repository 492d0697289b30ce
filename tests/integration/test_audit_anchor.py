"""The audit chain's head anchored outside the database: signed anchors in a file, checked by `audit verify`.

The attack: someone with full power over the database rewrites the chain whole — edits a record and recomputes
every hash after it and the head, with the maintenance switch on. The chain alone then verifies; the anchors
written before the rewrite do not, and `audit verify` names the first anchor that no longer matches.
"""

import datetime as dt
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gridgov.audit import anchoring, services
from gridgov.audit.logic import chain
from gridgov.audit.models import AuditHead, AuditRecord

AT_1 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # 2026-12-01 10:00:00 in Asia/Shanghai
AT_2 = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # 2026-12-02 10:00:00


@pytest.fixture
def keys(settings, tmp_path):
    """A signing key and an anchor folder of this test only."""
    key = tmp_path / "keys" / "audit-signing-key.pem"
    pub = anchoring.write_key(key)
    settings.GRIDGOV = {**settings.GRIDGOV, "AUDIT_ANCHOR_DIR": str(tmp_path / "anchors"),
                        "AUDIT_SIGNING_KEY": str(key), "AUDIT_PUBLIC_KEY": ""}
    return key, pub


def append(n: int, tag: str) -> list[AuditRecord]:
    with transaction.atomic():
        return [services.record(None, "update", "grid", f"{tag}{i}", before={"name": "旧"}, after={"name": f"新{i}"})
                for i in range(n)]


def rewrite_whole_chain_from(first_id: int, new_after) -> None:
    """What an attacker with database superuser does: edit record ``first_id`` and recompute every hash after it
    and the head, so that the chain is consistent again."""
    cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with transaction.atomic(), services.maintenance(), connection.cursor() as cursor:
        recs = list(AuditRecord.objects.filter(id__gte=first_id).order_by("id"))
        prev = recs[0].prev_hash
        for r in recs:
            fields = r.chain_fields()
            if r.id == first_id:
                fields["after"] = new_after
            digest = chain.record_hash(fields, prev)
            cursor.execute(f"UPDATE audit_auditrecord SET after = {cast}, prev_hash = %s, hash = %s WHERE id = %s",
                           [json.dumps(fields["after"], ensure_ascii=False), prev, digest, r.id])
            prev = digest
        cursor.execute("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [prev])


def anchored_lines() -> list[str]:
    return anchoring.anchor_file().read_text(encoding="utf-8").splitlines()


@pytest.mark.django_db
def test_a_whole_rewrite_passes_the_chain_check_but_not_the_anchor(keys, client_for):
    first = append(3, "A")
    a1 = anchoring.write_anchor(now=AT_1)
    assert (a1.id, a1.hash) == (first[-1].id, first[-1].hash)
    second = append(4, "B")
    a2 = anchoring.write_anchor(now=AT_2)
    assert (a2.id, a2.hash) == (second[-1].id, second[-1].hash)
    append(2, "C")
    assert len(anchored_lines()) == 2
    call_command("audit", "verify")  # untouched: chain and anchors agree

    rewrite_whole_chain_from(second[1].id, {"name": "被改写"})  # after the first anchor, before the second

    assert services.verify_chain().ok  # the chain alone cannot tell
    call_command("audit", "verify", "--no-anchors")
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify")
    assert str(info.value) == (f"第 {second[-1].id} 号记录与 2026-12-02 10:00:00 的锚点不符：其哈希已不是锚定时的 "
                               f"{second[-1].hash[:16]}…（整条链在此之后被改写过）")
    body = client_for("admin").get("/api/v1/audit/verify").json()
    assert (body["ok"], body["anchors_ok"], body["first_bad_id"]) == (False, False, second[-1].id)
    assert body["message"] == str(info.value)


@pytest.mark.django_db
def test_the_first_anchor_that_no_longer_matches_is_named(keys):
    first = append(2, "A")
    anchoring.write_anchor(now=AT_1)
    append(2, "B")
    anchoring.write_anchor(now=AT_2)
    rewrite_whole_chain_from(first[0].id, {"name": "被改写"})  # before both anchors
    report = anchoring.verify_anchors()
    assert not report.ok and report.bad.id == first[-1].id and report.count == 0
    assert report.message.startswith(f"第 {first[-1].id} 号记录与 2026-12-01 10:00:00 的锚点不符")


@pytest.mark.django_db
def test_a_forged_anchor_line_fails_its_signature(keys):
    recs = append(2, "A")
    anchoring.write_anchor(now=AT_1)
    doc = json.loads(anchored_lines()[0])
    doc["hash"] = "0" * 64
    anchoring.anchor_file().write_text(json.dumps(doc) + "\n", encoding="utf-8")
    report = anchoring.verify_anchors()
    assert not report.ok and report.bad.id == recs[-1].id
    assert report.message == ("锚点文件第 1 行（2026-12-01 10:00:00）签名无效：锚点被伪造或改动，"
                              "或不是用此公钥对应的密钥签名的")


@pytest.mark.django_db
def test_a_chain_cut_back_behind_an_anchor_is_caught(keys):
    recs = append(3, "A")
    anchoring.write_anchor(now=AT_1)
    with transaction.atomic(), services.maintenance(), connection.cursor() as cursor:  # drop the newest two
        cursor.execute("DELETE FROM audit_auditrecord WHERE id >= %s", [recs[1].id])
        cursor.execute("UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1",
                       [recs[0].id, recs[0].hash])
    assert services.verify_chain().ok
    report = anchoring.verify_anchors()
    assert report.message == (f"第 {recs[-1].id} 号记录与 2026-12-01 10:00:00 的锚点不符：链中已没有这条记录"
                              "（记录被删除，链被截短）")


@pytest.mark.django_db
def test_a_verifier_needs_only_the_public_key(keys, settings):
    _key, pub = keys
    append(2, "A")
    anchoring.write_anchor(now=AT_1)
    settings.GRIDGOV = {**settings.GRIDGOV, "AUDIT_SIGNING_KEY": "", "AUDIT_PUBLIC_KEY": str(pub)}
    assert anchoring.verify_anchors().message == "1 个锚点均与审计链相符"
    other = anchoring.write_key(pub.parent / "other.pem")  # a key that did not sign the anchors
    settings.GRIDGOV = {**settings.GRIDGOV, "AUDIT_PUBLIC_KEY": str(other)}
    assert not anchoring.verify_anchors().ok


@pytest.mark.django_db
def test_a_broken_chain_is_not_anchored(keys):
    recs = append(2, "A")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_auditrecord_guard")
        else:
            cursor.execute("DROP TRIGGER audit_auditrecord_no_update")
        cursor.execute("UPDATE audit_auditrecord SET actor_name = %s WHERE id = %s", ["冒名", recs[0].id])
    with pytest.raises(anchoring.AnchorError) as info:
        anchoring.write_anchor(now=AT_1)
    assert info.value.code == "chain_broken" and info.value.message.startswith("审计链校验未通过，不写锚点：第一条被篡改的记录")
    assert not anchoring.anchor_file().exists()


@pytest.mark.django_db
def test_without_a_signing_key_nothing_is_anchored_and_the_command_says_how(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.GRIDGOV = {**settings.GRIDGOV, "AUDIT_ANCHOR_DIR": str(tmp_path / "anchors"), "AUDIT_SIGNING_KEY": "",
                        "AUDIT_PUBLIC_KEY": ""}
    append(1, "A")
    with pytest.raises(CommandError) as info:
        call_command("audit", "anchor")
    assert str(info.value) == anchoring.NO_KEY and "GRIDGOV_AUDIT_SIGNING_KEY" in str(info.value)
    assert anchoring.start_background_anchor(86400) is None
    # demo mode: the key is generated into the data folder once and then used
    path = anchoring.ensure_demo_key()
    assert path == tmp_path / "audit-signing-key.pem" and oct(path.stat().st_mode & 0o777) == "0o600"
    assert anchoring.ensure_demo_key() == path and anchoring.signing_key_path() == path
    call_command("audit", "anchor")
    assert len(anchored_lines()) == 1


@pytest.mark.django_db
def test_an_anchor_is_due_when_the_last_is_older_than_the_interval(keys):
    append(1, "A")
    assert anchoring.anchor_due(AT_1, 86400)  # none yet
    anchoring.write_anchor(now=AT_1)
    assert not anchoring.anchor_due(AT_1 + dt.timedelta(hours=23, minutes=59), 86400)
    assert anchoring.anchor_due(AT_1 + dt.timedelta(hours=24), 86400)


def test_keygen_writes_an_owner_only_key_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "k.pem"
    call_command("audit", "keygen", str(path))
    assert oct(os.stat(path).st_mode & 0o777) == "0o600" and (tmp_path / "k.pem.pub").exists()
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert f"GRIDGOV_AUDIT_SIGNING_KEY={path}" in capsys.readouterr().out
    with pytest.raises(CommandError) as info:
        call_command("audit", "keygen", str(path))
    assert str(info.value) == f"{path} 已存在，不会覆盖"


@pytest.mark.django_db
def test_verify_without_anchors_warns_that_a_rewrite_would_go_unseen(keys, capsys):
    append(1, "A")
    call_command("audit", "verify")
    err = capsys.readouterr().err
    assert "没有锚点" in err and "无法发现整条链被改写" in err


@pytest.mark.django_db
def test_the_head_is_what_is_anchored(keys):
    append(2, "A")
    a = anchoring.write_anchor(now=AT_1)
    head = AuditHead.objects.get(pk=1)
    assert (a.id, a.hash, a.time) == (head.last_id, head.last_hash, "2026-12-01T02:00:00.000000+00:00")


@pytest.mark.django_db
def test_each_anchor_is_also_mailed_when_configured(keys, settings, mailoutbox):
    settings.GRIDGOV = {**settings.GRIDGOV, "AUDIT_ANCHOR_MAIL_TO": "audit@example.org, cio@example.org"}
    append(1, "A")
    anchoring.write_anchor(now=AT_1)
    (mail,) = mailoutbox
    assert mail.to == ["audit@example.org", "cio@example.org"] and mail.subject == "gridgov 审计链锚点"
    assert anchored_lines()[0] in mail.body
