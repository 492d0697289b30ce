"""Shared by the assessment's services: rights, the assessed units (streets), who sees what, stored files."""

import datetime as dt
from pathlib import PurePath

from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.errors import Conflict, DomainError, TooLarge

from ..logic import scorer
from ..logic.scorer import FactsError
from ..models import Item, Scheme

VIEW, REVIEW, MANAGE = roles.ASSESS_VIEW, roles.ASSESS_REVIEW, roles.ASSESS_MANAGE
SUBMIT = roles.ASSESS_SUBMIT
DEFAULT_DISTRICT = "110101"
CARRIED_PARTS = {1, 2, 4, 5, 6}  # 不定期考核: judgements carry forward within the year
MAX_FILES, MAX_FILE_BYTES = 5, 10 * 1024 * 1024
FILE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".txt"}


def _has(user, right: str) -> bool:
    return user.is_superuser or roles.has_right(user.role, right)


def today() -> dt.date:
    return timezone.localdate()


def _checked_period(period: str) -> str:
    try:
        scorer.check_period(period, today())
    except FactsError as e:
        raise DomainError(e.code, e.message) from None
    return period


# ---------------------------------------------------------------- units


def units(district_code: str = DEFAULT_DISTRICT) -> list[tuple[str, str]]:
    """The district's streets (镇街): the assessed units, (code, name) by code."""
    from gridgov.geo.models import Jurisdiction, Level

    return list(Jurisdiction.objects.filter(level=Level.STREET, code__startswith=district_code)
                .order_by("code").values_list("code", "name"))


def unit_of(user) -> str | None:
    """The street a unit's account stands for (a street's 督导员), or None (a department, the centre)."""
    key = getattr(user, "node_key", "") or ""
    return key[:9] if len(key) >= 9 and key[:9].isdigit() and not getattr(user, "department_id", None) else None


def _own_unit(user) -> str:
    code = unit_of(user)
    if code is None:
        raise Conflict("not_assessed_unit", "您的单位不是本考评方案的考评对象（考评对象为各街道）")
    return code


def _item(scheme: Scheme, key: str) -> Item:
    it = Item.objects.filter(part__scheme=scheme, key=key).select_related("part").first()
    if it is None:
        raise DomainError("unknown_item", f"考评方案中没有考评项「{key}」")
    return it


def sees_unpublished(user) -> bool:
    """The centre, the leader and the administrator; not the assessed units."""
    return user.is_superuser or _has(user, REVIEW) or _has(user, MANAGE) or not _has(user, SUBMIT)


# ---------------------------------------------------------------- evidence and judgements


def _store_files(files) -> list[dict]:
    from gridgov.cases.storage import photo_store

    files = list(files or [])
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", f"附件最多 {MAX_FILES} 个")
    out = []
    store = photo_store()
    for f in files:
        name = PurePath(getattr(f, "name", "") or "附件").name[:100]
        suffix = PurePath(name).suffix.lower()
        if suffix not in FILE_SUFFIXES:
            raise DomainError("invalid_file", f"附件「{name}」的类型不支持，可上传：{'、'.join(sorted(FILE_SUFFIXES))}")
        data = f.read()
        if len(data) > MAX_FILE_BYTES:
            raise TooLarge("file_too_large", f"附件「{name}」超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
        out.append({"name": name, "key": store.save(data, suffix), "size": len(data)})
    return out


def _units_rows(qs, user):
    """A unit's own rows (its evidence, judgements, appeals); everything for the centre, the leader, the admin."""
    require(user, VIEW)
    if sees_unpublished(user):
        return qs
    unit = unit_of(user)
    return qs.filter(unit_code=unit) if unit else qs.none()
