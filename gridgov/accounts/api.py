"""Accounts API: obtain a token (throttled sign-in), list and revoke tokens, who am I."""

from datetime import datetime

from ninja import Query, Router, Schema, Status

from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import ApiToken
from .scope import scope_prefix

router = Router(tags=["账户"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""
    lifetime_days: int | None = None  # default GRIDGOV["TOKEN_LIFETIME_DAYS"] (90)
    otp: str | None = None  # the 6-digit TOTP code of an account that has TOTP


class TokenOut(Schema):
    token: str
    username: str
    id: int
    expires_at: datetime


class TokenRead(Schema):
    id: int
    username: str
    name: str
    prefix: str
    created: datetime
    last_used: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str  # active | expired | revoked


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    node_key: str
    scope: str | None
    department: str | None
    rights: list[str]


@router.post("/auth/token", auth=None, response=answers(TokenOut, 401, 403, 422, 429, status=201, auth=False),
             summary="用户名和密码换取 API 令牌（限制失败次数；启用动态口令的账号须附 otp）")
def obtain_token(request, payload: TokenIn):
    result = services.sign_in(request, payload.username, payload.password, otp=payload.otp, via="api")
    if result.next == "totp":
        return Status(401, {"code": "otp_required", "message": "该账号已启用动态口令，请同时提交 otp（6 位数字）"})
    if result.next == "enrol":
        return Status(403, {"code": "totp_enrolment_required",
                            "message": "系统要求管理员使用动态口令：请先在网页登录并完成设置（/accounts/totp/）"})
    token, key = services.issue_token(result.user, result.user, payload.name or "api",
                                      lifetime_days=payload.lifetime_days)
    return Status(201, {"token": key, "username": result.user.username, "id": token.pk, "expires_at": token.expires_at})


def token_read(t: ApiToken, now) -> dict:
    return {"id": t.pk, "username": t.user.username, "name": t.name, "prefix": t.prefix, "created": t.created,
            "last_used": t.last_used, "expires_at": t.expires_at, "revoked_at": t.revoked_at, "state": t.state(now)}


@router.get("/auth/tokens", response=answers(page_of(TokenRead), 422),
            summary="我的 API 令牌（all=true：管理员查看管辖范围内所有人的令牌）；不含令牌本身")
def list_tokens(request, page: Query[PageIn], all: bool = False):
    from django.utils import timezone

    now = timezone.now()
    return paginate(services.tokens_visible(request.user, everyone=all), page, lambda t: token_read(t, now))


@router.delete("/auth/tokens/{token_id}", response=answers(TokenRead, 400, 404, 422),
               summary="吊销一个令牌（自己的；管理员：管辖范围内的）")
def revoke_token(request, token_id: int):
    from django.utils import timezone

    token = services.revoke_token(request.user, token_id)
    return Status(200, token_read(token, timezone.now()))


@router.post("/auth/tokens/{token_id}/revoke", response=answers(TokenRead, 400, 404, 422),
             summary="吊销一个令牌（同 DELETE）")
def revoke_token_post(request, token_id: int):
    return revoke_token(request, token_id)


@router.get("/me", response=answers(MeOut), summary="当前用户")
def me(request):
    from .roles import RIGHTS, Role

    u = request.user
    rights = sorted({r for rs in RIGHTS.values() for r in rs}) if u.is_superuser else sorted(RIGHTS.get(Role(u.role), ()))
    return {
        "username": u.username, "display_name": u.display_name, "role": u.role, "role_label": u.role_label,
        "node_key": u.node_key, "scope": scope_prefix(u), "department": u.department.name if u.department_id else None,
        "rights": rights,
    }
