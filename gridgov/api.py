"""The JSON API under /api/v1/ (django-ninja): routers of each app, auth and error format.

Errors always have the shape ``{"code": "<stable code>", "message": "<中文说明>"}``:
401 not signed in, 403 the post lacks the right, 404 not found or outside your scope, 400/422 bad input.
"""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from gridgov.accounts.api import router as accounts_router
from gridgov.accounts.auth import API_AUTH
from gridgov.accounts.scope import NoRight, OutOfScope
from gridgov.apidocs import OfflineSwagger
from gridgov.audit.api import router as audit_router
from gridgov.basedata.api import router as basedata_router
from gridgov.cases.api import router as cases_router
from gridgov.catalog.api import router as catalog_router
from gridgov.errors import DomainError
from gridgov.geo.api import router as geo_router
from gridgov.notify.api import router as notify_router
from gridgov.privacy.api import router as privacy_router
from gridgov.worktime.api import router as worktime_router

api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="网格化管理平台 gridgov 的 JSON 接口：辖区树、网格、定位、当前用户。",
    auth=API_AUTH,
    urls_namespace="api",
    docs=OfflineSwagger(),
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


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    return _error(request, exc.status, exc.code, exc.message, **getattr(exc, "details", {}))


@api.exception_handler(ValidationError)
def on_validation(request, exc):
    parts = []
    for err in exc.errors:
        loc = ".".join(str(x) for x in err.get("loc", []) if x not in ("body", "query", "path", "payload"))
        parts.append(f"{loc or '请求'}：{err.get('msg')}")
    return _error(request, 422, "invalid_input", "输入有误：" + "；".join(parts), errors=exc.errors)


api.add_router("/", accounts_router)
api.add_router("/", geo_router)
api.add_router("/catalog", catalog_router)
api.add_router("/worktime", worktime_router)
api.add_router("/cases", cases_router)
api.add_router("/notifications", notify_router)
api.add_router("/audit", audit_router)
api.add_router("/basedata", basedata_router)
api.add_router("/privacy", privacy_router)
