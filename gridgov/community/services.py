"""The grid's public face (seed 001 篇4 「统一公开身份…公示牌、温馨提示卡…职责、联系方式、监督电话」; 003 篇5 实名制公告牌).

- ``set_phone``: the 服务热线 of a grid (or a default for a community/street/district) and the 监督电话 of a community,
  street or district, set within one's scope by a post with ``community.manage`` — validated, audited, one transaction;
- ``board``: what a grid's 公示牌 and 温馨提示卡 show, all of it public — the grid, its community and street, its staff
  from the 五定 (names and posts are public by duty; their private phones are not: each person is reached through
  the grid's 服务热线), the 服务热线, the 监督电话 and the address of the QR code;
- ``qr_target``: where a board's QR code leads — the live grid's report page, or (a grid retired by a grid change)
  what replaced it;
- ``directory``: a community's grids with their boards, for the public page.
"""

from dataclasses import dataclass, field

from django.db import transaction

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, in_scope, require, scoped
from gridgov.audit import services as audit
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Grid, GridDuty, Jurisdiction, Level, Post, RetiredGrid

from .logic import phones
from .models import PhoneKind, PublicPhone, StaffPhoto

VIEW, MANAGE = roles.COMMUNITY_VIEW, roles.COMMUNITY_MANAGE
BOARD_LAYER = "management"  # the 五定 are kept on the management grids: one board per management grid

# the order of the people on a board, and each post's duties in the words of seed 001 篇4 (阳泉)
POST_ORDER = [Post.GRID_LEADER, Post.GRID_WORKER, Post.PART_TIME, Post.SUPERVISOR, Post.INSPECTOR, Post.POLICE]
DUTIES = {
    Post.GRID_LEADER: "网格直接责任人：掌握网格内基本情况，帮助居民办理各类服务事项，经常性在网格内巡查",
    Post.GRID_WORKER: "了解本楼院、本单位、本街巷情况，及时上报，协助网格长处理日常网格事务",
    Post.PART_TIME: "了解本楼院情况并及时上报，协助处理日常网格事务",
    Post.SUPERVISOR: "代表街道指导、协调、处理多个社区及网格事务",
    Post.INSPECTOR: "巡查发现、监督核实城市管理问题",
    Post.POLICE: "社区治安防范、矛盾纠纷化解",
}


# ---------------------------------------------------------------- the numbers


def _node(kind: str, key: str) -> str:
    """The name of the place a number is set at, or a DomainError: a 监督电话 is set at a community, street or
    district; a 服务热线 also at a (management) grid."""
    j = Jurisdiction.objects.filter(code=key, level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]).first()
    if j is not None:
        return j.name
    grid = Grid.objects.filter(layer__code=BOARD_LAYER, scope_key=key).select_related("community").first()
    if grid is None:
        raise NotFound("unknown_node", "没有这个网格或辖区")
    if kind == PhoneKind.SUPERVISION:
        raise DomainError("supervision_not_on_grid", "监督电话设在社区、街道或区一级，不设在网格")
    return f"{grid.community.name} {grid.name or grid.code}"


def set_phone(actor, *, kind: str, key: str, phone: str) -> PublicPhone | None:
    """Set (or, with an empty ``phone``, remove — the grid then shows the number set above it) a published number."""
    require(actor, MANAGE)
    if kind not in PhoneKind.values:
        raise DomainError("invalid_kind", "类型应为 hotline（服务热线）或 supervision（监督电话）")
    key = (key or "").strip()
    name = _node(kind, key)
    if not in_scope(actor, key):
        raise OutOfScope()
    number = None
    if (phone or "").strip():
        number = phones.clean(phone)
        if number is None:
            raise DomainError("invalid_phone", phones.PROBLEM)
    with transaction.atomic():
        row = PublicPhone.objects.select_for_update().filter(kind=kind, key=key).first()
        if number is None:
            if row is not None:
                audit.record(actor, "delete", "public_phone", row.pk,
                             before={"kind": kind, "key": key, "phone": row.phone})
                row.delete()
            return None
        row = row or PublicPhone(kind=kind, key=key)
        row.node_name, row.phone, row.updated_by = name, number, actor
        audit.save_row(actor, row, ["kind", "key", "phone"], "public_phone")
        return row


def phones_in_scope(user):
    return scoped(PublicPhone.objects.all(), user, VIEW)


def _prefixes(key: str) -> list[str]:
    """The keys a number for ``key`` may be set at, nearest first: the grid, its community, street, district."""
    out = [key]
    for n in (12, 9, 6):
        if len(key) > n and key[:n] not in out:
            out.append(key[:n])
    return out


def resolve(kind: str, key: str, table: dict | None = None) -> str:
    """The number of ``kind`` that applies to ``key`` (set there or at the nearest place above it), or ''."""
    table = table if table is not None else numbers_for([key])
    return next((table[(kind, k)] for k in _prefixes(key) if (kind, k) in table), "")


def numbers_for(keys) -> dict:
    """{(kind, key): phone} of every number that may apply to any of ``keys`` (one query)."""
    wanted = {p for k in keys for p in _prefixes(k)}
    return {(p.kind, p.key): p.phone for p in PublicPhone.objects.filter(key__in=wanted)}


# ---------------------------------------------------------------- the boards


@dataclass
class Person:
    name: str
    post: str
    duties: str
    hours: str
    phone: str
    person_id: int = 0
    photo: str = ""  # the photo store's key of the person's 公示照片, "" when none (a silhouette is shown)

    @property
    def photo_path(self) -> str:
        return f"/community/photos/{self.person_id}.jpg" if self.photo else ""


@dataclass
class Board:
    code: str
    name: str
    community: str
    community_code: str
    street: str
    hotline: str
    supervision: str
    people: list[Person] = field(default_factory=list)

    @property
    def qr_path(self) -> str:
        return f"/community/q/{self.code}/"


def boards(grids) -> list[Board]:
    """The boards of these (management) grids, with few queries whatever their number."""
    grids = list(grids)
    duties: dict[int, list] = {}
    for d in GridDuty.objects.filter(grid__in=grids).select_related("person"):
        duties.setdefault(d.grid_id, []).append(d)
    streets = {j.code: j.name for j in Jurisdiction.objects.filter(code__in={g.community.code[:9] for g in grids})}
    table = numbers_for([g.scope_key for g in grids])
    photos = dict(StaffPhoto.objects.filter(person__in={d.person_id for ds in duties.values() for d in ds})
                  .values_list("person_id", "key"))
    out = []
    for g in grids:
        hotline = resolve(PhoneKind.HOTLINE, g.scope_key, table)
        rank = {p: i for i, p in enumerate(POST_ORDER)}
        people = [Person(name=d.person.display_name or d.person.username, post=d.get_post_display(),
                         duties=DUTIES.get(d.post, ""), hours=d.duty_hours, phone=hotline,
                         person_id=d.person_id, photo=photos.get(d.person_id, ""))
                  for d in sorted(duties.get(g.pk, []), key=lambda d: (rank.get(d.post, 99), d.pk))]
        out.append(Board(code=g.code, name=g.name or g.code, community=g.community.name,
                         community_code=g.community.code, street=streets.get(g.community.code[:9], ""),
                         hotline=hotline, supervision=resolve(PhoneKind.SUPERVISION, g.scope_key, table),
                         people=people))
    return out


def _board_grids():
    return Grid.objects.filter(layer__code=BOARD_LAYER).select_related("community").order_by("code")


def grids_in_scope(user):
    return scoped(_board_grids(), user, VIEW)


def board_for(user, code: str) -> Board:
    """A grid's board for staff: within scope, else OutOfScope."""
    grid = grids_in_scope(user).filter(code=code).first()
    if grid is None:
        raise OutOfScope()
    return boards([grid])[0]


def public_board(code: str) -> Board | None:
    grid = _board_grids().filter(code=code).first()
    return boards([grid])[0] if grid else None


@dataclass
class Retired:
    code: str
    name: str
    community: str
    community_code: str
    valid_to: object
    successors: list[Board]


def qr_target(code: str) -> Grid | Retired | None:
    """Where a board's QR code for ``code`` leads: the live grid; a grid retired by a grid change, with the grids its
    area went to; or None (no such grid was ever kept)."""
    grid = Grid.objects.filter(layer__code__in=[BOARD_LAYER, "unit"], code=code).order_by("layer_id").first()
    if grid is not None:
        return grid
    old = RetiredGrid.objects.filter(code=code).order_by("-valid_to").first()
    if old is None:
        return None
    from gridgov.geo.models import GridMapping

    new_codes = list(GridMapping.objects.filter(old_code=code, layer=old.layer).order_by("-share")
                     .values_list("new_code", flat=True).distinct())
    successors = boards(_board_grids().filter(code__in=new_codes))
    community = Jurisdiction.objects.filter(code=old.community_code).first()
    return Retired(code=old.code, name=old.name or old.code, community=community.name if community else "",
                   community_code=old.community_code, valid_to=old.valid_to, successors=successors)


def directory(code: str) -> tuple[Jurisdiction, list[Board], str]:
    """A community's public directory: the community, the boards of its grids, its 监督电话."""
    community = Jurisdiction.objects.filter(code=code, level=Level.COMMUNITY).first()
    if community is None:
        raise NotFound("unknown_community", "没有这个社区")
    return community, boards(_board_grids().filter(community=community)), \
        resolve(PhoneKind.SUPERVISION, community.code)


# ---------------------------------------------------------------- 公示照片


PHOTO_SIZE = (300, 400)  # pixels, 3:4 like an ID photo; the board prints it 20 × 24 mm (≈ 380 dpi)


def on_board(person_id: int) -> bool:
    """Whether the person is on a board (holds a 五定 duty on a management grid): only then is their photo public."""
    return GridDuty.objects.filter(person_id=person_id, grid__layer__code=BOARD_LAYER).exists()


def _photo_grids(actor, person):
    """The person's board grids the actor may keep the photo of: their own (any post with ``community.view``), or any
    person on a board within scope (``community.manage``)."""
    grids = grids_in_scope(actor).filter(duties__person=person)
    if actor.pk != person.pk:
        require(actor, MANAGE)
    return grids


def _photo_jpeg(name: str, data: bytes) -> bytes:
    """The uploaded photo checked like a case photo (type, size, a real image), cropped to 3:4 around its centre
    (a little above it: faces are in the upper half) and scaled to PHOTO_SIZE, as JPEG without metadata."""
    import io

    from PIL import Image, ImageOps

    from gridgov.cases.services.photos import check_photo

    checked = check_photo(name, data)
    with Image.open(io.BytesIO(checked.data)) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img = ImageOps.fit(img, PHOTO_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
    return out.getvalue()


def set_photo(actor, person, name: str, data: bytes) -> StaffPhoto:
    """Set (replace) a person's 公示照片. Refused with a clear message for a file that is not a photo; nothing is kept
    then. Audited (the file's key, never its bytes)."""
    from gridgov.cases.storage import photo_store

    if not _photo_grids(actor, person).exists():
        raise OutOfScope()
    jpeg = _photo_jpeg(name, data)
    with transaction.atomic():
        row = StaffPhoto.objects.select_for_update().filter(person=person).first()
        before = {"key": row.key} if row else None
        key = photo_store().save(jpeg, ".jpg")
        if row is None:
            row = StaffPhoto.objects.create(person=person, key=key, updated_by=actor)
        else:
            row.key, row.updated_by = key, actor
            row.save(update_fields=["key", "updated_by", "updated_at"])
        audit.record(actor, "community.photo_set", "staff_photo", person.pk, before=before, after={"key": key})
    return row


def remove_photo(actor, person) -> bool:
    """Remove a person's 公示照片 (the board shows the silhouette again). Audited; False when there was none."""
    if not _photo_grids(actor, person).exists():
        raise OutOfScope()
    with transaction.atomic():
        row = StaffPhoto.objects.select_for_update().filter(person=person).first()
        if row is None:
            return False
        audit.record(actor, "community.photo_removed", "staff_photo", person.pk, before={"key": row.key})
        row.delete()
    return True


def photo_bytes(person_id: int) -> bytes | None:
    """The JPEG of a person on a board, or None (no photo, or the person is on no board: then it is not public)."""
    from gridgov.cases.storage import photo_store

    key = StaffPhoto.objects.filter(person_id=person_id).values_list("key", flat=True).first()
    if not key or not on_board(person_id):
        return None
    return photo_store().open(key)
