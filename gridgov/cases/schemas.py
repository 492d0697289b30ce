"""Output schemas of the cases API (/api/v1/cases): what a case, its timeline, an intake and a bulk action answer."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class CodeName(Schema):
    code: str
    name: str


class RoutingOut(Schema):
    """Where the routing rules would send the case at 立案 (the dispatcher may choose otherwise)."""

    department_id: int | None
    department: str | None
    node: str | None
    label: str


class CaseSummary(Schema):
    """A case in a list."""

    number: str = Field(description="案件编号")
    status: str = Field(description="状态代码（reported、registered、dispatched …）")
    status_label: str = Field(description="状态（中文）")
    version: int = Field(description="版本：执行操作时带上，他人先改过则 409")
    source: str = Field(description="来源代码")
    source_label: str
    urgency: str = Field(description="紧急程度：normal / urgent …")
    matter: CodeName | None = Field(description="事项/部件类别")
    description: str = Field(description="问题描述")
    address: str
    lon: float = Field(description="经度（WGS84）")
    lat: float = Field(description="纬度（WGS84）")
    unit_grid: str | None = Field(description="单元网格编码")
    community: CodeName | None = Field(description="社区")
    assignee_department: str | None = Field(description="主办部门")
    assignee_node: str = Field(description="承办层级（辖区编码）")
    level: str = Field(description="所在层级：grid 网格 / community 社区 / street 街道 / district 区 / city 市 / department 专业部门")
    settled_level: str = Field(description="办结层级（处置后）：grid / community / street / district / city / department，未处置为空")
    stage: str = Field(description="当前环节代码（空：无计时环节）")
    stage_label: str = Field(description="当前环节（中文）")
    stage_due_at: datetime | None = Field(description="本环节到期时间")
    light: str = Field(description="green / yellow / red / paused，无计时为空")
    reported_at: datetime = Field(description="上报时间")


class PhotoRef(Schema):
    id: int
    kind: str = Field(description="report 上报 / verify 核实 / feedback 处置 / inspect 核查")
    url: str


class PhotoOut(PhotoRef):
    exif_lon: float | None
    exif_lat: float | None


class ReportOut(Schema):
    source: str
    description: str
    reporter_name: str = Field(description="上报人姓名（脱敏）")
    reporter_phone: str = Field(description="上报人电话（脱敏）")
    created_at: datetime


class ActionOut(Schema):
    action: str = Field(description="操作代码，用于 POST /cases/{number}/actions/{action}")
    label: str = Field(description="操作（中文）")


class CaseTimes(Schema):
    reported: datetime | None
    verified: datetime | None
    registered: datetime | None
    dispatched: datetime | None
    accepted: datetime | None
    handled: datetime | None
    inspected: datetime | None
    closed: datetime | None
    archived: datetime | None


class CaseDetail(CaseSummary):
    """A case with everything the person may see, and the actions they may take now."""

    management_grid: str | None = Field(description="管理网格编码")
    # gridchange: the grid changes this case went through (历史案件对照表), oldest first
    grid_history: list[dict[str, str]] = Field([], description="网格调整前后的网格：change、applied_at、old_management_grid、old_unit_grid、new_management_grid、new_unit_grid")
    area_class: str = Field(description="区域类别 A/B/C")
    pending_request: str = Field(description="待审批申请（延期、挂账…），无则为空")
    pending_amount: str | None = Field(description="申请的延期时长")
    verified: bool
    followed_up: bool
    satisfaction: int | None = Field(description="满意度")
    counts: dict[str, int] = Field(description="次数：rework 返工、return 退回、reopen 重办、extension 延期、urge 督办")
    times: CaseTimes
    handle_due_at: datetime | None = Field(description="处置到期时间")
    first_contact: str | None = Field(description="首接负责人")
    assist: list[str] = Field(description="协办部门")
    merged_into: str | None = Field(description="合并到的案件编号")
    reports: list[ReportOut]
    photos: list[PhotoOut]
    routing_suggestion: RoutingOut | None = Field(description="派遣建议")
    actions: list[ActionOut] = Field(description="当前用户现在可以执行的操作（allowed actions）")


class IntakeCase(CaseSummary):
    photos: list[PhotoRef]


class DuplicateOut(Schema):
    number: str
    status: str
    distance_m: float = Field(description="距离（米）")
    description: str
    reported_at: datetime


class PhotoError(Schema):
    file: str
    code: str
    message: str


class IntakeOut(Schema):
    created: bool = Field(description="true：新建；false：同一 client_key 已受理过，返回该案件现状")
    case: IntakeCase
    duplicates: list[DuplicateOut] = Field(description="疑似重复的案件")
    photo_errors: list[PhotoError] = Field(description="被拒绝的照片及原因")
    routing_suggestion: RoutingOut | None


class ItemError(Schema):
    code: str
    message: str


class BatchFiled(Schema):
    """A report of the batch that was filed (or had been: the same client_key)."""

    index: int = Field(description="在请求 reports 中的序号（从 0 开始）")
    created: bool
    number: str
    status: str
    version: int
    unit_grid: str | None
    routing_suggestion: RoutingOut | None


class BatchFailed(Schema):
    """A report of the batch that was refused, with why."""

    index: int = Field(description="在请求 reports 中的序号（从 0 开始）")
    error: ItemError


class BatchOut(Schema):
    created: int = Field(description="新建的案件数")
    failed: int = Field(description="有误未受理的条数")
    results: list[BatchFiled | BatchFailed] = Field(description="逐条结果，与请求顺序相同")


class TimelineEntry(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    at: datetime
    actor: str = Field(description="操作人（居民看不到）")
    role: str
    data: dict[str, Any] = Field(description="操作的数据（原因、反馈…）")


class BulkDone(Schema):
    number: str
    status: str
    version: int


class BulkRefused(Schema):
    number: str
    code: str
    message: str


class BulkOut(Schema):
    done: list[BulkDone] = Field(description="已执行的案件")
    refused: list[BulkRefused] = Field(description="未执行的案件及原因")


class PhotosOut(Schema):
    stored: list[int] = Field(description="保存的照片编号")
    photo_errors: list[PhotoError]


class ScanOut(Schema):
    yellow: int = Field(description="本次发出的黄灯预警数")
    red: int = Field(description="本次发出的红灯督办数")


class SettledOut(Schema):
    """levels: 小事不出网格、大事不出社区 — settled cases by the level that settled them (percent of all settled)."""

    total: int = Field(description="期间内处置（有办结层级）的案件数")
    grid: int = Field(description="网格办结")
    community: int = Field(description="社区办结")
    street: int = Field(description="街道办结")
    above: int = Field(description="区、专业部门、市办结")
    grid_pct: float | None
    community_pct: float | None
    street_pct: float | None
    above_pct: float | None
    within_grid_pct: float | None = Field(description="小事不出网格：网格内办结的占比")
    within_community_pct: float | None = Field(description="大事不出社区：网格和社区内办结的占比")
    within_street_pct: float | None = Field(description="难事不出街道：街道及以下办结的占比")
