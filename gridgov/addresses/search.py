"""Reading the register: search by address or place name, and the nearest address to a point.

Who sees what: staff within their scope (the scoping primitive, right ``geo.locate``); a resident and the
residents' pages (anonymous) the whole register — addresses and places are public, never personal data.
"""

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When

from gridgov.accounts import roles
from gridgov.accounts.scope import require, scope_prefix
from gridgov.errors import NotFound
from gridgov.geo import locating

from .logic import box, distance_m
from .models import Address

SEARCH_MAX = 50


def visible(user) -> "Address.objects":
    """The addresses ``user`` may read (None: a residents' page)."""
    qs = Address.objects.all()
    if user is None:
        return qs
    require(user, roles.LOCATE)
    prefix = scope_prefix(user)
    if prefix:  # staff: their subtree; the whole system ("") and residents (no node: None) read everything
        qs = qs.filter(scope_key__startswith=prefix)
    return qs


def search(qs, q: str):
    """Addresses matching ``q`` — a part of the address or name, or pinyin initials — prefix matches first."""
    q = " ".join((q or "").split())
    if not q:
        return qs.none()
    cond = Q(text__icontains=q) | Q(name__icontains=q)
    compact = q.replace(" ", "").lower()
    if compact.isascii() and compact.isalnum():
        cond |= Q(initials__contains=compact)
    return qs.filter(cond).annotate(rank=Case(
        When(Q(text__startswith=q) | Q(name__startswith=q), then=Value(0)), default=Value(1),
        output_field=IntegerField())).order_by("rank", "text", "code")


def nearest(qs, lon, lat, radius_m: float | None = None) -> tuple[Address, float]:
    """The nearest address within ``radius_m`` (default ``GRIDGOV["ADDRESS_NEAREST_M"]``) and its distance."""
    lon, lat = locating.check_point(lon, lat)
    radius = float(radius_m or settings.GRIDGOV.get("ADDRESS_NEAREST_M", 150))
    x0, y0, x1, y1 = box(lon, lat, radius)
    near = qs.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)[:2000]
    best = min(((a, distance_m(lon, lat, a.lon, a.lat)) for a in near), key=lambda t: t[1], default=None)
    if best is None or best[1] > radius:
        raise NotFound("no_address_near", f"未找到附近地址（{int(radius)} 米内）")
    return best


def as_item(a: Address, distance: float | None = None) -> dict:
    item = {"code": a.code, "kind": a.kind, "kind_label": a.get_kind_display(), "text": a.text, "name": a.name,
            "road": a.road, "number": a.number, "building": a.building, "unit": a.unit, "poi_kind": a.poi_kind,
            "lon": a.lon, "lat": a.lat, "unit_grid": a.unit_grid, "community_code": a.community_code}
    if distance is not None:
        item["distance_m"] = round(distance, 1)
    return item
