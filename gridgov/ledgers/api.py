"""The assessment's registers (考评台账) API, mounted at /api/v1/ledgers: the 附件2 allocation and its inputs, the
倒查 register, the monthly case sampling, trainings, 系统运行 periods, 宣传, the per-street summary of a month and
the registers' facts (``gather.register_inputs``). Parse → call a service → serialise.
"""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gridgov.accounts.scope import in_scope, require
from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, binary, page_of, paginate
from gridgov.spreadsheets import XLSX_TYPE

from . import gather, reports, services
from .logic import periods
from .models import Outage, Problem, Publicity, SampledCase, SampleDraw, Training

router = Router(tags=["考评台账（数量分配、倒查、抽查、培训、系统运行、宣传）"])

Period = Field(pattern=r"^\d{4}-\d{2}$", title="考评月份", description="YYYY-MM")
Year = Field(ge=2000, le=2099, title="考核年度")
Street = Field(min_length=9, max_length=9, title="镇街代码（9 位）")
District = Field(None, min_length=6, max_length=6, title="区县代码", description="默认为本人所在区县")


class LedgerMonthIn(Schema):
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", title="考评月份", description="YYYY-MM；默认为上一个月")
    district: str | None = District

    def month(self) -> str:
        return self.period or periods.previous(periods.of(timezone.now()))


class LedgerYearIn(Schema):
    year: int | None = Field(None, ge=2000, le=2099, title="考核年度", description="默认为今年")
    district: str | None = District

    def the_year(self) -> int:
        return self.year or timezone.localdate().year


class LedgerStreetFilterIn(Schema):
    street: str | None = Field(None, max_length=9, title="镇街代码")


# ---------------------------------------------------------------- summary and facts


class LedgerSummaryOut(Schema):
    code: str
    name: str
    population: int | None
    area_km2: float | None
    problems: int = Field(description="本月倒查问题数")
    problems_pending: int
    in_time: int
    missed: int
    closed: int = Field(description="本月正常结案数")
    sampled: int
    marked: int
    passed: int
    trainings: int = Field(description="年初至本月末已确认的培训次数")
    trainings_pending: int
    outages: int
    publicity: int


@router.get("/summary", response=answers(page_of(LedgerSummaryOut), 400, 403, 404, 422),
            summary="各镇街某月的台账概况（倒查、抽查、培训、系统运行、宣传的条数）")
def summary(request, q: Query[LedgerMonthIn], page: Query[PageIn]):
    return paginate(gather.summary(request.user, q.month(), q.district), page)


class LedgerQuotaFactOut(Schema):
    quota: float


class LedgerUptimeOut(Schema):
    fault_hours: float
    upgrade_hours: float
    upgrades: int
    usable: bool


class LedgerGridUpdateOut(Schema):
    plans: int
    plans_on_time: int


class LedgerSampleFactOut(Schema):
    closed: int
    sampled: int
    passed: int


class LedgerDiscoveryOut(Schema):
    checked: int
    found_in_time: int


class LedgerStaffingOut(Schema):
    staff: int
    communities: int


class LedgerTrainingFactOut(Schema):
    whole: int
    partial: int


class LedgerPublicityFactOut(Schema):
    reports: int
    submissions: int


class LedgerUnitFactsOut(Schema):
    name: str
    case_count: LedgerQuotaFactOut
    system_uptime: LedgerUptimeOut
    grid_update: LedgerGridUpdateOut
    quality_sample: LedgerSampleFactOut
    discovery: LedgerDiscoveryOut
    staffing: LedgerStaffingOut
    training: LedgerTrainingFactOut
    publicity: LedgerPublicityFactOut


class LedgerTotalsOut(Schema):
    population: int
    area_km2: float
    annual_cases: int


class LedgerFactsOut(Schema):
    period: str
    district: str
    totals: LedgerTotalsOut
    units: dict[str, LedgerUnitFactsOut] = Field(description="镇街代码 → 该镇街的台账事实（仅本人范围内的镇街）")


@router.get("/facts", response=answers(LedgerFactsOut, 400, 403, 404, 422),
            summary="台账事实：考评文件中由台账提供的各项输入（本人范围内的镇街）")
def facts(request, q: Query[LedgerMonthIn]):
    require(request.user, services.VIEW)
    district = services.district_of(request.user, q.district).code
    out = gather.register_inputs(q.month(), district)
    units = {code: u for code, u in out["units"].items() if in_scope(request.user, code)}
    return {"period": q.month(), "district": district, "totals": out["totals"], "units": units}


# ---------------------------------------------------------------- 附件2


class LedgerQuotaRowOut(Schema):
    code: str
    name: str
    population: int
    area_km2: float
    base: float = Field(description="分配基数（件/年）")
    adjustment: float = Field(description="调整合计（件/年）")
    final: float = Field(description="最终指标（件/年）")
    monthly: float = Field(description="月均指标（件/月）")


def _quota_row(r) -> dict:
    return dict(zip(["code", "name", "population", "area_km2", "base", "adjustment", "final", "monthly"], r,
                    strict=True))


@router.get("/quota", response=answers(page_of(LedgerQuotaRowOut), 400, 403, 404, 422),
            summary="网格案件考核数量分配表（附件2）")
def quota(request, q: Query[LedgerYearIn], page: Query[PageIn]):
    _, rows = reports.quota_rows(request.user, q.the_year(), q.district)
    return paginate(rows, page, _quota_row)


@router.get("/quota/export", response=answers(None, 400, 403, 404, 422), summary="导出考核数量分配表（xlsx 或 csv）",
            openapi_extra=binary("text/csv", XLSX_TYPE, description="考核数量分配表"))
def quota_export(request, q: Query[LedgerYearIn], format: Literal["xlsx", "csv"] = "xlsx"):
    data, ctype = reports.export_quota(request.user, q.the_year(), q.district, format)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="quota-{q.the_year()}.{format}"'
    return resp


class LedgerTotalIn(Schema):
    district: str | None = District
    year: int = Year
    annual_cases: int = Field(ge=1, le=100_000_000, title="全区总案件数")
    population_weight: float = Field(0.6, ge=0, le=1, title="人口权重")
    area_weight: float = Field(0.4, ge=0, le=1, title="面积权重")
    note: str = Field("", max_length=200, title="说明")


class LedgerTotalOut(Schema):
    district: str
    year: int
    annual_cases: int
    population_weight: float
    area_weight: float
    note: str


@router.put("/quota/total", response=answers(LedgerTotalOut, 400, 403, 404, 422),
            summary="填写全区年度总案件数及权重（各镇街须已有常住人口）")
def set_total(request, payload: LedgerTotalIn):
    t = services.set_district_total(request.user, payload.district, payload.year, payload.annual_cases,
                                    payload.population_weight, payload.area_weight, payload.note)
    return {"district": t.scope_key, "year": t.year, "annual_cases": t.annual_cases,
            "population_weight": t.population_weight, "area_weight": t.area_weight, "note": t.note}


class LedgerBaseIn(Schema):
    year: int = Year
    population: int | None = Field(None, ge=1, le=100_000_000, title="常住人口")
    area_km2: float = Field(gt=0, le=100_000, allow_inf_nan=False, title="面积（平方公里）")
    population_source: str = Field("", max_length=100, title="人口来源")
    area_source: str = Field("", max_length=100, title="面积来源")


class LedgerBaseOut(Schema):
    code: str
    name: str
    year: int
    population: int | None
    area_km2: float | None
    population_source: str
    area_source: str


def _base(b) -> dict:
    return {"code": b.scope_key, "name": b.unit_name, "year": b.year, "population": b.population,
            "area_km2": float(b.area_km2) if b.area_km2 is not None else None,
            "population_source": b.population_source, "area_source": b.area_source}


@router.put("/quota/bases/{street_code}", response=answers(LedgerBaseOut, 400, 403, 404, 422),
            summary="填写镇街的常住人口与面积（及来源）")
def set_base(request, street_code: str, payload: LedgerBaseIn):
    b = services.save_unit_base(request.user, street_code[:12], payload.year, payload.population, payload.area_km2,
                                payload.population_source, payload.area_source)
    return _base(b)


class LedgerAdjustmentIn(Schema):
    street: str = Street
    year: int = Year
    amount: float = Field(ge=-10_000_000, le=10_000_000, allow_inf_nan=False, title="调整量（件/年）")
    reason: str = Field(max_length=300, title="调整理由")


class LedgerAdjustmentOut(Schema):
    id: int
    street: str
    name: str
    year: int
    amount: float
    reason: str
    by: str
    at: dt.datetime


def _adjustment(a) -> dict:
    return {"id": a.pk, "street": a.scope_key, "name": a.unit_name, "year": a.year, "amount": float(a.amount),
            "reason": a.reason, "by": a.created_by.username if a.created_by_id else "", "at": a.created_at}


@router.post("/quota/adjustments", response={**answers(LedgerAdjustmentOut, 400, 403, 404, 422),
                                             201: LedgerAdjustmentOut}, summary="登记考核数量的人工调整（谁、为何、多少）")
def add_adjustment(request, payload: LedgerAdjustmentIn):
    a = services.add_adjustment(request.user, payload.street, payload.year, payload.amount, payload.reason)
    return Status(201, _adjustment(a))


# ---------------------------------------------------------------- 倒查


class LedgerProblemFilterIn(Schema):
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", title="发现月份")
    street: str | None = Field(None, max_length=9, title="镇街代码")
    verdict: Literal["pending", "in_time", "missed"] | None = Field(None, title="核对结论")


class LedgerProblemOut(Schema):
    id: int
    street: str
    street_name: str
    kind: str
    kind_label: str
    found_at: dt.datetime
    lon: float
    lat: float
    place: str
    description: str
    matter: str
    source_ref: str
    suggested_case: str | None = Field(description="按匹配规则建议的案件编号")
    verdict: str
    verdict_label: str
    case: str | None = Field(description="核对确认的案件编号")
    review_note: str


def _problem(p: Problem) -> dict:
    return {"id": p.pk, "street": p.scope_key, "street_name": p.unit_name, "kind": p.kind,
            "kind_label": p.get_kind_display(), "found_at": p.found_at, "lon": p.lon, "lat": p.lat, "place": p.place,
            "description": p.description, "matter": p.matter, "source_ref": p.source_ref,
            "suggested_case": p.suggested.number if p.suggested_id else None, "verdict": p.verdict,
            "verdict_label": p.get_verdict_display(), "case": p.case.number if p.case_id else None,
            "review_note": p.review_note}


@router.get("/problems", response=answers(page_of(LedgerProblemOut), 400, 403, 422), summary="发现问题倒查台账")
def problems(request, q: Query[LedgerProblemFilterIn], page: Query[PageIn]):
    return paginate(services.problems(request.user, q.period, q.street, q.verdict), page, _problem)


class LedgerProblemIn(Schema):
    kind: Literal["site_check", "monthly_check", "media", "leader", "public"] = Field(
        title="来源", description="现场检查、首环办月检查、媒体曝光、领导批示、群众举报")
    found_at: dt.datetime = Field(title="发现时间")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, title="经度")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, title="纬度")
    description: str = Field(max_length=500, title="问题描述")
    matter: str = Field("", max_length=5, title="事项代码")
    place: str = Field("", max_length=200, title="地点")


@router.post("/problems", response={**answers(LedgerProblemOut, 400, 403, 404, 422), 201: LedgerProblemOut},
             summary="登记倒查问题（按位置定位到镇街，并建议匹配的案件）")
def record_problem(request, payload: LedgerProblemIn):
    p = services.record_problem(request.user, payload.kind, payload.found_at, payload.lon, payload.lat,
                                payload.description, payload.matter, payload.place)
    return Status(201, _problem(p))


class LedgerProblemReviewIn(Schema):
    verdict: Literal["in_time", "missed"] = Field(title="核对结论")
    case: str | None = Field(None, max_length=32, title="案件编号", description="已及时发现时：对应案件（默认为建议的案件）")
    note: str = Field("", max_length=300, title="核对说明")


@router.post("/problems/{problem_id}/review", response=answers(LedgerProblemOut, 400, 403, 404, 422),
             summary="核对倒查问题：确认已及时发现（对应案件）或未及时发现")
def review_problem(request, problem_id: Id, payload: LedgerProblemReviewIn):
    return _problem(services.review_problem(request.user, problem_id, payload.verdict, payload.case, payload.note))


class LedgerImportIn(Schema):
    period: str = Period
    source: Literal["inspection", "city_dispatch"] = Field(
        "inspection", title="来源", description="inspection 监督检查不合格项 · city_dispatch 市级派件")
    street: str | None = Field(None, max_length=9, title="镇街代码")


class LedgerImportOut(Schema):
    count: int
    ids: list[int]


@router.post("/problems/import", response=answers(LedgerImportOut, 400, 403, 404, 422),
             summary="把某月监督检查的不合格项或市级派件导入倒查台账（每项一次）")
def import_inspections(request, payload: LedgerImportIn):
    made = services.import_problems(request.user, payload.period, payload.source, payload.street)
    return {"count": len(made), "ids": [p.pk for p in made]}


# ---------------------------------------------------------------- 抽查


class LedgerSampledCaseOut(Schema):
    id: int
    order: int
    case: str
    mark: str
    mark_label: str
    reason: str


class LedgerSampleOut(Schema):
    id: int
    street: str
    street_name: str
    period: str
    closed: int = Field(description="该月正常结案数")
    seed: str = Field(description="随机种子（月份:镇街代码）")
    cases: list[LedgerSampledCaseOut]


def _sampled(s: SampledCase) -> dict:
    return {"id": s.pk, "order": s.order, "case": s.case.number, "mark": s.mark, "mark_label": s.get_mark_display(),
            "reason": s.reason}


def _sample(d: SampleDraw) -> dict:
    return {"id": d.pk, "street": d.scope_key, "street_name": d.unit_name, "period": d.period, "closed": d.closed,
            "seed": d.seed, "cases": [_sampled(s) for s in d.cases.all()]}


class LedgerSampleFilterIn(Schema):
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", title="考评月份")
    street: str | None = Field(None, max_length=9, title="镇街代码")


@router.get("/samples", response=answers(page_of(LedgerSampleOut), 400, 403, 422), summary="案件抽查（各月各镇街）")
def samples(request, q: Query[LedgerSampleFilterIn], page: Query[PageIn]):
    return paginate(services.samples(request.user, q.period, q.street), page, _sample)


class LedgerDrawIn(Schema):
    period: str = Period
    street: str = Street


@router.post("/samples", response={**answers(LedgerSampleOut, 400, 403, 404, 409, 422), 201: LedgerSampleOut},
             summary="抽取某月某镇街正常结案案件的样本（可复现；每月一次）")
def draw(request, payload: LedgerDrawIn):
    d = services.draw_sample(request.user, payload.period, payload.street)
    return Status(201, _sample(services.samples(request.user).get(pk=d.pk)))


class LedgerMarkIn(Schema):
    mark: Literal["passed", "failed"] = Field(title="评定")
    reason: str = Field("", max_length=300, title="理由", description="不合格时必填")


@router.post("/samples/cases/{sampled_id}/mark", response=answers(LedgerSampledCaseOut, 400, 403, 404, 422),
             summary="评定抽查案件：合格或不合格（附理由）")
def mark(request, sampled_id: Id, payload: LedgerMarkIn):
    return _sampled(services.mark_sample(request.user, sampled_id, payload.mark, payload.reason))


# ---------------------------------------------------------------- trainings


class LedgerYearFilterIn(Schema):
    year: int | None = Field(None, ge=2000, le=2099, title="年度")
    street: str | None = Field(None, max_length=9, title="镇街代码")


class LedgerTrainingOut(Schema):
    id: int
    street: str
    street_name: str
    held_on: dt.date
    title: str
    kind: str
    kind_label: str
    attendees: int
    evidence: str
    status: str
    status_label: str
    review_note: str


def _training(t: Training) -> dict:
    return {"id": t.pk, "street": t.scope_key, "street_name": t.unit_name, "held_on": t.held_on, "title": t.title,
            "kind": t.kind, "kind_label": t.get_kind_display(), "attendees": t.attendees, "evidence": t.evidence,
            "status": t.status, "status_label": t.get_status_display(), "review_note": t.review_note}


@router.get("/trainings", response=answers(page_of(LedgerTrainingOut), 400, 403, 422), summary="培训记录")
def trainings(request, q: Query[LedgerYearFilterIn], page: Query[PageIn]):
    return paginate(services.trainings(request.user, q.year, q.street), page, _training)


class LedgerTrainingIn(Schema):
    street: str | None = Field(None, max_length=9, title="镇街代码", description="默认为填报人所在镇街")
    held_on: dt.date = Field(title="培训日期")
    title: str = Field(max_length=200, title="培训主题")
    kind: Literal["whole", "partial"] = Field(title="培训范围", description="whole 全体网格员 · partial 部分网格员")
    attendees: int = Field(ge=1, le=100_000, title="参训人数")
    evidence: str = Field("", max_length=500, title="佐证材料")


@router.post("/trainings", response={**answers(LedgerTrainingOut, 400, 403, 404, 422), 201: LedgerTrainingOut},
             summary="填报培训记录（镇街填报，中心确认）")
def submit_training(request, payload: LedgerTrainingIn):
    t = services.submit_training(request.user, payload.held_on, payload.title, payload.kind, payload.attendees,
                                 payload.evidence, payload.street)
    return Status(201, _training(t))


class LedgerTrainingReviewIn(Schema):
    accept: bool = Field(title="认定")
    note: str = Field("", max_length=300, title="意见", description="不予认定时必填")


@router.post("/trainings/{training_id}/review", response=answers(LedgerTrainingOut, 400, 403, 404, 409, 422),
             summary="确认或不予认定培训记录")
def review_training(request, training_id: Id, payload: LedgerTrainingReviewIn):
    return _training(services.review_training(request.user, training_id, payload.accept, payload.note))


# ---------------------------------------------------------------- 系统运行, 宣传


class LedgerOutageOut(Schema):
    id: int
    street: str
    street_name: str
    kind: str
    kind_label: str
    start: dt.datetime
    end: dt.datetime | None
    hours: float | None
    note: str


def _outage(o: Outage) -> dict:
    return {"id": o.pk, "street": o.scope_key, "street_name": o.unit_name, "kind": o.kind,
            "kind_label": o.get_kind_display(), "start": o.start, "end": o.end, "hours": o.hours, "note": o.note}


@router.get("/outages", response=answers(page_of(LedgerOutageOut), 400, 403, 422), summary="系统运行记录（故障、升级改造）")
def outages(request, q: Query[LedgerYearFilterIn], page: Query[PageIn]):
    return paginate(services.outages(request.user, q.year, q.street), page, _outage)


class LedgerOutageIn(Schema):
    street: str = Street
    kind: Literal["fault", "upgrade", "unusable"] = Field(title="类型")
    start: dt.datetime = Field(title="开始")
    end: dt.datetime | None = Field(None, title="结束", description="空：仍未恢复")
    note: str = Field("", max_length=300, title="说明")


@router.post("/outages", response={**answers(LedgerOutageOut, 400, 403, 404, 422), 201: LedgerOutageOut},
             summary="登记系统故障或升级改造时段")
def record_outage(request, payload: LedgerOutageIn):
    o = services.record_outage(request.user, payload.street, payload.kind, payload.start, payload.end, payload.note)
    return Status(201, _outage(o))


class LedgerPublicityOut(Schema):
    id: int
    street: str
    street_name: str
    kind: str
    kind_label: str
    on: dt.date
    title: str
    outlet: str
    evidence: str


def _publicity(p: Publicity) -> dict:
    return {"id": p.pk, "street": p.scope_key, "street_name": p.unit_name, "kind": p.kind,
            "kind_label": p.get_kind_display(), "on": p.on, "title": p.title, "outlet": p.outlet,
            "evidence": p.evidence}


@router.get("/publicity", response=answers(page_of(LedgerPublicityOut), 400, 403, 422), summary="宣传记录")
def publicity(request, q: Query[LedgerYearFilterIn], page: Query[PageIn]):
    return paginate(services.publicity(request.user, q.year, q.street), page, _publicity)


class LedgerPublicityIn(Schema):
    street: str = Street
    kind: Literal["report", "submission"] = Field(title="类型", description="report 市级主流媒体报道 · submission 报送")
    on: dt.date = Field(title="日期")
    title: str = Field(max_length=200, title="标题")
    outlet: str = Field(max_length=100, title="媒体")
    evidence: str = Field("", max_length=500, title="佐证材料")


@router.post("/publicity", response={**answers(LedgerPublicityOut, 400, 403, 404, 422), 201: LedgerPublicityOut},
             summary="登记媒体报道或报送宣传材料")
def record_publicity(request, payload: LedgerPublicityIn):
    p = services.record_publicity(request.user, payload.street, payload.kind, payload.on, payload.title,
                                  payload.outlet, payload.evidence)
    return Status(201, _publicity(p))
