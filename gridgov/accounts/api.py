"""Accounts API: obtain a token, who am I."""

from django.contrib.auth import authenticate
from ninja import Router, Schema, Status

from gridgov.schemas import answers

from .models import ApiToken
from .scope import scope_prefix

router = Router(tags=["账户"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    username: str


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    node_key: str
    scope: str | None
    department: str | None
    rights: list[str]


@router.post("/auth/token", auth=None, response=answers(TokenOut, 401, 422, status=201, auth=False), summary="用户名和密码换取 API 令牌")
def obtain_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"code": "bad_credentials", "message": "用户名或密码错误"})
    _, key = ApiToken.issue(user, payload.name or "api")
    return Status(201, {"token": key, "username": user.username})


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
