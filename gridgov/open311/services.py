"""Open311 GeoReport v2: api keys (issued, revoked — audited), the catalog as services, and service requests filed
as residents' reports (核实 first) through the public-report path (``cases.services.public``: the public account,
source 居民上报, the phone kept encrypted as a resident's).

Errors are :class:`Open311Error` — the specification's ``{code, description}`` with its HTTP status; the views
write them as XML or JSON.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit.services import record
from gridgov.catalog.cache import snapshot
from gridgov.catalog.models import CatalogItem, Kind
from gridgov.crypto import cipher
from gridgov.errors import DomainError

from .models import ApiKey, ServiceRequest

KEY_PREFIX = "o311_"
EMAIL_FIELD = "open311.request.email"
DEFAULT_DAYS = 90  # GET requests without dates: the last 90 days (the specification's default)
MAX_REQUESTS = 1000  # … and at most 1000 requests (its maximum)
COMPONENT_MAJORS = {"01", "02", "03", "04", "05"}  # matters 01–05: 「<部件>异常」 — the component's id is asked for


class Open311Error(Exception):
    """An error as the specification defines it: HTTP ``status`` and one ``{code, description}``."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.code = status
        self.description = description


# ---------------------------------------------------------------- api keys


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(actor, name: str, *, _given_key: str = "") -> tuple[ApiKey, str]:
    """Issue a key to the client ``name``; returns the row and the key (shown once: only its hash is kept).
    ``_given_key``: the demo's published key (never for a real client)."""
    if actor is not None:
        require(actor, roles.OPEN311_MANAGE)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写客户端名称")
    if len(name) > 100:
        raise DomainError("name_too_long", "客户端名称最多 100 个字")
    key = _given_key or KEY_PREFIX + secrets.token_urlsafe(24)
    with transaction.atomic():
        if ApiKey.objects.filter(name=name).exists():
            raise DomainError("name_taken", f"客户端「{name}」已有密钥，请换一个名称或先停用旧密钥")
        row = ApiKey.objects.create(name=name, prefix=key[:10], digest=_digest(key), created_at=timezone.now(),
                                    created_by=actor if actor is not None and actor.pk else None)
        record(actor, "create", "open311_key", row.pk, after={"name": name, "prefix": row.prefix})
    return row, key


def revoke_key(actor, key_id: int) -> ApiKey:
    if actor is not None:
        require(actor, roles.OPEN311_MANAGE)
    with transaction.atomic():
        row = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if row is None:
            raise DomainError("unknown_key", "密钥不存在")
        if not row.active:
            return row
        row.active, row.revoked_at = False, timezone.now()
        row.save(update_fields=["active", "revoked_at"])
        record(actor, "revoke", "open311_key", row.pk, before={"active": True}, after={"active": False})
    return row


def authenticate(key: str | None) -> ApiKey:
    """The active key ``key`` is, or 403 (the specification's answer to an invalid api_key)."""
    key = (key or "").strip()
    row = ApiKey.objects.filter(digest=_digest(key), active=True).first() if key else None
    if row is None:
        raise Open311Error(403, "api_key 无效或已停用 (invalid api_key)")
    return row


# ---------------------------------------------------------------- services (the catalog)


def _public(item: CatalogItem) -> bool:
    return item.kind == Kind.MATTER and item.active and not item.restricted_right


def services() -> list[CatalogItem]:
    """The matters a client may report: active and not restricted to a right (信访, 维稳 classes are not offered)."""
    return [m for m in snapshot().active if _public(m)]


def service(code: str) -> CatalogItem:
    item = snapshot().by_code.get(str(code).strip())
    if item is None or not _public(item):
        raise Open311Error(404, f"service_code「{code}」不存在 (service_code not found)")
    return item


@dataclass
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    datatype_description: str
    order: int
    variable: bool = True


def attributes(item: CatalogItem) -> list[Attribute]:
    """The service definition's attributes: a 部件 matter asks for the component's id (部件编号, optional)."""
    if item.major_code in COMPONENT_MAJORS:
        return [Attribute("component_id", "string", False, "部件编号（设施上的标识牌编号，可不填）",
                          "如 1101010010010001（部件普查编号）", 1)]
    return []


def has_metadata(item: CatalogItem) -> bool:
    return bool(attributes(item))


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    """jurisdiction_id is optional; given, it must be one this server serves (a district code, or the configured
    id)."""
    if not jurisdiction_id:
        return
    from gridgov.geo.models import Jurisdiction

    configured = settings.GRIDGOV.get("OPEN311_JURISDICTION") or ""
    if jurisdiction_id == configured or Jurisdiction.objects.filter(code=jurisdiction_id, level="district").exists():
        return
    raise Open311Error(404, f"jurisdiction_id「{jurisdiction_id}」不存在 (jurisdiction_id not found)")


# ---------------------------------------------------------------- POST requests


def submit(key: ApiKey, params: dict) -> ServiceRequest:
    """File a service request (``params``: the POSTed fields, ``attribute[...]`` as ``attributes``)."""
    from gridgov.cases.models import Source
    from gridgov.cases.services.intake import intake
    from gridgov.cases.services.public import clean_phone, public_user

    if not (params.get("service_code") or "").strip():
        raise Open311Error(400, "缺少 service_code (service_code was not provided)")
    item = service(params.get("service_code"))
    for a in attributes(item):
        if a.required and not params.get("attributes", {}).get(a.code):
            raise Open311Error(400, f"缺少属性 attribute[{a.code}] (required attribute missing)")
    lat, lon = params.get("lat"), params.get("long")
    if lat in (None, "") or lon in (None, ""):
        if params.get("address_string") or params.get("address_id"):
            raise Open311Error(400, "仅凭地址无法定位，请同时提供 lat 和 long (location could not be found from "
                                    "address_string; lat and long are required)")
        raise Open311Error(400, "缺少位置：请提供 lat 和 long (lat/long or address_string required)")
    description = (params.get("description") or "").strip()
    if not description:  # the specification leaves it optional; a case needs one — the service's name stands in
        description = f"{item.name}（Open311 上报）"
    phone = params.get("phone") or ""
    media_url = (params.get("media_url") or "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise Open311Error(400, "media_url 应为 http(s) 链接 (media_url must be a URL)")
    if len(media_url) > 500:
        raise Open311Error(400, "media_url 过长 (media_url too long)")
    email = (params.get("email") or "").strip()
    if email and ("@" not in email or len(email) > 254):
        raise Open311Error(400, "email 格式不正确 (invalid email)")
    name = f"{params.get('last_name') or ''}{params.get('first_name') or ''}".strip()[:50]
    token = secrets.token_hex(16)
    now = timezone.now()
    try:
        if phone:
            phone = clean_phone(phone)
        with transaction.atomic():
            result = intake(public_user(), source=Source.RESIDENT, lon=lon, lat=lat, description=description,
                            matter=item.code, address=(params.get("address_string") or "")[:200],
                            client_key=f"o311-{token}", reporter_name=name, reporter_phone=phone,
                            component=params.get("attributes", {}).get("component_id") or None, now=now,
                            find_duplicates=False)
            sr = ServiceRequest.objects.create(
                case=result.case, api_key=key, token=token, service_code=item.code, media_url=media_url,
                email_cipher=cipher().encrypt(email, EMAIL_FIELD), device_id=(params.get("device_id") or "")[:100],
                account_id=(params.get("account_id") or "")[:100], requested_at=now)
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            record(public_user(), "create", "open311_request", result.case.number,
                   after={"client": key.name, "service_code": item.code, "token": token})
    except DomainError as e:
        raise Open311Error(404 if e.status == 404 else 400, f"{e.message} ({e.code})") from None
    return sr


# ---------------------------------------------------------------- GET requests


def _when(value: str, what: str) -> dt.datetime:
    from django.utils.dateparse import parse_datetime

    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))  # a '+' of an offset arrives as a space in a query
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Open311Error(400, f"{what} 应为带时区的 W3C 时间，如 2026-11-05T08:15:30+08:00 ({what} invalid)")
    return parsed


def requests(params: dict, now: dt.datetime | None = None) -> list[ServiceRequest]:
    """The service requests matching the specification's filters (``service_request_id`` alone, else
    ``service_code``, ``start_date``/``end_date`` (default: the last 90 days), ``status``), newest first, at most
    1000."""
    qs = ServiceRequest.objects.select_related("case", "case__assignee_department", "case__matter")
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:  # the specification: with service_request_id every other parameter is ignored
        return list(qs.filter(case__number__in=ids[:MAX_REQUESTS]))
    now = now or timezone.now()
    end = _when(params["end_date"], "end_date") if params.get("end_date") else None
    start = _when(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None:
        start = (end or now) - dt.timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(requested_at__gte=start)
    if end is not None:
        qs = qs.filter(requested_at__lte=end)
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(service_code__in=codes)
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 应为 open 或 closed (invalid status)")
    if statuses == {"open"}:
        qs = qs.exclude(case__status__in=CLOSED)
    elif statuses == {"closed"}:
        qs = qs.filter(case__status__in=CLOSED)
    return list(qs[:MAX_REQUESTS])


def one(request_id: str) -> ServiceRequest:
    sr = ServiceRequest.objects.select_related("case", "case__assignee_department", "case__matter").filter(
        case__number=str(request_id)).first()
    if sr is None:
        raise Open311Error(404, f"service_request_id「{request_id}」不存在 (service_request_id not found)")
    return sr


def by_token(token: str) -> ServiceRequest:
    sr = ServiceRequest.objects.select_related("case").filter(token=str(token)).first()
    if sr is None:
        raise Open311Error(404, f"token「{token}」不存在 (token not found)")
    return sr


CLOSED = ("closed", "archived", "declined", "voided", "merged")
