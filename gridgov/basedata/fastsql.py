"""Bulk insert for large imports: COPY on PostgreSQL, ``executemany`` on SQLite (no model instances).

Values must already be in database form: str/int/float/bytes/None, dates as ISO strings, datetimes as
returned by ``db_datetime``.
"""

from django.db import connection


def db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def insert_rows(model, columns: list[str], rows) -> None:
    """Insert an iterable of tuples (a generator is consumed while the database works)."""
    from itertools import batched

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            raw = cur.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            for part in batched(rows, 20000):
                cur.executemany(sql, part)


def chunks(seq: list, size: int | None = None):
    size = size or (900 if connection.vendor == "sqlite" else 5000)
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def select_in(model, columns: list[str], key: str, values: list) -> list[tuple]:
    """``SELECT columns FROM model WHERE key IN values`` without per-value ORM overhead (one query on PostgreSQL)."""
    if not values:
        return []
    q = connection.ops.quote_name
    head = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(model._meta.db_table)} WHERE {q(key)}"
    out = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"{head} = ANY(%s)", [list(values)])
            return cur.fetchall()
        for part in chunks(list(values), 10000):
            cur.execute(f"{head} IN ({', '.join(['%s'] * len(part))})", part)
            out += cur.fetchall()
    return out


def max_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cur.fetchone()[0] or 0


def rows_after(model, columns: list[str], after: int) -> list[tuple]:
    """Rows inserted after ``max_id`` was taken (filter to one's own keys: others may have committed meanwhile)."""
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(model._meta.db_table)} WHERE id > %s", [after])
        return cur.fetchall()


def tune_for_bulk() -> None:
    """A larger page cache for this connection (SQLite): random-key index inserts stay in memory."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-262144")
