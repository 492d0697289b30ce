"""The demo's public face: a 监督电话 for the district (the default) and for each street, a 服务热线 for each community
of the demo accounts' street (the default of its grids) and for each grid of 多福巷社区 — all synthetic, derived from
the codes, set through the service (audited). Every management grid has its board; the grid change of the geo demo
retired grids whose QR codes show the clear page."""

import hashlib

from gridgov.accounts.models import User
from gridgov.geo.models import Grid, Jurisdiction, Level, RetiredGrid

from . import services

DISTRICT, STREET, COMMUNITY = "110101", "110101001", "110101001001"


def _number(code: str, prefix: str) -> str:
    """A synthetic Beijing landline drawn from the code: 010-<prefix><digits>."""
    return f"010-{prefix}{int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % 10**6:06d}"


def build(stdout=print, scale: str = "demo") -> None:
    admin = User.objects.get(username="admin")
    services.set_phone(admin, kind="supervision", key=DISTRICT, phone="010-64012345")
    streets = Jurisdiction.objects.filter(level=Level.STREET, code__startswith=DISTRICT).order_by("code")
    if scale == "test":
        streets = streets.filter(code=STREET)
    for s in streets:
        services.set_phone(admin, kind="supervision", key=s.code, phone=_number(s.code, "64"))
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=STREET).order_by("code")
    for c in communities:
        services.set_phone(admin, kind="hotline", key=c.code, phone=_number(c.code, "65"))
    grids = Grid.objects.filter(layer__code=services.BOARD_LAYER, community__code=COMMUNITY).order_by("code")
    for g in grids:
        services.set_phone(admin, kind="hotline", key=g.scope_key, phone=_number(g.code, "85"))
    retired = RetiredGrid.objects.filter(layer=services.BOARD_LAYER).order_by("code").first()
    stdout(f"网格公示：区监督电话 010-64012345，{streets.count()} 个街道监督电话，{communities.count()} 个社区、"
           f"{grids.count()} 个网格的服务热线（/community/）；公示名录 /community/{COMMUNITY}/"
           + (f"；已调整网格的二维码 /community/q/{retired.code}/" if retired else ""))
