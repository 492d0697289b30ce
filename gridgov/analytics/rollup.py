"""Keeping the roll-up (``models.DailyCount`` / ``CohortCount``): the hooks the case services call inside their
transaction, and the rebuild from the case table.

- ``changing(changes, events)``: called by ``cases.services.transitions`` just before it writes the case rows —
  the database still holds each case as it was; ``changes`` are the same cases as they will be with their changed
  fields, ``events`` the new timeline rows. The old timeline events are read only when the change moves their
  counts (a new group, a new on-time bit). The difference (``logic.difference``) is added to the roll-up rows in one statement per table,
  so a rolled-back transition leaves the roll-up as it was.
- ``added(cases)``: called by ``cases.services.intake`` after it inserted new cases.
- ``rebuild(date_from, date_to)``: recomputes the rows of those days (all days when not given) from the cases and
  their timelines, through the same ``logic.counts``.
"""

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q

from gridgov.audit.services import record
from gridgov.cases.models import Case, CaseEvent
from gridgov.catalog.models import CatalogItem
from gridgov.geo.models import Grid

from . import logic
from .models import CohortCount, DailyCount, OpenCount

ROW_FIELDS = ("reported_at", "registered_at", "dispatched_at", "handled_at", "closed_at", "handle_due_at",
              "late_stages", "source", "rework_count", "handle_hours", "satisfaction", "scope_key",
              "management_grid_id", "assignee_department_id", "matter_id", "status", "stage", "stage_due_at",
              "paused_at")
DB_FIELDS = ROW_FIELDS + ("management_grid__code", "matter__kind", "matter__major_code", "matter__restricted_right")


def major_of(kind: str | None, major_code: str | None) -> str:
    """The group key of a matter's major class (大类): 「event-06」, 「part-01」; '' without a matter."""
    return f"{kind}-{major_code}" if kind else ""


def _case_dict(row: dict) -> dict:
    out = {f: row[f] for f in ROW_FIELDS}
    out["grid"] = row["management_grid__code"] or ""
    out["department"] = row["assignee_department_id"]
    out["major"] = major_of(row["matter__kind"], row["matter__major_code"])
    out["restricted"] = row["matter__restricted_right"] or ""
    return out


def _events_of(case_ids) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    rows = (CaseEvent.objects.filter(case_id__in=list(case_ids), action__in=sorted(logic.COUNTED_EVENTS))
            .order_by().values_list("case_id", "action", "role", "at"))
    for case_id, action, role, at in rows:
        out[case_id].append((action, role, at))
    return out


def _now_dict(case: Case, old: dict | None, grids: dict, matters: dict) -> dict:
    """The in-memory case (as it will be written) as ``logic`` reads it."""
    out = {f: getattr(case, f) for f in ROW_FIELDS}
    gid, mid = case.management_grid_id, case.matter_id
    out["grid"] = (old["grid"] if old and old["management_grid_id"] == gid else grids.get(gid, "")) or ""
    out["department"] = case.assignee_department_id
    if old and old["matter_id"] == mid:
        out["major"], out["restricted"] = old["major"], old["restricted"]
    else:
        out["major"], out["restricted"] = matters.get(mid, ("", ""))
    return out


def _lookups(cases, olds: dict) -> tuple[dict, dict]:
    """Codes of the grids and matters the old rows do not already give (a moved case, a new matter)."""
    gids = {c.management_grid_id for c in cases if c.management_grid_id
            and not (olds.get(c.pk) and olds[c.pk]["management_grid_id"] == c.management_grid_id)}
    mids = {c.matter_id for c in cases if c.matter_id
            and not (olds.get(c.pk) and olds[c.pk]["matter_id"] == c.matter_id)}
    grids = dict(Grid.objects.filter(pk__in=gids).values_list("pk", "code")) if gids else {}
    matters = {}
    for c in cases:  # the matter the service already holds (intake, a re-classification): no query
        if c.matter_id in mids and Case.matter.is_cached(c) and c.matter is not None:
            matters[c.matter_id] = (major_of(c.matter.kind, c.matter.major_code), c.matter.restricted_right or "")
    mids -= set(matters)
    if mids:
        matters |= {pk: (major_of(k, m), r or "") for pk, k, m, r in CatalogItem.objects.filter(pk__in=mids)
                    .values_list("pk", "kind", "major_code", "restricted_right")}
    return grids, matters


# the case fields the roll-up reads, and those that move its timeline events' counts too (group, on-time bits)
READ = frozenset(ROW_FIELDS)
MOVES_EVENTS = frozenset({"late_stages", "scope_key", "management_grid_id", "assignee_department_id", "matter_id"})


def changing(changes: list[tuple[Case, dict]], events: list[CaseEvent]) -> None:
    """Apply to the roll-up the change of each case — (the case as it is about to be written, its changed fields)
    — and the new timeline rows ``events``; call inside the transaction that writes them, before the UPDATE.
    A change that touches nothing the roll-up reads costs no query."""
    new_events = defaultdict(list)
    for e in events:
        if e.action in logic.COUNTED_EVENTS:
            new_events[e.case_id or e.case.pk].append((str(e.action), e.role, e.at))
    cases = [c for c, changed in changes if READ & set(changed) or c.pk in new_events]
    if not cases:
        return
    ids = [c.pk for c in cases]
    olds = {r["id"]: _case_dict(r) for r in Case.objects.filter(pk__in=ids).order_by().values("id", *DB_FIELDS)}
    moved = [c.pk for c, changed in changes if MOVES_EVENTS & set(changed)]
    old_events = _events_of(moved) if moved else {}
    grids, matters = _lookups(cases, olds)
    out = []
    for c in cases:
        old = olds.get(c.pk)
        before = (old, old_events.get(c.pk, [])) if old else None
        after = (_now_dict(c, old, grids, matters), old_events.get(c.pk, []) + new_events.get(c.pk, []))
        out.append((before, after))
    _apply(out)


def added(cases: list[Case]) -> None:
    """Apply new cases (just inserted, no counted events yet) to the roll-up."""
    grids, matters = _lookups(cases, {})
    _apply([(None, (_now_dict(c, None, grids, matters), [])) for c in cases])


def _apply(changes) -> None:
    daily: dict = defaultdict(lambda: defaultdict(float))
    cohort: dict = defaultdict(int)
    opened: dict = defaultdict(int)
    for before, after in changes:
        d, k = logic.difference(before, after)
        for key, fields in d.items():
            for f, v in fields.items():
                daily[key][f] += v
        for key, n in k.items():
            cohort[key] += n
        for key, n in logic.open_difference(before and before[0], after and after[0]).items():
            opened[key] += n
    _upsert_daily({k: v for k, v in daily.items() if any(v.values())})
    _upsert_cohort({k: n for k, n in cohort.items() if n})
    _upsert(OpenCount._meta.db_table, OPEN_KEYS, ["n"], [(*k, n) for k, n in sorted(opened.items()) if n])


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _upsert(table: str, keys: list[str], values: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    cols = keys + values
    row_sql = "(" + ", ".join(["%s"] * len(cols)) + ")"
    t = _q(table)
    sets = ", ".join(f"{_q(v)} = {t}.{_q(v)} + excluded.{_q(v)}" for v in values)
    with connection.cursor() as cur:
        for i in range(0, len(rows), 200):
            chunk = rows[i:i + 200]
            cur.execute(f"INSERT INTO {t} ({', '.join(_q(c) for c in cols)}) VALUES "
                        f"{', '.join([row_sql] * len(chunk))} ON CONFLICT ({', '.join(_q(k) for k in keys)}) "
                        f"DO UPDATE SET {sets}", [v for r in chunk for v in r])


DAILY_KEYS = ["dim", "grain", "key", "area", "restricted", "day"]
COHORT_KEYS = ["kind", "dim", "grain", "key", "area", "restricted", "start", "done_month"]
OPEN_KEYS = ["area", "grid", "department", "restricted", "due_month"]


def _upsert_daily(daily: dict) -> None:
    fields = list(logic.DAILY_FIELDS)
    rows = [(dim, grain, key, area, restricted, d, *[_num(f, v.get(f, 0)) for f in fields])
            for ((dim, key, area, restricted), grain, d), v in sorted(daily.items(), key=lambda kv: kv[0])]
    _upsert(DailyCount._meta.db_table, DAILY_KEYS, fields, rows)


def _upsert_cohort(cohort: dict) -> None:
    rows = [(kind, dim, grain, key, area, restricted, start, done, n)
            for ((dim, key, area, restricted), grain, (kind, start, done)), n in sorted(cohort.items())]
    _upsert(CohortCount._meta.db_table, COHORT_KEYS, ["n"], rows)


def _num(field: str, v):
    return float(v) if field == "handle_hours_sum" else int(round(v))


# ---------------------------------------------------------------- rebuild


def _local_start(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=logic.SHANGHAI)


def rebuild(date_from: dt.date | None = None, date_to: dt.date | None = None, batch: int = 5000, out=None) -> dict:
    """Recompute the roll-up rows of the local days ``date_from`` … ``date_to`` (inclusive, widened to whole months;
    every day when not given) from the cases and their timelines. One transaction; audited (``analytics`` /
    ``rebuild``)."""
    if date_from and date_to and date_to < date_from:
        from gridgov.errors import DomainError

        raise DomainError("invalid_range", "结束日期不能早于开始日期")
    if date_from:  # the month rows of the months touched are recomputed whole
        date_from = date_from.replace(day=1)
    if date_to:
        date_to = (date_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    with transaction.atomic():
        daily_rows = DailyCount.objects.all()
        cohort_rows = CohortCount.objects.all()
        cases = Case.objects.all()
        if date_from or date_to:
            lo = _local_start(date_from) if date_from else None
            hi = _local_start(date_to + dt.timedelta(days=1)) if date_to else None
            if date_from:
                daily_rows, cohort_rows = daily_rows.filter(day__gte=date_from), cohort_rows.filter(start__gte=date_from)
            if date_to:
                daily_rows, cohort_rows = daily_rows.filter(day__lte=date_to), cohort_rows.filter(start__lte=date_to)
            touched = Q()
            for f in ("reported_at", "registered_at", "dispatched_at", "handled_at", "closed_at", "handle_due_at",
                      "events__at"):
                touched |= Q(**({f"{f}__gte": lo} if lo else {})) & Q(**({f"{f}__lt": hi} if hi else {}))
            cases = cases.filter(pk__in=Case.objects.filter(touched).values("pk"))
        daily_rows.delete()
        cohort_rows.delete()
        daily: dict = defaultdict(lambda: defaultdict(float))
        cohort: dict = defaultdict(int)
        last, n = 0, 0
        while True:
            rows = list(cases.filter(pk__gt=last).order_by("pk").values("id", *DB_FIELDS)[:batch])
            if not rows:
                break
            last = rows[-1]["id"]
            events = _events_of([r["id"] for r in rows])
            for r in rows:
                d, k = logic.difference(None, (_case_dict(r), events.get(r["id"], [])))
                for key, fields in d.items():
                    if (date_from and key[2] < date_from) or (date_to and key[2] > date_to):
                        continue
                    for f, v in fields.items():
                        daily[key][f] += v
                for key, c in k.items():
                    start = key[2][1]
                    if (date_from and start < date_from) or (date_to and start > date_to):
                        continue
                    cohort[key] += c
            n += len(rows)
            if out:
                out(f"{n:,} cases read")
        _upsert_daily(daily)
        _upsert_cohort(cohort)
        opened = rebuild_open()
        summary = {"cases": n, "daily_rows": len(daily), "cohort_rows": len(cohort), "open_rows": opened,
                   "from": date_from.isoformat() if date_from else None,
                   "to": date_to.isoformat() if date_to else None}
        record(None, "rebuild", "analytics", "rollup", before={}, after=summary)
    return summary


def rebuild_open(batch: int = 5000) -> int:
    """Recompute the open counts (``OpenCount``) from the open cases — after a grid change re-keyed cases past the
    services, and in every ``rebuild``; inside the caller's transaction. Returns the rows written."""
    from gridgov.cases.logic.lifecycle import OPEN_STATES

    OpenCount.objects.all().delete()
    counts: dict = defaultdict(int)
    cases = Case.objects.filter(status__in=sorted(OPEN_STATES))
    last = 0
    while True:
        rows = list(cases.filter(pk__gt=last).order_by("pk").values("id", *DB_FIELDS)[:batch])
        if not rows:
            break
        last = rows[-1]["id"]
        for r in rows:
            key = logic.open_key(_case_dict(r))
            if key is not None:
                counts[key] += 1
    _upsert(OpenCount._meta.db_table, OPEN_KEYS, ["n"], [(*k, n) for k, n in sorted(counts.items())])
    return len(counts)


FOLD_KEEP_MONTHS = 2  # due months this far before now's keep their own rows (a read at a recent past moment stays exact)


def fold_open(now: dt.datetime) -> int:
    """Merge the open counts of due months long past (before now's month less ``FOLD_KEEP_MONTHS``) into one row per
    group (due month 1: "due in a month long past") and drop the empty rows — the backlog's cases stay red and
    their sums the same for every read at or after that cut, while a district's rows fall from one per group and
    due month to a few per group. Run by the deadline scan; safe beside concurrent case writes (PostgreSQL: the
    moved rows are deleted and re-added by one statement; SQLite: one writer at a time). Returns the rows moved."""
    d = now.astimezone(logic.SHANGHAI).date().replace(day=1)
    for _ in range(FOLD_KEEP_MONTHS):
        d = (d - dt.timedelta(days=1)).replace(day=1)
    cut = d.year * 100 + d.month
    t = _q(OpenCount._meta.db_table)
    keys = "area, grid, department, restricted"
    upsert = (f"ON CONFLICT (area, grid, department, restricted, due_month) DO UPDATE SET n = {t}.n + excluded.n")
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"""WITH gone AS (DELETE FROM {t} WHERE due_month > 1 AND due_month < %s
                                         RETURNING {keys}, n)
                            INSERT INTO {t} ({keys}, due_month, n) SELECT {keys}, 1, SUM(n) FROM gone
                            GROUP BY {keys} {upsert}""", [cut])
            moved = cur.rowcount
        else:
            cur.execute(f"""INSERT INTO {t} ({keys}, due_month, n) SELECT {keys}, 1, SUM(n) FROM {t}
                            WHERE due_month > 1 AND due_month < %s GROUP BY {keys} {upsert}""", [cut])
            moved = cur.rowcount
            cur.execute(f"DELETE FROM {t} WHERE due_month > 1 AND due_month < %s", [cut])
        cur.execute(f"DELETE FROM {t} WHERE n = 0")
    return moved
