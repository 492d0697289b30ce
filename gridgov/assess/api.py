"""Assessment API (/api/v1/assess/): schemes (copy, edit, activate), scoring a facts document, runs (revisions,
publishing, export), reviewer judgements, units' evidence, appeals (申诉) and the year. Parse → call a service →
serialise."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from gridgov import spreadsheets
from gridgov.limits import Id
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services
from .logic import scorer
from .models import Appeal, Evidence, Judgement, Run, Scheme

router = Router(tags=["考评"])

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", title="考评月份 YYYY-MM", examples=["2026-11"])]
ItemKey = Annotated[str, Field(min_length=1, max_length=40, title="考评项键名", examples=["subcentre"])]
UnitCode = Annotated[str, Field(pattern=r"^\d{9}$", title="街道编码（9 位）")]


# ---------------------------------------------------------------- schemes


class SchemeOut(Schema):
    id: int
    name: str
    basis: str
    total: float
    version: int
    shipped: bool
    active: bool
    based_on: int | None


def scheme_out(s: Scheme) -> dict:
    return {"id": s.pk, "name": s.name, "basis": s.basis, "total": s.total, "version": s.version,
            "shipped": s.shipped, "active": s.active, "based_on": s.based_on_id}


class SchemeDocOut(Schema):
    model_config = ConfigDict(extra="allow")

    id: int
    version: int
    name: str
    total: float
    params: dict[str, Any]
    parts: list[dict[str, Any]] = Field(description="各部分及其考评项（分值、考评方式、计分规则、参数、各档分值）")


@router.get("/schemes", response=answers(page_of(SchemeOut), 403, 422), summary="考评方案")
def list_schemes(request, page: Query[PageIn]):
    return paginate(services.schemes(request.user).order_by("id"), page, scheme_out)


@router.get("/schemes/{pk}", response=answers(SchemeDocOut, 403, 404, 422), summary="一个考评方案的全部内容")
def get_scheme(request, pk: Id):
    return services.document(services.get_scheme(request.user, pk))


class CopyIn(Schema):
    name: str = Field("", max_length=100, title="副本名称")


@router.post("/schemes/{pk}/copy", response=answers(SchemeOut, 400, 403, 404, 422, status=201),
             summary="复制考评方案（随系统提供的方案须复制后修改）")
def copy_scheme(request, pk: Id, body: CopyIn):
    return Status(201, scheme_out(services.copy_scheme(request.user, pk, body.name)))


class ItemChange(Schema):
    points: float | None = Field(None, ge=0, le=1000, title="分值")
    tiers: list[float] | None = Field(None, max_length=20, title="各档分值（从高到低）")
    tier_labels: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=20)
    params: dict[str, Any] | None = Field(None, title="计分规则参数")
    name: str | None = Field(None, max_length=50)


class SchemeEditIn(Schema):
    name: str | None = Field(None, max_length=100)
    params: dict[str, Any] | None = Field(None, title="方案参数（appeal_window_days、reward_pool、reward_shares）")
    parts: dict[str, float] | None = Field(None, title="各部分分值：{序号: 分值}")
    items: dict[str, ItemChange] | None = Field(None, title="各考评项的修改：{键名: {...}}")


@router.patch("/schemes/{pk}", response=answers(SchemeOut, 400, 403, 404, 409, 422),
              summary="修改考评方案（分值、档位、参数；改后须各部分相加等于总分，否则不保存）")
def edit_scheme(request, pk: Id, body: SchemeEditIn):
    changes = body.dict(exclude_none=True)
    if "items" in changes:
        changes["items"] = {k: {f: v for f, v in c.items() if v is not None} for k, c in changes["items"].items()}
    return scheme_out(services.edit_scheme(request.user, pk, changes))


@router.post("/schemes/{pk}/activate", response=answers(SchemeOut, 403, 404, 422), summary="启用考评方案")
def activate_scheme(request, pk: Id):
    return scheme_out(services.activate_scheme(request.user, pk))


# ---------------------------------------------------------------- scoring a document


class FactsIn(Schema):
    model_config = ConfigDict(extra="allow")

    format: str = Field(description="gridgov.assess.facts/1")
    period: str = Field(max_length=7)
    district: dict[str, Any] = Field(default_factory=dict)
    scheme: dict[str, Any]
    totals: dict[str, Any]
    units: list[dict[str, Any]] = Field(max_length=500)


class ResultOut(Schema):
    model_config = ConfigDict(extra="allow")

    format: str
    period: str
    scheme: dict[str, Any]
    units: list[dict[str, Any]] = Field(description="按名次：各项得分及计分说明、各部分、总分、名次")


@router.post("/score", response=answers(ResultOut, 400, 403, 422),
             summary="对一份考评数据文件计分（不保存；与 gridgov assess score 相同）")
def score(request, body: FactsIn):
    services.require(request.user, services.VIEW)
    return services.score_document(body.dict())


# ---------------------------------------------------------------- runs


class RunOut(Schema):
    id: int
    period: str
    district: str
    revision: int
    scheme: int
    scheme_version: int
    reason: str
    created_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    appeal_deadline: dt.datetime | None


def run_out(r: Run, deadlines: dict | None = None) -> dict:
    deadline = deadlines.get(r.pk) if deadlines is not None else services.appeal_deadline(r)
    return {"id": r.pk, "period": r.period, "district": r.district_code, "revision": r.revision,
            "scheme": r.scheme_id, "scheme_version": r.scheme_version, "reason": r.reason,
            "created_by": r.created_by.username if r.created_by else "", "created_at": r.created_at,
            "published_at": r.published_at,
            "appeal_deadline": deadline}


class RevisionOut(Schema):
    id: int
    revision: int
    reason: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class RunDetailOut(RunOut):
    units: list[dict[str, Any]] = Field(description="按名次：code、name、rank、total、parts、items（points、explanation、source）")
    revisions: list[RevisionOut] = Field(description="本月的各修订版（可见的）")


class RunsIn(PageIn):
    period: Period | None = None


@router.get("/runs", response=answers(page_of(RunOut), 403, 422), summary="考评计算（各月各修订版；考评对象只见已发布的）")
def list_runs(request, q: Query[RunsIn]):
    qs = services.runs(request.user).order_by("-period", "-revision")
    if q.period:
        qs = qs.filter(period=q.period)
    page = paginate(qs, q)
    deadlines = services.appeal_deadlines(page["items"])  # one pass for the page, not two queries a row
    return {**page, "items": [run_out(r, deadlines) for r in page["items"]]}


class RunIn(Schema):
    period: Period | None = None
    district: Annotated[str, Field(pattern=r"^\d{6}$")] = "110101"
    facts: FactsIn | None = Field(None, description="给出则按这份考评数据计算；否则由系统汇集当月数据")
    reason: str = Field("", max_length=300)


@router.post("/runs", response=answers(RunOut, 400, 403, 409, 422, status=201),
             summary="计算一个月的考评（新的修订版，未发布）")
def create_run(request, body: RunIn):
    if body.facts is not None:
        return Status(201, run_out(services.run_document(request.user, body.facts.dict(), body.reason)))
    if not body.period:
        raise services.DomainError("period_required", "请给出考评月份（period）或考评数据（facts）")
    return Status(201, run_out(services.run_period(request.user, body.period, body.district)))


@router.get("/runs/{pk}", response=answers(RunDetailOut, 403, 404, 422), summary="一次考评的排名表及各项计分说明")
def get_run(request, pk: Id):
    run = services.get_run(request.user, pk)
    revisions = services.runs(request.user).filter(district_code=run.district_code, period=run.period) \
        .order_by("revision")
    return {**run_out(run), "units": run.result["units"],
            "revisions": [{"id": r.pk, "revision": r.revision, "reason": r.reason, "created_at": r.created_at,
                           "published_at": r.published_at} for r in revisions]}


@router.post("/runs/{pk}/publish", response=answers(RunOut, 403, 404, 409, 422), summary="发布考评结果")
def publish(request, pk: Id):
    return run_out(services.publish(request.user, pk))


class AssessExportIn(Schema):
    format: Literal["xlsx", "csv"] = "xlsx"
    detail: bool = Field(False, title="逐项计分说明（否则为排名表）")


@router.get("/runs/{pk}/export", response=answers(None, 403, 404, 422), openapi_extra=binary(
    spreadsheets.XLSX_TYPE, "text/csv", description="考评排名表"), summary="导出考评排名表（Excel）")
def export_run(request, pk: Id, q: Query[AssessExportIn]):
    run = services.get_run(request.user, pk)
    body, ctype = run_file(run, q.format, q.detail)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="assess-{run.period}-r{run.revision}.{q.format}"'
    return response


def run_file(run: Run, fmt: str, detail: bool = False) -> tuple[bytes, str]:
    head, rows = (scorer.item_table if detail else scorer.table)(run.result)
    return spreadsheets.write(fmt, head, rows, title=f"考评{run.period}")


# ---------------------------------------------------------------- judgements and evidence


class JudgementOut(Schema):
    id: int
    period: str
    unit: str
    item: str
    tier: int | None
    points: float | None
    receiver: bool | None
    remark: str
    evidence: int | None
    source: str
    by: str
    at: dt.datetime


def judgement_out(j: Judgement) -> dict:
    return {"id": j.pk, "period": j.period, "unit": j.unit_code, "item": j.item_key, "tier": j.tier,
            "points": j.points, "receiver": j.receiver, "remark": j.remark, "evidence": j.evidence_id,
            "source": j.source, "by": j.by.username if j.by else "", "at": j.at}


class JudgementIn(Schema):
    period: Period
    unit: UnitCode
    item: ItemKey
    tier: int | None = Field(None, ge=1, le=20, title="档位（1 为一档）")
    points: float | None = Field(None, ge=0, le=100, title="分值（创新工作机制等专人评判分值的项）")
    receiver: bool | None = Field(None, title="市区两级专项：是否安排专人接收通知")
    remark: str = Field(max_length=500, title="评判理由")
    evidence: Id | None = Field(None, title="依据的佐证材料")


class ListIn(PageIn):
    period: Period | None = None
    unit: UnitCode | None = None


def _filtered(qs, q: ListIn):
    return qs.filter(**{k: v for k, v in (("period", q.period), ("unit_code", q.unit)) if v})


@router.get("/judgements", response=answers(page_of(JudgementOut), 403, 422), summary="专人评判记录")
def list_judgements(request, q: Query[ListIn]):
    return paginate(_filtered(services.judgements(request.user), q), q, judgement_out)


@router.post("/judgements", response=answers(JudgementOut, 400, 403, 422, status=201),
             summary="专人评判：为一个街道的考评项定档（或定分），附评判理由")
def create_judgement(request, body: JudgementIn):
    return Status(201, judgement_out(services.judge(
        request.user, body.period, body.unit, body.item, tier=body.tier, points=body.points, receiver=body.receiver,
        remark=body.remark, evidence_id=body.evidence)))


class EvidenceOut(Schema):
    id: int
    period: str
    unit: str
    item: str
    text: str
    files: list[dict[str, Any]]
    by: str
    at: dt.datetime


def evidence_out(e: Evidence) -> dict:
    return {"id": e.pk, "period": e.period, "unit": e.unit_code, "item": e.item_key, "text": e.text,
            "files": [{"name": f["name"], "size": f["size"]} for f in e.files], "by": e.by.username if e.by else "",
            "at": e.at}


@router.get("/evidence", response=answers(page_of(EvidenceOut), 403, 422), summary="佐证材料")
def list_evidence(request, q: Query[ListIn]):
    return paginate(_filtered(services.evidence(request.user), q), q, evidence_out)


class EvidenceIn(Schema):
    period: Period
    item: ItemKey
    text: str = Field(max_length=4000, title="材料说明")


@router.post("/evidence", response=answers(EvidenceOut, 400, 403, 409, 413, 422, status=201),
             summary="街道提交佐证材料（multipart：period、item、text 和可选的附件 files）")
def submit_evidence(request, payload: Form[EvidenceIn], files: File[list[UploadedFile]] = None):
    return Status(201, evidence_out(services.submit_evidence(request.user, payload.period, payload.item,
                                                             payload.text, files or [])))


FILE_TYPES = sorted(set(services.FILE_TYPES.values()) | {services.OTHER_TYPE})


def _file_response(name: str, data: bytes, ctype: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/evidence/{pk}/files/{n}", response=answers(None, 403, 404, 422),
            openapi_extra=binary(*FILE_TYPES, description="佐证材料附件"), summary="下载佐证材料的第 n 个附件")
def evidence_file(request, pk: Id, n: Annotated[int, Field(ge=1, le=20)]):
    return _file_response(*services.attachment(request.user, "evidence", pk, n))


# ---------------------------------------------------------------- appeals


class AppealOut(Schema):
    id: int
    run: int
    period: str
    unit: str
    item: str
    reason: str
    files: list[dict[str, Any]]
    old_points: float
    status: str
    status_label: str
    ruling: str
    corrected: dict[str, Any]
    points: float | None
    new_points: float | None
    new_run: int | None
    by: str
    at: dt.datetime
    ruled_by: str
    ruled_at: dt.datetime | None


def appeal_out(a: Appeal) -> dict:
    return {"id": a.pk, "run": a.run_id, "period": a.period, "unit": a.unit_code, "item": a.item_key,
            "reason": a.reason, "files": [{"name": f["name"], "size": f["size"]} for f in a.files],
            "old_points": a.old_points, "status": a.status, "status_label": a.get_status_display(),
            "ruling": a.ruling, "corrected": a.corrected, "points": a.points, "new_points": a.new_points,
            "new_run": a.new_run_id, "by": a.by.username if a.by else "", "at": a.at,
            "ruled_by": a.ruled_by.username if a.ruled_by else "", "ruled_at": a.ruled_at}


class AppealsIn(PageIn):
    period: Period | None = None
    status: Literal["pending", "upheld", "rejected"] | None = None


@router.get("/appeals", response=answers(page_of(AppealOut), 403, 422), summary="申诉")
def list_appeals(request, q: Query[AppealsIn]):
    qs = services.appeals(request.user)
    if q.period:
        qs = qs.filter(period=q.period)
    if q.status:
        qs = qs.filter(status=q.status)
    return paginate(qs, q, appeal_out)


class AppealIn(Schema):
    run: Id = Field(title="被申诉的考评（已发布）")
    item: ItemKey
    reason: str = Field(max_length=4000, title="申诉理由")


@router.post("/appeals", response=answers(AppealOut, 400, 403, 404, 409, 413, 422, status=201),
             summary="街道对已发布月份某一考评项的得分提出申诉（multipart：run、item、reason 和可选的附件 files）")
def file_appeal(request, payload: Form[AppealIn], files: File[list[UploadedFile]] = None):
    return Status(201, appeal_out(services.file_appeal(request.user, payload.run, payload.item, payload.reason,
                                                       files or [])))


class RulingIn(Schema):
    upheld: bool = Field(title="申诉成立（false 为驳回）")
    ruling: str = Field(max_length=4000, title="裁定意见")
    corrected: dict[str, Any] | None = Field(None, title="改正的输入，如 {\"tier\": 1} 或 {\"sampled\": 10, \"passed\": 10}")
    points: float | None = Field(None, ge=0, le=100, title="或直接改正的分值")


@router.post("/appeals/{pk}/rule", response=answers(AppealOut, 400, 403, 404, 409, 422),
             summary="裁定申诉（成立则重新计算该月，形成新的修订版）")
def rule_appeal(request, pk: Id, body: RulingIn):
    return appeal_out(services.rule_appeal(request.user, pk, body.upheld, body.ruling, body.corrected, body.points))


@router.get("/appeals/{pk}/files/{n}", response=answers(None, 403, 404, 422),
            openapi_extra=binary(*FILE_TYPES, description="申诉附件"), summary="下载申诉的第 n 个附件")
def appeal_file(request, pk: Id, n: Annotated[int, Field(ge=1, le=20)]):
    return _file_response(*services.attachment(request.user, "appeal", pk, n))


# ---------------------------------------------------------------- the year


class AnnualIn(Schema):
    year: int = Field(ge=2000, le=2100, title="年度")


class AnnualOut(Schema):
    year: str
    periods: list[str]
    units: list[dict[str, Any]] = Field(description="按名次：年终的一二四五六部分、第三部分月均、年度得分及说明")
    allocation: list[dict[str, Any]] = Field(description="差额拨付：按名次分组、比例、金额")
    pool: float
    bulletin: str = Field(description="通报（草稿）")


@router.get("/annual", response=answers(AnnualOut, 403, 422), summary="年度考评、差额拨付和通报草稿")
def annual(request, q: Query[AnnualIn]):
    return services.annual(request.user, q.year)
