"""Tests for gridgov.audit.logic.chain: canonical form, hashes, and that every kind of tampering is caught."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from gridgov.audit.logic import chain
from gridgov.audit.logic.chain import GENESIS, ChainError, canonical, record_hash, to_json_value, verify

T0 = dt.datetime(2025, 3, 1, 8, 0, 0, 123, tzinfo=dt.UTC)


def make_chain(n: int) -> list[dict]:
    out, prev = [], GENESIS
    for i in range(1, n + 1):
        rec = {"id": i, "created": T0 + dt.timedelta(seconds=i), "actor_id": 7 if i % 2 else None,
               "actor_name": "王伟（wang）", "role": "dispatcher", "object_type": "case", "object_id": f"C{i:04d}",
               "action": "dispatch", "before": {"state": "registered", "n": i}, "after": {"state": "dispatched"}}
        rec["prev_hash"] = prev
        rec["hash"] = prev = record_hash(rec, prev)
        out.append(rec)
    return out


def test_intact_chain_verifies():
    assert verify(make_chain(50)) == (True, None, "")
    assert verify([]) == (True, None, "")


def test_canonical_form_is_sorted_compact_utc_with_string_ids():
    rec = make_chain(1)[0]
    text = canonical(rec, GENESIS).decode()
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert ", " not in text and ": " not in text
    assert doc["id"] == "1" and doc["actor_id"] == "7"
    assert doc["created"] == "2025-03-01T08:00:01.000123+00:00"
    assert doc["prev_hash"] == GENESIS
    # the same moment in another zone hashes the same
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert record_hash({**rec, "created": rec["created"].astimezone(shanghai)}, GENESIS) == rec["hash"]


def test_prev_hash_is_part_of_the_hash():
    rec = make_chain(1)[0]
    assert record_hash(rec, GENESIS) != record_hash(rec, "f" * 64)


def test_values_mean_the_same_after_a_database_round_trip():
    # PostgreSQL jsonb rewrites 1e+20 as 100000000000000000000 and keeps 1.0; both hash like the original
    original = {"a": 1e20, "b": 1.0, "c": 0.1, "d": [1, 2]}
    stored = {"a": 100000000000000000000, "b": 1.0, "c": 0.1, "d": [1, 2]}
    rec = make_chain(1)[0]
    assert record_hash({**rec, "after": original}, GENESIS) == record_hash({**rec, "after": stored}, GENESIS)
    assert to_json_value({"t": T0, "d": dt.date(2025, 3, 1), "x": Decimal("2.50"), "s": (1, 2)}) == {
        "t": "2025-03-01T08:00:00.000123+00:00", "d": "2025-03-01", "x": 2.5, "s": [1, 2]}
    with pytest.raises(ChainError):
        to_json_value({"bad": float("nan")})
    with pytest.raises(ChainError):
        to_json_value({"bad": object()})


@pytest.mark.parametrize("field,value", [
    ("action", "close"), ("object_id", "C9999"), ("actor_id", 8), ("actor_name", "李四"), ("role", "admin"),
    ("before", {"state": "closed", "n": 5}), ("after", None), ("created", T0),
])
def test_an_edited_field_is_caught_at_that_record(field, value):
    records = make_chain(10)
    records[4] = {**records[4], field: value}
    ok, bad, reason = verify(records)
    assert (ok, bad) == (False, 5)
    assert reason == chain.EDITED


def test_an_edited_record_with_a_recomputed_hash_is_caught_at_the_next_record():
    records = make_chain(10)
    forged = {**records[4], "action": "close"}
    forged["hash"] = record_hash(forged, forged["prev_hash"])
    records[4] = forged
    ok, bad, reason = verify(records)
    assert (ok, bad) == (False, 6)
    assert "#5" in reason


def test_a_deleted_record_is_caught_at_the_next_one():
    records = make_chain(10)
    del records[3]  # id 4
    assert verify(records)[:2] == (False, 5)


def test_deleting_the_first_record_is_caught():
    records = make_chain(5)[1:]
    ok, bad, reason = verify(records)
    assert (ok, bad, reason) == (False, 2, chain.NOT_GENESIS)


def test_reordered_records_are_caught():
    records = make_chain(10)
    records[3], records[4] = records[4], records[3]
    assert verify(records)[:2] == (False, 5)  # id 5 now comes right after id 3


def test_swapped_contents_keeping_ids_are_caught():
    records = make_chain(10)
    a, b = records[3], records[4]
    records[3] = {**b, "id": 4, "prev_hash": a["prev_hash"]}
    records[4] = {**a, "id": 5, "prev_hash": records[3]["hash"]}
    assert verify(records)[:2] == (False, 4)


def test_an_inserted_record_is_caught():
    records = make_chain(10)
    intruder = {**records[4], "id": 5, "action": "void", "prev_hash": records[4]["prev_hash"]}
    intruder["hash"] = record_hash(intruder, intruder["prev_hash"])
    records.insert(4, intruder)  # a well-formed record between #4 and the real #5
    ok, bad, _ = verify(records)
    assert not ok and bad == 5  # ids must ascend: the real #5 after the intruder is out of order


def test_verify_streams_and_stops_at_the_first_bad_record():
    records = make_chain(10)
    records[2] = {**records[2], "action": "x"}
    records[7] = {**records[7], "action": "y"}
    consumed = []

    def stream():
        for r in records:
            consumed.append(r["id"])
            yield r

    assert verify(stream())[:2] == (False, 3)
    assert consumed == [1, 2, 3]


def test_start_hash_continues_a_chain():
    records = make_chain(10)
    assert verify(records[5:], start_hash=records[4]["hash"]).ok


def test_template_pieces_rebuild_the_canonical_text():
    import datetime as dt

    from gridgov.audit.logic.chain import canonical, iso_utc, template

    fields = {"actor_id": 7, "actor_name": "王伟（wang）", "role": "grid_worker", "object_type": "case",
              "object_id": "110101-20261123-0042", "action": "dispatch",
              "before": {"status": "registered", "note": 'GRIDGOVc "引号" \\ 反斜杠', "n": 1.5},
              "after": {"status": "dispatched", "list": [1, None, "二"]}}
    p0, p1, p2, p3 = template(fields)
    when = dt.datetime(2026, 11, 23, 17, 1, 37, 314660, tzinfo=dt.UTC)
    prev = "a" * 64
    full = canonical({**fields, "id": 35, "created": when}, prev)
    assert (p0 + iso_utc(when) + p1 + "35" + p2 + prev + p3).encode() == full
