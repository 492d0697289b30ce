"""Shapes shared by every router of the API (/api/v1/): the one error body, the one page of a list, GeoJSON.

- ``ErrorOut``: every error is ``{"code": "<stable code>", "message": "<中文说明>"}``, sometimes with more fields
  (``errors`` for bad input, ``refused`` for a refused bulk action, an import's report); ``answers()`` builds an
  operation's ``response=`` map from its success schema and the error statuses it may give.
- One pagination shape: a list endpoint takes ``Query[PageIn]`` (``limit`` 1–500, ``offset`` 0–10⁹) and answers
  ``page_of(ItemOut)``, i.e. ``{"items": [...], "count": N, "limit": L, "offset": O}``, built by ``paginate()``.
- ``Feature`` / ``FeatureCollection``: GeoJSON (the grids of the map).
- ``binary()``: the ``openapi_extra`` of a download (CSV, XLSX, photo): the OpenAPI document says a file comes back.
"""

from functools import cache
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import ConfigDict, create_model

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
# A list counts its rows up to this many and says "more" beyond: counting ten million cases to print one number took
# seconds (the queue's 全部 tab at 10 M cases); figures over any period come from the roll-up (gridgov/analytics).
COUNT_UP_TO = 10_000


class ErrorOut(Schema):
    """The body of every error (4xx)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="稳定的错误代码（如 unauthenticated、forbidden、not_found、invalid_input、conflict）")
    message: str = Field(description="中文说明")
    errors: list[Any] | None = Field(None, description="输入有误时：逐项的错误")
    refused: list[dict[str, Any]] | None = Field(None, description="批量操作被拒绝时：哪些案件、为什么")


def answers(ok: Any, *errors: int, status: int = 200, auth: bool = True) -> dict:
    """An operation's ``response=`` map: ``ok`` for ``status`` and ``ErrorOut`` for each error status
    (401 whenever the operation needs a signed-in account)."""
    codes = sorted(set(errors) | ({401} if auth else set()))
    return {status: ok, **{code: ErrorOut for code in codes}}


def binary(*content_types: str, description: str = "文件") -> dict:
    """``openapi_extra`` of an operation that answers a file (not JSON): its 200 response is binary content."""
    schema = {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": description,
                                "content": {t: {"schema": schema} for t in content_types}}}}


# ---------------------------------------------------------------- pagination


class PageIn(Schema):
    """The paging parameters of every list endpoint."""

    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每页条数（1～{MAX_LIMIT}）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数（从 0 开始）")


@cache
def page_of(item: type) -> type[Schema]:
    """The page schema of a list of ``item``: ``{"items": [...], "count": N, "limit": L, "offset": O}``."""
    return create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        items=(list[item], Field(description="本页的条目")),
        count=(int, Field(description=f"符合条件的总条数（超过 {COUNT_UP_TO} 条时为 {COUNT_UP_TO}，并且 count_more 为 true）")),
        count_more=(bool, Field(False, description=f"符合条件的超过 {COUNT_UP_TO} 条（count 只数到 {COUNT_UP_TO}）")),
        limit=(int, Field(description="每页条数")),
        offset=(int, Field(description="跳过的条数")),
    )


def bounded_count(rows) -> tuple[int, bool]:
    """(how many rows, whether there are more than ``COUNT_UP_TO``): a queryset is counted in the database up to
    ``COUNT_UP_TO`` + 1 rows (``SELECT count(*) FROM (… LIMIT n)``), a list by its length."""
    if not isinstance(rows, QuerySet):
        return len(rows), False
    n = rows.order_by()[:COUNT_UP_TO + 1].count()
    return (COUNT_UP_TO, True) if n > COUNT_UP_TO else (n, False)


def paginate(rows, page: PageIn, item=None) -> dict:
    """One page of ``rows`` (a queryset, counted — up to ``COUNT_UP_TO`` — and sliced in the database, or a list),
    each row passed through ``item`` when given."""
    count, more = bounded_count(rows)
    chunk = rows[page.offset: page.offset + page.limit]
    return {"items": [item(r) for r in chunk] if item else list(chunk), "count": count, "count_more": more,
            "limit": page.limit, "offset": page.offset}


# ---------------------------------------------------------------- GeoJSON


class Geometry(Schema):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Polygon、MultiPolygon、Point …")
    coordinates: Any = Field(None, description="WGS84 经纬度坐标")


class Feature(Schema):
    type: Literal["Feature"] = "Feature"
    id: str | int | None = None
    geometry: Geometry | None
    properties: dict[str, Any]


class FeatureCollection(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
