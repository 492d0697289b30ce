"""Residents' pages under /r/ (namespace ``public``), no account needed, phone first (360 px):

- ``/r/``: 我要反映问题 and 查询办理进度; a signed-in resident also sees its own reports
- ``/r/report/``: phone (required), position (my location or a tap on the map), photos, description, address, matter
- ``/r/report/<number>/done/``: the case number, large, to note down
- ``/r/track/``: case number + phone → ``/r/case/<number>/`` (access remembered in the session for that number)
- ``/r/case/<number>/``: status in plain words, the public timeline, photos; when closed: 回访 (满意度) or 问题没有解决
- ``/r/case/<number>/photos/<id>/``: a photo of the report or of the handling, for whoever may see the case
- ``/r/area.json``, ``/r/where/``: the district outline for the map, and where a tapped point lies

Who the person is gets checked by ``services.public`` (number + phone → a signed grant kept in the session);
the pages only parse, call the service and show its Chinese errors next to the fields.
"""

import json
import uuid

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from shapely.geometry import mapping

from gridgov.accounts import throttle
from gridgov.errors import DomainError
from gridgov.geo import locating

from ..services import public as svc
from ..storage import photo_store

SESSION_KEY = "gridgov_public_grants"
MAX_GRANTS = 30
MAX_PHOTOS = 4
# common matters a resident can pick (the centre corrects the category when registering)
COMMON_MATTERS = ["06010", "06042", "06036", "06012", "06013", "07001", "09006", "09009", "09010", "09011", "09012",
                  "06028", "06027", "08001", "08004", "01037", "01003", "06051", "04002", "03001"]
# where a service error is shown on the report form
REPORT_FIELDS = {"invalid_phone": "phone", "phone_required": "phone", "outside_jurisdiction": "lon",
                 "invalid_coordinates": "lon", "coordinates_out_of_range": "lon", "description_required": "description",
                 "description_too_long": "description", "unknown_matter": "matter"}


# ---------------------------------------------------------------- plumbing


def _page(request, template, context=None, status=200):
    return render(request, f"cases/public/{template}", context or {}, status=status)


def _grants(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _remember(request, number: str, grant: str) -> None:
    grants = {k: v for k, v in _grants(request).items() if k != number}
    grants[number] = grant
    request.session[SESSION_KEY] = dict(list(grants.items())[-MAX_GRANTS:])


def _grant_for(request, number: str) -> str | None:
    """The session's grant for this number; a signed-in resident gets one for its own reports."""
    grant = _grants(request).get(number)
    if grant is None and request.user.is_authenticated:
        try:
            grant = svc.grant_for_user(request.user, number)
        except svc.AccessDenied:
            return None
        _remember(request, number, grant)
    return grant


def _case_or_track(request, number: str):
    """(case, None) when the session may see it, else (None, a redirect to 查询办理进度)."""
    try:
        return svc.case_for(_grant_for(request, number), number), None
    except svc.AccessDenied:
        return None, redirect(reverse("public:track") + f"?number={number}")


def _matter_choices():
    from gridgov.catalog.cache import snapshot

    matters = snapshot().by_code
    # the common ones this installation's catalog has and has not deactivated
    return [("", "不清楚（由工作人员判断）")] + [(code, matters[code].name) for code in COMMON_MATTERS
                                           if code in matters and matters[code].active]


# ---------------------------------------------------------------- forms


class ReportForm(forms.Form):
    phone = forms.CharField(
        label="手机号", max_length=20, error_messages={"required": "请填写手机号，用于查询办理进度"},
        help_text="用于查询办理进度，工作人员可能与您联系核实；不会公开。",
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请描述问题（至少 2 个字）", "max_length": "问题描述不能超过 2000 字"},
        help_text="例如：小区门口垃圾桶满溢，已两天没有清运。")
    address = forms.CharField(label="详细地址（选填）", max_length=200, required=False,
                              help_text="门牌号、楼号或附近的标志，便于找到。")
    matter = forms.ChoiceField(label="问题类别（选填）", required=False)
    client_key = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_phone(self):
        try:
            return svc.clean_phone(self.cleaned_data["phone"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["matter"].choices = _matter_choices()

    def clean(self):
        cd = super().clean()
        if cd.get("lon") is None or cd.get("lat") is None:
            self.add_error("lon", "请选择问题的位置：点「使用我的位置」，或在地图上点一下")
        # what the service would refuse, all at once (not one error a submit)
        if self.user is not None:
            for e in svc.report_problems(self.user, lon=cd.get("lon"), lat=cd.get("lat"),
                                         description=cd.get("description", ""), matter=cd.get("matter") or None):
                field = REPORT_FIELDS.get(e.code)
                if field not in self.errors:
                    self.add_error(field, e.message)
        return cd

    def add_service_error(self, e: DomainError) -> None:
        self.add_error(REPORT_FIELDS.get(e.code), e.message)


class TrackForm(forms.Form):
    number = forms.CharField(label="案件编号", max_length=32, error_messages={"required": "请填写案件编号"},
                             help_text="上报成功时显示的编号，例如 110101-20261123-0042。",
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    phone = forms.CharField(label="手机号", max_length=20, error_messages={"required": "请填写上报时留的手机号"},
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))


class RateForm(forms.Form):
    # evaluation: 态度 and 效率 of the 满意度回访 (optional here); 满意度 is the 结果 dimension
    attitude = forms.TypedChoiceField(
        label="工作人员的态度", coerce=int, widget=forms.RadioSelect, required=False, empty_value=None,
        choices=[(k, f"{k} 分") for k in range(5, 0, -1)])
    efficiency = forms.TypedChoiceField(
        label="办理的效率", coerce=int, widget=forms.RadioSelect, required=False, empty_value=None,
        choices=[(k, f"{k} 分") for k in range(5, 0, -1)])
    satisfaction = forms.TypedChoiceField(
        label="您对办理结果满意吗？", coerce=int, widget=forms.RadioSelect,
        choices=[(k, f"{v}（{k} 分）") for k, v in svc.SATISFACTION.items()],
        error_messages={"required": "请选择满意度", "invalid_choice": "请选择满意度"})
    note = forms.CharField(label="其他意见（选填）", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="哪里没有解决？", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请说明问题哪里没有解决", "max_length": "说明不能超过 500 字"})


# ---------------------------------------------------------------- pages


@never_cache
@require_GET
def home(request):
    cases = svc.resident_cases(request.user)
    return _page(request, "home.html", {"cases": [(c, svc.status_of(c)) for c in cases],
                                        "signed_in_resident": svc.is_resident(request.user)})


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        files = request.FILES.getlist("photos")
        # more photos than a report takes: the first ones go with the report, the rest are named (never all lost)
        files, extra = files[:MAX_PHOTOS], [f.name for f in files[MAX_PHOTOS:]]
        if form.is_valid():
            cd = form.cleaned_data
            try:
                result = svc.report(request.user, phone=cd["phone"], lon=cd["lon"], lat=cd["lat"],
                                    description=cd["description"], address=cd["address"], matter=cd["matter"] or None,
                                    photos=[(f.name, f.read()) for f in files], client_key=cd["client_key"])
            except DomainError as e:
                form.add_service_error(e)
            else:
                number = result.case.number
                _remember(request, number, result.grant)
                for err in result.photo_errors:
                    messages.warning(request, f"{err['message']}，未保存；问题已经上报。")
                if extra:
                    messages.warning(request, f"一次最多上传 {MAX_PHOTOS} 张照片，「{'」「'.join(extra)}」未保存；"
                                              f"问题和前 {MAX_PHOTOS} 张照片已经上报。")
                return redirect("public:done", number=number)
        photos_lost = bool(files)
    else:
        form = ReportForm(initial={"client_key": uuid.uuid4().hex, **_started_at(request)})
        photos_lost = False
    return _page(request, "report.html", {"form": form, "photos_lost": photos_lost, "max_photos": MAX_PHOTOS,
                                          "from_grid": _from_grid(request)},
                 status=400 if form.errors else 200)


def _started_at(request) -> dict:
    """community: a report opened from a grid's 公示牌 QR code (/community/q/<code>/ redirects here with a point inside
    that grid, ``?lon=&lat=&grid=``) starts with its position there; the person may still move it."""
    try:
        lon, lat = locating.check_point(request.GET.get("lon"), request.GET.get("lat"))
    except DomainError:
        return {}
    return {"lon": lon, "lat": lat}


def _from_grid(request) -> str:
    """community: the name of the grid whose board the report was opened from (shown above the map), or ''."""
    code = request.GET.get("grid", "")[:40]
    if not code or not _started_at(request):
        return ""
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="management", code=code).select_related("community").first()
    return f"{g.community.name} {g.name or g.code}" if g else ""


@never_cache
@require_GET
def done(request, number: str):
    case, away = _case_or_track(request, number)
    if away:
        return away
    return _page(request, "done.html", {"case": case})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        number = svc.clean_number(form.cleaned_data["number"])
        try:
            grant = svc.check_phone(number, form.cleaned_data["phone"], address=throttle.client_address(request))
        except throttle.Throttled as e:
            form.add_error(None, e.message)
            status = 429
        except svc.AccessDenied as e:
            form.add_error("number" if e.code == "wrong_number_or_phone" else None, e.message)
        else:
            _remember(request, number, grant)
            return redirect("public:case", number=number)
    return _page(request, "track.html", {"form": form}, status=status if status != 200 else 400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def case_page(request, number: str):
    case, away = _case_or_track(request, number)
    if away:
        return away
    rate_form = RateForm(request.POST if request.POST.get("what") == "rate" else None)
    reopen_form = ReopenForm(request.POST if request.POST.get("what") == "reopen" else None)
    grant = _grant_for(request, number)
    if request.method == "POST":
        what = request.POST.get("what")
        form = rate_form if what == "rate" else reopen_form if what == "reopen" else None
        if form is not None and form.is_valid():
            # evaluation: the person's answer is stored as a survey beside the case's follow_up / reopen
            from gridgov.evaluation.services import resident_survey

            try:
                if what == "rate":
                    d = form.cleaned_data
                    resident_survey(grant, number, attitude=d.get("attitude"), efficiency=d.get("efficiency"),
                                    result=d["satisfaction"], resolved=True, remark=d["note"])
                else:
                    resident_survey(grant, number, resolved=False, remark=form.cleaned_data["reason"])
                    messages.success(request, "已收到，问题将重新办理。")
            except DomainError as e:
                field = {"invalid_satisfaction": "satisfaction", "reason_required": "reason",
                         "reason_too_long": "reason"}.get(e.code)
                if field is None:  # not now (already rated, no longer closed …): said on the page as it is now
                    messages.error(request, e.message)
                    return redirect("public:case", number=number)
                form.add_error(field, e.message)
            else:
                return redirect("public:case", number=number)
        case = svc.case_for(grant, number)
    actions = svc.public_actions(case)
    photos = svc.public_photos(case)
    ctx = {"case": case, "status": svc.status_of(case), "timeline": svc.public_timeline(case),
           "report_photos": [p for p in photos if p.kind == "report"],
           "feedback_photos": [p for p in photos if p.kind == "feedback"],
           "can_rate": "follow_up" in actions, "can_reopen": "reopen" in actions,
           "rate_form": rate_form, "reopen_form": reopen_form,
           "satisfaction_label": svc.SATISFACTION.get(case.satisfaction or 0, ""),
           "rated": case.followed_up and case.satisfaction is not None}
    bad = request.method == "POST"
    return _page(request, "case.html", ctx, status=400 if bad else 200)


@require_GET
def photo(request, number: str, pk: int):
    case, away = _case_or_track(request, number)
    if away:
        raise Http404
    p = next((p for p in svc.public_photos(case) if p.pk == pk), None)
    if p is None:
        raise Http404
    response = HttpResponse(photo_store().open(p.storage_key), content_type=p.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------- the map's data


def _area() -> dict:
    """The districts that have grids (where a report can be filed) and their streets, simplified for a phone."""
    from gridgov.geo.models import Grid, Jurisdiction

    communities = Grid.objects.filter(layer__code="unit").values_list("community__code", flat=True).distinct()
    districts = sorted({c[:6] for c in communities if c})
    features = []
    for j in Jurisdiction.objects.filter(code__in=districts).exclude(geometry="") | \
            Jurisdiction.objects.filter(parent__code__in=districts, level="street").exclude(geometry=""):
        shape = j.shape.simplify(0.0002, preserve_topology=True)
        features.append({"type": "Feature", "geometry": mapping(shape),
                         "properties": {"code": j.code, "name": j.name, "level": j.level}})
    return {"type": "FeatureCollection", "features": features}


@require_GET
def area(request):
    body = cache.get("gridgov:public:area")
    if body is None:
        body = json.dumps(_area(), ensure_ascii=False, separators=(",", ":"))
        cache.set("gridgov:public:area", body, 300)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def where(request):
    """Where a tapped point lies, in words for the person: 「东华门街道 多福巷社区」 or outside the district."""
    try:
        lon, lat = locating.check_point(request.GET.get("lon"), request.GET.get("lat"))
    except DomainError as e:
        return JsonResponse({"inside": False, "text": e.message}, status=400)
    w = locating.locate(lon, lat)
    if not w["inside"]:
        return JsonResponse({"inside": False, "text": "该位置不在受理范围内，请在地图上的辖区内重新选择"})
    names = [w[k]["name"] for k in ("district", "street", "community") if w.get(k) and w[k].get("name")]
    return JsonResponse({"inside": True, "text": " ".join(names)})


urls = [
    path("", home, name="home"),
    path("report/", report, name="report"),
    path("report/<str:number>/done/", done, name="done"),
    path("track/", track, name="track"),
    path("case/<str:number>/", case_page, name="case"),
    path("case/<str:number>/photos/<int:pk>/", photo, name="photo"),
    path("area.json", area, name="area"),
    path("where/", where, name="where"),
]
