"""The JSON API under /api/v1/ (django-ninja): routers of each app, auth and error format.

Errors always have the shape ``{"code": "<stable code>", "message": "<中文说明>"}``:
401 not signed in, 403 the post lacks the right, 404 not found or outside your scope, 400/422 bad input.
"""

import json
import logging
import typing

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from gridgov import limits
from gridgov.accounts.api import router as accounts_router
from gridgov.accounts.auth import API_AUTH
from gridgov.accounts.scope import NoRight, OutOfScope
from gridgov.addresses.api import router as addresses_router  # basemap: 标准地址
from gridgov.analytics.api import router as analytics_router  # analytics: 统计分析
from gridgov.apidocs import OfflineSwagger
from gridgov.assess.api import router as assess_router  # assess: 考评
from gridgov.audit.api import router as audit_router
from gridgov.basedata.api import router as basedata_router
from gridgov.cases.api import router as cases_router
from gridgov.catalog.api import router as catalog_router
from gridgov.community.api import router as community_router  # community
from gridgov.duty.api import router as duty_router
from gridgov.errors import DomainError
from gridgov.evaluation.api import router as evaluation_router  # evaluation
from gridgov.exports.api import router as exports_router  # exports: 案件导出
from gridgov.geo.api import router as geo_router
from gridgov.geo.changes_api import router as grid_changes_router  # gridchange
from gridgov.governance.api import router as governance_router  # matters
from gridgov.groups.api import router as groups_router  # groups: 人员网格
from gridgov.hotline.api import router as hotline_router  # open311: 12345 work orders
from gridgov.inspection.api import router as inspection_router  # inspection
from gridgov.integrity.api import router as integrity_router  # integrity
from gridgov.kpi.api import router as kpi_router  # kpi: 指标
from gridgov.ledgers.api import router as ledgers_router  # ledgers
from gridgov.notices.api import router as notices_router  # notices
from gridgov.notify.api import router as notify_router
from gridgov.ops.api import router as ops_router  # ops: 运行状态
from gridgov.oversight.api import router as oversight_router
from gridgov.party.api import router as party_router  # party: 党建引领
from gridgov.patrol.api import router as patrol_router  # patrol
from gridgov.performance.api import router as performance_router  # integrity: 人员考核
from gridgov.privacy.api import router as privacy_router
from gridgov.services.api import router as services_router  # services
from gridgov.tasks.api import router as tasks_router  # tasks
from gridgov.training.api import router as training_router  # training
from gridgov.worktime.api import router as worktime_router

log = logging.getLogger("gridgov.api")


def _no_constant(name: str):
    raise DomainError("invalid_json", f"请求体中的 {name} 不是合法的 JSON 数值")


class GuardedParser(Parser):
    """JSON without NaN/Infinity, and no NUL character in any string, body or form field (PostgreSQL cannot
    store one): refused at the boundary, before a handler or a query sees them."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body, parse_constant=_no_constant)
        except DomainError:
            raise
        except (ValueError, RecursionError):
            raise DomainError("invalid_json", "请求体不是合法的 JSON") from None
        # strict JSON has no raw control character in a string: in UTF-8 a NUL can only come as the escape \u0000
        # (UTF-16/32 bodies have zero bytes), so a body without either needs no walk (a track batch has thousands)
        body = request.body
        if (b"\\u0000" in body or b"\x00" in body) and limits.has_nul(data):
            raise DomainError("invalid_input", limits.NUL_MESSAGE)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if limits.has_nul(result):
            raise DomainError("invalid_input", limits.NUL_MESSAGE)
        return result


class GridgovAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """As ninja's, with each error's field name in Chinese (the schema field's title, e.g. 「楼层」)."""
        exc = super().validation_error_from_error_contexts(error_contexts)
        labels = [_title(c.model, e["loc"]) for c in error_contexts
                  for e in c.pydantic_validation_error.errors(include_url=False)]
        for err, label in zip(exc.errors, labels, strict=False):
            err["label"] = label
        return exc


def _title(model, loc) -> str | None:
    """The title of the schema field at ``loc`` (walking nested schemas, lists and optionals), or None."""
    title = None
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return title
        info = fields[part]
        title = info.title or title
        current = _inner_model(info.annotation)
    return title


def _inner_model(annotation):
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


api = GridgovAPI(
    title="gridgov API",
    version="1",
    description="网格化管理平台 gridgov 的 JSON 接口：辖区树、网格、定位、当前用户。",
    auth=API_AUTH,
    urls_namespace="api",
    docs=OfflineSwagger(),
    parser=GuardedParser(),
)


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth(request, exc):
    return _error(request, 401, "unauthenticated", "未登录或令牌无效")


@api.exception_handler(NoRight)
def on_no_right(request, exc):
    return _error(request, 403, "forbidden", f"您的岗位没有此权限（{exc.right}）")


@api.exception_handler(OutOfScope)
def on_out_of_scope(request, exc):
    return _error(request, 404, "not_found", "对象不存在或不在您的管辖范围内")


@api.exception_handler(Http404)
def on_404(request, exc):
    return _error(request, 404, "not_found", "对象不存在或不在您的管辖范围内")


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    return _error(request, exc.status, exc.code, exc.message, **getattr(exc, "details", {}))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    cause = exc.__cause__
    if isinstance(cause, DomainError):  # the parser refused the body (ninja wraps what it raises)
        return on_domain_error(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return on_too_big(request, cause)
    if exc.status_code == 400:
        return _error(request, 400, "invalid_input", "请求内容无法解析")
    return _error(request, exc.status_code, HTTP_CODES.get(exc.status_code, ("error", ""))[0],
                  HTTP_CODES.get(exc.status_code, ("", "请求未能处理"))[1])


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "too_large", "请求内容过大")


@api.exception_handler(TooManyFieldsSent)
def on_too_many_fields(request, exc):
    return _error(request, 400, "too_many_fields", "请求中的字段过多")


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return _error(request, 400, "bad_request", "请求无效")


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    """The last resort: logged with its traceback (never the request's data), answered as JSON."""
    log.error("%s %s: %s", request.method, request.path, type(exc).__name__, exc_info=exc)
    return _error(request, 500, "server_error", "服务器内部错误")


@api.exception_handler(ValidationError)
def on_validation(request, exc):
    parts, errors = [], []
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", []) if x not in ("body", "query", "path", "payload", "form", "file")]
        name = err.get("label") or ".".join(loc) or "请求"
        message = validation_message(err)
        parts.append(f"{name}：{message}")
        errors.append({"field": ".".join(loc), "label": name, "type": err.get("type", ""), "message": message})
    return _error(request, 422, "invalid_input", "输入有误：" + "；".join(parts), errors=errors)


# pydantic error types → Chinese (ctx values are filled in); anything else: 「格式不正确」
VALIDATION_MESSAGES = {
    "missing": "必填",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_type": "应为文本",
    "string_unicode": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "int_parsing_size": "数值过大",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_parsing": "应为数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "json_invalid": "不是合法的 JSON",
    "json_type": "不是合法的 JSON",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "date_parsing": "日期格式不正确（应为 YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（应为 YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "date_type": "日期格式不正确（应为 YYYY-MM-DD）",
    "datetime_parsing": "时间格式不正确（应为 ISO 8601，如 2026-03-10T09:00:00+08:00）",
    "datetime_from_date_parsing": "时间格式不正确（应为 ISO 8601，如 2026-03-10T09:00:00+08:00）",
    "datetime_type": "时间格式不正确（应为 ISO 8601，如 2026-03-10T09:00:00+08:00）",
    "datetime_object_invalid": "时间超出范围",
    "timezone_aware": "时间须带时区",
    "value_error": "取值无效",
    "extra_forbidden": "不允许的字段",
    "none_required": "应为空",
    "bytes_type": "应为文件",
    "is_instance_of": "格式不正确",
    "union_tag_invalid": "格式不正确",
}


def validation_message(err: dict) -> str:
    template = VALIDATION_MESSAGES.get(err.get("type", ""), "格式不正确")
    try:
        return template.format(**(err.get("ctx") or {})).replace("' or '", "' 或 '")
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：") or "格式不正确"


# the statuses Django or ninja may answer with by themselves, as {code, message} (see gridgov.guard)
HTTP_CODES = {
    400: ("bad_request", "请求无效"),
    401: ("unauthenticated", "未登录或令牌无效"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "接口或对象不存在"),
    405: ("method_not_allowed", "不支持此请求方法"),
    413: ("too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持此内容类型"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误"),
}


api.add_router("/", accounts_router)
api.add_router("/", geo_router)
api.add_router("/", grid_changes_router)  # gridchange: plans, apply, mapping
api.add_router("/catalog", catalog_router)
api.add_router("/worktime", worktime_router)
api.add_router("/cases", cases_router)
api.add_router("/notifications", notify_router)
api.add_router("/audit", audit_router)
api.add_router("/basedata", basedata_router)
api.add_router("/privacy", privacy_router)
api.add_router("/duty", duty_router)  # 值班与应急 (duty helper)
api.add_router("/oversight", oversight_router)  # 市区联动与督办 (the city helper)
api.add_router("/tasks", tasks_router)  # tasks: 专项行动、专项工作、演练、例会
api.add_router("/inspection", inspection_router)  # inspection: checklists, plans, 回头看, 门前三包
api.add_router("/governance", governance_router)  # matters: 矛盾纠纷调解, 信访
api.add_router("/patrol", patrol_router)  # patrol
api.add_router("/assess", assess_router)  # assess: 考评 (schemes, runs, judgements, appeals)
api.add_router("/ledgers", ledgers_router)  # ledgers: 考评台账
api.add_router("/evaluation", evaluation_router)  # evaluation: 满意度回访, 条块双向考核
api.add_router("/integrity", integrity_router)  # integrity: 弄虚作假核查
api.add_router("/performance", performance_router)  # integrity: 人员考核
api.add_router("/kpi", kpi_router)  # kpi: 指标
api.add_router("/hotline", hotline_router)  # open311: 12345 work orders
api.add_router("/analytics", analytics_router)  # analytics: 统计分析
api.add_router("/exports", exports_router)  # exports: 案件导出
api.add_router("/addresses", addresses_router)  # basemap: 标准地址
api.add_router("/community", community_router)  # community: 公示牌, 服务热线, 监督电话
api.add_router("/notices", notices_router)  # notices: 通知公告
api.add_router("/services", services_router)  # services: 便民服务
api.add_router("/party", party_router)  # party: 党建引领 (网格党组织, 党员, 报到, 帮扶对子)
api.add_router("/training", training_router)  # training: 培训考试
api.add_router("/groups", groups_router)  # groups: 人员网格
api.add_router("/ops", ops_router)  # ops: 运行状态
