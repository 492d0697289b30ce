"""The only writer of accounts: users, their post and node, passwords, API tokens, TOTP — and signing in.

Every write owns its transaction and appends to the audit chain (gridgov.audit.services.record) in it; the
audit never holds a password, a token key or a TOTP secret. Signing in is throttled per account and per
address (gridgov.accounts.throttle); failed and throttled sign-ins are recorded (``login_failed``,
``login_throttled``, with the address, never the password).
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.audit.services import record
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.geo.models import Grid, Jurisdiction

from . import throttle
from .models import ApiToken, Department, TotpDevice, User
from .roles import BOUND_LEVEL, MANAGE_USERS, ROLE_LABELS, Role, has_right
from .scope import scope_prefix

LOGIN_THROTTLED = "登录失败次数过多，请 {minutes} 分钟后再试"
BAD_CREDENTIALS = "用户名或密码错误"
TOTP_FIELD = "accounts.totp"
TOTP_ISSUER = "gridgov"
TOTP_STEP_S = 30


class BadCredentials(DomainError):
    """Wrong user name, password or code (the message never says which of user name and password)."""

    status = 401


# ---------------------------------------------------------------- users


def node_key_for(node: str) -> str:
    """Turn what a person types (a jurisdiction code, or a grid code) into the node key used for scoping."""
    node = (node or "").strip()
    if not node:
        return ""
    if Jurisdiction.objects.filter(code=node).exists():
        return node
    grid = Grid.objects.filter(code=node).order_by("layer_id").first()
    if grid is None:
        raise NotFound("unknown_node", f"找不到节点「{node}」：应为区县/街道/社区代码或网格编码")
    return grid.scope_key


def check_password(password: str, user: User | None = None) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), their Chinese messages in one error."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise DomainError("weak_password", "密码不符合要求：" + "；".join(e.messages)) from None


def user_snapshot(user: User) -> dict:
    """What the audit keeps of an account (never the password)."""
    return {"username": user.username, "role": user.role, "node_key": user.node_key,
            "department": user.department.code if user.department_id else None, "display_name": user.display_name,
            "is_active": user.is_active, "is_staff": user.is_staff, "is_superuser": user.is_superuser}


def _binding(role: str, node: str, department: str) -> tuple[str, Department | None]:
    if role not in [r.value for r in Role]:
        choices = "、".join(f"{r.value}（{ROLE_LABELS[r]}）" for r in Role)
        raise DomainError("invalid_role", f"未知岗位「{role}」，可选：{choices}")
    dept = None
    if department:
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise NotFound("unknown_department", f"找不到部门「{department}」")
    key = node_key_for(node)
    needs = BOUND_LEVEL[Role(role)]
    if needs == "department" and dept is None:
        raise DomainError("department_required", f"{ROLE_LABELS[Role(role)]}须绑定一个专业部门（--department）")
    if needs not in ("department", "none") and not key:
        raise DomainError("node_required", f"{ROLE_LABELS[Role(role)]}须绑定一个辖区节点或网格（--node）")
    return key, dept


def create_user(
    username: str, role: str, *, node: str = "", department: str = "", password: str | None = None,
    display_name: str = "", token: bool = False, token_days: int | None = None, actor=None,
) -> tuple[User, str | None]:
    """A new account bound to a post and a node (or a department); the password must pass the validators."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DomainError("username_taken", f"用户名「{username}」已存在")
        key, dept = _binding(role, node, department)
        user = User(username=username, role=role, node_key=key, department=dept, display_name=display_name,
                    is_staff=role == Role.ADMIN)
        if password:
            check_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        record(actor, "create_user", "user", user.pk, after=user_snapshot(user))
        key_text = issue_token(actor, user, "cli", lifetime_days=token_days)[1] if token else None
    return user, key_text


def save_user(actor, user: User, *, password: str | None = None, password_removed: bool = False,
              created: bool = False) -> User:
    """Save an account edited elsewhere (the admin's forms): the post checked, audited with what changed.

    ``password``: a new password (validated, hashed here); ``password_removed``: the caller made it unusable.
    """
    with transaction.atomic():
        before = None
        if not created and user.pk is not None:
            old = User.objects.filter(pk=user.pk).select_related("department").first()
            before = user_snapshot(old) if old is not None else None
        if user.role not in [r.value for r in Role]:
            raise DomainError("invalid_role", f"未知岗位「{user.role}」")
        if password:
            check_password(password, user)
            user.set_password(password)
        user.save()
        after = user_snapshot(user)
        if before is None:
            record(actor, "create_user", "user", user.pk, after=after)
        elif before != after:
            action = "deactivate_user" if before["is_active"] and not after["is_active"] else "update_user"
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            record(actor, action, "user", user.pk, before={k: before[k] for k in changed}, after=changed)
        if before is not None and (password or password_removed):
            record(actor, "set_password", "user", user.pk, after={"usable": not password_removed})
    return user


def deactivate_user(actor, user: User) -> User:
    """Switch an account off (kept for the record; its tokens stop working with it)."""
    user.is_active = False
    return save_user(actor, user)


def delete_user(actor, user: User) -> None:
    with transaction.atomic():
        snapshot, pk = user_snapshot(user), user.pk
        user.delete()
        record(actor, "delete_user", "user", pk, before=snapshot)


def change_password(user: User, old_password: str, new_password: str) -> User:
    """One's own password: the old one must be right, the new one must pass the validators."""
    if not user.check_password(old_password or ""):
        raise BadCredentials("wrong_password", "原密码不正确")
    check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(user, "change_password", "user", user.pk)
    return user


# ---------------------------------------------------------------- API tokens


def _may_manage(actor, owner: User) -> bool:
    """Oneself, or an administrator (accounts.manage) whose scope holds the owner's node or department."""
    if actor.pk == owner.pk or actor.is_superuser:
        return True
    if not may_manage_all(actor):
        return False
    prefix = scope_prefix(actor)
    if prefix is None:
        return False
    where = owner.department.scope_key if owner.department_id else owner.node_key
    return bool(where) and where.startswith(prefix)


def may_manage_all(user) -> bool:
    """An administrator of accounts (sees and revokes the tokens of its scope)."""
    return bool(user.is_superuser or has_right(user.role, MANAGE_USERS))


def tokens_visible(actor, *, everyone: bool = False):
    """The tokens ``actor`` may see: its own; with ``everyone`` an administrator's whole scope."""
    qs = ApiToken.objects.select_related("user").order_by("-created", "-id")
    if not everyone or not may_manage_all(actor):
        return qs.filter(user=actor)
    prefix = scope_prefix(actor)
    if prefix is None:
        return qs.filter(user=actor)
    if prefix == "":
        return qs
    return qs.filter(Q(user=actor) | Q(user__node_key__startswith=prefix)
                     | Q(user__department__district__code__startswith=prefix))


def token_lifetime(days) -> timedelta:
    conf = settings.GRIDGOV
    if days is None or days == "":
        days = conf["TOKEN_LIFETIME_DAYS"]
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DomainError("invalid_lifetime", "有效期应为天数（整数）") from None
    if not 1 <= days <= conf["TOKEN_MAX_LIFETIME_DAYS"]:
        raise DomainError("invalid_lifetime", f"有效期应为 1～{conf['TOKEN_MAX_LIFETIME_DAYS']} 天")
    return timedelta(days=days)


def issue_token(actor, user: User, name: str = "", *, lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` (by itself or an administrator over it); the key is returned once, never stored."""
    if actor is not None and not _may_manage(actor, user):
        raise NotFound("not_found", "对象不存在或不在您的管辖范围内")
    name = (name or "").strip()[:100]
    lifetime = token_lifetime(lifetime_days)
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], digest=ApiToken.hash(key),
                                        expires_at=timezone.now() + lifetime)
        record(actor, "issue_token", "api_token", token.pk,
               after={"user": user.username, "name": name, "prefix": token.prefix,
                      "expires_at": token.expires_at.isoformat()})
    return token, key


def revoke_token(actor, token_id) -> ApiToken:
    """Revoke a token (one's own, or one within an administrator's scope); revoking twice is refused."""
    if not isinstance(token_id, int) or not 0 < token_id < 2**63:
        raise NotFound("not_found", "令牌不存在或不在您的管辖范围内")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        if token is None or not _may_manage(actor, token.user):
            raise NotFound("not_found", "令牌不存在或不在您的管辖范围内")
        if token.revoked_at is not None:
            raise DomainError("already_revoked", "该令牌已吊销")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "revoke_token", "api_token", token.pk,
               after={"user": token.user.username, "prefix": token.prefix, "revoked_at": token.revoked_at.isoformat()})
    return token


# ---------------------------------------------------------------- signing in


@dataclass
class SignIn:
    """The outcome of a right password: ``next`` is '' (signed in), 'totp' (a code is due) or 'enrol' (an
    administrator must first set up TOTP, GRIDGOV_ADMIN_TOTP=required)."""

    user: User
    next: str = ""


def _log(action: str, username: str, address: str, via: str, **more) -> None:
    with transaction.atomic():
        record(None, action, "account", (username or "—")[:64], after={"address": address, "via": via, **more})


def _checks(username: str, address: str):
    return [(throttle.rule("login.account"), username.lower()), (throttle.rule("login.address"), address)]


def _counted(request, username: str, via: str) -> tuple[list, str]:
    address = throttle.client_address(request)
    try:
        return throttle.attempt(_checks(username, address), "too_many_attempts", LOGIN_THROTTLED), address
    except throttle.Throttled:
        _log("login_throttled", username, address, via)
        raise


def _succeeded(hits, username: str) -> None:
    """A right password (and code): the account's failures are cleared, the address's attempt taken back."""
    throttle.reset(throttle.rule("login.account"), username.lower())
    for h in hits:
        if h.rule.name == "login.address":
            throttle.forgive(h)


def sign_in(request, username: str, password: str, *, otp: str | None = None, via: str = "page") -> SignIn:
    """Check a user name and password (and the TOTP code, when given), throttled per account and per address.

    Raises ``Throttled`` (429) beyond the limits — even for the right password — and ``BadCredentials`` (401)
    for a wrong one; both are recorded. A right password of an account with TOTP returns ``next='totp'`` unless
    ``otp`` was given (then it is checked in the same attempt).
    """
    username = (username or "").strip()[:150]
    hits, address = _counted(request, username, via)
    user = authenticate(request, username=username, password=password or "")
    if user is None or not user.is_active:
        _log("login_failed", username, address, via)
        raise BadCredentials("bad_credentials", BAD_CREDENTIALS)
    device = confirmed_device(user)
    if device is not None:
        if otp is None:
            # the code is a second attempt of its own: this one is taken back, the failures stay
            for h in hits:
                throttle.forgive(h)
            return SignIn(user, "totp")
        if not _check_code(device, otp):
            _log("login_failed", username, address, via, reason="totp")
            raise BadCredentials("bad_otp", "动态口令错误或已使用，请输入验证器上的 6 位数字")
    elif totp_required(user):
        for h in hits:
            throttle.forgive(h)
        return SignIn(user, "enrol")
    _succeeded(hits, username)
    return SignIn(user)


def sign_in_code(request, user: User, code: str, *, via: str = "page") -> User:
    """The second step: the TOTP code of an account whose password was right (throttled like a password)."""
    hits, address = _counted(request, user.get_username(), via)
    device = confirmed_device(user)
    if device is None or not _check_code(device, code):
        _log("login_failed", user.get_username(), address, via, reason="totp")
        raise BadCredentials("bad_otp", "动态口令错误或已使用，请输入验证器上的 6 位数字")
    _succeeded(hits, user.get_username())
    return user


# ---------------------------------------------------------------- TOTP (RFC 6238)


def may_enrol(user) -> bool:
    """TOTP is offered to administrators (the post 系统管理员, staff of the admin site, superusers)."""
    return bool(user.is_superuser or user.is_staff or user.role == Role.ADMIN)


def totp_required(user) -> bool:
    return settings.GRIDGOV.get("ADMIN_TOTP", "optional") == "required" and may_enrol(user)


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _secret(device: TotpDevice) -> str:
    from gridgov.crypto import cipher

    return cipher().decrypt(device.secret_cipher, TOTP_FIELD)


def _check_code(device: TotpDevice, code) -> bool:
    """A right code for the step now or one step either side, never a step used before (a code works once)."""
    import pyotp

    code = "".join(str(code or "").split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(_secret(device))
    step = int(timezone.now().timestamp()) // TOTP_STEP_S
    for s in (step - 1, step, step + 1):
        if s > device.last_step and hmac.compare_digest(totp.at(s * TOTP_STEP_S), code):
            with transaction.atomic():
                # the step is taken only if no one took it (or a later one) meanwhile: a code signs in once
                taken = TotpDevice.objects.filter(pk=device.pk, last_step__lt=s).update(last_step=s)
            if taken:
                device.last_step = s
                return True
            return False
    return False


@dataclass
class Enrolment:
    secret: str
    uri: str

    def svg(self) -> str:
        """The otpauth URI as a QR code (SVG markup, no script)."""
        import segno

        return segno.make(self.uri, error="m").svg_inline(scale=4, omitsize=False)


def begin_totp(user: User) -> Enrolment:
    """Start (or restart) setting up TOTP: a new secret, kept encrypted and unconfirmed until a right code."""
    import pyotp

    from gridgov.crypto import cipher

    if not may_enrol(user):
        raise Forbidden("totp_not_offered", "动态口令仅面向管理员账号")
    if confirmed_device(user) is not None:
        raise DomainError("totp_already_enabled", "动态口令已启用；如需更换，请先停用")
    secret = pyotp.random_base32()
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        TotpDevice.objects.create(user=user, secret_cipher=cipher().encrypt(secret, TOTP_FIELD))
    return enrolment_of(user)


def enrolment_of(user: User) -> Enrolment | None:
    """The unconfirmed secret being set up (shown until confirmed), or None."""
    import pyotp

    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return None
    secret = _secret(device)
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=TOTP_ISSUER))


def confirm_totp(user: User, code: str) -> TotpDevice:
    """Confirm the set-up with a right code; from now on signing in asks for a code. Audited."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise DomainError("totp_not_started", "请先生成动态口令密钥")
    if not _check_code(device, code):
        raise DomainError("bad_otp", "动态口令不正确，请输入验证器上当前显示的 6 位数字")
    with transaction.atomic():
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        record(user, "enable_totp", "user", user.pk)
    return device


def remove_totp(actor, user: User, code: str | None = None) -> None:
    """Stop asking for codes: by the person with a current code, or by an administrator over the account (a lost
    phone). Refused to the person while TOTP is required for administrators. Audited."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        raise DomainError("totp_not_enabled", "未启用动态口令")
    if actor.pk == user.pk:
        if totp_required(user) and device.confirmed_at is not None:
            raise Forbidden("totp_required", "系统要求管理员使用动态口令，不能停用")
        if device.confirmed_at is not None and not _check_code(device, code):
            raise DomainError("bad_otp", "动态口令不正确，请输入验证器上当前显示的 6 位数字")
    elif not _may_manage(actor, user):
        raise NotFound("not_found", "对象不存在或不在您的管辖范围内")
    with transaction.atomic():
        was_confirmed = device.confirmed_at is not None
        device.delete()
        if was_confirmed:
            record(actor, "disable_totp", "user", user.pk)
