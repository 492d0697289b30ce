"""Households (issue #17 item 5): the 网格长's annual visit to every household, the cases of a household's file
(一户一档), and the 民情台账 of a grid and month. Reads only; every write stays in ``services``.

**Annual visit coverage** (001 篇4 「每位網格長每年必須對網格內每戶居民進行一次走訪了解」): a household counts as
visited in a year when it has at least one 走访 (``Visit.household``) in that calendar year (local time) by **a
网格长 whose scope holds it** — an account of post ``grid_leader`` whose node is a prefix of the household's scope
key. Visits by anyone else (the 网格员, the 督导员…) do not count: the seeds ask the 网格长 to go to every door; the
page shows them beside the figure (「其他人员已走访」) so the 网格长 knows who has at least been seen. The grid of
the coverage is the management grid (the 网格长's and 网格员's grid); figures roll up grid → community → street →
district, and the households left (not visited) are listed for a grid.

**The cases of a household** (一户一档): the cases the viewer may read (cases scoping and restricted classes apply)
that are
- 本楼栋: located within ``CASE_RADIUS_M`` metres of the household's building (楼栋坐标);
- 成员上报: reported with the phone number of one of its active members (the reports' blind index);
- 走访关联: named on a visit to the household (``Visit.case_number``).
A case is listed once, with every reason that holds.

**Masking.** The households left are named by their number, their address and the head of the household; a post
with ``basedata.unmask`` (网格长, administrator) sees the room and the name in full and each such list is written to
the access log (查看明文 when shown, 导出 when exported); any other post sees the building and 「***室」 and the name
masked (张*).
"""

import datetime as dt
import io
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from gridgov import spreadsheets
from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import NoRight, scoped
from gridgov.errors import DomainError

from . import rights
from .logic import ids
from .models import DiaryEntry, Household, Relation, Resident, ResidentStatus, Visit
from .stats import _local_midnight, _node, child_of

CASE_RADIUS_M = 30.0  # 本楼栋: a case within this distance of the building's point
LEFT_MAX = 2000  # households left listed at once (a grid has a few hundred)
FIRST_YEAR = 2000


# ---------------------------------------------------------------- values


def check_year(year: int | None) -> int:
    today = timezone.localdate()
    if year is None:
        return today.year
    if not FIRST_YEAR <= year <= today.year:
        raise DomainError("invalid_year", f"年度应在 {FIRST_YEAR} 年至今年（{today.year} 年）之间")
    return year


def check_month(value: str | None) -> tuple[dt.date, dt.date]:
    """"2026-11" → (2026-11-01, 2026-12-01); empty: this month. Not after this month."""
    today = timezone.localdate()
    if not value:
        start = today.replace(day=1)
    else:
        try:
            start = dt.date.fromisoformat(f"{value.strip()}-01")
        except ValueError:
            raise DomainError("invalid_month", "月份格式应为 YYYY-MM，例如 2026-11") from None
        if start > today or start.year < FIRST_YEAR:
            raise DomainError("invalid_month", "月份不能晚于本月")
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def node_names(keys) -> dict[str, str]:
    """Display names of nodes: streets and communities by their code, grids by their scope key."""
    from gridgov.geo.models import Grid, Jurisdiction

    keys = {k for k in keys if k}
    plain = [k for k in keys if len(k) <= 12]
    out = dict(Jurisdiction.objects.filter(code__in=plain).values_list("code", "name"))
    grids = [k for k in keys if len(k) > 12]
    for key, name, code in Grid.objects.filter(scope_key__in=grids).values_list("scope_key", "name", "code"):
        out[key] = name or code
    return out


def may_unmask(user) -> bool:
    return rights.has_right(user, rights.UNMASK)


def room_label(unit_no: str, room: str, unmask: bool) -> str:
    unit = f"{unit_no}单元 " if unit_no else ""
    return f"{unit}{room if unmask else '***'}室"


# ---------------------------------------------------------------- coverage


def _visited(node: str, year: int) -> tuple[set[int], dict[int, dt.datetime]]:
    """(households visited in ``year`` by a 网格长 holding them, {household: last visit by anyone else})."""
    t0, t1 = _local_midnight(dt.date(year, 1, 1)), _local_midnight(dt.date(year + 1, 1, 1))
    rows = (Visit.objects.filter(household__scope_key__startswith=node, visited_at__gte=t0, visited_at__lt=t1)
            .values_list("household_id", "household__scope_key", "worker__role", "worker__node_key", "visited_at"))
    by_leader, others = set(), {}
    for hid, key, role, worker_node, at in rows:
        if role == Role.GRID_LEADER and worker_node and key.startswith(worker_node):
            by_leader.add(hid)
        elif hid not in others or at > others[hid]:
            others[hid] = at
    return by_leader, {h: at for h, at in others.items() if h not in by_leader}


def _grid_of(node: str, key: str) -> str:
    """The row a household falls in below ``node``: the next level down, never below the management grid."""
    if len(node) > 12 or "." in node:
        return node.split(".")[0]
    return child_of(node, key).split(".")[0]


def coverage(user, year: int | None = None, node: str | None = None, with_left: bool | None = None) -> dict:
    """The 网格长's annual visit coverage of ``node`` (default: one's scope) in ``year``: totals, one row per next
    level (street, community, management grid) and, for a grid (or ``with_left``), the households left."""
    node = _node(user, node)
    year = check_year(year)
    by_leader, others = _visited(node, year)
    total, rows = 0, defaultdict(lambda: {"households": 0, "visited": 0, "others": 0})
    for pk, key in Household.objects.filter(scope_key__startswith=node).values_list("pk", "scope_key"):
        row = rows[_grid_of(node, key)]
        row["households"] += 1
        row["visited"] += pk in by_leader
        row["others"] += pk in others
        total += 1
    names = node_names([node, *rows])
    children = []
    for key in sorted(rows):
        r = rows[key]
        children.append({"node": key, "name": names.get(key, key if key != node else "未划入网格"),
                         "households": r["households"], "visited": r["visited"], "left": r["households"] - r["visited"],
                         "others": r["others"], "rate": _rate(r["visited"], r["households"])})
    visited = len(by_leader)
    is_grid = len(node) > 12
    out = {"node": node, "name": names.get(node, node), "year": year, "is_grid": is_grid, "households": total,
           "visited": visited, "left": total - visited, "rate": _rate(visited, total), "children": children,
           "unmasked": may_unmask(user), "left_households": []}
    if with_left if with_left is not None else is_grid:
        out["left_households"] = left_households(user, node, by_leader, others)
    return out


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def left_households(user, node: str, by_leader: set[int], others: dict) -> list[dict]:
    """The households of ``node`` not visited by a 网格长 this year, masked per rights (see the module)."""
    unmask = may_unmask(user)
    qs = (rights.scoped(Household.objects.filter(scope_key__startswith=node), user, rights.STATS)
          .exclude(pk__in=by_leader).select_related("dwelling__building").order_by("scope_key", "number"))
    hhs = list(qs[:LEFT_MAX])
    heads, sizes = {}, defaultdict(int)  # the head of the household, else its first member
    for hid, name, rel in (Resident.objects.filter(household__in=hhs, status=ResidentStatus.ACTIVE)
                           .order_by("id").values_list("household_id", "name", "relation")):
        sizes[hid] += 1
        if rel == Relation.HEAD:
            heads[hid] = name
        heads.setdefault(hid, name)
    out = []
    for h in hhs:
        d = h.dwelling
        address = f"{d.building.address} {room_label(d.unit_no, d.room, unmask)}" if d else ""
        head = heads.get(h.pk, "")
        other = others.get(h.pk)
        out.append({"id": h.pk, "number": h.number, "grid": h.scope_key.split(".")[0], "address": address,
                    "head": head if unmask else ids.mask_name(head), "members": sizes[h.pk],
                    "building_id": d.building_id if d else None,
                    "other_visit": timezone.localdate(other) if other else None})
    return out


def log_left(user, node: str, year: int, n: int, action: str) -> None:
    """An unmasked list of households left is a reveal: one access-log line (how many, where, why)."""
    from .services import log_access

    if n and may_unmask(user):
        log_access(user, action, "household", node, "address,head", n, f"{year} 年网格长走访未覆盖户名单", node)


def coverage_xlsx(user, year: int | None, node: str | None) -> tuple[bytes, str]:
    """Two sheets: 覆盖率 (the rows of the page) and 未走访户 (every household left below ``node``)."""
    from openpyxl import Workbook

    data = coverage(user, year, node, with_left=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("覆盖率")
    spreadsheets.append_row(ws, ["范围", "名称", "户数", "网格长已走访", "未走访", "覆盖率(%)", "其他人员已走访"])
    spreadsheets.append_row(ws, [data["node"], data["name"], data["households"], data["visited"], data["left"],
                                 data["rate"], sum(c["others"] for c in data["children"])])
    for c in data["children"]:
        spreadsheets.append_row(ws, [c["node"], c["name"], c["households"], c["visited"], c["left"], c["rate"],
                                     c["others"]])
    ws = wb.create_sheet("未走访户")
    spreadsheets.append_row(ws, ["网格", "户编号", "地址", "户主", "在住人数", "其他人员本年走访"])
    for h in data["left_households"]:
        spreadsheets.append_row(ws, [h["grid"], h["number"], h["address"], h["head"], h["members"],
                                     h["other_visit"].isoformat() if h["other_visit"] else ""])
    out = io.BytesIO()
    wb.save(out)
    log_left(user, data["node"], data["year"], len(data["left_households"]), "export")
    return out.getvalue(), spreadsheets.XLSX_TYPE


# ---------------------------------------------------------------- the cases of a household


def household_cases(user, hh: Household) -> list[dict]:
    """The cases of ``hh`` the viewer may read, by the rule of the module (本楼栋, 成员上报, 走访关联)."""
    from gridgov.addresses.logic import box, distance_m
    from gridgov.cases.models import Case, CaseReport
    from gridgov.cases.services.intake import report_phone_index
    from gridgov.crypto import cipher

    from .services import PHONE_FIELD

    try:
        cases = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    except NoRight:
        return []
    reasons: dict[int, list[str]] = defaultdict(list)
    b = hh.dwelling.building if hh.dwelling_id else None
    if b is not None:
        x0, y0, x1, y1 = box(b.lon, b.lat, CASE_RADIUS_M)
        for pk, lon, lat in Case.objects.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1).values_list(
                "pk", "lon", "lat"):
            if distance_m(b.lon, b.lat, lon, lat) <= CASE_RADIUS_M:
                reasons[pk].append("本楼栋")
    c = cipher()
    phones = [c.decrypt(p, PHONE_FIELD) for p in hh.members.filter(status=ResidentStatus.ACTIVE)
              .exclude(phone_cipher=b"").values_list("phone_cipher", flat=True)]
    if phones:
        index = {report_phone_index(p) for p in phones if p}
        for pk in CaseReport.objects.filter(reporter_phone_index__in=index).values_list("case_id", flat=True).distinct():
            reasons[pk].append("成员上报")
    numbers = set(hh.visits.exclude(Q(case_number=None) | Q(case_number="")).values_list("case_number", flat=True))
    if numbers:
        for pk in Case.objects.filter(number__in=numbers).values_list("pk", flat=True):
            reasons[pk].append("走访关联")
    if not reasons:
        return []
    out = []
    for case in cases.filter(pk__in=list(reasons)).select_related("matter").order_by("-reported_at")[:200]:
        out.append({"number": case.number, "status": case.status, "status_label": case.get_status_display(),
                    "matter": str(case.matter) if case.matter_id else "", "address": case.address,
                    "reported_at": case.reported_at, "reasons": list(dict.fromkeys(reasons[case.pk]))})
    return out


# ---------------------------------------------------------------- 民情台账


LEDGER_HEAD = ["类别", "日期", "网格", "人员", "户", "反映问题 / 日记内容", "跟进情况", "关联案件"]


def ledger(user, node: str | None, month: str | None) -> dict:
    """民情台账 of ``node`` (default: one's scope) for a month: the month's visits to households and residents, the
    民情日记 entries, and what was raised (issues, follow-up, the case), oldest first; with counts per grid."""
    rights.require(user, rights.VIEW)
    prefix = _ledger_node(user, node)
    start, end = check_month(month)
    t0, t1 = _local_midnight(start), _local_midnight(end)
    visits = (rights.scoped(Visit.objects.filter(scope_key__startswith=prefix), user, rights.VIEW)
              .filter(visited_at__gte=t0, visited_at__lt=t1).select_related("worker", "household")
              .order_by("visited_at", "id"))
    diary = (rights.scoped(DiaryEntry.objects.filter(scope_key__startswith=prefix), user, rights.VIEW)
             .filter(date__gte=start, date__lt=end).select_related("worker").order_by("date", "id"))
    rows, per_grid = [], defaultdict(lambda: {"visits": 0, "issues": 0, "diary": 0, "cases": 0})
    for v in visits:
        grid = v.scope_key.split(".")[0]
        issue = v.issues.strip()
        rows.append({"kind": "走访", "date": timezone.localdate(v.visited_at), "grid": grid,
                     "worker": str(v.worker), "household": v.household.number if v.household_id else "",
                     "text": issue, "follow_up": v.follow_up, "case": v.case_number or ""})
        g = per_grid[grid]
        g["visits"] += 1
        g["issues"] += bool(issue) and not issue.startswith("无")
        g["cases"] += bool(v.case_number)
    for e in diary:
        grid = e.scope_key.split(".")[0]
        rows.append({"kind": "民情日记", "date": e.date, "grid": grid, "worker": str(e.worker), "household": "",
                     "text": e.content, "follow_up": "", "case": ""})
        per_grid[grid]["diary"] += 1
    rows.sort(key=lambda r: (r["date"], r["kind"] != "走访"))
    names = node_names([prefix, *per_grid])
    grids = [{"node": k, "name": names.get(k, k), **v} for k, v in sorted(per_grid.items())]
    return {"node": prefix, "name": names.get(prefix, prefix or "全部辖区"), "month": f"{start:%Y-%m}",
            "start": start, "rows": rows, "grids": grids}


def _ledger_node(user, node: str | None) -> str:
    """The ledger's node: within one's scope, and a place that exists (a street, community or grid)."""
    from gridgov.accounts.scope import OutOfScope, scope_prefix

    from .stats import check_node_exists

    prefix = scope_prefix(user)
    if prefix is None:
        raise OutOfScope()
    node = (node or "").strip() or prefix
    if not node.startswith(prefix):
        raise OutOfScope()
    if node != prefix:
        check_node_exists(node)
    return node


def ledger_xlsx(user, node: str | None, month: str | None) -> tuple[bytes, str]:
    from .services import log_access

    data = ledger(user, node, month)
    rows = [[r["kind"], r["date"].isoformat(), r["grid"], r["worker"], r["household"], r["text"], r["follow_up"],
             r["case"]] for r in data["rows"]]
    log_access(user, "export", "ledger", data["node"], "issues,diary", len(rows), f"民情台账 {data['month']}",
               data["node"])
    return spreadsheets.write("xlsx", LEDGER_HEAD, rows, title=f"民情台账{data['month']}")
