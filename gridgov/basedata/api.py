"""Basedata API (人、地、物、事、组织), mounted at /api/v1/basedata.

Parse → call a service → serialise. Every read goes through ``rights.scoped``; every response is masked
(ID number 110101********1234, phone 138****5678) — the plain values come only from the ``…/unmask``
endpoints and unmasked exports, for a post with the right that gives a reason, and each is logged.
"""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from gridgov.errors import DomainError
from gridgov.limits import Id, field
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import coverage, exporting, importing, rights, services, stats
from .models import (
    AccessLog,
    Building,
    DiaryEntry,
    Dwelling,
    Household,
    ImportJob,
    KeyCategory,
    KeyTag,
    Organisation,
    Resident,
    ResidentEvent,
    ResidentStatus,
    Visit,
    VisitRule,
    VisitTrigger,
)
from .schemas import (
    AccessLogOut,
    BuildingDetail,
    BuildingOut,
    CategoryOut,
    DiaryOut,
    DwellingOut,
    HouseholdFile,
    ImportReportOut,
    KeyPersonOut,
    OrgOut,
    OrgPlain,
    RankingOut,
    ResidentDetail,
    ResidentOut,
    ResidentPlain,
    ResidentRow,
    StatsOut,
    TagCreated,
    TriggerCreated,
    VisitCoverageOut,
    VisitDueOut,
    VisitOut,
    VisitRuleOut,
)

router = Router(tags=["基础数据（人地物事组织）"])
MAX_DUE = 5000  # the to-do list is computed whole (at most this many), then paged
Code = Annotated[str, Field(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", title="编码")]  # KeyCategory, VisitRule


# ---------------------------------------------------------------- serialisers (masked by construction)


def building_out(b: Building) -> dict:
    return {"id": b.pk, "code": b.code, "name": b.name, "address": b.address, "lon": b.lon, "lat": b.lat,
            "floors": b.floors, "unit_grid": b.unit_grid, "management_grid": b.management_grid,
            "community_code": b.community_code, "scope_key": b.scope_key}


def dwelling_out(d: Dwelling) -> dict:
    return {"id": d.pk, "code": d.code, "building_id": d.building_id, "unit_no": d.unit_no, "floor": d.floor,
            "room": d.room, "use": d.use, "use_label": d.get_use_display(),
            "area_m2": float(d.area_m2) if d.area_m2 is not None else None, "scope_key": d.scope_key}


def resident_out(r: Resident) -> dict:
    return {"id": r.pk, "name": r.name, "id_number": r.id_masked, "phone": r.phone_masked, "gender": r.gender,
            "birth_date": r.birth_date, "reg_type": r.reg_type, "reg_type_label": r.get_reg_type_display(),
            "household_id": r.household_id, "relation": r.relation, "relation_label": r.get_relation_display(),
            "dwelling_id": r.dwelling_id, "status": r.status, "status_label": r.get_status_display(),
            "moved_in": r.moved_in, "scope_key": r.scope_key, "masked": True}


def org_out(o: Organisation) -> dict:
    return {"id": o.pk, "name": o.name, "credit_code": o.credit_code, "kind": o.kind, "kind_label": o.get_kind_display(),
            "address": o.address, "lon": o.lon, "lat": o.lat, "unit_grid": o.unit_grid,
            "contact_name": o.contact_name, "contact_phone": o.contact_phone_masked, "opened_on": o.opened_on,
            "closed_on": o.closed_on, "scope_key": o.scope_key, "masked": True}


def visit_out(v: Visit) -> dict:
    return {"id": v.pk, "worker": v.worker.username, "household_id": v.household_id, "resident_id": v.resident_id,
            "organisation_id": v.organisation_id, "visited_at": v.visited_at, "place": v.place, "issues": v.issues,
            "follow_up": v.follow_up, "case_number": v.case_number, "scope_key": v.scope_key}


def _tags(user, residents) -> dict[int, list[dict]]:
    cats = list(services.visible_categories(user))
    out: dict[int, list[dict]] = {}
    for t in KeyTag.objects.filter(resident__in=residents, category__in=cats, until__isnull=True).select_related("category"):
        out.setdefault(t.resident_id, []).append({"category": t.category.code, "name": t.category.name, "since": t.since})
    return out


# ---------------------------------------------------------------- places


class BuildingIn(Schema):
    code: str | None = field(Building, "code", None)
    name: str | None = field(Building, "name", None)
    address: str | None = field(Building, "address", None)
    lon: float | None = field(Building, "lon", None)
    lat: float | None = field(Building, "lat", None)
    floors: int | None = field(Building, "floors", None)


@router.get("/buildings", response=answers(page_of(BuildingOut), 403, 422), summary="楼栋（本人管辖范围内）")
def buildings(request, page: Query[PageIn], node: str | None = None, q: str | None = None):
    qs = rights.scoped(Building.objects.all(), request.user, rights.VIEW)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(name__contains=q) | Q(code=q))
    return paginate(qs.order_by("code"), page, building_out)


@router.post("/buildings", response=answers(BuildingOut, 400, 403, 404, 422), summary="新增楼栋（网格由位置自动确定）")
def building_create(request, payload: BuildingIn):
    return building_out(services.save_building(request.user, payload.dict(exclude_none=True)))


@router.get("/buildings/{pk}", response=answers(BuildingDetail, 403, 404, 422), summary="一个楼栋及其房屋")
def building_detail(request, pk: Id):
    b = rights.get_scoped(Building.objects.all(), request.user, rights.VIEW, pk=pk)
    return {**building_out(b), "dwellings": [dwelling_out(d) for d in b.dwellings.order_by("unit_no", "floor", "room")]}


@router.patch("/buildings/{pk}", response=answers(BuildingOut, 400, 403, 404, 422), summary="修改楼栋")
def building_update(request, pk: Id, payload: BuildingIn):
    return building_out(services.save_building(request.user, payload.dict(exclude_none=True), pk=pk))


class DwellingIn(Schema):
    building_id: Id | None = None
    code: str | None = field(Dwelling, "code", None)
    unit_no: str | None = field(Dwelling, "unit_no", None)
    floor: int | None = field(Dwelling, "floor", None)
    room: str | None = field(Dwelling, "room", None)
    use: str | None = field(Dwelling, "use", None)
    area_m2: float | None = field(Dwelling, "area_m2", None)


@router.get("/dwellings", response=answers(page_of(DwellingOut), 403, 422), summary="房屋（本人管辖范围内）")
def dwellings(request, page: Query[PageIn], building_id: Id | None = None, node: str | None = None):
    qs = rights.scoped(Dwelling.objects.all(), request.user, rights.VIEW)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    return paginate(qs.order_by("code"), page, dwelling_out)


@router.post("/dwellings", response=answers(DwellingOut, 400, 403, 404, 422), summary="新增房屋")
def dwelling_create(request, payload: DwellingIn):
    data = payload.dict(exclude_none=True)
    if "area_m2" in data:
        data["area_m2"] = round(data["area_m2"], 2)
    return dwelling_out(services.save_dwelling(request.user, data))


@router.patch("/dwellings/{pk}", response=answers(DwellingOut, 400, 403, 404, 422), summary="修改房屋（用途、面积…）")
def dwelling_update(request, pk: Id, payload: DwellingIn):
    data = payload.dict(exclude_none=True)
    if "area_m2" in data:
        data["area_m2"] = round(data["area_m2"], 2)
    return dwelling_out(services.save_dwelling(request.user, data, pk=pk))


# ---------------------------------------------------------------- people


class ResidentIn(Schema):
    name: str = field(Resident, "name")
    id_number: str = Field(max_length=40, title="身份证号")
    phone: str | None = Field(None, max_length=40, title="手机号")
    reg_type: str | None = field(Resident, "reg_type", None)
    dwelling_id: Id
    household_number: str | None = field(Household, "number", None)
    relation: str | None = field(Resident, "relation", None)
    moved_in: dt.date | None = None


class ResidentPatch(Schema):
    name: str | None = field(Resident, "name", None)
    phone: str | None = Field(None, max_length=40, title="手机号")
    reg_type: str | None = field(Resident, "reg_type", None)
    relation: str | None = field(Resident, "relation", None)


class MoveIn(Schema):
    kind: str = Field(max_length=10, title="变动类型")  # cancel | move
    date: dt.date
    reason: str = field(ResidentEvent, "reason")
    dwelling_id: Id | None = None
    household_number: str | None = field(Household, "number", None)


class ReasonIn(Schema):
    reason: str = field(AccessLog, "reason")


@router.get("/residents", response=answers(page_of(ResidentRow), 400, 403, 422), summary="实有人口（脱敏）；可按姓名、身份证号、手机号精确查找")
def residents(request, page: Query[PageIn], node: str | None = None, q: str | None = None,
              id_number: str | None = None, phone: str | None = None, status: str | None = "active",
              reg_type: str | None = None):
    qs = rights.scoped(Resident.objects.all(), request.user, rights.VIEW)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    if q:
        qs = qs.filter(name__contains=q)
    if id_number:
        qs = qs.filter(id_index=services.id_index(id_number))
    if phone:
        qs = qs.filter(phone_index=services.phone_index(phone))
    if status:
        qs = qs.filter(status=status)
    if reg_type:
        qs = qs.filter(reg_type=reg_type)
    out = paginate(qs.order_by("id"), page)
    tags = _tags(request.user, out["items"])
    return {**out, "items": [{**resident_out(r), "tags": tags.get(r.pk, [])} for r in out["items"]]}


@router.post("/residents", response=answers(ResidentOut, 400, 403, 404, 409, 422), summary="新增实有人口（采集）")
def resident_create(request, payload: ResidentIn):
    return resident_out(services.create_resident(request.user, payload.dict()))


@router.get("/residents/{pk}", response=answers(ResidentDetail, 403, 404, 422), summary="一个人员（脱敏）及其变动记录")
def resident_detail(request, pk: Id):
    r = rights.get_scoped(Resident.objects.all(), request.user, rights.VIEW, pk=pk)
    events = [{"kind": e.kind, "kind_label": e.get_kind_display(), "date": e.date, "reason": e.reason,
               "actor": e.actor.username if e.actor_id else "", "at": e.created_at}
              for e in r.events.select_related("actor").order_by("date", "id")]
    return {**resident_out(r), "tags": _tags(request.user, [r]).get(r.pk, []), "events": events}


@router.patch("/residents/{pk}", response=answers(ResidentOut, 400, 403, 404, 422), summary="修改人员信息（姓名、手机号、人口类型、与户主关系）")
def resident_update(request, pk: Id, payload: ResidentPatch):
    return resident_out(services.update_resident(request.user, pk, payload.dict(exclude_none=True)))


@router.post("/residents/{pk}/move", response=answers(ResidentOut, 400, 403, 404, 422), summary="注销（cancel）或迁移（move，可指定新房屋）")
def resident_move(request, pk: Id, payload: MoveIn):
    return resident_out(services.move_resident(request.user, pk, payload.kind, payload.date, payload.reason,
                                               payload.dwelling_id, payload.household_number or ""))


@router.post("/residents/{pk}/unmask", response=answers(ResidentPlain, 400, 403, 404, 422), summary="查看身份证号、手机号明文（须有权限并填写事由；记录日志）")
def resident_unmask(request, pk: Id, payload: ReasonIn):
    return services.unmask_resident(request.user, pk, payload.reason)


class TagIn(Schema):
    category: str = field(KeyCategory, "code")
    since: dt.date | None = None
    note: str = field(KeyTag, "note", "")


@router.post("/residents/{pk}/tags", response=answers(TagCreated, 400, 403, 404, 422), summary="标记重点人群")
def resident_tag(request, pk: Id, payload: TagIn):
    t = services.tag_resident(request.user, pk, payload.category, payload.since, payload.note)
    return {"id": t.pk, "category": t.category.code, "since": t.since}


@router.get("/households/{pk}", response=answers(HouseholdFile, 403, 404, 422), summary="一户一档：成员、房屋、走访、必访事项、本户案件")
def household_file(request, pk: Id):
    hh = rights.get_scoped(Household.objects.select_related("dwelling__building"), request.user, rights.VIEW, pk=pk)
    members = list(hh.members.order_by("relation", "id"))
    tags = _tags(request.user, members)
    d = hh.dwelling
    return {
        "id": hh.pk, "number": hh.number, "scope_key": hh.scope_key,
        "dwelling": {**dwelling_out(d), "building": building_out(d.building)} if d else None,
        "members": [{**resident_out(r), "tags": tags.get(r.pk, [])} for r in members],
        "visits": [visit_out(v) for v in hh.visits.select_related("worker")[:100]],
        "triggers": [{"id": t.pk, "rule": t.rule.name, "occurred_on": t.occurred_on, "due_on": t.due_on,
                      "done": t.visit_id is not None, "note": t.note} for t in hh.triggers.select_related("rule")],
        "cases": coverage.household_cases(request.user, hh),  # households: 本楼栋、成员上报、走访关联
    }


# ---------------------------------------------------------------- organisations


class OrgIn(Schema):
    name: str | None = field(Organisation, "name", None)
    credit_code: str | None = Field(None, max_length=40, title="统一社会信用代码")
    kind: str | None = field(Organisation, "kind", None)
    address: str | None = field(Organisation, "address", None)
    lon: float | None = field(Organisation, "lon", None)
    lat: float | None = field(Organisation, "lat", None)
    contact_name: str | None = field(Organisation, "contact_name", None)
    contact_phone: str | None = Field(None, max_length=40, title="联系电话")
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


@router.get("/organisations", response=answers(page_of(OrgOut), 403, 422), summary="实有单位（联系电话脱敏）")
def organisations(request, page: Query[PageIn], node: str | None = None, q: str | None = None,
                  credit_code: str | None = None, open_only: bool = True):
    qs = rights.scoped(Organisation.objects.all(), request.user, rights.VIEW)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    if q:
        qs = qs.filter(name__contains=q)
    if credit_code:
        qs = qs.filter(credit_code=credit_code.strip().upper())
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return paginate(qs.order_by("credit_code"), page, org_out)


@router.post("/organisations", response=answers(OrgOut, 400, 403, 404, 409, 422), summary="新增实有单位")
def org_create(request, payload: OrgIn):
    return org_out(services.save_organisation(request.user, payload.dict(exclude_none=True)))


@router.get("/organisations/{pk}", response=answers(OrgOut, 403, 404, 422), summary="一个单位")
def org_detail(request, pk: Id):
    return org_out(rights.get_scoped(Organisation.objects.all(), request.user, rights.VIEW, pk=pk))


@router.patch("/organisations/{pk}", response=answers(OrgOut, 400, 403, 404, 409, 422), summary="修改单位（含注销日期）")
def org_update(request, pk: Id, payload: OrgIn):
    return org_out(services.save_organisation(request.user, payload.dict(exclude_none=True), pk=pk))


@router.post("/organisations/{pk}/unmask", response=answers(OrgPlain, 400, 403, 404, 422), summary="查看单位联系电话明文（须有权限并填写事由；记录日志）")
def org_unmask(request, pk: Id, payload: ReasonIn):
    from gridgov.crypto import cipher

    rights.require(request.user, rights.UNMASK)
    o = rights.get_scoped(Organisation.objects.all(), request.user, rights.UNMASK, pk=pk)
    reason = services._reason(payload.reason)
    services.log_access(request.user, "unmask", "organisation", o.pk, "contact_phone", 1, reason, o.scope_key)
    return {"id": o.pk, "contact_phone": cipher().decrypt(o.contact_phone_cipher, services.ORG_PHONE_FIELD)}


# ---------------------------------------------------------------- key populations, visits, diary, 六必访


class CategoryIn(Schema):
    code: str = field(KeyCategory, "code")
    name: str = field(KeyCategory, "name")
    visit_interval_days: int = field(KeyCategory, "visit_interval_days", 30)
    roles: list[str] = Field([], max_length=50)
    description: str = field(KeyCategory, "description", "")
    active: bool = True


def category_out(c: KeyCategory) -> dict:
    return {"code": c.code, "name": c.name, "visit_interval_days": c.visit_interval_days, "roles": c.roles,
            "description": c.description, "active": c.active}


@router.get("/key-categories", response=answers(page_of(CategoryOut), 403, 422), summary="重点人群类别（仅本岗位可见的类别）")
def key_categories(request, page: Query[PageIn]):
    rights.require(request.user, rights.VIEW)
    return paginate(list(services.visible_categories(request.user)), page, category_out)


@router.put("/key-categories/{code}", response=answers(CategoryOut, 400, 403, 422), summary="新增或修改重点人群类别（管理员）")
def key_category_save(request, code: Code, payload: CategoryIn):
    return category_out(services.save_key_category(request.user, code, payload.dict()))


@router.get("/key-population", response=answers(page_of(KeyPersonOut), 403, 422), summary="重点人群名单（脱敏；仅可见类别）")
def key_population(request, page: Query[PageIn], category: str | None = None, node: str | None = None):
    cats = services.visible_categories(request.user)
    qs = rights.scoped(KeyTag.objects.select_related("resident", "category"), request.user, rights.VIEW).filter(
        until__isnull=True, category__in=cats, resident__status=ResidentStatus.ACTIVE)
    if category:
        qs = qs.filter(category__code=category)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    return paginate(qs.order_by("category_id", "resident_id"), page, lambda t: {
        "category": t.category.code, "category_name": t.category.name, "since": t.since,
        "resident": resident_out(t.resident)})


class VisitIn(Schema):
    household_id: Id | None = None
    resident_id: Id | None = None
    organisation_id: Id | None = None
    visited_at: dt.datetime | None = None
    place: str = field(Visit, "place", "")
    issues: str = field(Visit, "issues", "")
    follow_up: str = field(Visit, "follow_up", "")
    case_number: str | None = field(Visit, "case_number", None)


@router.get("/visits", response=answers(page_of(VisitOut), 403, 422), summary="走访记录")
def visits(request, page: Query[PageIn], node: str | None = None, worker: str | None = None,
           since: dt.date | None = None):
    qs = rights.scoped(Visit.objects.select_related("worker"), request.user, rights.VIEW)
    if node:
        qs = qs.filter(scope_key__startswith=node)
    if worker:
        qs = qs.filter(worker__username=worker)
    if since:
        qs = qs.filter(visited_at__date__gte=since)
    return paginate(qs, page, visit_out)


@router.post("/visits", response=answers(VisitOut, 400, 403, 404, 422), summary="登记走访（完成该户的六必访事项）")
def visit_create(request, payload: VisitIn):
    return visit_out(services.record_visit(request.user, payload.dict()))


class DiaryIn(Schema):
    content: str = field(DiaryEntry, "content")
    date: dt.date | None = None


@router.get("/diary", response=answers(page_of(DiaryOut), 403, 422), summary="民情日记")
def diary(request, page: Query[PageIn], worker: str | None = None):
    qs = rights.scoped(DiaryEntry.objects.select_related("worker"), request.user, rights.VIEW)
    if worker:
        qs = qs.filter(worker__username=worker)
    return paginate(qs, page, lambda e: {"id": e.pk, "worker": e.worker.username, "date": e.date,
                                         "content": e.content})


@router.post("/diary", response=answers(DiaryOut, 400, 403, 422), summary="写民情日记")
def diary_create(request, payload: DiaryIn):
    e = services.add_diary(request.user, payload.content, payload.date)
    return {"id": e.pk, "worker": e.worker.username, "date": e.date, "content": e.content}


class RuleIn(Schema):
    name: str = field(VisitRule, "name")
    within_days: int = field(VisitRule, "within_days", 3)
    description: str = field(VisitRule, "description", "")
    active: bool = True


@router.get("/visit-rules", response=answers(page_of(VisitRuleOut), 403, 422), summary="六必访规则")
def visit_rules(request, page: Query[PageIn]):
    rights.require(request.user, rights.VIEW)
    return paginate(VisitRule.objects.order_by("id"), page)


@router.put("/visit-rules/{code}", response=answers(VisitRuleOut, 400, 403, 422), summary="新增或修改六必访规则（管理员）")
def visit_rule_save(request, code: Code, payload: RuleIn):
    r = services.save_visit_rule(request.user, code, payload.dict())
    return {"code": r.code, "name": r.name, "within_days": r.within_days, "description": r.description,
            "active": r.active}


class TriggerIn(Schema):
    rule: str = field(VisitRule, "code")
    occurred_on: dt.date
    note: str = field(VisitTrigger, "note", "")


@router.post("/households/{pk}/triggers", response=answers(TriggerCreated, 400, 403, 404, 422), summary="登记六必访事项（如家中有人去世、患病、困难、纠纷…）")
def trigger_create(request, pk: Id, payload: TriggerIn):
    t = services.add_trigger(request.user, pk, payload.rule, payload.occurred_on, payload.note)
    return {"id": t.pk, "rule": t.rule.code, "occurred_on": t.occurred_on, "due_on": t.due_on}


@router.get("/due", response=answers(page_of(VisitDueOut), 403, 422), summary="待走访清单（六必访事项与到期的重点人群走访），应访日期在前")
def due(request, page: Query[PageIn]):
    return paginate(services.due_list(request.user, MAX_DUE), page)


# ---------------------------------------------------------------- statistics


@router.get("/stats", response=answers(StatsOut, 403, 404, 422), summary="统计：人口、户、单位、重点人群、走访（按网格/社区/街道）")
def statistics(request, node: str | None = None):
    return stats.statistics(request.user, node)


@router.get("/ranking", response=answers(RankingOut, 400, 403, 404, 422), summary="网格员周排名（采集量、走访量）；未来的周 400 future_week")
def ranking(request, node: str | None = None, date: dt.date | None = None):
    return stats.ranking(request.user, node, date)


@router.get("/coverage", response=answers(VisitCoverageOut, 400, 403, 404, 422),
            summary="网格长年度走访覆盖率（按街道/社区/网格），管理网格列出未走访户（无明文权限时脱敏；明文记录访问日志）")
def coverage_of(request, year: int | None = None, node: str | None = None):
    data = coverage.coverage(request.user, year, node)
    coverage.log_left(request.user, data["node"], data["year"], len(data["left_households"]), "unmask")
    return data


# ---------------------------------------------------------------- import, export, templates, access log

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/templates/{kind}", response=answers(None, 400, 403, 422), summary="导入模板（csv 或 xlsx）",
            openapi_extra=binary("text/csv", XLSX, description="导入模板"))
def template(request, kind: str, format: str = "xlsx"):
    rights.require(request.user, rights.VIEW)
    data, ctype = exporting.template(kind, format)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{kind}-template.{"xlsx" if format == "xlsx" else "csv"}"'
    return resp


def _report_out(job: ImportJob) -> dict:
    live = importing.progress(job.pk)
    return {"id": job.pk, "register": job.register, "status": job.status, "status_label": job.get_status_display(),
            "phase": live["phase"] if live else job.phase, "total": live["total"] if live else job.total,
            "processed": live["processed"] if live else job.processed,
            "created": job.created, "updated": job.updated, "unchanged": job.unchanged, "skipped": job.skipped,
            "errors": [f"第 {n} 行：{m}" for n, m in job.errors], "error_count": len(job.errors)}


@router.post("/imports/{kind}", response=answers(ImportReportOut, 400, 403, 422),
             summary="导入登记簿：请求体为 CSV/xlsx 文件（或 multipart 的 file 字段）；先校验每一行，有错误则不写入，"
                     "除非 skip_bad=true（422 import_rejected 的错误体带导入报告）；background=true 时立即返回任务号，用 GET /import-jobs/{id} 查询进度",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def import_register(request, kind: str, skip_bad: bool = False, background: bool = False):
    rights.require(request.user, rights.IMPORT)
    if kind not in importing.COLUMNS:
        raise DomainError("unknown_register", "登记簿应为 residents、organisations、buildings 或 dwellings")
    data, name = importing.read_upload(request)  # refused unread past the import size limit (413)
    job = importing.Job(kind, request.user, name, skip_bad, None)
    if background:  # scale (#12): a background job (Celery workers with a broker), the file parked in the storage
        from gridgov import background as jobs
        from gridgov.basedata.jobs import park

        park(job.row.pk, data)
        jobs.submit("basedata.import", job.row.pk)
        job.row.refresh_from_db()
        return _report_out(job.row)
    report = importing.run_import(kind, request.user, data, name, skip_bad, job=job)
    job.row.refresh_from_db()
    out = _report_out(job.row)
    if not report.written:
        from django.core.serializers.json import DjangoJSONEncoder
        from django.http import JsonResponse

        out = {"code": "import_rejected", "message": f"有 {len(report.errors)} 行数据有误，未写入任何数据"
               "（改正后重新导入，或选择跳过错误行）", **out}
        return JsonResponse(out, status=422, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})
    return out


@router.get("/import-jobs/{pk}", response=answers(ImportReportOut, 403, 404, 422), summary="导入进度与报告")
def import_status(request, pk: Id):
    rights.require(request.user, rights.IMPORT)
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or (not request.user.is_superuser and job.user_id != request.user.pk
                       and not rights.in_scope(request.user, job.scope_key)):
        from gridgov.accounts.scope import OutOfScope

        raise OutOfScope()
    return _report_out(job)


@router.get("/exports/{kind}", response=answers(None, 400, 403, 404, 422),
            summary="导出登记簿（默认脱敏；unmask=true 须有权限并填写 reason；均记录日志）",
            openapi_extra=binary("text/csv", XLSX, description="登记簿（CSV 或 xlsx）"))
def export_register(request, kind: str, format: str = "csv", unmask: bool = False, reason: str = "",
                    node: str | None = None):
    data, ctype, _ = exporting.export(kind, request.user, format, unmask, reason, node)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{kind}.{"xlsx" if format == "xlsx" else "csv"}"'
    return resp


@router.get("/access-log", response=answers(page_of(AccessLogOut), 403, 422), summary="个人信息访问日志（审计）")
def access_log(request, page: Query[PageIn], action: str | None = None, username: str | None = None):
    qs = rights.scoped(AccessLog.objects.all(), request.user, rights.AUDIT)
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username)
    return paginate(qs, page, lambda a: {
        "id": a.pk, "at": a.at, "username": a.username, "action": a.action, "action_label": a.get_action_display(),
        "target": a.target, "object_id": a.object_id, "fields": a.fields, "count": a.count, "reason": a.reason,
        "scope_key": a.scope_key})
