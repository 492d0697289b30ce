"""KPI API (/api/v1/kpi): the seeds' indicators for a level and a period, and their definitions.
Parse → read (``queries``, scoped) → serialise."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gridgov.schemas import PageIn, answers, page_of, paginate

from . import queries
from .logic import indicators as ind

router = Router(tags=["指标"])

Level = Literal["district", "street", "community", "grid", "department", "inspector", "grid_worker"]


class KpiIn(Schema):
    level: Level = Field("street", description="层级：district 区县、street 街道、community 社区、grid 管理网格、"
                                               "department 专业部门、inspector 监督员、grid_worker 网格员")
    period: str | None = Field(None, max_length=30, description="期间：2026-11（月）、2026-Q4（季度）、2026（年）；"
                                                                "或用 start 和 end；都不给时为本月")
    start: dt.date | None = Field(None, description="自定义期间的第一天（含）")
    end: dt.date | None = Field(None, description="自定义期间的最后一天（含）")
    compare: bool = Field(True, description="是否计算同比、环比")


class KpiRowOut(Schema):
    code: str = Field(description="区划代码、网格编码、部门代码或账号")
    name: str
    values: dict[str, float | None] = Field(description="各指标的值（比率为 0～1，平均处理时间为工作小时）；无分母时为 null")
    yoy: dict[str, float | None] = Field(description="同比变化（与去年同期之差）")
    pop: dict[str, float | None] = Field(description="环比变化（与上一期之差）")
    counts: dict[str, float] = Field(description="计算所用的各项计数")


class IndicatorOut(Schema):
    key: str
    label: str
    kind: Literal["rate", "hours", "score", "count"]
    target: float | None = Field(description="种子材料公布的目标值（无则为 null）")
    higher_is_better: bool
    source: str
    definition: str


def period_of(body: KpiIn) -> ind.Period:
    """The period asked for: ``period``, or ``start``…``end``; a clear message otherwise."""
    from gridgov.errors import DomainError

    try:
        if body.period:
            return ind.parse_period(body.period)
        if body.start and body.end:
            if (body.end - body.start).days > 366 * 5:
                raise ValueError("自定义期间不能超过 5 年")
            return ind.day_range(body.start, body.end)
    except ValueError as e:
        raise DomainError("invalid_period", str(e)) from None
    if body.start or body.end:
        raise DomainError("invalid_period", "自定义期间须同时给出开始日期 start 和结束日期 end")
    now = timezone.localtime()
    return ind.month(now.year, now.month)


def row_out(r: dict) -> dict:
    return {"code": r["code"], "name": r["name"], "values": r["values"], "yoy": r["yoy"], "pop": r["pop"],
            "counts": {k: getattr(r["tally"], k) for k in ind.COUNT_FIELDS}}


@router.get("", response=answers(page_of(KpiRowOut), 400, 403, 422), summary="指标：某层级某期间的各项指标（含同比、环比）")
def kpi_table(request, q: Query[KpiIn], page: Query[PageIn]):
    queries.require_post(request.user)
    t = queries.table(request.user, q.level, period_of(q), compare=q.compare)
    return paginate(t["rows"], page, row_out)


def indicator_out(i: ind.Indicator) -> dict:
    return {"key": i.key, "label": i.label, "kind": i.kind, "target": i.target,
            "higher_is_better": i.higher_is_better, "source": i.source, "definition": i.definition}


@router.get("/indicators", response=answers(page_of(IndicatorOut), 403, 422), summary="指标定义（公式、来源、目标值）")
def indicators(request, page: Query[PageIn]):
    queries.require_post(request.user)
    return paginate(list(ind.INDICATORS), page, indicator_out)
