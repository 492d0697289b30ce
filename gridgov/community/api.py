"""API of the grid's public face, mounted at /api/v1/community: the published numbers (服务热线, 监督电话) and the
boards' contents (公示牌 metadata: grid, staff, numbers, the QR code's address, the PDF downloads).

Parse → call a service → serialise; the one write (``PUT /phones``) is ``services.set_phone``.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema

from gridgov.accounts.scope import require
from gridgov.schemas import PageIn, answers, page_of, paginate

from . import services
from .models import PhoneKind, PublicPhone

router = Router(tags=["网格公示（公示牌、服务热线、监督电话）"])


class PhoneIn(Schema):
    kind: PhoneKind = Field(title="类型（hotline 服务热线 / supervision 监督电话）")
    key: Annotated[str, Field(min_length=1, max_length=100, title="设置于：网格编码，或社区、街道、区的代码")]
    phone: Annotated[str, Field(max_length=30, title="电话（空：删除，改用上一级设置的号码）")]


class PhoneOut(Schema):
    kind: str
    kind_label: str
    key: str
    node_name: str
    phone: str
    updated_at: dt.datetime | None


class PhoneSetOut(Schema):
    kind: str
    key: str
    phone: str = Field(description="保存的号码（规范写法）；删除时为空")
    removed: bool


class PersonOut(Schema):
    name: str = Field(description="姓名（公示牌上公开的）")
    post: str
    duties: str
    hours: str
    phone: str = Field(description="联系电话：网格的服务热线（不公开个人手机号）")
    photo_url: str = Field("", description="公示照片（公开）的地址；空：未上传，公示牌上以剪影代替")


class BoardOut(Schema):
    code: str
    name: str
    community: str
    community_code: str
    street: str
    hotline: str
    supervision: str
    people: list[PersonOut]
    qr_url: str = Field(description="二维码的地址：打开居民反映问题页面，位置在本网格")
    pdf_a4: str
    pdf_a3: str
    cards: str
    directory: str


def _phone_out(p: PublicPhone) -> dict:
    return {"kind": p.kind, "kind_label": p.get_kind_display(), "key": p.key, "node_name": p.node_name,
            "phone": p.phone, "updated_at": p.updated_at}


def _board_out(request, b: services.Board) -> dict:
    return {**{k: getattr(b, k) for k in ("code", "name", "community", "community_code", "street", "hotline",
                                          "supervision")},
            "people": [{"name": p.name, "post": p.post, "duties": p.duties, "hours": p.hours, "phone": p.phone,
                        "photo_url": request.build_absolute_uri(p.photo_path) if p.photo_path else ""}
                       for p in b.people], "qr_url": request.build_absolute_uri(b.qr_path),
            "pdf_a4": f"/community/board/{b.code}/board.pdf", "pdf_a3": f"/community/board/{b.code}/board.pdf?size=A3",
            "cards": f"/community/board/{b.code}/cards.pdf", "directory": f"/community/{b.community_code}/"}


@router.get("/phones", response=answers(page_of(PhoneOut), 403, 422), summary="本辖区设置的服务热线和监督电话")
def phones(request, page: Query[PageIn]):
    return paginate(services.phones_in_scope(request.user), page, _phone_out)


@router.put("/phones", response=answers(PhoneSetOut, 400, 403, 404, 422),
            summary="设置服务热线（网格或其上级的默认）或监督电话（社区、街道、区）；电话为空则删除")
def set_phone(request, payload: PhoneIn):
    row = services.set_phone(request.user, kind=payload.kind, key=payload.key, phone=payload.phone)
    return {"kind": payload.kind, "key": payload.key.strip(), "phone": row.phone if row else "", "removed": row is None}


@router.get("/boards", response=answers(page_of(BoardOut), 403, 422), summary="本辖区各网格的公示牌内容")
def boards(request, page: Query[PageIn], community: Annotated[str, Field(max_length=12)] = ""):
    grids = services.grids_in_scope(request.user)
    if community:
        grids = grids.filter(community__code=community)
    result = paginate(grids, page)
    result["items"] = [_board_out(request, b) for b in services.boards(result["items"])]
    return result


@router.get("/boards/{code}", response=answers(BoardOut, 403, 404), summary="一个网格的公示牌内容")
def board(request, code: str):
    require(request.user, services.VIEW)
    return _board_out(request, services.board_for(request.user, code))
