"""Staff accounts, departments and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import ROLE_LABELS, Role


class Department(models.Model):
    """专业部门 / 处置单位: a department that handles dispatched cases, belonging to a district."""

    code = models.CharField("部门编码", max_length=32, unique=True)
    name = models.CharField("部门名称", max_length=100)
    district = models.ForeignKey(
        "geo.Jurisdiction", verbose_name="所属区县", on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "专业部门"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def scope_key(self) -> str:
        return self.district.code


class User(AbstractUser):
    """A person using gridgov: staff bound to a tree node or a department, or a resident."""

    role = models.CharField(
        "岗位", max_length=20, choices=[(r.value, ROLE_LABELS[r]) for r in Role], default=Role.RESIDENT.value
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    # The node the account is bound to: a jurisdiction code (6/9/12 digits) or a grid's scope key.
    node_key = models.CharField("所属节点", max_length=40, blank=True, db_index=True)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role) if self.role in Role else self.role


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the key is shown once when created.

    A token works until ``expires_at`` (set from ``GRIDGOV["TOKEN_LIFETIME_DAYS"]`` or the lifetime asked for) and
    until it is revoked (``revoked_at``); issuing and revoking go through ``accounts.services`` (audited).
    """

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "gg_" + secrets.token_urlsafe(32)

    def state(self, now) -> str:
        """'active', 'expired' or 'revoked' at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class TotpDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238, 6 digits, 30 s): the base32 secret, encrypted with gridgov.crypto.

    ``confirmed_at`` is set once the person has typed a right code; only a confirmed device asks for codes at
    sign-in. ``last_step`` is the last time step used, so one code signs in once.
    """

    user = models.OneToOneField(User, verbose_name="用户", on_delete=models.CASCADE, related_name="totp")
    secret_cipher = models.BinaryField("密钥（加密）")
    created = models.DateTimeField("创建时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令设备"


class ThrottleCounter(models.Model):
    """One counter of the throttle (gridgov.accounts.throttle): attempts of one subject in a fixed window.

    ``key`` is the rule's name and a keyed hash of the subject (an account, an address …: never stored in clear);
    ``window_end`` is in milliseconds since the epoch. Rows are counted with one atomic upsert.
    """

    key = models.CharField(max_length=80, primary_key=True)
    count = models.IntegerField(default=0)
    window_end = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "尝试次数计数"
