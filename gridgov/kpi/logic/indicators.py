"""The seeds' KPIs (指标), defined once — pure, no Django import.

Every figure of the KPI page, its API, the leader dashboard and the assessment's facts is one of the functions
below applied to a ``Tally`` (the counts of one group of cases in one period, counted in SQL by
``gridgov.kpi.queries`` — each count's definition is in the docstring of its ``Tally`` field). A rate is ``None``
when its denominator is 0 (shown 「—」, never as 0 % or 100 %).

Sources: seed 001 第三篇 (香山分队): 「政府系统本身对城市管理问题的发现率达到90%以上，任务派遣准确率达到95%以上，问题处理率
为85%。问题平均处理时间为13小时，结案率为83%」 — the published targets (``TARGETS``); seed 002 多维度评价 (质量、效率、
满意度); GB/T 30428.4 lineage indicators per post (shared/data/catalog/evaluation_indicators.csv: 监督员 有效上报率,
按时核实率, 按时核查率, 漏报率; 值班长 按时立案率; 派遣员 按时派遣率; 专业部门 结案率, 按期处置率, 返工率). The catalog's
composite 综合指标值 formulas are NOT reproduced: the source marks them as suspected bugs (a higher 漏报率 raising the
score; one rate used twice).
"""

import datetime as dt
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------- stages and their "late" bits

# One bit per deadline stage (gridgov.catalog.logic.deadlines.Stage values): ``Case.late_stages`` has the bit of
# every stage of the case that ended after its due time (set by gridgov.cases.services.clock when a stage ends).
STAGE_BITS = {"verify": 1, "register": 2, "dispatch": 4, "accept": 8, "handle": 16, "inspect": 32, "close": 64}

# Sources (gridgov.cases.models.Source values). Found by the platform's own people (发现率's numerator) and the
# public channels (社会参与 of 003 篇7; the "found otherwise" of 发现率 is these plus media and leaders).
OWN_SOURCES = frozenset({"grid_worker", "inspector", "sensor", "inspection"})
PUBLIC_SOURCES = frozenset({"resident", "hotline"})  # 居民上报 (app, page, WeChat) and 12345 热线
OTHER_SOURCES = frozenset({"resident", "hotline", "media", "leader"})

# 简单类型案件 (003 篇7 类型多样性 「简单类型案件和自处置案件数量比例不高于30%」): the small 市容环境 matters a grid worker
# settles on the spot — GB/T 47678.5-2026 matter codes (gridgov/catalog/data/gb47678_5_2026_parts_and_matters.csv).
SIMPLE_MATTERS = frozenset({
    "06010",  # 暴露垃圾
    "06012",  # 道路不洁
    "06014",  # 道路遗撒（洒）
    "06017",  # 绿地脏乱
    "06036",  # 乱堆杂物
    "06042",  # 垃圾站（箱）满溢
    "07001",  # 非法小广告
})

def late(mask: int, stage: str) -> bool:
    """Whether ``stage`` ended late (at least once) on a case with ``late_stages == mask``."""
    return bool((mask or 0) & STAGE_BITS[stage])


def on_time_closed(closed: bool, mask: int) -> bool:
    """**按期结案** — a closed case none of whose stages (核实, 立案, 派遣, 签收, 处置, 核查, 结案, each time it ran,
    including a 自行处置's own 处置 budget) ended after its due time: ``late_stages == 0``."""
    return closed and not mask


# ---------------------------------------------------------------- the counts of one group in one period


@dataclass(frozen=True)
class Tally:
    """Counts of one group (a street, a department, a person, …) in one half-open period [start, end).

    Each field says which cases it counts; ``queries`` counts exactly that in SQL."""

    reported: int = 0  # 上报: reported_at in the period
    valid: int = 0  # 有效上报: of those, registered (立案) — not declined, voided or merged before registration
    registered: int = 0  # 立案: registered_at in the period
    registered_on_time: int = 0  # of those, the 立案 stage not late
    found_own: int = 0  # of the registered, source in OWN_SOURCES (found by the platform's own people)
    found_other: int = 0  # of the registered, source in OTHER_SOURCES (public, media, leaders)
    dispatched: int = 0  # 派遣: dispatched_at in the period (the last 派遣 or 下派 of the case)
    dispatched_on_time: int = 0  # of those, the 派遣 stage not late
    dispatches: int = 0  # 派遣 events in the period (each 派遣 to a department and each re-dispatch of a ruling)
    dispatch_misses: int = 0  # 退回 by a department + 责任争议 upheld (改派) in the period
    verified: int = 0  # 核实: verified_at in the period
    verified_on_time: int = 0  # of those, the 核实 stage not late
    inspected: int = 0  # 核查: inspected_at in the period
    inspected_on_time: int = 0  # of those, the 核查 stage not late
    handle_due: int = 0  # 应处理: cases whose handling deadline (handle_due_at) falls in the period
    handle_done: int = 0  # of those, handled (handled_at set) by the period's end
    handled: int = 0  # 处置: handled_at in the period (the last 处置反馈)
    handle_hours_sum: float = 0.0  # of those, sum of the working hours from 派遣 to 处置 (handle_hours)
    handle_hours_n: int = 0  # … and how many had it
    reworked: int = 0  # of the handled, rework_count > 0
    close_due: int = 0  # 应结案: registered in the period (registered_at in it)
    close_done: int = 0  # of those, closed (closed_at set) before the period's end
    closed: int = 0  # 结案: closed_at in the period
    closed_on_time: int = 0  # of those, late_stages == 0 (every stage on time)
    followed: int = 0  # of the closed, followed up with a satisfaction score (1–5)
    satisfaction_sum: int = 0  # … the sum of their scores
    satisfied: int = 0  # … how many scored ≥ 4

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


COUNT_FIELDS = tuple(f.name for f in fields(Tally))
VERIFY_ACTIONS = ("confirm", "refute")
INSPECT_ACTIONS = ("inspect_pass", "inspect_fail")


def total(tallies) -> Tally:
    out = Tally()
    for t in tallies:
        out = out + t
    return out


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as 「—」, never as 0 % or 100 %)."""
    if whole <= 0:
        return None
    if not 0 <= part <= whole:
        raise ValueError(f"part {part} outside 0..{whole}")
    return part / whole


# ---------------------------------------------------------------- the indicators


def discovery_rate(t: Tally) -> float | None:
    """**发现率** (seed 001 第三篇 「政府系统本身对城市管理问题的发现率达到90%以上」) = cases found by the platform's own
    people ÷ all cases registered in the period that anyone found.

    Own people: 网格员巡查, 监督员上报, 智能设备, 检查发现 (``OWN_SOURCES``). Found otherwise — problems the grid staff
    should have found first: 居民上报, 12345 热线, 媒体曝光, 领导交办 (``OTHER_SOURCES``). Only registered cases count
    (a report declined as not a problem found nothing). = found_own / (found_own + found_other)."""
    return rate(t.found_own, t.found_own + t.found_other)


def missed_rate(t: Tally) -> float | None:
    """**漏报率** (GB/T 30428.4 监督员: 漏报数(公众举报) / 立案数) — the complement of 发现率 = 1 − 发现率."""
    d = discovery_rate(t)
    return None if d is None else 1 - d


def dispatch_accuracy(dispatches: int, overturned: int) -> float | None:
    """**派遣准确率** (seed 001 第三篇 「任务派遣准确率达到95%以上」) = dispatches not undone / all dispatches.

    A dispatch is each time the centre sends a case to a department (派遣, and the re-dispatch of an upheld
    责任争议 ruling, itself a dispatch that may be contested). It is undone when the department sends it back
    (退回) or contests it and the centre upholds the contest (责任争议裁定：争议成立 — the case is re-routed). A contest
    rejected, or still waiting, does not undo it. None when there was no dispatch."""
    return rate(dispatches - overturned, dispatches)


def dispatch_accuracy_of(t: Tally) -> float | None:
    """派遣准确率 of a tally; an undoing in the period of a dispatch made before it counts against the period's
    dispatches, never below 0 %."""
    return dispatch_accuracy(t.dispatches, min(t.dispatch_misses, t.dispatches))


def handling_rate(t: Tally) -> float | None:
    """**处理率** (seed 001 第三篇 「问题处理率为85%」) = cases handled ÷ cases due to be handled: of the cases whose
    handling deadline (处置时限, ``handle_due_at`` — a 自行处置 its own budget) fell in the period, those with a 处置
    by the period's end."""
    return rate(t.handle_done, t.handle_due)


def mean_handling_hours(t: Tally) -> float | None:
    """**平均处理时间** (seed 001 第三篇 「问题平均处理时间为13小时」) = mean working hours (``worktime``: office hours
    on working days) from 派遣 (a case settled at a level: from 受理; 自行处置: from the report) to the last 处置
    of the cases handled in the period."""
    if t.handle_hours_n <= 0:
        return None
    return t.handle_hours_sum / t.handle_hours_n


def closure_rate(t: Tally) -> float | None:
    """**结案率** (seed 001 第三篇 「结案率为83%」; GB/T 结案数 / 应结案数) = of the cases registered (立案) in the
    period — 应结案 — those closed by the period's end (and still closed: a reopened case is not)."""
    return rate(t.close_done, t.close_due)


def on_time_rate(t: Tally) -> float | None:
    """**按期结案率** = cases closed in the period with every stage on time ÷ cases closed in the period.

    Every stage means each stage the case went through, each time (a rework's second 处置 too), its due time from
    the catalog's deadline rules and the working calendar. A 自行处置 case has its own budget: the 处置 rule of its
    matter counted from the report (not free)."""
    return rate(t.closed_on_time, t.closed)


def rework_rate(t: Tally) -> float | None:
    """**返工率** (GB/T 专业部门: 返工数 / 处置数) = of the cases handled in the period (last 处置反馈 in it), the share
    the inspector sent back at least once (rework_count > 0)."""
    return rate(t.reworked, t.handled)


def satisfaction_mean(t: Tally) -> float | None:
    """**满意度** (seed 002 多维度评价) — mean score (1–5) of the cases closed in the period that were followed up."""
    if t.followed <= 0:
        return None
    return t.satisfaction_sum / t.followed


def satisfied_rate(t: Tally) -> float | None:
    """**满意率** — of the followed-up cases closed in the period, the share scored 4 or 5."""
    return rate(t.satisfied, t.followed)


def valid_report_rate(t: Tally) -> float | None:
    """**有效上报率** (GB/T 监督员: 有效上报数 / 上报数) = reports of the period that were registered ÷ reports."""
    return rate(t.valid, t.reported)


def on_time_verify_rate(t: Tally) -> float | None:
    """**按时核实率** (GB/T 监督员) = 核实 done in the period within the 核实 stage's budget ÷ 核实 done in it."""
    return rate(t.verified_on_time, t.verified)


def on_time_inspect_rate(t: Tally) -> float | None:
    """**按时核查率** (GB/T 监督员) = 核查 done in the period within the 核查 stage's budget ÷ 核查 done in it."""
    return rate(t.inspected_on_time, t.inspected)


def on_time_dispatch_rate(t: Tally) -> float | None:
    """**按时派遣率** (GB/T 派遣员) = 派遣 done in the period within the 派遣 stage's budget ÷ 派遣 done in it."""
    return rate(t.dispatched_on_time, t.dispatched)


def on_time_register_rate(t: Tally) -> float | None:
    """**按时立案率** (GB/T 值班长) = 立案 done in the period within the 立案 stage's budget ÷ 立案 done in it."""
    return rate(t.registered_on_time, t.registered)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # "rate" (0..1) or "hours" or "score" (1..5) or "count"
    target: float | None  # the seed's published target (None: none published)
    higher_is_better: bool
    compute: object
    source: str
    documented_by: object = None  # the function whose docstring is the definition (default: ``compute``)

    @property
    def definition(self) -> str:
        """The docstring as one line of plain text (no markdown marks)."""
        text = ((self.documented_by or self.compute).__doc__ or "").replace("**", "").replace("``", "")
        return " ".join(text.split())


INDICATORS = (
    Indicator("discovery", "发现率", "rate", 0.90, True, discovery_rate, "seed 001 第三篇"),
    Indicator("missed", "漏报率", "rate", None, False, missed_rate, "GB/T 30428.4 监督员"),
    Indicator("dispatch_accuracy", "派遣准确率", "rate", 0.95, True, dispatch_accuracy_of, "seed 001 第三篇",
              dispatch_accuracy),
    Indicator("handling", "处理率", "rate", 0.85, True, handling_rate, "seed 001 第三篇"),
    Indicator("handling_hours", "平均处理时间", "hours", 13.0, False, mean_handling_hours, "seed 001 第三篇"),
    Indicator("closure", "结案率", "rate", 0.83, True, closure_rate, "seed 001 第三篇"),
    Indicator("on_time", "按期结案率", "rate", None, True, on_time_rate, "GB/T 30428.4 区域/部门"),
    Indicator("rework", "返工率", "rate", None, False, rework_rate, "GB/T 30428.4 专业部门"),
    Indicator("satisfaction", "满意度", "score", None, True, satisfaction_mean, "seed 002 多维度评价"),
    Indicator("satisfied", "满意率", "rate", None, True, satisfied_rate, "seed 002 多维度评价"),
    Indicator("valid_reports", "有效上报率", "rate", None, True, valid_report_rate, "GB/T 30428.4 监督员"),
    Indicator("on_time_verify", "按时核实率", "rate", None, True, on_time_verify_rate, "GB/T 30428.4 监督员"),
    Indicator("on_time_inspect", "按时核查率", "rate", None, True, on_time_inspect_rate, "GB/T 30428.4 监督员"),
    Indicator("on_time_dispatch", "按时派遣率", "rate", None, True, on_time_dispatch_rate, "GB/T 30428.4 派遣员"),
    Indicator("on_time_register", "按时立案率", "rate", None, True, on_time_register_rate, "GB/T 30428.4 值班长"),
)
BY_KEY = {i.key: i for i in INDICATORS}


def values(t: Tally) -> dict[str, float | None]:
    """Every indicator of one tally."""
    return {i.key: i.compute(t) for i in INDICATORS}


def meets(indicator: Indicator, value: float | None) -> bool | None:
    """Whether ``value`` reaches the seed's target (None: no target or no value) — green / red on the page."""
    if indicator.target is None or value is None:
        return None
    return value >= indicator.target if indicator.higher_is_better else value <= indicator.target


def delta(now: float | None, before: float | None) -> float | None:
    """A year-on-year (同比) or period-on-period (环比) change: ``now − before`` (rates in points of 1, hours in hours);
    None when either is missing."""
    if now is None or before is None:
        return None
    return now - before


def fmt(kind: str, value: float | None) -> str:
    """0.9346 → 「93.5%」; hours → 「12.5 h」; a score → 「4.20」; None → 「—」."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{value:.1f} h"
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A half-open period [start, end) of local calendar days; ``label`` as shown (2026-11, 2026-Q4, 2026, …)."""

    start: dt.datetime
    end: dt.datetime
    label: str
    kind: str  # month / quarter / year / range

    def shifted_year(self) -> "Period":
        """The same period a year earlier (同比)."""
        return Period(_minus_year(self.start), _minus_year(self.end), _label(self.kind, _minus_year(self.start),
                                                                             _minus_year(self.end)), self.kind)

    def previous(self) -> "Period":
        """The period just before, of the same kind and length (环比): the previous month / quarter / year, or for a
        range the same number of days just before it."""
        if self.kind == "month":
            return month(*_back_months(self.start, 1))
        if self.kind == "quarter":
            y, m = _back_months(self.start, 3)
            return quarter(y, (m - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        days = (self.end.date() - self.start.date()).days
        s = self.start.date() - dt.timedelta(days=days)
        return day_range(s, self.start.date() - dt.timedelta(days=1), self.start.tzinfo)


def _local(d: dt.date, tz) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=tz)


def _minus_year(t: dt.datetime) -> dt.datetime:
    day = min(t.day, 28) if (t.month, t.day) == (2, 29) else t.day
    return t.replace(year=t.year - 1, day=day)


def _back_months(t: dt.datetime, n: int) -> tuple[int, int]:
    k = t.year * 12 + t.month - 1 - n
    return k // 12, k % 12 + 1


def _label(kind: str, start: dt.datetime, end: dt.datetime) -> str:
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "year":
        return str(start.year)
    return f"{start.date().isoformat()}～{(end.date() - dt.timedelta(days=1)).isoformat()}"


def month(y: int, m: int, tz=SHANGHAI) -> Period:
    start = dt.datetime(y, m, 1, tzinfo=tz)
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=tz)
    return Period(start, end, _label("month", start, end), "month")


def quarter(y: int, q: int, tz=SHANGHAI) -> Period:
    if not 1 <= q <= 4:
        raise ValueError("季度应为 1～4")
    start = dt.datetime(y, 3 * q - 2, 1, tzinfo=tz)
    end = dt.datetime(y + (q == 4), (3 * q) % 12 + 1, 1, tzinfo=tz)
    return Period(start, end, _label("quarter", start, end), "quarter")


def year(y: int, tz=SHANGHAI) -> Period:
    start, end = dt.datetime(y, 1, 1, tzinfo=tz), dt.datetime(y + 1, 1, 1, tzinfo=tz)
    return Period(start, end, str(y), "year")


def day_range(first: dt.date, last: dt.date, tz=SHANGHAI) -> Period:
    """The local days ``first`` … ``last`` inclusive."""
    if last < first:
        raise ValueError("结束日期不能早于开始日期")
    start, end = _local(first, tz), _local(last + dt.timedelta(days=1), tz)
    return Period(start, end, _label("range", start, end), "range")


def parse_period(text: str, tz=SHANGHAI) -> Period:
    """「2026-11」 a month, 「2026-Q4」 a quarter, 「2026」 a year, 「2026-11-01~2026-11-15」 a range of days.
    Raises ValueError with a Chinese message."""
    s = (text or "").strip().replace("～", "~")
    try:
        if "~" in s:
            a, b = s.split("~", 1)
            return day_range(dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip()), tz)
        if "-Q" in s.upper():
            y, q = s.upper().split("-Q", 1)
            return quarter(int(y), int(q), tz)
        if len(s) == 4 and s.isdigit():
            return year(int(s), tz)
        y, m = s.split("-")
        if len(y) != 4 or not 1 <= int(m) <= 12:
            raise ValueError
        return month(int(y), int(m), tz)
    except ValueError as e:
        if str(e).startswith(("季度", "结束")):
            raise
        raise ValueError(f"无法识别的期间「{text}」：应为 2026-11（月）、2026-Q4（季度）、2026（年）或 "
                         "2026-11-01~2026-11-15（日期范围）") from None
