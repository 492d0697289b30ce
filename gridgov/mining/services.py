"""数据挖掘: reads the cases of a scope through ``scoped`` and hands them to the pure ``logic`` modules; the KPI figures
of the weak spots come from ``gridgov.kpi`` (its definitions, not a second copy). :func:`request` stores a ``Run``
and queues ``mining.compute``; pages read the stored result.

Library: scipy (binomial tail) and statsmodels (Benjamini–Hochberg, Holt-Winters, STL) — both long-maintained, the
reference implementations of these textbook methods, and pure wheels on every platform.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix, scoped
from gridgov.audit.services import record
from gridgov.errors import DomainError, NotFound
from gridgov.kpi import queries as kpi
from gridgov.kpi.logic import indicators as ind

from .logic import forecast, hotspots, repeats, seasonal, weak
from .models import Run

VIEW = roles.MINING_VIEW
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
HISTORY_WEEKS = 156  # three years of weekly counts for the forecast and the season
MIN_CLASS_CASES = 10  # a matter class with fewer cases in the period is not tested for hotspots
MAX_SERIES = 6  # forecasts per breakdown (streets / classes), the largest first


def _local(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)


def _cases(user, scope_key: str):
    from gridgov.cases.models import Case

    return scoped(Case.objects.all(), user, roles.CASE_VIEW).filter(scope_key__startswith=scope_key)


def _unit_grids(scope_key: str) -> list[str]:
    from gridgov.geo.models import Grid

    return list(Grid.objects.filter(layer__kind="unit", scope_key__startswith=scope_key).values_list("code", flat=True))


def _weeks(last: dt.date) -> list[dt.date]:
    """The Mondays of the complete weeks up to ``last`` (the latest ``HISTORY_WEEKS``)."""
    end = last - dt.timedelta(days=(last.weekday() + 1) % 7)  # the last Sunday on or before ``last``
    first = end - dt.timedelta(days=7 * HISTORY_WEEKS - 1)
    return [first + dt.timedelta(days=7 * i) for i in range(HISTORY_WEEKS)]


def _series(days: list[tuple[str, dt.date]], mondays: list[dt.date]) -> dict[str, list[int]]:
    """key → weekly counts over ``mondays`` (leading weeks before the first case dropped)."""
    index = {m: i for i, m in enumerate(mondays)}
    out: dict[str, list[int]] = defaultdict(lambda: [0] * len(mondays))
    for key, d in days:
        i = index.get(d - dt.timedelta(days=d.weekday()))
        if i is not None:
            out[key][i] += 1
    trimmed = {}
    for k, v in out.items():
        start = next((i for i, x in enumerate(v) if x), len(v))
        trimmed[k] = v[start:]
    return trimmed


def _fc(name: str, weekly: list[int], mondays: list[dt.date]) -> dict:
    f = forecast.forecast([float(x) for x in weekly])
    return {"name": name, "method": f.method, "method_label": f.method_label, "values": list(f.values),
            "mae": f.mae, "mape": f.mape, "baseline_mae": f.baseline_mae, "baseline_mape": f.baseline_mape,
            "origins": f.origins, "short": f.short, "words": forecast.error_words(f), "weeks_used": len(weekly),
            "history": weekly[-12:], "weeks": [m.isoformat() for m in mondays[-len(weekly):]][-12:]}


def analyse(user, scope_key: str, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> dict:
    """Every result for the scope over [first, last] (read with ``user``'s scope), as plain JSON values."""
    from gridgov.cases.services.lights import overdue_q
    from gridgov.catalog.models import CatalogItem
    from gridgov.geo.models import Jurisdiction

    require(user, VIEW)
    now = now or timezone.now()
    start, end = _local(first), _local(last + dt.timedelta(days=1))
    cases = _cases(user, scope_key)
    rows = list(cases.filter(reported_at__gte=start, reported_at__lt=end).values_list(
        "number", "unit_grid__code", "matter__code", "matter__major_code", "reported_at", "closed_at", "lon", "lat"))
    majors = dict(CatalogItem.objects.values_list("major_code", "major_name").distinct())
    matters = dict(CatalogItem.objects.values_list("code", "name"))
    units = _unit_grids(scope_key)
    # hotspots: every case, then each matter class with enough cases
    spots = []
    by_major: dict[str, Counter] = defaultdict(Counter)
    for _n, unit, _m, major, *_ in rows:
        if unit:
            by_major[""][unit] += 1
            by_major[major or ""][unit] += 1 if major else 0
    for major, counts in sorted(by_major.items()):
        if major and sum(counts.values()) < MIN_CLASS_CASES:
            continue
        for h in hotspots.find(counts, units, major):
            spots.append({"unit": h.unit, "matter": major, "matter_name": majors.get(major, "全部问题") if major
                          else "全部问题", "count": h.count, "expected": h.expected, "ratio": h.ratio,
                          "q": h.q_value, "sure": hotspots.how_sure(h.q_value)})
    # 屡禁不止: by unit grid (or the 50 m square when the case has no unit grid)
    reps = [repeats.Report(unit or repeats.cell(lon, lat), m or "", n, rep, closed)
            for n, unit, m, _mj, rep, closed, lon, lat in rows]
    recurring = [{"place": r.place, "matter": r.matter, "matter_name": matters.get(r.matter, r.matter),
                  "cases": r.cases, "re_reports": r.re_reports, "numbers": list(r.numbers)}
                 for r in repeats.find(reps)][:20]
    # weak spots: the KPI definitions per management grid and department, and the open cases past their deadline
    p = ind.day_range(first, last)
    weak_rows = []
    for level, label in (("grid", "网格"), ("department", "部门")):
        tallies = kpi.tallies(user, level, p)
        groups = {k: (c, n) for k, c, n in kpi._groups(user, level, set(tallies))}
        on_time = [(groups[k][0], groups[k][1], ind.on_time_rate(t), t.closed) for k, t in tallies.items()
                   if k in groups and (level == "department" or str(groups[k][0]).startswith(scope_key))]
        rework = [(groups[k][0], groups[k][1], ind.rework_rate(t), t.handled) for k, t in tallies.items()
                  if k in groups and (level == "department" or str(groups[k][0]).startswith(scope_key))]
        key = "management_grid__code" if level == "grid" else "assignee_department__name"
        over = [(str(r["k"]), str(r["k"]), float(r["n"]), int(r["n"])) for r in
                cases.filter(overdue_q(now)).exclude(**{f"{key}__isnull": True}).values(k=F(key)).annotate(n=Count("id")).order_by()]
        for w in weak.worst(on_time, "on_time", True) + weak.worst(rework, "rework", False) + \
                weak.worst(over, "overdue", False, min_base=1):
            weak_rows.append({"level": label, "code": w.code, "name": w.name, "measure": w.measure,
                              "value": w.value, "base": w.base})
    # forecast and season: weekly counts of the complete weeks up to ``last``
    mondays = _weeks(last)
    hist = list(cases.filter(reported_at__gte=_local(mondays[0]), reported_at__lt=_local(mondays[-1])
                             + dt.timedelta(days=7)).values_list("scope_key", "matter__major_code", "reported_at"))
    days = [(sk, mj, ra.astimezone(SHANGHAI).date()) for sk, mj, ra in hist]
    total = _series([("", d) for _, _, d in days], mondays).get("", [])
    street_level = len(scope_key) == 6
    part_len = 9 if street_level else 12
    by_part = _series([(sk[:part_len], d) for sk, _, d in days], mondays)
    by_class = _series([(mj or "", d) for _, mj, d in days if mj], mondays)
    names = dict(Jurisdiction.objects.filter(code__in=list(by_part)).values_list("code", "name"))
    fc_total = _fc("合计", total, mondays) if total else {**_fc("合计", [0], mondays), "history": [], "weeks": []}
    parts = sorted(by_part.items(), key=lambda kv: -sum(kv[1]))[:MAX_SERIES]
    classes = sorted(by_class.items(), key=lambda kv: -sum(kv[1]))[:MAX_SERIES]
    prof = seasonal.profile([d for _, _, d in days], mondays[0], mondays[-1] + dt.timedelta(days=6))
    return {
        "scope": scope_key, "first": first.isoformat(), "last": last.isoformat(), "cases": len(rows),
        "units_tested": len(units), "alpha": hotspots.ALPHA,
        "hotspots": spots[:30], "repeats": recurring, "repeat_days": repeats.DAYS, "repeat_times": repeats.TIMES,
        "weak": weak_rows,
        "forecast": {"total": fc_total,
                     "parts": [_fc(names.get(k, k), v, mondays) for k, v in parts],
                     "classes": [_fc(majors.get(k, k), v, mondays) for k, v in classes]},
        "season": None if prof is None else {"months": list(prof.months), "weekdays": list(prof.weekdays),
                                             "peak_month": prof.peak_month, "peak_weekday": prof.peak_weekday,
                                             "strength": seasonal.strength([float(x) for x in total])},
    }


def words(res: dict) -> dict:
    """The figures of a result as the words of the report and the page."""
    h = res["hotspots"]
    fc = res["forecast"]["total"]
    top = "；".join(f"网格 {x['unit']} 的{x['matter_name']} {x['count']} 件（按全区水平应约 {x['expected']:g} 件，"
                   f"{x['ratio']:g} 倍），{x['sure']}" for x in h[:3])
    return {"hotspot_count": len(h), "hotspot_words": (top + "。") if top else "未发现明显的热点网格。",
            "repeat_count": len(res["repeats"]), "repeat_days": res["repeat_days"], "repeat_times": res["repeat_times"],
            "forecast_next": f"{(sum(fc['values']) / len(fc['values'])):.0f}" if fc["values"] else "—",
            "forecast_error": fc["words"] + ("（数据不足两年，未计季节因素。）" if fc["short"] else "")}


MEASURES = {"on_time": "按期结案率", "rework": "返工率", "overdue": "超期在办"}


def table(res: dict, name: str) -> dict:
    """A result as a table (header, rows) for the report and the page."""
    if name == "hotspots":
        return {"header": ["单元网格", "问题类别", "件数", "全区水平应有", "倍数", "把握程度"],
                "rows": [[x["unit"], x["matter_name"], x["count"], f"{x['expected']:g}", f"{x['ratio']:g}",
                          f"q={x['q']:.4f}"] for x in res["hotspots"]]}
    if name == "repeats":
        return {"header": ["地点", "事项", "件数", "结案后再报", "再报案件"],
                "rows": [[x["place"], x["matter_name"], x["cases"], x["re_reports"], "、".join(x["numbers"][:5])]
                         for x in res["repeats"]]}
    if name == "weak":
        return {"header": ["层级", "单位", "指标", "数值", "基数（件）"],
                "rows": [[x["level"], x["name"], MEASURES[x["measure"]],
                          str(int(x["value"])) if x["measure"] == "overdue" else ind.fmt("rate", x["value"]), x["base"]]
                         for x in res["weak"]]}
    if name == "forecast":
        rows = []
        for f in [res["forecast"]["total"]] + res["forecast"]["parts"] + res["forecast"]["classes"]:
            rows.append([f["name"], " / ".join(f"{v:g}" for v in f["values"]), f["method_label"],
                         "—" if f["mae"] is None else f"{f['mae']:g}",
                         "—" if f["mape"] is None else f"{f['mape'] * 100:.0f}%",
                         "—" if f["baseline_mae"] is None else f"{f['baseline_mae']:g}"])
        return {"header": ["对象", "未来四周（件/周）", "方法", "回测平均误差（件）", "回测误差率", "简单方法误差（件）"],
                "rows": rows}
    raise KeyError(name)


def request(user, scope: str | None, first: dt.date, last: dt.date, now: dt.datetime | None = None,
            queue: bool = True) -> Run:
    """Ask for the analysis of a scope and period: the stored run if there is one (recomputed when ``now`` is past
    a day since), otherwise a new run queued for ``mining.compute``."""
    from gridgov.briefs.services import scope_of

    require(user, VIEW)
    if last < first or (last - first).days > 366:
        raise DomainError("invalid_period", "期间应为一年以内，且结束日期不早于开始日期")
    j = scope_of(user, scope)
    now = now or timezone.now()
    with transaction.atomic():
        run, created = Run.objects.get_or_create(scope_key=j.code, first_day=first, last_day=last,
                                                 defaults={"requested_by": user, "requested_at": now})
        stale = run.computed_at is not None and now - run.computed_at > dt.timedelta(days=1)
        if created or stale or run.status == "failed":
            if not created:
                run.status, run.requested_by, run.requested_at = "pending", user, now
                run.save(update_fields=["status", "requested_by", "requested_at"])
            record(user, "request", "mining_run", run.pk, after={"scope": j.code, "first": str(first),
                                                                  "last": str(last)})
            from gridgov import background

            if queue:
                background.submit("mining.compute", run.pk)
    return run


def compute(run_id: int) -> None:
    """The background job: analyse with the requester's scope and store the result. Idempotent (a done run stays)."""
    run = Run.objects.filter(pk=run_id, status="pending").select_related("requested_by").first()
    if run is None or run.requested_by is None:
        return
    try:
        res = analyse(run.requested_by, run.scope_key, run.first_day, run.last_day)
        status = "done"
    except Exception as e:  # stored, shown on the page; the next request retries
        res, status = {"error": type(e).__name__}, "failed"
    with transaction.atomic():
        n = Run.objects.filter(pk=run_id, status="pending").update(result=res, status=status,
                                                                   computed_at=timezone.now())
        if n:
            record(None, "compute", "mining_run", run_id, after={"status": status})


def get(user, pk: int) -> Run:
    require(user, VIEW)
    prefix = scope_prefix(user)
    run = Run.objects.filter(pk=pk).first()
    if run is None or prefix is None or not run.scope_key.startswith(prefix):
        raise NotFound("unknown_run", "没有这项分析")
    return run
