"""The only writer of the audit log (审计日志); other services call :func:`record` inside their own transaction.

How appends stay a single chain under concurrency
-------------------------------------------------
The chain's end lives in one row, ``AuditHead`` (id 1: last id and last hash). An append

1. locks that row: ``SELECT … FOR UPDATE`` on PostgreSQL. The lock is held until the caller's transaction
   ends, so appends from concurrent transactions queue there, one transaction at a time. Under READ
   COMMITTED a waiting ``SELECT … FOR UPDATE`` returns the row as committed by the transaction it waited
   for, so it always sees the latest last id and hash. On SQLite gridgov opens every transaction with
   ``BEGIN IMMEDIATE`` (settings), which takes the database's write lock at the start, so writers are
   already serialised; with another transaction mode a no-op UPDATE of the head takes that lock first;
2. gives the new records ids ``last_id + 1, + 2, …`` (ids are the chain order: gap-free and ascending),
   the time (taken after the lock, so time never runs backwards along the chain), ``prev_hash`` and ``hash``;
3. inserts them and moves the head, in the same transaction.

If the caller's transaction rolls back, the records and the head move roll back together; nothing is lost and
no id is skipped. The price is that audited transactions serialise on the head from their first audit write
to their commit, so callers should audit late in their transaction and keep it short. ``record_many``
appends any number of records with one lock, one INSERT and one head update.

On PostgreSQL steps 1–3 are a single statement (``_APPEND_PG``): the database takes the lock and the time and
computes each SHA-256 over the canonical text, which the application prepares in pieces around the three
values only known under the lock (``chain.template``). So no round trip to the application happens while the
head is locked — only the caller's COMMIT — which is what bounds the rate of audited transactions.

Tamper evidence
---------------
Django refuses to change records (models.py); the database refuses UPDATE and DELETE unless the maintenance
switch is on (migration 0002: a trigger on PostgreSQL checking the session setting
``gridgov.audit_maintenance``, triggers on SQLite checking ``AuditHead.maintenance``). Someone who bypasses
both is caught by :func:`verify_chain` (``gridgov audit verify``), which also compares the chain's end with the
head, so removing the newest records is noticed too. (TRUNCATE is not guarded — Django's test flush uses it;
revoke TRUNCATE from the application's database role in production.)

Someone with full power over the database can still rewrite the chain whole (every hash and the head
recomputed): that is caught by the signed anchors kept outside the database (``anchoring.py``), which
``gridgov audit verify`` checks after the chain.

What is recorded
----------------
Every service write appends its record(s) in its own transaction: cases (intake, transitions, the scan's 系统督办
with actor None = 系统), grids and 五定, boundary and grid imports, generate-grids (one summary record per
bulk operation, with counts and codes), components, catalog configuration, deadline and routing rules, the
working calendar, the basic data (personal data as field names only, never values: see ``names``) and imports.
Configuration rows go through :func:`save_row` / :func:`delete_row`. The admin writes through the services
(``admin.ServiceAdmin``).
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from .logic import chain
from .models import AuditHead, AuditRecord

HEAD_ID = 1
SYSTEM_NAME = "系统"
_LIMITS = {"object_type": 40, "object_id": 64, "action": 40, "role": 40}


@dataclass(frozen=True, slots=True)
class Entry:
    """One change to append with :func:`record_many`."""

    action: str
    object_type: str
    object_id: str | int
    before: Any = None
    after: Any = None


@dataclass
class ChainReport:
    ok: bool
    count: int  # records checked
    first_bad_id: int | None = None
    reason: str = ""
    first_bad: AuditRecord | None = None  # None when the record is missing


# ---------------------------------------------------------------- appending


def record(actor, action: str, object_type: str, object_id, before=None, after=None, role: str | None = None
           ) -> AuditRecord:
    """Append one record. Call inside the caller's ``transaction.atomic()``; ``actor`` None is the system."""
    return _append(actor, role, [Entry(action, object_type, object_id, before, after)])[0]


def record_many(actor, entries: Iterable[Entry | Mapping[str, Any]], role: str | None = None) -> list[AuditRecord]:
    """Append several records by one actor at once (one lock, one INSERT), in the order given."""
    items = [e if isinstance(e, Entry) else Entry(**e) for e in entries]
    return _append(actor, role, items) if items else []


def values(obj, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance as the audit stores them (a foreign key as its id).

    For ``before``/``after``. Never pass fields holding personal data in clear (names, ID numbers, phones,
    free text about a person): record their names with :func:`names` instead.
    """
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = chain.to_json_value(getattr(obj, field.attname))
    return out


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def names(fields: Iterable[str]) -> dict[str, list[str]]:
    """The record of a change to personal data: which fields changed, never their values."""
    return {"fields": sorted(set(fields))}


def save_row(actor, obj, fields: Iterable[str], object_type: str, object_id=None):
    """Validate and save one configuration row (a rule, a category, a calendar day…) and record what changed:
    action ``create`` with the fields, or ``update`` with the changed ones (nothing changed: nothing recorded).
    For the app services that own such tables; call inside their ``transaction.atomic()``. Invalid values raise
    DomainError ``invalid_<object_type>`` with the model's own Chinese messages (nothing is written)."""
    from django.core.exceptions import ValidationError

    from gridgov.errors import DomainError

    fields = list(fields)
    previous = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    try:
        obj.full_clean()
    except ValidationError as e:
        text = "；".join(m for msgs in e.message_dict.values() for m in msgs) if hasattr(e, "error_dict") \
            else "；".join(e.messages)
        raise DomainError(f"invalid_{object_type}", text) from None
    obj.save()
    after = values(obj, fields)
    oid = obj.pk if object_id is None else object_id
    if previous is None:
        return record(actor, "create", object_type, oid, after=after)
    old, new = changed(values(previous, fields), after)
    return record(actor, "update", object_type, oid, before=old, after=new) if new or old else None


def delete_row(actor, obj, fields: Iterable[str], object_type: str, object_id=None):
    """Delete one configuration row and record it (action ``delete`` with its last values)."""
    before = values(obj, fields)
    oid = obj.pk if object_id is None else object_id
    obj.delete()
    return record(actor, "delete", object_type, oid, before=before)


def _snapshot(actor, role: str | None) -> tuple[int | None, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, SYSTEM_NAME, role or ""
    name = getattr(actor, "display_name", "") or ""
    username = actor.get_username()
    label = f"{name}（{username}）" if name and name != username else username
    return actor.pk, label, role if role is not None else (getattr(actor, "role", "") or "")


def _checked(entry: Entry) -> tuple[str, str, str, Any, Any]:
    object_id = str(entry.object_id)
    for field, value in (("object_type", entry.object_type), ("object_id", object_id), ("action", entry.action)):
        if not value or len(value) > _LIMITS[field]:
            raise ValueError(f"审计记录的 {field} 不能为空，且不超过 {_LIMITS[field]} 个字符：{value!r}")
    return entry.action, entry.object_type, object_id, chain.to_json_value(entry.before), chain.to_json_value(entry.after)


def _append(actor, role: str | None, entries: list[Entry]) -> list[AuditRecord]:
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise TransactionManagementError("gridgov.audit.record() 必须在调用方的 transaction.atomic() 中调用")
    actor_id, actor_name, role = _snapshot(actor, role)
    if len(role) > _LIMITS["role"]:
        raise ValueError(f"岗位代码过长：{role!r}")
    rows = [_checked(e) for e in entries]  # everything that can fail is checked before the lock is taken
    if conn.vendor == "postgresql":
        return _append_postgresql(conn, actor_id, actor_name, role, rows)
    with conn.cursor() as cursor:
        last_id, last_hash = _lock_head(conn, cursor)
        now = timezone.now()
        records = []
        for action, object_type, object_id, before, after in rows:
            last_id += 1
            fields = {"id": last_id, "created": now, "actor_id": actor_id, "actor_name": actor_name, "role": role,
                      "object_type": object_type, "object_id": object_id, "action": action,
                      "before": before, "after": after}
            digest = chain.record_hash(fields, last_hash)
            records.append(AuditRecord(**fields, prev_hash=last_hash, hash=digest))
            last_hash = digest
        _insert(conn, cursor, records, last_id, last_hash)
    return records


_HEAD = AuditHead._meta.db_table
_RECORDS = AuditRecord._meta.db_table
_COLUMNS = [AuditRecord._meta.get_field(n) for n in ("id", "created", "actor", "actor_name", "role", "object_type",
                                                     "object_id", "action", "before", "after", "prev_hash", "hash")]
_INSERT = f"INSERT INTO {_RECORDS} ({', '.join(f.column for f in _COLUMNS)}) VALUES "
_ROW = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
_MOVE_HEAD = f"UPDATE {_HEAD} SET last_id = %s, last_hash = %s WHERE id = %s"
_CHUNK = 1000  # rows per INSERT (PostgreSQL takes at most 65,535 parameters)


def _insert(conn, cursor, records: list[AuditRecord], last_id: int, last_hash: str) -> None:
    """INSERT the records and move the head (plain SQL: the hot path)."""
    for start in range(0, len(records), _CHUNK):
        chunk = records[start:start + _CHUNK]
        params = [f.get_db_prep_save(getattr(r, f.attname), conn) for r in chunk for f in _COLUMNS]
        cursor.execute(_INSERT + ", ".join([_ROW] * len(chunk)), params)
    cursor.execute(_MOVE_HEAD, [last_id, last_hash, HEAD_ID])
    for r in records:
        r._state.adding, r._state.db = False, conn.alias


# PostgreSQL: the whole append is ONE statement — lock the head, take the time, number and hash the records
# (SHA-256 of the canonical text, whose pieces chain.template() cut around the time, id and previous hash),
# insert them and move the head. The head stays locked until the caller commits, as before, but between taking
# the lock and committing there is no round trip to the application any more (it used to be: lock and read,
# hash in Python, insert): concurrent audited transactions queue on the head for the shortest possible time.
# The hashes are exactly chain.record_hash() (verify_chain recomputes them in Python; tests check both ways).
_APPEND_PG = f"""
WITH RECURSIVE
head AS MATERIALIZED (SELECT last_id, last_hash FROM {_HEAD} WHERE id = %(head)s FOR UPDATE),
stamp AS MATERIALIZED (SELECT last_id, last_hash::text AS last_hash, clock_timestamp() AS at FROM head),
a AS MATERIALIZED (
    SELECT %(p0)s::text[] AS p0, %(p1)s::text[] AS p1, %(p2)s::text[] AS p2, %(p3)s::text[] AS p3,
           to_char(stamp.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') AS at_text
    FROM stamp
),
chain (n, id, prev, hash) AS (
    SELECT 1, s.last_id + 1, s.last_hash,
           encode(sha256(convert_to(a.p0[1] || a.at_text || a.p1[1] || (s.last_id + 1)::text || a.p2[1]
                                    || s.last_hash || a.p3[1], 'UTF8')), 'hex')
    FROM stamp s, a
    UNION ALL
    SELECT c.n + 1, c.id + 1, c.hash,
           encode(sha256(convert_to(a.p0[c.n + 1] || a.at_text || a.p1[c.n + 1] || (c.id + 1)::text || a.p2[c.n + 1]
                                    || c.hash || a.p3[c.n + 1], 'UTF8')), 'hex')
    FROM chain c, a WHERE c.n < cardinality(a.p0)
),
inserted AS (
    INSERT INTO {_RECORDS} ({", ".join(f.column for f in _COLUMNS)})
    SELECT c.id, s.at, %(actor_id)s::bigint, %(actor_name)s::text, %(role)s::text, (%(types)s::text[])[c.n], (%(ids)s::text[])[c.n],
           (%(actions)s::text[])[c.n], (%(befores)s::text[])[c.n]::jsonb, (%(afters)s::text[])[c.n]::jsonb,
           c.prev, c.hash
    FROM chain c, stamp s
),
moved AS (
    UPDATE {_HEAD} SET last_id = c.id, last_hash = c.hash FROM chain c
    WHERE {_HEAD}.id = %(head)s AND c.n = (SELECT max(n) FROM chain)
)
SELECT c.id, c.prev, c.hash, s.at FROM chain c, stamp s ORDER BY c.n
"""


def _append_postgresql(conn, actor_id, actor_name: str, role: str, rows: list) -> list[AuditRecord]:
    fixed = {"actor_id": None if actor_id is None else str(actor_id), "actor_name": actor_name, "role": role}
    pieces = [chain.template({**fixed, "object_type": t, "object_id": i, "action": a, "before": b, "after": f})
              for a, t, i, b, f in rows]
    params = {
        "head": HEAD_ID, "actor_id": actor_id, "actor_name": actor_name, "role": role,
        "p0": [p[0] for p in pieces], "p1": [p[1] for p in pieces], "p2": [p[2] for p in pieces],
        "p3": [p[3] for p in pieces], "types": [r[1] for r in rows], "ids": [r[2] for r in rows],
        "actions": [r[0] for r in rows],
        "befores": [None if r[3] is None else json.dumps(r[3], ensure_ascii=False) for r in rows],
        "afters": [None if r[4] is None else json.dumps(r[4], ensure_ascii=False) for r in rows],
    }
    with conn.cursor() as cursor:
        cursor.execute(_APPEND_PG, params)
        out = cursor.fetchall()
        if not out:  # no head row (a flushed database): rebuild it from the last record, then append
            _lock_head(conn, cursor)
            cursor.execute(_APPEND_PG, params)
            out = cursor.fetchall()
    records = []
    for (action, object_type, object_id, before, after), (rid, prev, digest, at) in zip(rows, out, strict=True):
        r = AuditRecord(id=rid, created=at, actor_id=actor_id, actor_name=actor_name, role=role,
                        object_type=object_type, object_id=object_id, action=action, before=before, after=after,
                        prev_hash=prev, hash=digest)
        r._state.adding, r._state.db = False, conn.alias
        records.append(r)
    return records


def _lock_head(conn, cursor) -> tuple[int, str]:
    if conn.vendor == "sqlite":
        mode = (conn.settings_dict.get("OPTIONS") or {}).get("transaction_mode")
        if str(mode).upper() not in ("IMMEDIATE", "EXCLUSIVE"):
            cursor.execute(f"UPDATE {_HEAD} SET last_id = last_id WHERE id = %s", [HEAD_ID])  # take the write lock
        sql = f"SELECT last_id, last_hash FROM {_HEAD} WHERE id = %s"
    else:
        sql = f"SELECT last_id, last_hash FROM {_HEAD} WHERE id = %s FOR UPDATE"
    cursor.execute(sql, [HEAD_ID])
    row = cursor.fetchone()
    if row is None:  # a flushed database (tests) or a hand-made one: rebuild the head from the last record
        last = AuditRecord.objects.order_by("-id").values_list("id", "hash").first() or (0, chain.GENESIS)
        AuditHead.objects.bulk_create([AuditHead(id=HEAD_ID, last_id=last[0], last_hash=last[1])],
                                      ignore_conflicts=True)
        cursor.execute(sql, [HEAD_ID])
        row = cursor.fetchone()
    return int(row[0]), row[1]


@contextmanager
def maintenance():
    """Switch the database guard off for the enclosed block (inside ``transaction.atomic()``).

    For deliberate maintenance only (e.g. removing records after archiving them elsewhere). Whatever is
    changed under it is still checked by :func:`verify_chain` — the switch opens the guard, not the chain.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise TransactionManagementError("审计维护模式必须在 transaction.atomic() 中使用")
    with transaction.atomic(), conn.cursor() as cursor:  # a savepoint: an error undoes the switch too
        if conn.vendor == "postgresql":
            cursor.execute("SET LOCAL gridgov.audit_maintenance = 'on'")
        else:
            _lock_head(conn, cursor)
            cursor.execute(f"UPDATE {_HEAD} SET maintenance = %s WHERE id = %s", [True, HEAD_ID])
        yield
        if conn.vendor == "postgresql":
            cursor.execute("SET LOCAL gridgov.audit_maintenance = 'off'")
        else:
            cursor.execute(f"UPDATE {_HEAD} SET maintenance = %s WHERE id = %s", [False, HEAD_ID])


# ---------------------------------------------------------------- reading


def history(object_type: str, object_id) -> list[AuditRecord]:
    """Every record of one object, oldest first."""
    return list(AuditRecord.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id"))


_VALUES = ("id", "created", "actor_id", "actor_name", "role", "object_type", "object_id", "action", "before",
           "after", "prev_hash", "hash")


def verify_chain(batch: int = 5000) -> ChainReport:
    """Stream the whole log in id order (``batch`` rows per fetch) and check every link and every hash.

    The head is read first and only records up to it are checked, so appends committed meanwhile do not
    disturb the check; then the chain's end must be the head (the newest records were not removed) and no
    record may lie beyond the head without having moved it (nothing was slipped in behind the service).
    """
    head = AuditHead.objects.filter(pk=HEAD_ID).values_list("last_id", "last_hash").first()
    qs = AuditRecord.objects.order_by("id").values(*_VALUES)
    if head is not None:
        qs = qs.filter(id__lte=head[0])
    seen = {"count": 0, "id": 0, "hash": chain.GENESIS}

    def stream() -> Iterator[dict]:
        for row in qs.iterator(chunk_size=batch):
            yield row
            seen["count"] += 1
            seen["id"], seen["hash"] = row["id"], row["hash"]

    verdict = chain.verify(stream())
    count = seen["count"] + (0 if verdict.ok else 1)
    if not verdict.ok:
        return _report(False, count, verdict.first_bad_id, verdict.reason)
    if head is not None:
        last_id, last_hash = head
        if seen["id"] < last_id:
            return _report(False, count, seen["id"] + 1,
                           f"记录 #{seen['id'] + 1}～#{last_id} 缺失（链尾的记录被删除），链头为 #{last_id}")
        if seen["hash"] != last_hash:
            return _report(False, count, last_id, "最后一条记录的哈希与链头不符（记录被修改或替换）")
        stray = AuditRecord.objects.filter(id__gt=last_id).order_by("id").values_list("id", flat=True).first()
        if stray is not None:
            head_now = AuditHead.objects.filter(pk=HEAD_ID).values_list("last_id", flat=True).first() or 0
            if stray > head_now:
                return _report(False, count, stray, "记录未经审计服务追加（链头之后多出的记录）")
    return _report(True, count, None, "")


def _report(ok: bool, count: int, bad_id, reason: str) -> ChainReport:
    bad = AuditRecord.objects.filter(pk=bad_id).first() if bad_id is not None else None
    return ChainReport(ok=ok, count=count, first_bad_id=bad_id, reason=reason, first_bad=bad)


def describe(report: ChainReport) -> str:
    """The one-line verdict people read (command line and API)."""
    if report.ok:
        return f"审计链完整：{report.count} 条记录"
    rec = report.first_bad
    if rec is None:
        where = "记录已缺失"
    else:
        moment = timezone.localtime(rec.created).strftime("%Y-%m-%d %H:%M:%S")
        where = f"{moment}、{rec.object_type} {rec.object_id}、{rec.action}"
    return f"第一条被篡改的记录：#{report.first_bad_id}（{where}）— {report.reason}"



def guard_active() -> bool | None:
    """Whether the database guard (migration 0002) is in place and enabled; None where there is none."""
    conn = transaction.get_connection()
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_auditrecord_guard'")
            row = cursor.fetchone()
            return row is not None and row[0] != "D"
        if conn.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                           "('audit_auditrecord_no_update', 'audit_auditrecord_no_delete')")
            return cursor.fetchone()[0] == 2
    return None
