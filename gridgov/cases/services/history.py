"""Case history loaded in bulk: finished cases written with their whole course at once (the demo's weeks of past
work; a legacy system's finished cases on the same path).

A copy takes the course of a finished case that went through the real services (its *template*: every state,
clock, late-stage bit, handling time and timeline row the services computed) and writes it again for another
report — another time (every time of the course moves by the same amount), another place in the template's
community (so its 网格长, 监督员 and 分中心 are the same people; the grid worker becomes the new grid's), another
description and reporter. Nothing is recomputed and nobody is notified: it is history.

Everything is written in one transaction with plain multi-row INSERTs (``gridgov.sqlrows``): the cases, their
reports, timeline rows, 协办 and routing decisions, and one audit record per case (action ``load_history`` by the
system: its final state, its template and its course — each step's action, time and actor), appended with one
``record_many``, so the chain stays one valid chain. Open cases are never copied (their deadlines and lights belong to now: they go through the
services), and a copy may not end in the future. Any refusal leaves the database as it was.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gridgov import sqlrows
from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.audit.services import Entry, record_many
from gridgov.basedata.logic.ids import mask_phone
from gridgov.crypto import cipher
from gridgov.errors import DomainError
from gridgov.geo.models import Grid, GridDuty, Post

from ..logic.lifecycle import OPEN_STATES
from ..models import Case, CaseAssist, CaseEvent, CaseReport, RoutingDecision
from .intake import PHONE_FIELD, SHANGHAI, next_numbers, report_phone_index

MAX_COPIES = 50_000
_SHIFTED = [f.attname for f in Case._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
            and f.attname != "updated_at"]

# the times something happened (a deadline of a finished case may lie ahead: it is not a happening)
_HAPPENED = [f for f in _SHIFTED if not f.endswith(("due_at", "yellow_at"))]


@dataclass(frozen=True)
class Copy:
    """One finished case to write: ``template`` (a finished case's id) reported at ``reported_at`` in unit grid
    ``unit_grid`` (an id; in the template's community) at ``lon``/``lat``."""

    template: int
    reported_at: dt.datetime
    unit_grid: int
    lon: float
    lat: float
    description: str = ""  # empty: the template's
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter: int | None = None  # a resident account's id for a resident's report; None: as the template's


def load(copies: list[Copy], now: dt.datetime | None = None) -> list[str]:
    """Write the copies (see the module); returns their case numbers in the order given."""
    now = now or timezone.now()
    if len(copies) > MAX_COPIES:
        raise DomainError("too_many_cases", f"一次最多载入 {MAX_COPIES} 件历史案件")
    if not copies:
        return []
    templates = Case.objects.select_related("district", "management_grid").in_bulk({c.template for c in copies})
    grids = {g.pk: g for g in Grid.objects.filter(pk__in={c.unit_grid for c in copies}).select_related("parent")}
    for c in copies:
        t = templates.get(c.template)
        if t is None:
            raise DomainError("template_not_found", f"模板案件 {c.template} 不存在")
        if t.status in OPEN_STATES:
            raise DomainError("template_open", f"模板案件 {t.number} 尚未办结：在办案件须经业务流程办理，不能作为历史载入")
        g = grids.get(c.unit_grid)
        if g is None or g.community_id != t.community_id:
            raise DomainError("invalid_grid", f"网格 {c.unit_grid} 不在模板案件 {t.number} 的社区内")
        if c.reporter_phone and not (c.reporter_phone.isdigit() and 7 <= len(c.reporter_phone) <= 15):
            raise DomainError("invalid_phone", "联系电话应为 7～15 位数字")
    events = defaultdict(list)
    for e in CaseEvent.objects.filter(case_id__in=templates).order_by("at", "id"):
        events[e.case_id].append(e)
    reports = defaultdict(list)
    for r in CaseReport.objects.filter(case_id__in=templates).order_by("id"):
        reports[r.case_id].append(r)
    assists = defaultdict(list)
    for a in CaseAssist.objects.filter(case_id__in=templates):
        assists[a.case_id].append(a)
    routing = defaultdict(list)
    for d in RoutingDecision.objects.filter(case_id__in=templates):
        routing[d.case_id].append(d)
    for c in copies:
        t = templates[c.template]
        last = max([e.at for e in events[t.pk]] + [getattr(t, f) for f in _HAPPENED if getattr(t, f)])
        if last + (c.reported_at - t.reported_at) > now:
            raise DomainError("history_in_future", f"历史案件不能晚于现在结束（模板 {t.number}，上报于 {c.reported_at:%m-%d %H:%M}）")
    # the grid worker of each management grid: its 五定's (else an active grid worker bound to it)
    workers = {u.node_key: u for u in User.objects.filter(role=Role.GRID_WORKER, is_active=True).order_by("-id")}
    workers |= {d.grid.scope_key: d.person for d in GridDuty.objects.filter(post=Post.GRID_WORKER, person__is_active=True)
                .select_related("grid", "person")}
    people = User.objects.in_bulk({e.actor_id for es in events.values() for e in es if e.actor_id}
                                  | {c.reporter for c in copies if c.reporter})
    with transaction.atomic():
        numbers = _numbers(templates, copies)
        cases, children, audit = [], [], []
        for c, number in zip(copies, numbers, strict=True):
            t = templates[c.template]
            g = grids[c.unit_grid]
            shift = c.reported_at - t.reported_at
            old_worker_key = t.management_grid.scope_key if t.management_grid_id else ""
            worker = workers.get(g.parent.scope_key) if g.parent_id else None

            def person(user_id, _worker=worker):
                u = people.get(user_id)
                if u is not None and u.role == Role.GRID_WORKER and _worker is not None:
                    return _worker
                return u

            case = Case(**{f.attname: getattr(t, f.attname) for f in Case._meta.concrete_fields})
            case.pk = None
            case.number = number
            for f in _SHIFTED:
                if getattr(case, f) is not None:
                    setattr(case, f, getattr(case, f) + shift)
            case.stage_pauses = [[_moved(a, shift), _moved(b, shift)] for a, b in (t.stage_pauses or [])]
            case.unit_grid_id, case.management_grid_id = g.pk, g.parent_id
            case.scope_key, case.lon, case.lat = g.scope_key, c.lon, c.lat
            case.description = c.description or t.description
            case.address = c.address[:200]
            case.merged_into_id = None
            if t.assignee_node and old_worker_key and t.assignee_node == old_worker_key and g.parent_id:
                case.assignee_node = g.parent.scope_key
            reporter = people.get(c.reporter) if c.reporter else person(t.reporter_id)
            case.reporter_id = reporter.pk if reporter else t.reporter_id
            first = person(t.first_contact_id)
            case.first_contact_id = first.pk if first else t.first_contact_id
            case.handler_ids = [(person(i).pk if person(i) else i) for i in (t.handler_ids or [])]
            cases.append(case)
            rows = []
            for r in reports[t.pk] or []:
                rows.append(CaseReport(
                    source=r.source, reporter_id=case.reporter_id, reporter_name=c.reporter_name[:50],
                    reporter_phone_cipher=cipher().encrypt(c.reporter_phone, PHONE_FIELD),
                    reporter_phone_masked=mask_phone(c.reporter_phone),
                    reporter_phone_index=report_phone_index(c.reporter_phone), description=case.description,
                    lon=c.lon, lat=c.lat, address=case.address, client_key=None, created_at=r.created_at + shift))
            course = []
            for e in events[t.pk]:
                actor = person(e.actor_id)
                if e.action == "report":
                    actor = reporter or actor
                data = dict(e.data or {})
                if e.action == "report" and "description" in data:
                    data["description"] = case.description
                rows.append(CaseEvent(action=e.action, from_state=e.from_state, to_state=e.to_state,
                                      actor_id=actor.pk if actor else None,
                                      actor_name=str(actor) if actor else e.actor_name, role=e.role,
                                      at=e.at + shift, data=data))
                course.append([e.action, (e.at + shift).isoformat(), actor.pk if actor else None])
            rows += [CaseAssist(department_id=a.department_id) for a in assists[t.pk]]
            rows += [RoutingDecision(at=d.at + shift, rule_id=d.rule_id, suggested_department_id=d.suggested_department_id,
                                     suggested_node=d.suggested_node, chosen_department_id=d.chosen_department_id,
                                     chosen_node=d.chosen_node, overridden=d.overridden,
                                     actor_id=(person(d.actor_id).pk if person(d.actor_id) else d.actor_id))
                     for d in routing[t.pk]]
            children.append(rows)
            audit.append(Entry("load_history", "case", number, before={},
                               after={"status": case.status, "template": t.number, "course": course}))
        sqlrows.insert_many(cases)
        by_model = defaultdict(list)
        for case, rows in zip(cases, children, strict=True):
            for row in rows:
                row.case_id = case.pk
                by_model[type(row)].append(row)
        for model in (CaseReport, CaseEvent, CaseAssist, RoutingDecision):
            sqlrows.insert_many(by_model[model])
        record_many(None, audit)  # 系统: the load, one record per case with its course (who did what, when)
    return numbers


def _numbers(templates: dict, copies: list[Copy]) -> list[str]:
    """Numbers of each district and local day, in the order of the copies' report times within a day."""
    groups = defaultdict(list)
    for i, c in enumerate(copies):
        code = templates[c.template].district.code
        groups[(code, c.reported_at.astimezone(SHANGHAI).date())].append(i)
    out = [""] * len(copies)
    for (code, _), idx in groups.items():
        idx.sort(key=lambda i: copies[i].reported_at)
        for i, number in zip(idx, next_numbers(code, copies[idx[0]].reported_at, len(idx)), strict=True):
            out[i] = number
    return out


def _moved(value, shift):
    if not value:
        return value
    return (dt.datetime.fromisoformat(value) + shift).isoformat()
