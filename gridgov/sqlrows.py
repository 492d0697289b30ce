"""Plain-SQL SELECT, INSERT and UPDATE of model rows, for the hot paths of the case engine.

Why not the ORM there: building and compiling an INSERT or UPDATE through the ORM costs 0.3–0.5 ms of CPU per
statement (a case row has 60 columns), more than the database needs to run it, and an intake or a transition
writes four or five rows. ``insert``, ``insert_many`` and ``update`` cache the statement text per model and set
of columns and take everything else from the model's own fields — column names, ``pre_save`` (``auto_now``),
``get_db_prep_save`` (JSON, decimals, time zones) — so the rows they write are the rows ``Model.save()``,
``bulk_create()`` and ``QuerySet.update()`` would write (tests/integration/test_sqlrows.py compares them column by
column on every backend). ``insert_with_children`` and ``update_with_children`` write a row and rows that point
to it in one statement on PostgreSQL (one round trip). ``fetch`` and ``values`` read rows the same way: the ORM
spends most of a one-row read of a wide table on per-column work (compiling the column list, the cursor's
description, choosing converters), which is done here once per model.

What they do not do: signals (gridgov connects none), validation, related-object caching beyond setting the
primary key. Use them only where a profile says the ORM is the cost.
"""

import re
from functools import cache

from django.db import connections, router
from django.db.models import Model

try:  # psycopg 3 (pinned): see below
    from psycopg import _queries as _psycopg_queries
except ImportError:  # pragma: no cover - SQLite-only installs
    _psycopg_queries = None

# psycopg caches the parsing of a statement's placeholders only for statements of at most 50 parameters (its
# guard against caching ever-different bulk INSERTs); an intake's one statement has 78 (a case row has 59
# columns), and re-parsing it costs 0.3–0.4 ms of CPU per request. The statements here are few and fixed, so the
# bound is raised (the cache itself stays an LRU of 128 statements). A private constant of the pinned psycopg:
# if it is gone, nothing breaks — statements are parsed every time, as before.
if _psycopg_queries is not None and getattr(_psycopg_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < 200:
    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = 200


@cache
def _insert_sql(model: type[Model], vendor: str, returning: bool) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not (f.primary_key and f.db_returning))
    quote = connections[router.db_for_write(model)].ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, fields


def insert(obj: Model) -> Model:
    """INSERT ``obj`` as ``obj.save()`` would (auto_now stamps included) and set its primary key."""
    model = type(obj)
    alias = router.db_for_write(model)
    conn = connections[alias]
    returning = conn.features.can_return_columns_from_insert
    sql, fields = _insert_sql(model, conn.vendor, returning)
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else conn.ops.last_insert_id(cursor, model._meta.db_table,
                                                                             model._meta.pk.column)
    setattr(obj, model._meta.pk.attname, pk)
    obj._state.adding, obj._state.db = False, alias
    return obj


def insert_with_children(parent: Model, children: list[Model], link: str) -> Model:
    """INSERT ``parent`` and ``children`` (rows of other models whose foreign key ``link`` points to the parent),
    as ``insert`` one after the other would. On PostgreSQL it is ONE statement (the children's inserts select the
    parent's new id from a data-modifying WITH): an intake writes its case, report and timeline row in one round
    trip. Elsewhere: one statement per row."""
    conn = connections[router.db_for_write(type(parent))]
    for child in children:
        setattr(child, link, parent)
    if conn.vendor != "postgresql":
        insert(parent)
        for child in children:
            setattr(child, link, parent)  # now with its primary key
            insert(child)
        return parent
    sql, fields = _insert_sql(type(parent), conn.vendor, True)
    params = [f.get_db_prep_save(f.pre_save(parent, True), conn) for f in fields]
    row = _with_children(conn, sql, params, children, link)
    setattr(parent, parent._meta.pk.attname, row[0])
    parent._state.adding, parent._state.db = False, conn.alias
    for child in children:
        setattr(child, link, parent)
    return parent


def update_with_children(model: type[Model], values: dict, children: list[Model], link: str, **where) -> int:
    """``update(model, values, **where)`` and, if it changed exactly one row, INSERT ``children`` (their foreign
    key ``link`` is that row). Returns the number of rows updated; when it is not 1, no child is written. On
    PostgreSQL one statement (a transition updates its case and writes its timeline row in one round trip)."""
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        changed = update(model, values, **where)
        if changed == 1:
            for child in children:
                insert(child)
        return changed
    where = {(model._meta.pk.attname if k == "pk" else k): v for k, v in where.items()}
    sql, sets, conds = _update_sql(model, tuple(values), tuple(where))
    params = [f.get_db_prep_save(v, conn) for f, v in zip(sets, values.values(), strict=True)]
    params += [f.get_db_prep_value(v, conn) for f, v in zip(conds, where.values(), strict=True)]
    row = _with_children(conn, f"{sql} RETURNING {conn.ops.quote_name(model._meta.pk.column)}", params, children,
                         link, exactly_one=True)
    return row[0]


_TYPMOD = re.compile(r"\(.*\)")


@cache
def _child_insert(model: type[Model], link: str, n: int, exactly_one: bool) -> tuple[str, tuple]:
    """The WITH item ``c<n>`` inserting a row of ``model`` whose ``link`` is p's key, and its parameter fields."""
    meta = model._meta
    conn = connections[router.db_for_write(model)]
    quote = conn.ops.quote_name
    cols = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    fk = meta.get_field(link)
    # typed parameters (a SELECT list does not take its types from the target columns); the type without its
    # length, so that an over-long value is refused as by a plain INSERT instead of cut by the cast
    values = ", ".join("p.id" if f is fk else f"%s::{_TYPMOD.sub('', f.cast_db_type(conn))}" for f in cols)
    guard = " WHERE (SELECT count(*) FROM p) = 1" if exactly_one else ""
    sql = (f"c{n} AS (INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in cols)}) "
           f"SELECT {values} FROM p{guard} RETURNING {quote(meta.pk.column)})")
    return sql, tuple(f for f in cols if f is not fk)


def _with_children(conn, parent_sql: str, params: list, children: list[Model], link: str,
                   exactly_one: bool = False) -> tuple:
    """Run ``parent_sql`` (an INSERT or UPDATE … RETURNING the primary key, as "p") and the children's INSERTs
    selecting p's key, as one statement; returns (parent key or row count, child keys…) and sets the children's
    keys. With ``exactly_one``, children are written only if p has exactly one row."""
    quote = conn.ops.quote_name
    parts = [f"p AS ({parent_sql})"]
    params = list(params)
    for n, child in enumerate(children):
        sql, fields = _child_insert(type(child), link, n, exactly_one)
        parts.append(sql)
        params += [f.get_db_prep_save(f.pre_save(child, True), conn) for f in fields]
    first = "(SELECT count(*) FROM p)" if exactly_one else "(SELECT id FROM p)"
    ids = ", ".join([first] + [f"(SELECT {quote(c._meta.pk.column)} FROM c{n})" for n, c in enumerate(children)])
    with conn.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {ids}", params)
        row = cursor.fetchone()
    for child, pk in zip(children, row[1:], strict=True):
        if pk is not None:
            setattr(child, child._meta.pk.attname, pk)
            child._state.adding, child._state.db = False, conn.alias
    return row


def insert_many(objs: list[Model], batch: int = 500) -> list[Model]:
    """INSERT rows of one model, ``batch`` per statement (as ``bulk_create``; fewer where the database takes fewer
    parameters in one statement), setting their primary keys where the database returns them (PostgreSQL,
    SQLite)."""
    if objs:
        conn = connections[router.db_for_write(type(objs[0]))]
        limit = conn.features.max_query_params
        if limit and conn.vendor != "postgresql":  # PostgreSQL takes one array per column (_insert_unnest_sql)
            batch = max(1, min(batch, limit // len(type(objs[0])._meta.concrete_fields)))
    for start in range(0, len(objs), batch):
        _insert_rows(objs[start:start + batch])
    return objs


def _insert_rows(objs: list[Model]) -> list[Model]:
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    conn = connections[alias]
    returning = conn.features.can_return_rows_from_bulk_insert
    sql, fields = _insert_sql(model, conn.vendor, returning)
    if conn.vendor == "postgresql" and len(objs) > 1:
        # one array per column (INSERT … SELECT FROM unnest, as Django's bulk_create does on PostgreSQL): the
        # statement's text and its number of parameters do not grow with the rows, so the driver parses it once
        # and the server prepares it once, instead of a new statement of thousands of placeholders each time
        sql = _insert_unnest_sql(model, returning)
        params = [[f.get_db_prep_save(f.pre_save(obj, True), conn) for obj in objs] for f in fields]
    else:
        head, _, tail = sql.partition(" VALUES ")
        row, _, ret = tail.partition(" RETURNING ")
        sql = f"{head} VALUES {', '.join([row] * len(objs))}" + (f" RETURNING {ret}" if returning else "")
        params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for obj in objs for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        pks = [r[0] for r in cursor.fetchall()] if returning else [None] * len(objs)
    for obj, pk in zip(objs, pks, strict=True):
        setattr(obj, model._meta.pk.attname, pk)
        obj._state.adding, obj._state.db = False, alias
    return objs


def _array_type(field, conn) -> str:
    return f"{_TYPMOD.sub('', field.cast_db_type(conn))}[]"


@cache
def _insert_unnest_sql(model: type[Model], returning: bool) -> str:
    conn = connections[router.db_for_write(model)]
    sql, fields = _insert_sql(model, conn.vendor, returning)
    head, _, tail = sql.partition(" VALUES ")
    _, _, ret = tail.partition(" RETURNING ")
    arrays = ", ".join(f"%s::{_array_type(f, conn)}" for f in fields)
    return f"{head} SELECT * FROM unnest({arrays})" + (f" RETURNING {ret}" if returning else "")


@cache
def _select(model: type[Model], vendor: str, names: tuple[str, ...] | None = None) -> tuple[str, tuple[str, ...], tuple]:
    meta = model._meta
    conn = connections[router.db_for_read(model)]
    quote = conn.ops.quote_name
    fields = tuple(meta.concrete_fields) if names is None else tuple(meta.get_field(n) for n in names)
    converters = []  # (position, column, converters) as the ORM's compiler would choose them
    for i, f in enumerate(fields):
        col = f.get_col(meta.db_table)
        chain = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if chain:
            converters.append((i, col, tuple(chain)))
    sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)}"
    return sql, tuple(f.attname for f in fields), tuple(converters)


def _rows(model: type[Model], names, where: str, params) -> tuple[str, tuple[str, ...], list[list]]:
    alias = router.db_for_read(model)
    conn = connections[alias]
    select, attnames, converters = _select(model, conn.vendor, names)
    with conn.cursor() as cursor:
        cursor.execute(f"{select} WHERE {where}", params)
        rows = [list(r) for r in cursor.fetchall()]
    for values in rows:
        for i, col, chain in converters:
            for convert in chain:
                values[i] = convert(values[i], col, conn)
    return alias, attnames, rows


def fetch(model: type[Model], where: str, params=()) -> list[Model]:
    """The rows of ``model`` matching the SQL condition ``where`` as model instances, like a queryset would give."""
    alias, attnames, rows = _rows(model, None, where, params)
    return [model.from_db(alias, attnames, values) for values in rows]


def values(model: type[Model], names: tuple[str, ...], where: str, params=()) -> list[dict]:
    """Some columns (field names) of the rows matching ``where`` as dicts, like ``QuerySet.values(*names)``."""
    _, _, rows = _rows(model, tuple(names), where, params)
    return [dict(zip(names, r, strict=True)) for r in rows]


@cache
def _update_sql(model: type[Model], columns: tuple[str, ...], where: tuple[str, ...]) -> tuple[str, tuple, tuple]:
    meta = model._meta
    quote = connections[router.db_for_write(model)].ops.quote_name
    sets = tuple(meta.get_field(a) for a in columns)
    conds = tuple(meta.get_field(a) for a in where)
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in sets)} "
           f"WHERE {' AND '.join(f'{quote(f.column)} = %s' for f in conds)}")
    return sql, sets, conds


@cache
def _update_many_sql(model: type[Model], columns: tuple[str, ...], where: tuple[str, ...]) -> tuple[str, tuple, tuple]:
    meta = model._meta
    conn = connections[router.db_for_write(model)]
    quote = conn.ops.quote_name
    sets = tuple(meta.get_field(a) for a in columns)
    conds = tuple(meta.get_field(a) for a in where)
    names = [f"w{i}" for i in range(len(conds))] + [f"s{i}" for i in range(len(sets))]
    arrays = ", ".join(f"%s::{_array_type(f, conn)}" for f in (*conds, *sets))
    table = quote(meta.db_table)
    sql = (f"UPDATE {table} SET {', '.join(f'{quote(f.column)} = v.s{i}' for i, f in enumerate(sets))} "
           f"FROM unnest({arrays}) AS v ({', '.join(names)}) "
           f"WHERE {' AND '.join(f'{table}.{quote(f.column)} = v.w{i}' for i, f in enumerate(conds))}")
    return sql, sets, conds


def update_many(model: type[Model], rows: list[tuple[dict, dict]]) -> int:
    """``update(model, values, **where)`` for each ``(where, values)`` of ``rows``; returns the number of rows
    changed in all. On PostgreSQL the rows that set the same columns go in one statement
    (``UPDATE … FROM unnest(arrays)``, one array per column): a bulk action on a hundred cases is one round trip,
    not a hundred."""
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql" or len(rows) == 1:
        return sum(update(model, values, **where) for where, values in rows)
    pk = model._meta.pk.attname
    groups: dict[tuple, list] = {}
    for where, values in rows:
        where = {(pk if k == "pk" else k): v for k, v in where.items()}
        groups.setdefault((tuple(values), tuple(where)), []).append((where, values))
    changed = 0
    with conn.cursor() as cursor:
        # the rows are locked first, in primary-key order: two bulk updates of overlapping rows then queue one
        # behind the other instead of each locking some and waiting for the other's (a deadlock). NO KEY UPDATE
        # is the lock a plain UPDATE takes: it does not block rows being added that point to these (FOR UPDATE
        # would, and could deadlock with a merge moving reports to a case another bulk action holds)
        meta = model._meta
        quote = conn.ops.quote_name
        ids = sorted({w[pk] for items in groups.values() for w, _ in items})
        cursor.execute(f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = ANY(%s) "
                       f"ORDER BY {quote(meta.pk.column)} FOR NO KEY UPDATE", [ids])
        for (columns, keys), items in groups.items():
            sql, sets, conds = _update_many_sql(model, columns, keys)
            params = [[f.get_db_prep_value(w[f.attname], conn) for w, _ in items] for f in conds]
            params += [[f.get_db_prep_save(v[f.attname], conn) for _, v in items] for f in sets]
            cursor.execute(sql, params)
            changed += cursor.rowcount
    return changed


def update(model: type[Model], values: dict, **where) -> int:
    """``model.objects.filter(**where).update(**values)`` for plain equality filters on concrete fields (by
    attname, e.g. ``pk`` → the primary key); returns the number of rows changed."""
    conn = connections[router.db_for_write(model)]
    where = {(model._meta.pk.attname if k == "pk" else k): v for k, v in where.items()}
    sql, sets, conds = _update_sql(model, tuple(values), tuple(where))
    params = [f.get_db_prep_save(v, conn) for f, v in zip(sets, values.values(), strict=True)]
    params += [f.get_db_prep_value(v, conn) for f, v in zip(conds, where.values(), strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
