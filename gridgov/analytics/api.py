"""统计分析 API (/api/v1/analytics): the figures of any period and level with drill-down, and the trend — what the
/dashboard/figures/ page shows. Parse → read (``kpi.queries.table`` / ``figures.series``, scoped) → serialise."""

from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gridgov.accounts.scope import scope_prefix
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Jurisdiction
from gridgov.kpi import queries as kq
from gridgov.kpi.api import row_out
from gridgov.kpi.logic import indicators as ind
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import figures, periods

router = Router(tags=["统计分析"])

AnalyticsLevel = Literal["district", "street", "community", "grid", "department", "major", "source"]
AnalyticsKind = Literal["day", "week", "month", "quarter", "year", "range"]


class AnalyticsIn(Schema):
    kind: AnalyticsKind = Field("month", description="期间类型：day 日、week 周（周一至周日）、month 月、quarter 季度、"
                                                     "year 年、range 自定义（date 至 until，含两端）")
    date: str | None = Field(None, max_length=10, description="期间内的一天 YYYY-MM-DD（不给为今天）；月、季度、年也可写 "
                                                              "2026-11、2026-Q4、2026")
    until: str | None = Field(None, max_length=10, description="自定义期间的最后一天 YYYY-MM-DD（含）")
    level: AnalyticsLevel = Field("street", description="分组：district 区县、street 街道、community 社区、grid 管理网格、"
                                                        "department 专业部门、major 事项大类、source 来源")
    within: str = Field("", max_length=12, description="下钻：只统计该区县/街道/社区代码之下的案件")
    compare: bool = Field(True, description="是否计算同比、环比")


class AnalyticsRowOut(Schema):
    code: str = Field(description="区划代码、网格编码、部门代码、大类（如 event-06）或来源")
    name: str
    values: dict[str, float | None] = Field(description="各指标的值（比率为 0～1，平均处理时间为工作小时）；无分母时为 null")
    yoy: dict[str, float | None] = Field(description="同比变化（与去年同期之差）")
    pop: dict[str, float | None] = Field(description="环比变化（与上一期之差）")
    counts: dict[str, float] = Field(description="计算所用的各项计数")


class AnalyticsStepOut(Schema):
    first_day: str = Field(description="该步（日、周、月）的第一天 YYYY-MM-DD")
    counts: dict[str, float] = Field(description="该步的各项计数（应结案、应处理两项除外）")


class AnalyticsSeriesIn(Schema):
    kind: AnalyticsKind = Field("month", description="期间类型（同 /analytics/figures）")
    date: str | None = Field(None, max_length=10, description="期间内的一天 YYYY-MM-DD")
    until: str | None = Field(None, max_length=10, description="自定义期间的最后一天")
    step: Literal["day", "week", "month"] = Field("day", description="步长：day、week（周一起）、month")
    within: str = Field("", max_length=12, description="只统计该区县/街道/社区代码之下的案件")


def _period(kind: str, date: str | None, until: str | None) -> ind.Period:
    try:
        p = periods.parse(kind, date or timezone.localdate().isoformat(), until or "")
    except ValueError as e:
        raise DomainError("invalid_period", str(e)) from None
    if (p.end - p.start).days > 366 * 5:
        raise DomainError("invalid_period", "期间不能超过 5 年")
    return p


def _within(user, within: str) -> str:
    """The area drilled into, if the user may see it (404 otherwise, like a case outside one's scope)."""
    if not within:
        return ""
    prefix = scope_prefix(user) or ""
    if (not within.isdigit() or len(within) not in (6, 9, 12)
            or not (within.startswith(prefix) or prefix.startswith(within))
            or not Jurisdiction.objects.filter(code=within).exists()):
        raise NotFound("area_not_found", f"区域「{within}」不存在或不在您的管辖范围内")
    return within


@router.get("/figures", response=answers(page_of(AnalyticsRowOut), 400, 403, 404, 422),
            summary="统计分析：任意期间、任意层级的计数与指标（含同比、环比，可下钻）")
def analytics_figures(request, q: Query[AnalyticsIn], page: Query[PageIn]):
    kq.require_post(request.user)
    within = _within(request.user, q.within)
    t = kq.table(request.user, q.level, _period(q.kind, q.date, q.until), compare=q.compare, within=within)
    return paginate(t["rows"], page, row_out)


@router.get("/series", response=answers(page_of(AnalyticsStepOut), 400, 403, 404, 422),
            summary="统计分析：期间内逐日、逐周或逐月的计数（趋势）")
def analytics_series(request, q: Query[AnalyticsSeriesIn], page: Query[PageIn]):
    kq.require_post(request.user)
    within = _within(request.user, q.within)
    level = {6: "district", 9: "street", 12: "community"}.get(len(within), "district")
    steps = figures.series(request.user, _period(q.kind, q.date, q.until), q.step, level, within or None)
    return paginate(steps, page, lambda s: {"first_day": s[0].isoformat(),
                                            "counts": {k: getattr(s[1], k) for k in ind.COUNT_FIELDS}})
