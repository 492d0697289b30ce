"""The grid worker's phone pages (我的网格): buildings of one's scope, a building's dwellings, households and
residents (masked), and the forms to add or update a resident, a dwelling or a visit on the spot.

Every read goes through ``rights.scoped``/``rights.get_scoped``; every write is a call to ``services`` (which
validates, re-checks scope and records the history). A post without the right gets a 403 page in Chinese;
an object outside one's scope is "not found" (404), never revealed. Personal data appears only masked.
"""

import datetime as dt

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Max, Prefetch, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse

from gridgov.errors import DomainError
from gridgov.geo.views import scope_label
from gridgov.pages import page

from . import rights, services
from .forms import DwellingForm, ResidentEditForm, ResidentForm, SearchForm, VisitForm
from .models import Building, Dwelling, Household, Relation, Resident, ResidentStatus

MAX_BUILDINGS = 100  # shown on 我的网格 at once; the search narrows a larger scope
MAX_CHOICES = 300  # a select longer than this is useless on a phone: choose from a building page instead


# ---------------------------------------------------------------- plumbing


def _render(request, template, context=None, status=200):
    user = request.user
    ctx = {"scope_label": scope_label(user), "can_edit": rights.has_right(user, rights.EDIT),
           "can_visit": rights.has_right(user, rights.VISIT), "can_stats": rights.has_right(user, rights.STATS),
           **(context or {})}
    return render(request, template, ctx, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _members(user, right):
    """Active residents within scope, the head of the household first."""
    head_first = Case(When(relation=Relation.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (rights.scoped(Resident.objects.all(), user, right).filter(status=ResidentStatus.ACTIVE)
            .order_by(head_first, "id"))


def _building_url(dwelling) -> str:
    if dwelling is None:
        return reverse("basedata:home")
    return reverse("basedata:building", args=[dwelling.building_id]) + f"#d{dwelling.pk}"


def _form_page(request, form, title, submit, back, intro=""):
    return _render(request, "basedata/form_page.html",
                   {"form": form, "title": title, "submit": submit, "back": back, "intro": intro})


# ---------------------------------------------------------------- 我的网格


@page(rights.VIEW)
def home(request):
    user = request.user
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    buildings = rights.scoped(Building.objects.all(), user, rights.VIEW)
    residents = []
    if q:
        buildings = buildings.filter(Q(name__contains=q) | Q(address__contains=q) | Q(code=q))
        residents = list(_members(user, rights.VIEW).filter(name__contains=q)
                         .select_related("dwelling__building")[:20])
    total = buildings.count()
    active = Q(dwellings__residents__status=ResidentStatus.ACTIVE)
    rows = list(buildings.annotate(n_dwellings=Count("dwellings", distinct=True),
                                   n_residents=Count("dwellings__residents", filter=active, distinct=True))
                .order_by("code")[:MAX_BUILDINGS])
    ctx = {"search": search, "q": q, "buildings": rows, "total": total, "residents": residents,
           "more": total > len(rows)}
    if request.headers.get("HX-Request"):
        return _render(request, "basedata/_results.html", ctx)
    if rights.has_right(user, rights.VISIT):
        ctx["due_count"] = len(services.due_list(user, 200))
    return _render(request, "basedata/home.html", ctx)


@page(rights.VISIT)
def due(request):
    return _render(request, "basedata/due.html", {"items": services.due_list(request.user, 200)})


@page(rights.VIEW)
def building(request, pk: int):
    user = request.user
    b = rights.get_scoped(Building.objects.all(), user, rights.VIEW, pk=pk)
    members = _members(user, rights.VIEW)
    households = (rights.scoped(Household.objects.all(), user, rights.VIEW).order_by("number")
                  .annotate(last_visit=Max("visits__visited_at"))
                  .prefetch_related(Prefetch("members", queryset=members)))
    dwellings = list(rights.scoped(Dwelling.objects.filter(building=b), user, rights.VIEW)
                     .order_by("unit_no", "floor", "room")
                     .prefetch_related(Prefetch("households", queryset=households),
                                       Prefetch("residents", queryset=members.filter(household__isnull=True),
                                                to_attr="loose")))
    n_residents = sum(len(h.members.all()) for d in dwellings for h in d.households.all()) + \
        sum(len(d.loose) for d in dwellings)
    return _render(request, "basedata/building.html",
                   {"building": b, "dwellings": dwellings, "n_residents": n_residents})


# ---------------------------------------------------------------- residents


def _new_household_number(dwelling) -> str:
    base = f"H{dwelling.code}"
    taken = set(Household.objects.filter(number__startswith=base).values_list("number", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@page(rights.EDIT)
def resident_new(request):
    user = request.user
    dwelling = household = None
    if (hid := _int(request.GET.get("household"))) is not None:
        household = rights.get_scoped(Household.objects.select_related("dwelling__building"), user, rights.EDIT,
                                      pk=hid)
        dwelling = household.dwelling
    elif (did := _int(request.GET.get("dwelling"))) is not None:
        dwelling = rights.get_scoped(Dwelling.objects.select_related("building"), user, rights.EDIT, pk=did)
    dwellings = rights.scoped(Dwelling.objects.select_related("building"), user, rights.EDIT).order_by("code")
    if dwelling is None and dwellings.count() > MAX_CHOICES:
        return _render(request, "basedata/pick_building.html", {"title": "新增居民", "what": "新增居民"})
    households = None
    if dwelling is not None and household is None:
        households = list(rights.scoped(Household.objects.filter(dwelling=dwelling), user, rights.EDIT)
                          .order_by("number").prefetch_related(Prefetch("members", queryset=_members(user, rights.EDIT))))
    kwargs = {"dwellings": dwellings, "households": households, "fixed_dwelling": dwelling}
    form = ResidentForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        d = dwelling or cd["dwelling"]
        number = household.number if household else ""
        if "household" in cd:
            chosen = next((h for h in households if str(h.pk) == cd["household"]), None)
            number = chosen.number if chosen else _new_household_number(d)
        data = {"name": cd["name"], "id_number": cd["id_number"], "phone": cd["phone"], "reg_type": cd["reg_type"],
                "relation": cd["relation"], "dwelling_id": d.pk, "household_number": number}
        try:
            r = services.create_resident(user, data)
        except DomainError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"已新增居民 {r.name}（{r.id_masked}）")
            return redirect(_building_url(r.dwelling))
    where = f"{household.number} · {dwelling}" if household else str(dwelling) if dwelling else ""
    return _form_page(request, form, "新增居民", "保存居民", _building_url(dwelling),
                      intro=f"登记到：{where}" if where else "")


@page(rights.EDIT)
def resident_edit(request, pk: int):
    user = request.user
    r = rights.get_scoped(Resident.objects.select_related("dwelling"), user, rights.EDIT, pk=pk)
    form = ResidentEditForm(request.POST or None, phone_masked=r.phone_masked,
                            initial={"name": r.name, "reg_type": r.reg_type, "relation": r.relation})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = {"name": cd["name"], "reg_type": cd["reg_type"], "relation": cd["relation"]}
        if cd["phone"].strip():
            data["phone"] = cd["phone"]
        try:
            r = services.update_resident(user, r.pk, data)
        except DomainError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"已保存 {r.name} 的信息")
            return redirect(_building_url(r.dwelling))
    return _form_page(request, form, "修改居民信息", "保存修改", _building_url(r.dwelling),
                      intro=f"{r.name} · 身份证号 {r.id_masked}")


# ---------------------------------------------------------------- dwellings


@page(rights.EDIT)
def dwelling_edit(request, pk: int):
    user = request.user
    d = rights.get_scoped(Dwelling.objects.select_related("building"), user, rights.EDIT, pk=pk)
    form = DwellingForm(request.POST or None, initial={"use": d.use, "floor": d.floor, "area_m2": d.area_m2})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            d = services.save_dwelling(user, {"use": cd["use"], "floor": cd["floor"], "area_m2": cd["area_m2"]},
                                       pk=d.pk)
        except DomainError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"已保存 {d} 的房屋信息")
            return redirect(_building_url(d))
    return _form_page(request, form, "修改房屋", "保存修改", _building_url(d), intro=str(d))


# ---------------------------------------------------------------- visits


@page(rights.VISIT)
def visit_new(request):
    user = request.user
    household = resident = None
    if (rid := _int(request.GET.get("resident"))) is not None:
        resident = rights.get_scoped(Resident.objects.select_related("household__dwelling__building"), user,
                                     rights.VISIT, pk=rid)
        household = resident.household
    elif (hid := _int(request.GET.get("household"))) is not None:
        household = rights.get_scoped(Household.objects.select_related("dwelling__building"), user, rights.VISIT,
                                      pk=hid)
    kwargs = {"resident": resident}
    if household is not None:
        kwargs["members"] = list(_members(user, rights.VISIT).filter(household=household))
    elif resident is not None:
        kwargs["members"] = [resident]
    else:
        households = (rights.scoped(Household.objects.select_related("dwelling__building"), user, rights.VISIT)
                      .order_by("number"))
        if households.count() > MAX_CHOICES:
            return _render(request, "basedata/pick_building.html", {"title": "登记走访", "what": "登记走访"})
        kwargs["households"] = households
    dwelling = household.dwelling if household else resident.dwelling if resident else None
    initial = {"place": f"{dwelling} 入户走访" if dwelling else ""}
    form = VisitForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        target_household = household or cd.get("household")
        data = {"household_id": target_household.pk if target_household else None,
                "resident_id": _int(cd.get("resident")) or (resident.pk if resident and not household else None),
                "visited_at": cd["visited_at"], "place": cd["place"], "issues": cd["issues"],
                "follow_up": cd["follow_up"], "case_number": cd["case_number"].strip() or None}
        try:
            v = services.record_visit(user, data)
        except DomainError as e:
            form.add_service_error(e)
        else:
            whom = v.resident.name if v.resident_id else (v.household.number if v.household_id else "")
            messages.success(request, f"已登记走访：{whom}")
            target = v.household.dwelling if v.household_id else dwelling
            return redirect(_building_url(target))
    if household is not None:
        intro = f"走访户：{household.number}" + (f" · {household.dwelling}" if household.dwelling else "")
    elif resident is not None:
        intro = f"走访对象：{resident.name}"
    else:
        intro = ""
    return _form_page(request, form, "登记走访", "保存走访记录", _building_url(dwelling), intro=intro)


# ---------------------------------------------------------------- households (issue #17 item 5)
# 走访覆盖 (the 网格长's annual visit), 一户一档, 民情日记, 民情台账, 网格员周排名: desk pages with tables, under the
# sub-navigation of ``basedata/desk.html``. Reads go through ``coverage``/``stats`` (scope and rights checked there);
# bad input (an unknown grid, a year or week in the future) is shown as a message on the page with its status.

DIARY_MAX = 200


def _desk(request, template, context, status=200):
    return _render(request, template, context, status=status)


def _xlsx(data: bytes, ctype: str, name: str):
    from django.http import HttpResponse

    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _crumbs(node: str, user) -> list[tuple[str, str]]:
    """The levels above ``node`` within one's scope, for the drill-down: [(node, name)…], the widest first."""
    from gridgov.accounts.scope import scope_prefix

    from .coverage import node_names

    prefix = scope_prefix(user) or ""
    keys = [k for k in (node[:6], node[:9], node[:12], node.split(".")[0]) if len(k) >= len(prefix) and k != node]
    keys = list(dict.fromkeys(k for k in keys if k.startswith(prefix) and len(k) < len(node)))
    names = node_names(keys)
    return [(k, names.get(k, k)) for k in keys]


@page(rights.STATS)
def coverage_page(request):
    from . import coverage

    user = request.user
    node = (request.GET.get("node") or "").strip() or None
    year = _int(request.GET.get("year"))
    try:
        data = coverage.coverage(user, year, node)
    except DomainError as e:
        return _desk(request, "basedata/coverage.html", {"error": e.message, "year": year}, status=e.status)
    coverage.log_left(user, data["node"], data["year"], len(data["left_households"]), "unmask")
    return _desk(request, "basedata/coverage.html", {"data": data, "year": data["year"],
                                                     "crumbs": _crumbs(data["node"], user)})


@page(rights.STATS)
def coverage_export(request):
    from . import coverage

    try:
        data, ctype = coverage.coverage_xlsx(request.user, _int(request.GET.get("year")),
                                             (request.GET.get("node") or "").strip() or None)
    except DomainError as e:
        return _desk(request, "basedata/coverage.html", {"error": e.message}, status=e.status)
    return _xlsx(data, ctype, "coverage.xlsx")


@page(rights.VIEW)
def household(request, pk: int):
    """一户一档: the dwelling, the members (masked), visits, 六必访 items and the household's cases."""
    from .coverage import CASE_RADIUS_M, household_cases

    user = request.user
    hh = rights.get_scoped(Household.objects.select_related("dwelling__building"), user, rights.VIEW, pk=pk)
    return _desk(request, "basedata/household.html", {
        "h": hh, "members": list(_members(user, rights.VIEW).filter(household=hh)),
        "visits": list(hh.visits.select_related("worker")[:50]),
        "triggers": list(hh.triggers.select_related("rule", "visit")),
        "cases": household_cases(user, hh), "radius": int(CASE_RADIUS_M)})


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@page(rights.VIEW)
def diary(request):
    """民情日记: the entries of one's scope (filter by grid, worker, dates); a grid worker or 网格长 writes one."""
    from .coverage import node_names
    from .models import DiaryEntry

    user = request.user
    if request.method == "POST":
        try:
            e = services.add_diary(user, request.POST.get("content", ""), _date(request.POST.get("date")))
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, f"已记录 {e.date:%Y-%m-%d} 的民情日记")
        return redirect(request.get_full_path())
    qs = rights.scoped(DiaryEntry.objects.select_related("worker"), user, rights.VIEW)
    grids = sorted({k.split(".")[0] for k in qs.order_by().values_list("scope_key", flat=True).distinct()})
    workers = sorted({(u, n or u) for u, n in qs.order_by().values_list("worker__username", "worker__display_name").distinct()})
    f = {"grid": (request.GET.get("grid") or "").strip(), "worker": (request.GET.get("worker") or "").strip(),
         "since": _date(request.GET.get("since")), "until": _date(request.GET.get("until"))}
    if f["grid"]:
        qs = qs.filter(scope_key__startswith=f["grid"])
    if f["worker"]:
        qs = qs.filter(worker__username=f["worker"])
    if f["since"]:
        qs = qs.filter(date__gte=f["since"])
    if f["until"]:
        qs = qs.filter(date__lte=f["until"])
    names = node_names(grids)
    return _desk(request, "basedata/diary.html", {
        "entries": list(qs[:DIARY_MAX]), "total": qs.count(), "f": f, "workers": workers,
        "grids": [(g, names.get(g, g)) for g in grids], "today": services.today()})


@page(rights.VIEW)
def ledger_page(request):
    from . import coverage

    node = (request.GET.get("node") or "").strip() or None
    try:
        data = coverage.ledger(request.user, node, request.GET.get("month"))
    except DomainError as e:
        return _desk(request, "basedata/ledger.html", {"error": e.message, "month": request.GET.get("month", "")},
                     status=e.status)
    return _desk(request, "basedata/ledger.html", {"data": data, "month": data["month"]})


@page(rights.VIEW)
def ledger_export(request):
    from . import coverage

    try:
        data, ctype = coverage.ledger_xlsx(request.user, (request.GET.get("node") or "").strip() or None,
                                           request.GET.get("month"))
    except DomainError as e:
        return _desk(request, "basedata/ledger.html", {"error": e.message}, status=e.status)
    return _xlsx(data, ctype, f"ledger-{(request.GET.get('month') or 'month')[:7]}.xlsx")


@page(rights.STATS)
def ranking_page(request):
    """网格员周排名 with the week chooser (``week=2026-W49``)."""
    from . import stats

    value = (request.GET.get("week") or "").strip()
    day = None
    try:
        if value:
            try:
                year, week = value.split("-W")
                day = dt.date.fromisocalendar(int(year), int(week), 1)
            except ValueError:
                raise DomainError("invalid_week", "周的格式应为 YYYY-Www，例如 2026-W49") from None
        data = stats.ranking(request.user, (request.GET.get("node") or "").strip() or None, day)
    except DomainError as e:
        return _desk(request, "basedata/ranking.html", {"error": e.message, "week": value}, status=e.status)
    iso = data["week_start"].isocalendar()
    return _desk(request, "basedata/ranking.html", {"data": data, "week": f"{iso[0]}-W{iso[1]:02d}"})
