"""Case pages: field — the grid worker's and the inspector's phone.

- 我的任务 ``/cases/field/``: for grid workers, leaders and supervisors the cases they can act on now, the open
  cases of their grid (lights, countdowns) and their recent reports; for inspectors the 核实 tasks (cases being
  verified in their scope) and the 核查 tasks (handled cases they are independent of — the transition table
  decides, through ``available_actions``). Each task links to the case page, where the actions are taken.
- 上报问题 ``/cases/field/report/``: position (geolocation or a tap on the map), photos (resized on the phone),
  matter (search by name or pinyin initials, or a recent choice), urgency, description, address. It goes to
  ``services.intake`` with a key made on the phone, so a report sent twice (a retry, the offline queue) is one
  case. A refused report writes nothing and says why next to the field; a bad photo is refused on its own.
- ``/cases/field/sw.js``: the service worker (scope ``/cases/field/``) that keeps the report page usable offline;
  the reports queued on the phone are sent by ``field.js`` when the network is back.

Every list is a fixed number of queries whatever its length (select_related; lights and actions are computed
from the row itself).
"""

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import scope_prefix, scoped
from gridgov.catalog.search import matters_by_code, search_matters
from gridgov.context import FIELD
from gridgov.errors import DomainError
from gridgov.geo.models import Grid, Jurisdiction
from gridgov.pages import page, render_page

from .. import services
from ..logic.lifecycle import ACTION_LABELS, OPEN_STATES, STATE_LABELS, Action, State
from ..models import Case, Source, Urgency

LIST_MAX = 50  # rows per list on a phone (the total is said; the centre's pages show everything)
RECENT_DAYS = 7
MAX_PHOTOS = 6
MAP_MAX_GRIDS = 200  # management grids drawn on the report map (a street has ~50); more: no outlines
RELATED = ("matter", "community", "unit_grid")
AREA_WORDS = {Role.GRID_WORKER: "本网格", Role.GRID_LEADER: "本社区", Role.GRID_SUPERVISOR: "本街道"}
ASSETS = ["gridgov/app.css", "gridgov/field.css", "gridgov/safe.js", "gridgov/photo-resize.js", "gridgov/field.js",
          "vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.css", "vendor/leaflet/leaflet.js"]
ASSETS += ["gridgov/basemap.js", "gridgov/basemap.css"]  # basemap: the shared base map of the report page
SW_FILE = Path(__file__).resolve().parents[2] / "static" / "gridgov" / "field-sw.js"


# ---------------------------------------------------------------- 我的任务


class Task:
    """A case row on the phone: what it is, where, its light and countdown, what I may do now."""

    def __init__(self, case: Case, actions: list[str], now):
        self.case = case
        self.number = case.number
        self.url = reverse("cases:case", args=[case.number])
        self.actions = [ACTION_LABELS[Action(a)] for a in actions if a != Action.URGE]
        self.status_label = STATE_LABELS[State(case.status)]
        self.light = services.light(case, now)
        self.countdown = services.countdown(case, now)
        self.matter = case.matter.name if case.matter_id else "未分类"
        self.place = case.address or (case.community.name if case.community_id else "")
        self.forms: list[dict] = []  # levels: filled for the level's own queue (待我办理)


# levels: the actions of a level, as small forms on the level's first screen (受理, 自行处置, 上报上级, 下派)
LEVEL_ACTIONS = {Action.RECEIVE: "受理", Action.ACCEPT: "签收（受理）", Action.HANDLE: "自行处置（本级办结）",
                 Action.SELF_HANDLE: "自行处置", Action.ESCALATE: "上报上级", Action.DELEGATE: "下派"}
LEVEL_FIELDS = {Action.HANDLE: ("feedback", "处置情况"), Action.SELF_HANDLE: ("feedback", "处置情况"),
                Action.ESCALATE: ("reason", "上报原因"), Action.DELEGATE: ("node", "下派到")}


def level_forms(user, case: Case, actions: list[str]) -> list[dict]:
    """The level actions ``user`` may take on ``case`` now, each a small form posting to the case's action
    endpoint and coming back to 我的任务 (ids are unique per case: several forms on one page)."""
    from .centre import Choices

    out = []
    for name in actions:
        action = Action(name)
        if action not in LEVEL_ACTIONS:
            continue
        form = {"action": name, "label": LEVEL_ACTIONS[action], "url": reverse("cases:act", args=[case.number, name]),
                "id": f"lv-{case.number}-{name}", "field": None}
        if action in LEVEL_FIELDS:
            fname, label = LEVEL_FIELDS[action]
            form["field"] = {"name": fname, "label": label,
                             "options": Choices(user, case).nodes() if fname == "node" else None}
            if fname == "node" and not form["field"]["options"]:
                continue  # nothing below this level (a grid): no 下派
        out.append(form)
    return out


def _due_first(qs):
    return qs.order_by(F("stage_due_at").asc(nulls_last=True), "-reported_at", "-id")


def _tasks(rows, user, now, keep=lambda actions: True) -> list[Task]:
    out = []
    for c in rows:
        actions = services.available_actions(user, c)
        if keep(actions):
            out.append(Task(c, actions, now))
    return out


@page(roles.CASE_VIEW, posts=FIELD)
def tasks(request):
    user = request.user
    now = timezone.now()
    mine = scoped(Case.objects.all(), user, roles.CASE_VIEW).select_related(*RELATED)
    ctx: dict = {"is_inspector": user.role == Role.INSPECTOR, "area": AREA_WORDS.get(user.role, "辖区")}
    if user.role == Role.INSPECTOR:
        # one query for both lists; who may verify or inspect is the transition table's call
        rows = list(_due_first(mine.filter(status__in=[State.VERIFYING, State.HANDLED]))[:4 * LIST_MAX])
        ctx["verify"] = _tasks([c for c in rows if c.status == State.VERIFYING], user, now,
                               lambda a: Action.CONFIRM in a or Action.REFUTE in a)[:LIST_MAX]
        ctx["inspect"] = _tasks([c for c in rows if c.status == State.HANDLED], user, now,
                                lambda a: Action.INSPECT_PASS in a or Action.INSPECT_FAIL in a)[:LIST_MAX]
    else:
        open_cases = mine.filter(status__in=list(OPEN_STATES))
        # what I can act on: my own reports (自行处置) and what my level holds — sent down to my node, entered at
        # a grid of my community, 上报上级'd to my level (levels: 受理, 自行处置, 上报上级, 下派 as small forms)
        node = scope_prefix(user)
        held = Q(pk__in=[])
        if node:
            held = Q(assignee_node=node)
            if user.role == Role.GRID_LEADER:  # the grids of her community too (受理第一人)
                held |= Q(assignee_node__startswith=node + "W")
        mine_to_do = Q(reporter=user, status=State.REPORTED) | held
        todo = _tasks(_due_first(open_cases.filter(mine_to_do))[:LIST_MAX], user, now, bool)
        for t in todo:
            t.forms = level_forms(user, t.case, services.available_actions(user, t.case))
        shown = {t.number for t in todo}
        rows = [t for t in _tasks(_due_first(open_cases)[:LIST_MAX], user, now) if t.number not in shown]
        ctx["todo"], ctx["open"] = todo, rows
        ctx["open_total"], ctx["open_shown"] = open_cases.count(), len(rows) + len(todo)
    since = now - dt.timedelta(days=RECENT_DAYS)
    reported = mine.filter(reporter=user, reported_at__gte=since).order_by("-reported_at", "-id")[:20]
    ctx["reported"] = _tasks(reported, user, now)
    ctx["recent_days"] = RECENT_DAYS
    return render_page(request, "cases/field/tasks.html", ctx)


# ---------------------------------------------------------------- 上报问题

MESSAGES = {"required": "请填写此项", "invalid": "格式不正确", "max_length": "内容过长（最多 %(limit_value)d 个字）"}


class ReportForm(forms.Form):
    """Parses the report; ``services.intake`` decides what is valid, and its errors go back by the field."""

    # service error codes → the field whose message it is
    FIELD_OF = {"outside_jurisdiction": "position", "invalid_coordinates": "position",
                "coordinates_out_of_range": "position", "outside_district": "position",
                "description_required": "description", "description_too_long": "description",
                "invalid_urgency": "urgency", "unknown_matter": "matter", "invalid_client_key": "client_key"}

    lon = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    matter = forms.CharField(label="问题类别", required=False, max_length=5, widget=forms.HiddenInput)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    description = forms.CharField(label="问题描述", max_length=2000, error_messages=MESSAGES,
                                  widget=forms.Textarea(attrs={"rows": 4, "placeholder": "看到了什么问题，在哪里，有多严重"}))
    address = forms.CharField(label="地址（选填）", required=False, max_length=200, error_messages=MESSAGES,
                              widget=forms.TextInput(attrs={"placeholder": "如：多福巷 12 号门前", "autocomplete": "off"}))
    client_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].error_messages = {"required": "请选择紧急程度", "invalid_choice": "请选择一般或紧急"}
        self.position_errors: list[str] = []

    def clean(self):
        cd = super().clean()
        lon, lat = (cd.get("lon") or "").strip(), (cd.get("lat") or "").strip()
        if not lon or not lat:
            self.add_position_error("请点「定位」或在地图上点选问题的位置")
            return cd
        try:
            cd["lon"], cd["lat"] = float(lon), float(lat)
        except ValueError:
            self.add_position_error("位置坐标无效，请重新定位或在地图上点选")
        return cd

    def add_position_error(self, message: str) -> None:
        self.position_errors.append(message)
        self.add_error(None, message)

    def add_service_error(self, err: DomainError) -> None:
        field = self.FIELD_OF.get(err.code)
        if field == "position":
            self.add_position_error(err.message)
        else:
            self.add_error(field if field in self.fields else None, err.message)

    def errors_by_field(self) -> dict[str, list[str]]:
        out = {name: list(errs) for name, errs in self.errors.items() if name != "__all__"}
        if self.position_errors:
            out["position"] = list(self.position_errors)
        other = [e for e in self.non_field_errors() if e not in self.position_errors]
        if other:
            out["__all__"] = other
        return out


def source_for(user) -> str:
    """A grid worker reports as 网格员巡查, an inspector as 监督员上报."""
    return Source.INSPECTOR if user.role == Role.INSPECTOR else Source.GRID_WORKER


def _map_context(user) -> dict:
    """The outlines of the user's management grids (drawn on the report map), or the bounds to start from."""
    prefix = scope_prefix(user)
    grids = Grid.objects.filter(layer__code="management")
    if prefix:
        grids = grids.filter(scope_key__startswith=prefix)
    rows = list(grids.order_by("code").values("code", "name", "geometry", "min_lon", "min_lat", "max_lon", "max_lat")
                [:MAP_MAX_GRIDS + 1])
    if not rows or len(rows) > MAP_MAX_GRIDS:
        node = Jurisdiction.objects.filter(code=prefix[:12]).first() if prefix else None
        box = [node.min_lon, node.min_lat, node.max_lon, node.max_lat] if node and node.min_lon is not None else None
        return {"grids": {"type": "FeatureCollection", "features": []}, "bounds": box}
    features = [{"type": "Feature", "geometry": json.loads(r["geometry"]), "properties": {"code": r["code"],
                 "name": r["name"]}} for r in rows if r["geometry"]]
    box = [min(r["min_lon"] for r in rows), min(r["min_lat"] for r in rows),
           max(r["max_lon"] for r in rows), max(r["max_lat"] for r in rows)]
    return {"grids": {"type": "FeatureCollection", "features": features}, "bounds": box}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _file_intake(request, form) -> Case | None:
    cd = form.cleaned_data
    files = request.FILES.getlist("photos")
    photos = [(f.name, f.read()) for f in files[:MAX_PHOTOS]]
    extra = [f.name for f in files[MAX_PHOTOS:]]  # refused like a bad photo: the report itself goes on
    user = request.user
    try:
        result = services.intake(
            user, source=source_for(user), lon=cd["lon"], lat=cd["lat"], description=cd["description"],
            matter=cd["matter"] or None, address=cd["address"], urgency=cd["urgency"],
            client_key=cd["client_key"] or None, photos=photos)
    except DomainError as e:
        form.add_service_error(e)
        return None
    for err in result.photo_errors:
        messages.warning(request, f"{err['message']}，这张照片未保存；案件已受理，可在案件页补充照片。")
    if extra and result.created:
        messages.warning(request, f"一次最多上传 {MAX_PHOTOS} 张照片，「{'」「'.join(extra)}」未保存。")
    if not result.created:
        messages.info(request, "这份上报此前已经收到，没有重复立案。")
    return result.case


@page(roles.CASE_REPORT, posts=FIELD)
def report(request):
    user = request.user
    form = ReportForm(request.POST or None, initial={"client_key": uuid.uuid4().hex, "urgency": Urgency.NORMAL})
    if request.method == "POST":
        case = _file_intake(request, form) if form.is_valid() else None
        if case is not None:
            done = reverse("cases:field_report_done", args=[case.number])
            return JsonResponse({"ok": True, "number": case.number, "url": done}) if _wants_json(request) \
                else redirect(done)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors_by_field()}, status=422,
                                json_dumps_params={"ensure_ascii": False})
    matter = None
    code = form["matter"].value()
    if code:
        matter = matters_by_code([code]).get(code)
    prefix = scope_prefix(user) or ""
    ctx = {"form": form, "matter": matter, "map": _map_context(user), "max_photos": MAX_PHOTOS,
           "district": prefix[:6], "source_label": Source(source_for(user)).label}
    return render_page(request, "cases/field/report.html", ctx, status=422 if form.errors else 200)


@page(roles.CASE_REPORT, posts=FIELD)
def report_done(request, number: str):
    user = request.user
    case = services.load_case(user, number)
    case = Case.objects.select_related(*RELATED, "management_grid").get(pk=case.pk)
    actions = services.available_actions(user, case)
    ctx = {"case": case, "can_self_handle": Action.SELF_HANDLE in actions,
           "case_url": reverse("cases:case", args=[case.number]),
           "photos": case.photos.count(), "duplicates": services.duplicates_of(case)[:5]}
    return render_page(request, "cases/field/report_done.html", ctx)


@page(roles.CASE_REPORT, posts=FIELD)
def matters(request):
    """Matters by name, code or pinyin initials (the report page's search, as an HTML fragment)."""
    q = request.GET.get("q", "").strip()[:20]
    return render_page(request, "cases/field/_matters.html", {"q": q, "items": search_matters(q)})


def service_worker(request):
    """The service worker, served under /cases/field/ so that its scope covers the field pages."""
    urls = [static(a) for a in ASSETS] + ["/static/vendor/leaflet/images/marker-icon.png",
                                          "/static/vendor/leaflet/images/marker-shadow.png",
                                          "/static/vendor/leaflet/images/marker-icon-2x.png"]
    body = SW_FILE.read_text(encoding="utf-8")
    version = hashlib.sha256((body + "".join(urls)).encode() + b"".join(
        (SW_FILE.parent / Path(a).name).read_bytes() for a in ("safe.js", "field.js", "field.css"))).hexdigest()[:12]
    head = (f"const VERSION = {json.dumps(version)};\nconst ASSETS = {json.dumps(urls)};\n"
            f"const PAGES = {json.dumps([reverse('cases:field_report')])};\n")
    response = HttpResponse(head + body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/cases/field/"
    return response


urls = [
    path("field/", tasks, name="field"),
    path("field/report/", report, name="field_report"),
    path("field/report/<str:number>/", report_done, name="field_report_done"),
    path("field/matters/", matters, name="field_matters"),
    path("field/sw.js", service_worker, name="field_sw"),
]
