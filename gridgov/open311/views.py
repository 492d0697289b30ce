"""The Open311 GeoReport v2 endpoints (outside /api/v1: the specification fixes paths, formats and errors).

    /open311/discovery.{xml,json}
    /open311/v2/services.{xml,json}                 GET   the catalog's reportable matters
    /open311/v2/services/{service_code}.{xml,json}  GET   a service definition (attributes)
    /open311/v2/requests.{xml,json}                 POST  file a request (api_key) · GET  requests with filters
    /open311/v2/requests/{service_request_id}.{xml,json}
    /open311/v2/tokens/{token}.{xml,json}

Every answer is UTF-8 XML (with the declaration) or JSON; an error is the specification's list of
``{code, description}`` with its HTTP status. Calls are throttled per client address (``open311.address``) and
filing per api key (``open311.post``), like the public pages.
"""

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.accounts import throttle
from gridgov.cases.logic.lifecycle import STATE_LABELS, State

from . import services as svc
from .services import CLOSED, Open311Error

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00Z"  # when this server's endpoint last changed (discovery)
TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


# ---------------------------------------------------------------- writing XML and JSON


def w3c(value) -> str | None:
    """A W3C date-time with its offset (UTC as Z)."""
    if value is None:
        return None
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _xml_value(parent, name: str, value) -> None:
    el = ET.SubElement(parent, name)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, list):
        for item in value:  # a list of dicts (attribute values) or plain values (formats)
            if isinstance(item, tuple):
                _xml_value(el, item[0], item[1])
            else:
                _xml_dict(el, name[:-1] if name.endswith("s") else "item", item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif value is not None:
        el.text = str(value)


def _xml_dict(parent, name: str, obj) -> None:
    if isinstance(obj, dict):
        el = ET.SubElement(parent, name)
        for k, v in obj.items():
            _xml_value(el, k, v)
    else:
        ET.SubElement(parent, name).text = str(obj)


def xml_bytes(root: str, item: str | None, content) -> bytes:
    """``<root><item>…</item>…</root>`` for a list, ``<root>…</root>`` for a dict."""
    el = ET.Element(root)
    if isinstance(content, list):
        for obj in content:
            _xml_dict(el, item, obj)
    else:
        for k, v in content.items():
            _xml_value(el, k, v)
    return ET.tostring(el, encoding="utf-8", xml_declaration=True)


def answer(fmt: str, root: str, item: str | None, content, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(content, ensure_ascii=False).encode()
    else:
        body = xml_bytes(root, item, content)
    return HttpResponse(body, status=status, content_type=TYPES[fmt])


def error(fmt: str, e: Open311Error) -> HttpResponse:
    r = answer(fmt, "errors", "error", [{"code": e.code, "description": e.description}], status=e.status)
    if getattr(e, "retry_after_s", None):
        r["Retry-After"] = str(e.retry_after_s)
    return r


def _format(fmt: str) -> str:
    if fmt not in TYPES:
        raise Open311Error(404, f"不支持的格式「{fmt}」，请用 .xml 或 .json (format not supported)")
    return fmt


def endpoint(view):
    """Format check, the throttle per client address and errors as the specification writes them."""

    def wrapper(request, *args, fmt="xml", **kwargs):
        shown = fmt if fmt in TYPES else "xml"
        try:
            _format(fmt)
            try:
                throttle.attempt([(throttle.rule("open311.address"), throttle.client_address(request))],
                                 "too_many_requests", "请求过于频繁，请 {minutes} 分钟后再试")
            except throttle.Throttled as t:
                e = Open311Error(429, f"{t.message} (too many requests)")
                e.retry_after_s = t.retry_after_s
                raise e from None
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            return error(shown, e)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ---------------------------------------------------------------- discovery and services


@require_http_methods(["GET"])
@endpoint
def discovery(request, fmt):
    """The discovery document: where the GeoReport v2 endpoint is and which formats it speaks."""
    from django.conf import settings

    content = {
        "changeset": CHANGESET,
        "contact": settings.GRIDGOV.get("OPEN311_CONTACT") or "网格化服务管理中心（系统管理员）",
        "key_service": "api_key 由系统管理员签发：gridgov open311 key create 客户端名称，或「Open311 密钥」页面",
        "endpoints": [{"specification": SPEC, "url": request.build_absolute_uri("/open311/v2"),
                       "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    if fmt == "xml":  # <endpoints><endpoint>…<formats><format>…</format></formats></endpoint></endpoints>
        ep = content["endpoints"][0]
        xml_content = {**content, "endpoints": [("endpoint", {**ep, "formats": [("format", f) for f in ep["formats"]]})]}
        return answer(fmt, "discovery", None, xml_content)
    return answer(fmt, "discovery", None, content)


def _service(item) -> dict:
    return {"service_code": item.code, "service_name": item.name,
            "description": item.register_condition or f"{item.major_name} · {item.name}",
            "metadata": svc.has_metadata(item), "type": "realtime",
            "keywords": ",".join(k for k in (item.major_name, item.name) if k), "group": item.major_name}


@require_http_methods(["GET"])
@endpoint
def services(request, fmt):
    svc.check_jurisdiction(request.GET.get("jurisdiction_id"))
    return answer(fmt, "services", "service", [_service(m) for m in svc.services()])


@require_http_methods(["GET"])
@endpoint
def definition(request, code, fmt):
    svc.check_jurisdiction(request.GET.get("jurisdiction_id"))
    item = svc.service(code)
    attrs = [{"variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
              "datatype_description": a.datatype_description, "order": a.order, "description": a.description}
             for a in svc.attributes(item)]
    if fmt == "xml":
        return answer(fmt, "service_definition", None,
                      {"service_code": item.code, "attributes": [("attribute", a) for a in attrs]})
    return answer(fmt, "service_definition", None, {"service_code": item.code, "attributes": attrs})


# ---------------------------------------------------------------- requests


def _post_params(request) -> dict:
    params = {k: request.POST.get(k) for k in request.POST if not k.startswith("attribute[")}
    params["attributes"] = {k[len("attribute["):-1]: request.POST.get(k) for k in request.POST
                            if k.startswith("attribute[") and k.endswith("]")}
    return params


def _post(request, fmt):
    key = svc.authenticate(request.POST.get("api_key"))
    svc.check_jurisdiction(request.POST.get("jurisdiction_id"))
    try:
        throttle.attempt([(throttle.rule("open311.post"), f"key:{key.pk}")], "too_many_requests",
                         "提交过于频繁，请 {minutes} 分钟后再试")
    except throttle.Throttled as t:
        e = Open311Error(429, f"{t.message} (too many requests)")
        e.retry_after_s = t.retry_after_s
        raise e from None
    sr = svc.submit(key, _post_params(request))
    row = {"service_request_id": sr.case.number, "service_notice": "已受理，待核实后立案", "account_id": None}
    return answer(fmt, "service_requests", "request", [row], status=201)


def status_of(case) -> str:
    return "closed" if case.status in CLOSED else "open"


def request_row(sr) -> dict:
    """One request as GET requests answers it: the case's position and state, never the reporter's data."""
    case = sr.case
    due = case.handle_due_at or case.stage_due_at
    agency = case.assignee_department.name if case.assignee_department_id else "网格化服务管理中心"
    return {
        "service_request_id": case.number, "status": status_of(case),
        "status_notes": STATE_LABELS.get(State(case.status), case.status),
        "service_name": case.matter.name if case.matter_id else "", "service_code": sr.service_code,
        "description": case.description, "agency_responsible": agency,
        "service_notice": "核实后立案办理" if case.status in ("reported", "verifying") else "",
        "requested_datetime": w3c(sr.requested_at), "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(due) if status_of(case) == "open" else None,
        "address": case.address, "address_id": None, "zipcode": None,
        "lat": round(case.lat, 6), "long": round(case.lon, 6), "media_url": sr.media_url or None,
    }


@csrf_exempt  # a machine client with an api_key, no session (no cookie to forge)
@require_http_methods(["GET", "POST"])
@endpoint
def requests(request, fmt):
    if request.method == "POST":
        return _post(request, fmt)
    svc.check_jurisdiction(request.GET.get("jurisdiction_id"))
    rows = [request_row(sr) for sr in svc.requests(request.GET)]
    return answer(fmt, "service_requests", "request", rows)


@require_http_methods(["GET"])
@endpoint
def one_request(request, rid, fmt):
    svc.check_jurisdiction(request.GET.get("jurisdiction_id"))
    return answer(fmt, "service_requests", "request", [request_row(svc.one(rid))])


@require_http_methods(["GET"])
@endpoint
def token(request, token, fmt):
    svc.check_jurisdiction(request.GET.get("jurisdiction_id"))
    sr = svc.by_token(token)
    return answer(fmt, "service_requests", "request", [{"service_request_id": sr.case.number, "token": sr.token}])
