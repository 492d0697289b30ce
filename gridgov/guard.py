"""The boundary of every request (middleware): malformed input is refused before a view or a query sees it, and
every answer under /api/ is JSON ``{"code", "message"}``.

- A NUL character in the path, the query string or a form field is refused (PostgreSQL cannot store or compare
  one): under /api/ a 400 ``invalid_input``, on pages a 400 page in Chinese. (JSON bodies under /api/ are checked
  by the API's parser, gridgov.api.GuardedParser.)
- A request larger than GRIDGOV["REQUEST_MAX_BYTES"] is refused (413) before it is read.
- Under /api/, an answer Django or ninja produced by itself (404 for an unknown path, 405, 400 for a bad
  request, 413 too large, a last-resort 500) is turned into ``{"code", "message"}`` in Chinese.
"""

import json
import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render

from gridgov import limits

log = logging.getLogger("gridgov.api")
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _has_nul(request) -> bool:
    if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any(limits.has_nul(k) or limits.has_nul(v) for k, vs in request.GET.lists() for v in [*vs, k]):
        return True
    if not _is_api(request) and request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        if any(limits.has_nul(k) or limits.has_nul(v) for k, vs in request.POST.lists() for v in [*vs, k]):
            return True
        if any("\x00" in (f.name or "") for fs in request.FILES.lists() for f in fs[1]):
            return True
    return False


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.GRIDGOV["REQUEST_MAX_BYTES"]:
            message = f"请求内容过大（上限 {settings.GRIDGOV['REQUEST_MAX_BYTES'] // 1024 // 1024} MB）"
            if _is_api(request):
                return api_error(413, "too_large", message)
            return render(request, "bad_request.html", {"message": message + "。"}, status=413)
        try:
            bad = _has_nul(request)
        except (RequestDataTooBig, TooManyFieldsSent):
            bad = False  # the view's own reading raises it again and Django answers 400/413
        if bad:
            if _is_api(request):
                return api_error(400, "invalid_input", limits.NUL_MESSAGE)
            return render(request, "bad_request.html", {"message": limits.NUL_MESSAGE}, status=400)
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            from gridgov.api import HTTP_CODES

            code, message = HTTP_CODES.get(response.status_code, ("error", "请求未能处理"))
            return api_error(response.status_code, code, message)
        return response

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return api_error(413, "too_large", "请求内容过大")
        log.error("%s %s: %s", request.method, request.path, type(exception).__name__, exc_info=exception)
        return api_error(500, "server_error", "服务器内部错误")


def _is_json(response) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body and "message" in body if response.status_code >= 400 else True
