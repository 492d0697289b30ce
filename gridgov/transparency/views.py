"""公开信息 under /open/ — no account: the month's figures per street, the closed cases on a map (positions
coarsened), the clocks of open cases against their published deadlines, the published 考评 rankings, and the open
data (CSV / JSON, with the licence note). Every request counts against the address's throttle (``open.address``,
like the residents' pages ``/r/``): beyond it a 429 page in Chinese. Nothing here writes but the throttle's counter.
"""

import json
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gridgov import spreadsheets
from gridgov.accounts import throttle

from . import queries

LICENCE = ("本数据依据政府信息公开的有关规定发布，可自由复制、使用和再发布，须注明来源「gridgov 网格化管理平台公开信息」；"
           "数据不含个人信息，案件位置已就近归并到约 100 米的网格中心，描述中的电话、证件号等已隐去。")
CLOSED_HEAD = [("number", "案件编号"), ("matter", "事项"), ("matter_class", "事项大类"), ("street", "街道"),
               ("community", "社区"), ("reported_on", "上报日期"), ("closed_on", "结案日期"),
               ("closed_on_time", "按期结案"), ("description", "问题描述（已脱敏）"), ("lon", "经度（约100米）"),
               ("lat", "纬度（约100米）")]
FIGURE_HEAD = [("code", "街道代码"), ("name", "街道"), ("reported", "上报"), ("closed", "结案"),
               ("on_time_rate", "按期结案率（%）"), ("satisfaction", "满意度（1～5）")]


def public(view):
    """A public page: GET only, throttled per address."""

    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            throttle.attempt([(throttle.rule("open.address"), throttle.client_address(request))], "too_many_requests",
                             "访问过于频繁，请 {minutes} 分钟后再试")
        except throttle.Throttled as e:
            resp = render(request, "transparency/throttled.html", {"message": e.message}, status=429)
            resp["Retry-After"] = str(e.retry_after_s)
            return resp
        return view(request, *args, **kwargs)

    return wrapper


def _ctx(request, **more) -> dict:
    p = queries.month_period(request.GET.get("month"))
    return {"period": p, "month": f"{p.start:%Y-%m}", "months": queries.months(), **more}


@public
def home(request):
    ctx = _ctx(request)
    ctx["figures"] = queries.street_figures(ctx["period"])
    return render(request, "transparency/home.html", ctx)


@public
def closed_map(request):
    return render(request, "transparency/map.html", _ctx(request))


@public
def closed_geojson(request):
    p = queries.month_period(request.GET.get("month"))
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                 "properties": {k: v for k, v in c.items() if k not in ("lon", "lat")}}
                for c in queries.closed_cases(p)]
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        json_dumps_params={"ensure_ascii": False})


@public
def clocks(request):
    return render(request, "transparency/clocks.html", queries.clocks())


@public
def rankings(request):
    return render(request, "transparency/rankings.html", queries.rankings(request.GET.get("period")))


@public
def data(request):
    return render(request, "transparency/data.html", _ctx(request, licence=LICENCE))


def _download(rows: list[dict], head, fmt: str, name: str, title: str):
    if fmt == "json":
        body = json.dumps({"licence": LICENCE, "fields": dict(head), "rows": rows}, ensure_ascii=False, default=str)
        resp = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    else:
        values = [[("是" if r[k] else "否") if isinstance(r[k], bool) else ("" if r[k] is None else r[k])
                   for k, _ in head] for r in rows]
        data_, ctype = spreadsheets.write("csv", [label for _, label in head], values, title)
        resp = HttpResponse(data_, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


@public
def closed_download(request, fmt: str):
    p = queries.month_period(request.GET.get("month"))
    return _download(queries.closed_cases(p), CLOSED_HEAD, fmt, f"closed-cases-{p.start:%Y-%m}", "结案案件")


@public
def figures_download(request, fmt: str):
    p = queries.month_period(request.GET.get("month"))
    return _download(queries.street_figures(p), FIGURE_HEAD, fmt, f"street-figures-{p.start:%Y-%m}", "街道月度数据")
