"""Signed anchors of the audit chain (pure): what is signed, what verifies, what does not."""

import json

import pytest

from gridgov.audit.logic import anchor

HASH = "ab" * 32


def test_the_signed_message_is_the_prefix_and_the_sorted_compact_head():
    assert anchor.message(42, HASH, "2026-12-03T02:00:00.000000+00:00") == (
        b'gridgov-audit-anchor-v1\n{"hash":"' + HASH.encode() + b'","id":42,"time":"2026-12-03T02:00:00.000000+00:00"}')


def test_an_anchor_round_trips_through_its_line_and_verifies():
    key = anchor.generate_key()
    a = anchor.sign(key, 42, HASH, "2026-12-03T02:00:00.000000+00:00")
    line = anchor.to_line(a)
    assert line.endswith("\n") and set(json.loads(line)) == {"hash", "id", "key", "signature", "time"}
    (back,) = anchor.parse([line])
    assert (back.id, back.hash, back.time, back.line) == (42, HASH, "2026-12-03T02:00:00.000000+00:00", 1)
    assert back.key == anchor.fingerprint(key.public_key()) and len(back.key) == 16
    assert anchor.signature_ok(key.public_key(), back)


@pytest.mark.parametrize("field, value", [("id", 43), ("hash", "cd" * 32), ("time", "2026-12-04T02:00:00.000000+00:00"),
                                          ("signature", "AAAA")])
def test_a_changed_anchor_no_longer_verifies(field, value):
    key = anchor.generate_key()
    doc = json.loads(anchor.to_line(anchor.sign(key, 42, HASH, "2026-12-03T02:00:00.000000+00:00")))
    doc[field] = value
    (forged,) = anchor.parse([json.dumps(doc)])
    assert not anchor.signature_ok(key.public_key(), forged)


def test_another_key_does_not_verify():
    a = anchor.sign(anchor.generate_key(), 42, HASH, "2026-12-03T02:00:00.000000+00:00")
    assert not anchor.signature_ok(anchor.generate_key().public_key(), a)


def test_keys_load_from_pem_and_a_private_pem_gives_its_public_half():
    key = anchor.generate_key()
    a = anchor.sign(anchor.load_private(anchor.private_pem(key)), 1, HASH, "t")
    assert anchor.signature_ok(anchor.load_public(anchor.public_pem(key.public_key())), a)
    assert anchor.signature_ok(anchor.load_public(anchor.private_pem(key)), a)
    with pytest.raises(anchor.AnchorKeyError):
        anchor.load_private(b"not a key")


def test_a_malformed_line_is_named_by_its_number():
    key = anchor.generate_key()
    good = anchor.to_line(anchor.sign(key, 1, HASH, "t"))
    with pytest.raises(anchor.BadLine) as info:
        list(anchor.parse([good, "\n", '{"id": "x"}\n']))
    assert info.value.line == 3 and str(info.value) == "锚点文件第 3 行不是有效的锚点（格式错误）"
