"""The case page every staff post acts on (the centre's lists are in ``queue.py``).

- ``/cases/<number>/``: a case — details, photos, map, timeline, suggestions — and exactly the actions the user
  may take now (``services.available_actions``), each as a small form (``cases/_actions.html``)
- ``/cases/<number>/act/<action>/``: the one POST endpoint behind those forms (→ ``services.transition``)

Reads go through ``load_case`` (scoped); writes only through ``services``. A refused action
writes nothing and comes back to the case page with the reason next to the field.
"""


from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import re_path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gridgov.accounts import roles
from gridgov.accounts.models import Department
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scoped
from gridgov.basedata.logic.ids import mask_name
from gridgov.catalog.cache import active_matters
from gridgov.context import CENTRE
from gridgov.errors import Conflict, DomainError
from gridgov.geo.models import Grid, Jurisdiction
from gridgov.pages import page, render_page
from gridgov.worktime.logic.sla import unit_label

from .. import services
from ..logic.lifecycle import (
    ACTION_LABELS,
    OPEN_STATES,
    STAGE_LABELS,
    STATE_LABELS,
    TABLE,
    Action,
    Refusal,
    Stage,
    State,
    check,
    descent_origin,
    descent_refusal,
)
from ..models import Case, CaseAssist, CasePhoto, PhotoKind, Source, Urgency
from ..services import reporters
from ..services.photos import store_photos
from ..services.transitions import Forbidden, actor_of, facts_of, load_cases, refusal_error

NUMBER = r"\d{6}-\d{8}-\d{4,6}"  # 110101-20261123-0042 (other pages under /cases/ keep their names)

# ------------------------------------------------------------------ actions as forms

# where evidence belongs: the photo kind an action's upload is stored as
PHOTO_KIND = {Action.CONFIRM: PhotoKind.VERIFY, Action.REFUTE: PhotoKind.VERIFY, Action.HANDLE: PhotoKind.FEEDBACK,
              Action.SELF_HANDLE: PhotoKind.FEEDBACK, Action.INSPECT_PASS: PhotoKind.INSPECT,
              Action.INSPECT_FAIL: PhotoKind.INSPECT}
# the main step forward in each state: shown as a primary button, its form open
PRIMARY = {Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE, Action.CONFIRM, Action.INSPECT_PASS,
           Action.CLOSE, Action.APPROVE_EXTENSION, Action.APPROVE_SUSPENSION, Action.RESUME, Action.SELF_HANDLE}
REASON_LABELS = {Action.URGE: "督办意见", Action.DECLINE: "不予立案的原因", Action.VOID: "作废原因",
                 Action.RETURN: "退回原因", Action.ESCALATE: "上报原因", Action.INSPECT_FAIL: "不通过的原因",
                 Action.REFUTE: "核实情况（不属实的原因）", Action.REOPEN: "未解决的情况",
                 Action.REQUEST_EXTENSION: "延期理由", Action.REQUEST_SUSPENSION: "挂账理由",
                 Action.REFUSE_EXTENSION: "驳回理由", Action.REFUSE_SUSPENSION: "驳回理由"}
FIELD_LABELS = {"reason": "原因", "into": "合并到的案件编号", "department": "主办部门", "node": "下派到",
                "amount": "延期时长", "feedback": "处置情况", "satisfaction": "满意度", "assist": "协办部门",
                "matter": "事项类别", "urgency": "紧急程度", "note": "备注", "photos": "照片"}
SATISFACTION = [("5", "5 非常满意"), ("4", "4 满意"), ("3", "3 基本满意"), ("2", "2 不满意"), ("1", "1 非常不满意")]
SELECTS = {"department", "node", "matter", "satisfaction"}
# a service's error code → the field it is about (the rest are shown above the form)
ERROR_FIELDS = {"unknown_department": "department", "not_below": "node", "not_containing": "node",
                "unknown_node": "node", "unknown_case": "into", "target_closed": "into", "invalid_input": "amount",
                "invalid_satisfaction": "satisfaction", "matter_required": "matter", "unknown_matter": "matter",
                "matter_inactive": "matter", "reason_too_long": "reason", "feedback_too_long": "feedback",
                "note_too_long": "note"}


def _needs(case: Case, action: Action) -> tuple[str, ...]:
    rule = TABLE.get((State(case.status), action))
    return rule.needs if rule else ()


def _fields_of(case: Case, action: Action) -> list[str]:
    """The fields of an action's form: what the rule needs, then the optional extras the services accept."""
    fields = list(_needs(case, action))
    if action == Action.DISPATCH:
        fields.append("assist")
    if action == Action.REGISTER:
        fields += ["matter", "urgency"]
    if "reason" not in fields and "feedback" not in fields:
        fields.append("note")
    if action in PHOTO_KIND:
        fields.append("photos")
    return fields


class Choices:
    """Select options an action form needs, loaded once per page and only when a form uses them."""

    def __init__(self, user, case: Case):
        self.user, self.case = user, case
        self._suggestion = None

    @property
    def suggestion(self):
        if self._suggestion is None:
            self._suggestion = services.suggest(self.case)
        return self._suggestion

    def departments(self) -> list[tuple[int, str, str]]:
        if not hasattr(self, "_departments"):
            self._departments = list(Department.objects.filter(district_id=self.case.district_id).order_by("code")
                                     .values_list("pk", "code", "name"))
        return self._departments

    def matters(self) -> list[tuple[str, list[tuple[str, str]]]]:
        groups: dict[str, list] = {}
        for m in active_matters():
            groups.setdefault(m.major_name, []).append((m.code, f"{m.code} {m.name}"))
        return list(groups.items())

    def nodes(self) -> list[tuple[str, str]]:
        """The levels below the current one that contain the case: its street, community, management grid."""
        case = self.case
        here = descent_origin(actor_of(self.user), case.assignee_node, case.number[:6])
        key = case.scope_key or ""
        names = dict(Jurisdiction.objects.filter(code__in=[key[:9], key[:12]]).values_list("code", "name"))
        # (value posted, its scope key, label)
        candidates = [(c, c, f"{names[c]}（{'街道' if len(c) == 9 else '社区'}）") for c in (key[:9], key[:12])
                      if c in names]
        if case.management_grid_id:
            g = Grid.objects.filter(pk=case.management_grid_id).values("code", "scope_key", "name").first()
            if g:
                candidates.append((g["code"], g["scope_key"], f"{g['name'] or g['code']}（管理网格）"))
        return [(value, label) for value, scope, label in candidates if descent_refusal(here, scope, key) is None]


def action_forms(user, case: Case, errors: dict | None = None, data=None, duplicates=()) -> list[dict]:
    """One form per action ``user`` may take on ``case`` now, for ``cases/_actions.html``.

    ``errors`` = {"action": ..., "fields": {field: message}, "form": message} after a refused submission, whose
    values (``data``, a QueryDict) are put back into that form. ``duplicates`` (``duplicates_of``) are offered
    as targets of 合并.
    """
    errors = errors or {}
    choices = Choices(user, case)
    out = []
    for name in services.available_actions(user, case):
        action = Action(name)
        if action == Action.CITY_DISPATCH:  # the city helper's: done on /oversight/ with its 办结时限
            continue
        mine = errors.get("action") == name
        given = data if mine and data is not None else {}
        needs = _needs(case, action)
        fields = []
        for f in _fields_of(case, action):
            field = {"name": f, "label": FIELD_LABELS[f], "required": f in needs, "value": given.get(f, "") if given else "",
                     "error": (errors.get("fields") or {}).get(f, "") if mine else "", "id": f"act-{name}-{f}"}
            if f == "reason":
                field["label"] = REASON_LABELS.get(action, "原因")
                if action == Action.URGE and not field["value"]:
                    field["value"] = "请抓紧办理，按时反馈"
            if f == "department":
                s = choices.suggestion
                field["options"] = [(code, name) for _, code, name in choices.departments()]
                field["suggested"] = next((code for pk, code, _ in choices.departments() if pk == s.department_id), "")
                field["value"] = field["value"] or field["suggested"]
            if f == "assist":
                field["options"] = [(code, name) for _, code, name in choices.departments()]
                field["values"] = given.getlist("assist") if hasattr(given, "getlist") else []
            if f == "node":
                field["options"] = choices.nodes()
                s = choices.suggestion
                field["suggested"] = s.node if not s.department_id else ""
            if f == "matter":
                field["groups"] = choices.matters()
                field["value"] = field["value"] or (case.matter.code if case.matter_id else "")
                field["required"] = case.matter_id is None
            if f == "urgency":
                field["options"] = Urgency.choices
                field["value"] = field["value"] or case.urgency
            if f == "into":
                field["options"] = [(d["number"], f"{d['status_label']} · 相距 {d['distance_m']:.0f} 米")
                                    for d in duplicates if d["status"] in OPEN_STATES]
            if f == "satisfaction":
                field["options"] = SATISFACTION
            if f == "amount":
                field["label"] = f"延期时长（{unit_label(case.stage_unit) or '小时'}）"
            if f == "photos":
                field["label"] = f"{PhotoKind(PHOTO_KIND[action]).label}（可多张，JPEG/PNG/WebP）"
            fields.append(field)
        out.append({"action": name, "label": ACTION_LABELS[action], "fields": fields, "primary": action in PRIMARY,
                    "open": mine or action in PRIMARY or not needs, "error": errors.get("form", "") if mine else "",
                    "multipart": action in PHOTO_KIND,
                    "url": reverse("cases:act", args=[case.number, name])})
    out.sort(key=lambda a: not a["primary"])
    return out


# ------------------------------------------------------------------ the case page


def _case_context(request, case: Case, errors: dict | None = None, data=None) -> dict:
    case = (Case.objects.select_related("matter", "unit_grid", "management_grid", "community__parent",
                                        "assignee_department", "first_contact", "merged_into")
            .get(pk=case.pk))
    user = request.user
    reports = [{"id": r.pk, "source": Source(r.source).label, "description": r.description,
                "name": mask_name(r.reporter_name), "phone": r.reporter_phone_masked, "at": r.created_at,
                "has_phone": bool(r.reporter_phone_cipher)} for r in case.reports.all()]
    photos = [{"id": p.id, "kind": PhotoKind(p.kind).label,
               "url": f"/api/v1/cases/{case.number}/photos/{p.id}"} for p in CasePhoto.objects.filter(case=case)]
    waiting = case.status in (State.REPORTED, State.VERIFIED, State.REGISTERED)
    suggestion = services.suggest(case) if waiting else None
    duplicates = services.duplicates_of(case) if waiting else []
    if duplicates:  # only those the user may open
        visible = set(scoped(Case.objects.filter(number__in=[d["number"] for d in duplicates]), user, roles.CASE_VIEW)
                      .values_list("number", flat=True))
        duplicates = [d for d in duplicates if d["number"] in visible]
    for d in duplicates:
        d["status_label"] = STATE_LABELS[State(d["status"])]
    timeline = services.timeline(case, staff=True)
    for t in timeline:
        t["role_label"] = roles.ROLE_LABELS.get(t["role"], "") if t["role"] in Role else ""
        t["state_label"] = STATE_LABELS.get(t["to_state"], "") if t["to_state"] in State else ""
        t["items"] = [(FIELD_LABELS.get(k, k), ", ".join(v) if isinstance(v, list) else v)
                      for k, v in t["data"].items() if k not in ("level", "source", "description") and v not in ("", [], None)]
    return {
        "case": case, "status_label": STATE_LABELS[State(case.status)],
        "stage_label": STAGE_LABELS.get(Stage(case.stage), "") if case.stage else "",
        "reports": reports, "photos": photos, "timeline": timeline, "may_reveal": reporters.may_reveal(user),
        "assists": [a.department.name for a in CaseAssist.objects.filter(case=case).select_related("department")],
        "suggestion": suggestion, "duplicates": duplicates,
        "actions": action_forms(user, case, errors, data, duplicates=duplicates),
        "action_error": (errors or {}).get("page", ""), "back": _back(request),
        "street": case.community.parent if case.community_id else None,
        "grid_history": _grid_history(case),  # gridchange
    }


def _grid_history(case: Case) -> list:
    """gridchange: the grids the case was under before each grid change (历史案件对照表)."""
    from gridgov.geo.gridchanges import case_history

    return case_history(case.number)


def _back(request) -> str:
    user = request.user
    if user.is_superuser or user.role in CENTRE:
        return reverse("cases:queue")
    from gridgov.context import home_of

    return home_of(user)


@page(roles.CASE_VIEW)
def case_page(request, number: str):
    case = services.load_case(request.user, number)
    return render_page(request, "cases/case.html", _case_context(request, case))


@page(roles.CASE_VIEW)
def reveal(request, number: str):
    """回拨: one report's phone in full for a centre post, with a reason (logged); shown on this answer only."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = services.load_case(request.user, number)
    report = request.POST.get("report", "")
    try:
        shown = reporters.reveal_phone(request.user, number, request.POST.get("reason", ""),
                                       int(report) if report.isdigit() else None)
    except DomainError as e:
        ctx = _case_context(request, case)
        phones = [r["id"] for r in ctx["reports"] if r["has_phone"]]
        # the message goes next to the report asked about (or the first one with a phone)
        ctx["reveal_error"] = e.message
        ctx["reveal_report"] = int(report) if report.isdigit() else (phones[0] if phones else None)
        return render_page(request, "cases/case.html", ctx, status=e.status)
    ctx = _case_context(request, case)
    for r in ctx["reports"]:
        if r["id"] == shown["report"]:
            r["plain"] = shown["phone"]
    return render_page(request, "cases/case.html", ctx)


def safe_next(request) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and nxt.startswith("/"):
        return nxt
    return ""


def _form_data(request, case: Case, action: Action) -> dict:
    data = {}
    for f in _fields_of(case, action):
        if f == "photos":
            continue
        if f == "assist":
            values = [v for v in request.POST.getlist("assist") if v]
            if values:
                data["assist"] = values
            continue
        value = request.POST.get(f, "").strip()
        if value:
            data[f] = value
    return data


@page(roles.CASE_VIEW)
def act(request, number: str, action: str):
    """Do one action on a case from its form; refused → the case page again with the reason, nothing written."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    case = services.load_case(user, number)
    try:
        act_on = Action(action)
    except ValueError:
        return render_page(request, "not_found.html", status=404)
    errors: dict = {"action": action, "fields": {}}

    def again(status: int):
        ctx = _case_context(request, case, errors, request.POST)
        return render_page(request, "cases/case.html", ctx, status=status)

    if action not in services.available_actions(user, case):
        # the table says why (and so which status): not for this post (403), not in this state (409)
        error = Forbidden("role_not_allowed", "您的账号没有岗位，不能办理案件")
        if user.role in Role:
            try:
                check(facts_of(case), act_on, actor_of(user), {f: "-" for f in _needs(case, act_on)})
                error = Conflict("not_now", "此操作现在不能进行，请刷新")
            except Refusal as r:
                error = refusal_error(r)
        errors["page"] = error.message
        posted = request.POST.get("version", "")
        if posted.isdigit() and int(posted) != case.version:  # the page was old: someone changed the case since
            errors["page"] = f"已被他人更新，请刷新（{error.message}）"
            return again(409)
        return again(error.status)
    data = _form_data(request, case, act_on)
    missing = [f for f in _needs(case, act_on) if f not in data]
    if act_on == Action.REGISTER and case.matter_id is None and "matter" not in data:
        missing.append("matter")
    if missing:
        errors["fields"] = {f: ("请选择" if f in SELECTS else "请填写")
                            + (REASON_LABELS.get(act_on, "原因") if f == "reason" else FIELD_LABELS[f]) for f in missing}
        errors["form"] = f"有 {len(missing)} 项需要填写，请看标红的提示。"
        return again(400)
    version = request.POST.get("version", "")
    try:
        services.transition(user, number, action, data, version=int(version) if version.isdigit() else None)
    except DomainError as e:
        if e.code == "version_conflict":
            errors["page"] = errors["form"] = "已被他人更新，请刷新"
        elif e.code in ERROR_FIELDS:
            errors["fields"][ERROR_FIELDS[e.code]] = e.message
        else:
            errors["form"] = e.message
            if isinstance(e, Forbidden):
                errors["page"] = e.message
        case.refresh_from_db()
        return again(e.status)
    label = ACTION_LABELS[act_on]
    messages.success(request, f"已{label}：{number}" if label.isalnum() else f"「{label}」已完成：{number}")
    files = request.FILES.getlist("photos") if act_on in PHOTO_KIND else []
    if files:
        stored, refused = store_photos(case, [(f.name, f.read()) for f in files], PHOTO_KIND[act_on], user)
        if stored:
            messages.success(request, f"已保存 {len(stored)} 张照片")
        for r in refused:
            messages.error(request, f"照片未保存：{r['message']}")
    nxt = safe_next(request) or reverse("cases:case", args=[number])
    if not safe_next(request) and number not in load_cases(user, [number]):
        # levels: the case left this person's sight (a department's 退回, a level's 上报上级): back to their work list
        from gridgov.context import home_of

        nxt = home_of(user)
    if request.headers.get("HX-Request"):
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = nxt
        return resp
    return redirect(nxt)


@page(roles.CASE_VIEW)
def matter_search(request):
    """The matter picker's search (``matter-picker.js``): the codes of the matters matching ``q`` by name, code or
    pinyin initials, best first — the field report's search (``catalog.search``), as JSON for any select."""
    from django.http import JsonResponse

    from gridgov.catalog.search import search_matters

    q = request.GET.get("q", "").strip()[:20]
    return JsonResponse({"codes": [e.code for e in search_matters(q, limit=60)]})


urls = [
    re_path(r"^matters/search/$", matter_search, name="matter_search"),  # demo: the matter picker
    re_path(rf"^(?P<number>{NUMBER})/$", case_page, name="case"),
    re_path(rf"^(?P<number>{NUMBER})/act/(?P<action>[a-z_]+)/$", act, name="act"),
    re_path(rf"^(?P<number>{NUMBER})/reveal/$", reveal, name="reveal"),  # 回拨: the reporter's phone in full
]
