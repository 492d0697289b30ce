"""Output schemas of the basedata API (/api/v1/basedata): what buildings, dwellings, residents (masked),
organisations, visits, the household file, statistics and imports answer."""

import datetime as dt
import warnings

from ninja import Field, Schema


class BuildingOut(Schema):
    id: int
    code: str = Field(description="楼栋编码")
    name: str
    address: str
    lon: float
    lat: float
    floors: int = Field(description="层数")
    unit_grid: str = Field(description="单元网格编码")
    management_grid: str = Field(description="管理网格编码")
    community_code: str
    scope_key: str = Field(description="范围键（所属网格）")


class DwellingOut(Schema):
    id: int
    code: str = Field(description="房屋编码")
    building_id: int
    unit_no: str = Field(description="单元")
    floor: int = Field(description="楼层")
    room: str = Field(description="室号")
    use: str = Field(description="用途代码")
    use_label: str
    area_m2: float | None = Field(description="建筑面积（平方米）")
    scope_key: str


class BuildingDetail(BuildingOut):
    dwellings: list[DwellingOut]


class TagOut(Schema):
    category: str = Field(description="重点人群类别编码")
    name: str
    since: dt.date


class ResidentOut(Schema):
    """A resident, masked: the plain ID number and phone come only from …/unmask."""

    id: int
    name: str
    id_number: str = Field(description="身份证号（脱敏，如 110101********1234）")
    phone: str = Field(description="手机号（脱敏，如 138****5678）")
    gender: str
    birth_date: dt.date
    reg_type: str = Field(description="人口类型代码")
    reg_type_label: str
    household_id: int | None
    relation: str = Field(description="与户主关系代码")
    relation_label: str
    dwelling_id: int | None
    status: str
    status_label: str
    moved_in: dt.date | None
    scope_key: str
    masked: bool = Field(description="总为 true：个人信息已脱敏")


class ResidentRow(ResidentOut):
    tags: list[TagOut] = Field(description="重点人群标记（仅本岗位可见的类别）")


class ResidentEventOut(Schema):
    kind: str
    kind_label: str
    date: dt.date
    reason: str
    actor: str
    at: dt.datetime


class ResidentDetail(ResidentRow):
    events: list[ResidentEventOut] = Field(description="变动记录")


class ResidentPlain(Schema):
    id: int
    id_number: str = Field(description="身份证号明文")
    phone: str = Field(description="手机号明文")


class TagCreated(Schema):
    id: int
    category: str
    since: dt.date


class OrgOut(Schema):
    id: int
    name: str
    credit_code: str = Field(description="统一社会信用代码")
    kind: str
    kind_label: str
    address: str
    lon: float | None
    lat: float | None
    unit_grid: str
    contact_name: str
    contact_phone: str = Field(description="联系电话（脱敏）")
    opened_on: dt.date | None
    closed_on: dt.date | None
    scope_key: str
    masked: bool


class OrgPlain(Schema):
    id: int
    contact_phone: str = Field(description="联系电话明文")


class VisitOut(Schema):
    id: int
    worker: str = Field(description="走访人账号")
    household_id: int | None
    resident_id: int | None
    organisation_id: int | None
    visited_at: dt.datetime
    place: str
    issues: str = Field(description="反映问题")
    follow_up: str = Field(description="跟进情况")
    case_number: str | None = Field(description="关联案件编号")
    scope_key: str


class TriggerOut(Schema):
    id: int
    rule: str
    occurred_on: dt.date
    due_on: dt.date
    done: bool
    note: str


class DwellingWithBuilding(DwellingOut):
    building: BuildingOut


class HouseholdCase(Schema):
    """households: one case of the household's file, with why it is listed (gridgov/basedata/coverage.py)."""

    number: str = Field(description="案件编号")
    status: str
    status_label: str
    matter: str = Field(description="事项/部件类别")
    address: str
    reported_at: dt.datetime
    reasons: list[str] = Field(description="列入原因：本楼栋（楼栋 30 米内）、成员上报（成员手机号上报）、走访关联（走访记录所填案件）")


class HouseholdFile(Schema):
    """一户一档."""

    id: int
    number: str = Field(description="户编号")
    scope_key: str
    dwelling: DwellingWithBuilding | None
    members: list[ResidentRow]
    visits: list[VisitOut] = Field(description="走访记录（最近 100 条）")
    triggers: list[TriggerOut] = Field(description="六必访事项")
    cases: list[HouseholdCase] = Field(description="本户案件：本楼栋、成员上报、走访关联（本人可查看的案件）")


class CategoryOut(Schema):
    code: str
    name: str
    visit_interval_days: int = Field(description="走访周期（天）")
    roles: list[str] = Field(description="可见岗位")
    description: str
    active: bool


class KeyPersonOut(Schema):
    category: str
    category_name: str
    since: dt.date
    resident: ResidentOut


class DiaryOut(Schema):
    id: int
    worker: str
    date: dt.date
    content: str


class VisitRuleOut(Schema):
    code: str
    name: str
    within_days: int = Field(description="须在几天内走访")
    description: str
    active: bool


class TriggerCreated(Schema):
    id: int
    rule: str
    occurred_on: dt.date
    due_on: dt.date


class VisitDueOut(Schema):
    kind: str = Field(description="rule 六必访事项 / key_population 重点人群定期走访")
    rule: str
    household_id: int | None
    household: str
    resident_id: int | None
    resident: str
    occurred_on: dt.date
    due_on: dt.date = Field(description="应访日期")
    overdue: bool
    scope_key: str


class Counts(Schema):
    population: dict[str, int] = Field(description="人口：total 与各人口类型")
    households: int
    dwellings: int
    organisations: int
    key_population: dict[str, int] = Field(description="各重点人群类别人数（仅本岗位可见的类别）")
    visits_week: int = Field(description="本周走访")
    visits_month: int = Field(description="本月走访")


class ChildCounts(Counts):
    node: str


class StatsOut(Counts):
    node: str = Field(description="统计的节点（范围键前缀）")
    date: dt.date
    key_categories: dict[str, str] = Field(description="重点人群类别编码 → 名称")
    children: list[ChildCounts] = Field(description="下一级的统计")


class RankRow(Schema):
    username: str
    name: str
    node: str
    collected: int = Field(description="采集量")
    visits: int = Field(description="走访量")
    diary: int = Field(description="民情日记")
    total: int
    rank: int


class RankingOut(Schema):
    node: str
    week_start: dt.date
    week_end: dt.date
    workers: list[RankRow]


# the field "register" shadows ABCMeta.register of the class (harmless on an output schema): pydantic warns once
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "register"')

    class ImportReportOut(Schema):
        id: int = Field(description="导入任务号")
        register: str = Field(description="登记簿：residents、organisations、buildings 或 dwellings")
        status: str
        status_label: str
        phase: str
        total: int
        processed: int
        created: int
        updated: int
        unchanged: int
        skipped: int
        errors: list[str] = Field(description="有误的行及原因")
        error_count: int


class AccessLogOut(Schema):
    id: int
    at: dt.datetime
    username: str
    action: str
    action_label: str
    target: str
    object_id: str
    fields: str
    count: int
    reason: str
    scope_key: str


# ---- households: the 网格长's annual visit coverage (gridgov/basedata/coverage.py)


class VisitCoverageRow(Schema):
    node: str = Field(description="街道/社区代码或管理网格范围键")
    name: str
    households: int = Field(description="户数")
    visited: int = Field(description="本年网格长已走访户数")
    left: int = Field(description="未走访户数")
    others: int = Field(description="网格长未访、但其他人员本年已走访的户数")
    rate: float = Field(description="覆盖率（%）")


class LeftHousehold(Schema):
    id: int
    number: str = Field(description="户编号")
    grid: str = Field(description="管理网格")
    address: str = Field(description="地址（无查看明文权限时室号脱敏）")
    head: str = Field(description="户主（无查看明文权限时脱敏）")
    members: int = Field(description="在住人数")
    building_id: int | None
    other_visit: dt.date | None = Field(description="其他人员本年最近一次走访")


class VisitCoverageOut(Schema):
    node: str
    name: str
    year: int
    is_grid: bool
    households: int
    visited: int
    left: int
    rate: float
    unmasked: bool = Field(description="未走访户名单是否为明文（有 basedata.unmask 权限；已记录访问日志）")
    children: list[VisitCoverageRow]
    left_households: list[LeftHousehold] = Field(description="未走访户（范围为管理网格时列出）")
