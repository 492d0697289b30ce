"""Performance API (/api/v1/performance/): the monthly sheets of grid workers and inspectors (ranked within the
street, with the pay band), their export, and the district's scheme. Parse → call a service → serialise."""

from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gridgov import spreadsheets
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import services

router = Router(tags=["人员考核"])

Score = float | str  # "—": the part does not apply to the person's post


class SheetOut(Schema):
    rank: int = Field(description="街道内排名（同分同名次）")
    street: str
    username: str
    name: str
    post: str
    grid: str
    workdays: int | str
    days_on_duty: int | str
    late: int | str
    absent: int | str
    leave: int | str
    patrols: int | str
    patrols_planned: int | str
    reports: int
    valid_reports: int
    visits: int | str
    settled: int
    rework: int
    flags: int = Field(description="本月确认的弄虚作假线索")
    p_attendance: Score
    p_patrols: Score
    p_reports: Score
    p_visits: Score
    p_settled: Score
    p_quality: Score
    score: float
    band: str
    coefficient: float


class SheetMonthIn(PageIn):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")


@router.get("/sheets", response=answers(page_of(SheetOut), 400, 403, 422),
            summary="人员月度考核表（网格员、监督员；街道内排名、绩效档次）")
def list_sheets(request, q: Query[SheetMonthIn]):
    return paginate(services.sheets(request.user, q.month or timezone.localdate().strftime("%Y-%m")), q)


class SheetExportIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", max_length=7, title="月份（YYYY-MM）")
    format: Literal["xlsx", "csv"] = "xlsx"


@router.get("/sheets/export", response=answers(None, 400, 403, 422), openapi_extra=binary(
    spreadsheets.XLSX_TYPE, "text/csv", description="人员月度考核表"), summary="导出人员月度考核表（Excel）")
def export_sheets(request, q: Query[SheetExportIn]):
    body, ctype = services.sheet_file(services.sheets(request.user, q.month), q.format, q.month)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="performance-{q.month}.{q.format}"'
    return response


class BandIn(Schema):
    band: str = Field(max_length=8, title="档次")
    min: float = Field(ge=0, le=100, title="最低分")
    coefficient: float = Field(ge=0, le=5, title="绩效系数")


class PaySchemeOut(Schema):
    district: str
    weights: dict[str, float]
    targets: dict[str, float]
    deductions: dict[str, float]
    bands: list[BandIn]


class SchemeIn(Schema):
    weights: dict[str, float] = Field(title="各项权重", description="attendance patrols reports visits settled quality")
    targets: dict[str, float] = Field(title="月度目标", description="reports visits settled")
    deductions: dict[str, float] = Field(title="扣分", description="rework invalid flag")
    bands: list[BandIn] = Field(max_length=10, title="绩效档次", description="最低分从高到低，最后一档为 0")


class DistrictIn(Schema):
    district: str = Field(pattern=r"^\d{6}$", title="区县代码")


@router.get("/scheme", response=answers(PaySchemeOut, 403, 422), summary="考核公式与绩效档次（差异化管理）")
def get_scheme(request, q: Query[DistrictIn]):
    from gridgov.accounts.scope import require

    require(request.user, services.READ)
    return services.scheme_out(services.scheme(q.district))


@router.put("/scheme/{district}", response=answers(PaySchemeOut, 400, 403, 422), summary="修改考核公式与绩效档次")
def put_scheme(request, district: str, body: SchemeIn):
    return services.scheme_out(services.set_scheme(
        request.user, district[:6], weights=body.weights, targets=body.targets, deductions=body.deductions,
        bands=[b.dict() for b in body.bands]))
