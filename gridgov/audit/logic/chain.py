"""The hash chain of the audit log (审计日志) — pure Python, no Django import.

Every record carries ``prev_hash`` (the ``hash`` of the record before it; 64 zeros for the first) and
``hash = sha256(canonical(fields + prev_hash))``. Editing a record changes its content, so its hash no longer
matches; deleting, inserting or reordering records breaks the link of the record that follows. Verification
streams the records once, in chain order (by id), keeping only the previous hash in memory.

The canonical serialisation is compact JSON with sorted keys and UTF-8 text, where
- ids (``id``, ``actor_id``) are strings (``None`` stays ``null``),
- timestamps are ISO 8601 in UTC with microseconds (``2025-01-31T08:00:00.000000+00:00``),
- floats with an integral value are written as integers (``1.0`` → ``1``) and others by their shortest repr,
  so a value means the same after a round trip through PostgreSQL ``jsonb`` (which rewrites ``1e+20`` as
  ``100000000000000000000``) or SQLite text,
- ``before``/``after`` accept JSON values plus datetimes, dates, Decimals, UUIDs, tuples and sets
  (``to_json_value`` turns them into plain JSON first; the service stores that plain form).
"""

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

GENESIS = "0" * 64
# The fields that are hashed (besides prev_hash), in the names the pure layer uses.
FIELDS = ("id", "created", "actor_id", "actor_name", "role", "object_type", "object_id", "action", "before", "after")


class ChainError(ValueError):
    """A value that cannot be part of the chain (e.g. NaN, or an object with no JSON form)."""


def _plain(value: Any) -> Any:
    """JSON-able value → plain JSON types, with the canonical rules for numbers and time."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ChainError(f"审计内容不能包含非有限数 {value!r}")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ChainError(f"审计内容不能包含非有限数 {value!r}")
        return _plain(int(value) if value == value.to_integral_value() else float(value))
    if isinstance(value, dt.datetime):
        return iso_utc(value) if value.tzinfo is not None else value.isoformat(timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                k = str(k) if isinstance(k, (int, uuid.UUID)) else None
                if k is None:
                    raise ChainError("审计内容的键必须是字符串或整数")
            out[k] = _plain(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    raise ChainError(f"审计内容不能包含 {type(value).__name__} 类型的值")


def to_json_value(value: Any) -> Any:
    """The plain JSON value that is stored and hashed (what you get back when reading the record)."""
    return _plain(value)


def iso_utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ChainError("审计记录的时间必须带时区")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes that are hashed: every field of FIELDS plus prev_hash, as sorted-key compact JSON."""
    doc = {
        "id": _id(fields["id"]),
        "created": iso_utc(fields["created"]) if isinstance(fields["created"], dt.datetime) else str(fields["created"]),
        "actor_id": _id(fields.get("actor_id")),
        "actor_name": fields.get("actor_name") or "",
        "role": fields.get("role") or "",
        "object_type": fields["object_type"],
        "object_id": str(fields["object_id"]),
        "action": fields["action"],
        "before": _plain(fields.get("before")),
        "after": _plain(fields.get("after")),
        "prev_hash": prev_hash,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def record_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def template(fields: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The canonical text of a record whose time, id and previous hash are not known yet, in four pieces:
    ``canonical(fields | {created, id}, prev_hash)`` is ``p0 + iso_utc(created) + p1 + str(id) + p2 + prev_hash +
    p3`` (UTF-8). For a store that fills in those three under its own lock (the PostgreSQL append computes the
    SHA-256 there). The pieces are cut at random markers, so no content can be mistaken for one."""
    nonce = uuid.uuid4().hex
    marks = (f"GRIDGOVc{nonce}", f"GRIDGOVi{nonce}", f"GRIDGOVp{nonce}")
    text = canonical({**fields, "created": marks[0], "id": marks[1]}, marks[2]).decode()
    pieces = []
    for mark in marks:
        head, found, text = text.partition(mark)
        if not found or mark in text:
            raise ChainError("审计记录模板生成失败")
        pieces.append(head)
    return pieces[0], pieces[1], pieces[2], text


class Verdict(NamedTuple):
    ok: bool
    first_bad_id: Any  # the id of the first record that fails, None when ok
    reason: str  # "" when ok


# Reasons (shown to people).
EDITED = "记录内容与其哈希不符（记录被修改）"
RELINKED = "前一哈希与上一条记录 #{prev} 的哈希不符（其前的记录被删除、插入或调换）"
NOT_GENESIS = "第一条记录的前一哈希不是初始值（开头的记录被删除或插入）"
NOT_ASCENDING = "记录编号不递增（记录被调换或插入）"


def verify(records: Iterable[Mapping[str, Any]], start_hash: str = GENESIS) -> Verdict:
    """Check a chain, streaming: ``records`` in chain order, each a mapping with FIELDS, prev_hash and hash.

    Returns the first record whose own hash does not match its content, or whose prev_hash does not match
    the previous record's hash (``start_hash`` for the first record), or whose id does not ascend.
    """
    prev_hash, prev_id = start_hash, None
    for rec in records:
        rid = rec["id"]
        if prev_id is not None and not _ascends(prev_id, rid):
            return Verdict(False, rid, NOT_ASCENDING)
        if rec["prev_hash"] != prev_hash:
            reason = NOT_GENESIS if prev_id is None else RELINKED.format(prev=prev_id)
            return Verdict(False, rid, reason)
        try:
            expected = record_hash(rec, rec["prev_hash"])
        except (ChainError, KeyError, TypeError, ValueError):
            return Verdict(False, rid, EDITED)
        if rec["hash"] != expected:
            return Verdict(False, rid, EDITED)
        prev_hash, prev_id = rec["hash"], rid
    return Verdict(True, None, "")


def _ascends(a: Any, b: Any) -> bool:
    try:
        return int(b) > int(a)
    except (TypeError, ValueError):
        return str(b) > str(a)
