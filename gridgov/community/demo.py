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
    photos = _photos(admin, grids)
    retired = RetiredGrid.objects.filter(layer=services.BOARD_LAYER).order_by("code").first()
    stdout(f"网格公示：区监督电话 010-64012345，{streets.count()} 个街道监督电话，{communities.count()} 个社区、"
           f"{grids.count()} 个网格的服务热线（/community/），{photos} 名人员的公示照片（合成）；公示名录 /community/{COMMUNITY}/"
           + (f"；已调整网格的二维码 /community/q/{retired.code}/" if retired else ""))


def _photo(seed: str) -> bytes:
    """A synthetic portrait (no real person): a coloured ground and a head-and-shoulders figure, its colours drawn
    from ``seed``; JPEG."""
    import io

    from PIL import Image, ImageDraw

    h = hashlib.sha256(seed.encode()).digest()
    ground = (200 + h[0] % 50, 215 + h[1] % 40, 235 + h[2] % 20)
    cloth = (40 + h[3] % 80, 50 + h[4] % 80, 90 + h[5] % 100)
    skin = (235 - h[6] % 30, 200 - h[7] % 30, 170 - h[8] % 30)
    hair = (20 + h[9] % 60,) * 3
    img = Image.new("RGB", (300, 400), ground)
    d = ImageDraw.Draw(img)
    d.ellipse((40, 270, 260, 520), fill=cloth)  # shoulders
    d.rectangle((125, 230, 175, 290), fill=skin)  # neck
    d.ellipse((90, 90, 210, 250), fill=skin)  # face
    d.chord((86, 70, 214, 200), 180, 360, fill=hair)  # hair
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _photos(admin, grids) -> int:
    """公示照片 for the people of 多福巷社区's grids (every other one: the boards show both a photo and a silhouette)."""
    from gridgov.geo.models import GridDuty

    people = sorted({d.person for d in GridDuty.objects.filter(grid__in=grids).select_related("person")},
                    key=lambda u: u.username)
    done = 0
    for i, person in enumerate(people):
        if i % 2 == 0:
            services.set_photo(admin, person, f"demo-{person.username}.jpg", _photo(person.username))
            done += 1
    return done
