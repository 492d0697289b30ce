"""指挥大屏 (/screen/): the command hall's full-screen live view — today's flow (上报、立案、派遣、结案 so far), the
lights of the running cases (绿 / 黄 / 红), today's cases on the map, the streets ranked by today's figures and the
newest cases scrolling (no personal data: the description sanitised, no reporter, no address).

The page polls ``/screen/feed.json``: the answer carries an ETag made of cheap index reads (the newest case's id,
the newest timeline event's id, the minute — lights change with time alone); an unchanged feed answers 304 without
counting anything. The page's script (``static/gridgov/screen.js``) reuses its chart and map objects, so it can run
all day (tested in a browser: 50 refreshes, constant DOM nodes, Leaflet layers and ECharts instances).
"""

import hashlib

from django.db.models import Count, Prefetch
from django.http import HttpResponseNotModified, JsonResponse
from django.urls import path
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import scoped
from gridgov.cases.logic.lifecycle import STATE_LABELS, State
from gridgov.cases.models import Case, CaseEvent, CaseReport
from gridgov.cases.services.lights import red_q, running_q, yellow_q
from gridgov.geo.models import Jurisdiction
from gridgov.kpi import queries as kpi
from gridgov.kpi.logic import indicators as ind
from gridgov.pages import page, render_page
from gridgov.transparency.logic.sanitise import sanitise

MAP_POINTS = 500
NEWEST = 12
MIN_EVERY_S, DEFAULT_EVERY_S = 0.2, 30.0


def _every(request) -> float:
    try:
        v = float(request.GET.get("every", DEFAULT_EVERY_S))
    except ValueError:
        v = DEFAULT_EVERY_S
    return max(MIN_EVERY_S, min(v, 3600.0))


@page(roles.EXPORTS_SCREEN)
def screen(request):
    return render_page(request, "exports/screen.html", {"every_ms": int(_every(request) * 1000),
                                                         "use_etag": request.GET.get("etag") != "0"})


def _etag(user) -> str:
    cases = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    newest = cases.order_by("-id").values_list("id", flat=True).first() or 0
    event = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"{user.pk}:{newest}:{event}:{minute}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:20] + '"'


def feed_data(user) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    day = ind.day_range(today, today)
    cases = scoped(Case.objects.all(), user, roles.CASE_VIEW)
    flow = {k: cases.filter(**{f"{k}_at__gte": day.start, f"{k}_at__lt": day.end}).count()
            for k in ("reported", "registered", "dispatched", "closed")}
    lights = cases.filter(running_q()).aggregate(
        red=Count("id", filter=red_q(now)), yellow=Count("id", filter=yellow_q(now) & ~red_q(now)),
        all=Count("id"))
    lights = {"red": lights["red"], "yellow": lights["yellow"],
              "green": lights["all"] - lights["red"] - lights["yellow"]}
    todays = cases.filter(reported_at__gte=day.start, reported_at__lt=day.end)
    points = [[round(lon, 5), round(lat, 5), status] for lon, lat, status in
              todays.order_by("-id").values_list("lon", "lat", "status")[:MAP_POINTS]]
    tallies = kpi.tallies(user, "street", day)
    names = dict(Jurisdiction.objects.filter(level="street", code__in=list(tallies)).values_list("code", "name"))
    ranking = sorted(({"code": code, "name": names.get(code, code), "reported": t.reported, "closed": t.closed}
                      for code, t in tallies.items() if t.reported or t.closed),
                     key=lambda r: (-r["closed"], -r["reported"], r["code"]))[:10]
    newest = []
    names_of = Prefetch("reports", to_attr="names", queryset=CaseReport.objects.only("case_id", "reporter_name"))
    for c in todays.select_related("matter", "community__parent").prefetch_related(names_of).order_by("-id")[:NEWEST]:
        newest.append({"number": c.number, "time": timezone.localtime(c.reported_at).strftime("%H:%M"),
                       "matter": c.matter.name if c.matter_id else "未分类",
                       "street": c.community.parent.name if c.community_id and c.community.parent_id else "",
                       "status": STATE_LABELS[State(c.status)], "text": sanitise(c.description, [r.reporter_name for r in c.names])[:40]})
    return {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"), "flow": flow, "lights": lights,
            "points": points, "ranking": ranking, "newest": newest}


@page(roles.EXPORTS_SCREEN)
def feed(request):
    etag = _etag(request.user)
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    resp = JsonResponse(feed_data(request.user), json_dumps_params={"ensure_ascii": False})
    resp["ETag"] = etag
    resp["Cache-Control"] = "no-cache"
    return resp


urls = [path("", screen, name="screen"), path("feed.json", feed, name="feed")]
