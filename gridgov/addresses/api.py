"""Addresses API (/api/v1/addresses): search, nearest, one address, create/update, delete, import and its template.

Parse → call a service (or ``search``) → serialise. Reads: right ``geo.locate`` (every post), staff within their
scope, residents the whole register. Writes: right ``geo.import``, within scope.
"""

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.errors import DomainError, NotFound
from gridgov.limits import Text
from gridgov.schemas import PageIn, answers, binary, page_of, paginate

from . import search, services

router = Router(tags=["底图与地址"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AddressOut(Schema):
    code: str = Field(description="地址编码")
    kind: str = Field(description="door 门牌地址 / poi 兴趣点")
    kind_label: str
    text: str = Field(description="完整地址")
    name: str
    road: str = Field(description="街路巷")
    number: str = Field(description="门牌号")
    building: str = Field(description="楼栋")
    unit: str = Field(description="单元")
    poi_kind: str = Field(description="兴趣点类别")
    lon: float = Field(description="经度（WGS-84）")
    lat: float = Field(description="纬度（WGS-84）")
    unit_grid: str
    community_code: str


class AddressNearOut(AddressOut):
    distance_m: float = Field(description="与所给位置的距离（米）")


class AddressIn(Schema):
    code: str = Field("", max_length=60, title="地址编码", description="空：按内容生成")
    kind: str = Field("door", max_length=8, title="类型", description="door 门牌地址 / poi 兴趣点")
    road: str = Field("", max_length=60, title="街路巷")
    number: str = Field("", max_length=20, title="门牌号")
    building: str = Field("", max_length=40, title="楼栋")
    unit: str = Field("", max_length=20, title="单元")
    name: str = Field("", max_length=100, title="名称")
    poi_kind: str = Field("", max_length=40, title="兴趣点类别")
    lon: float = Field(title="经度")
    lat: float = Field(title="纬度")


class AddressImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class AddressSyncOut(Schema):
    created: int
    updated: int
    unchanged: int


@router.get("", response=answers(page_of(AddressOut), 403, 422),
            summary="搜索地址（门牌地址或地名的一部分、拼音首字母；前缀匹配在前）；工作人员限本人管辖范围")
def list_addresses(request, page: Query[PageIn], q: Text = ""):
    return paginate(search.search(search.visible(request.user), q), page, search.as_item)


@router.get("/nearest", response=answers(AddressNearOut, 400, 403, 404, 422),
            summary="最近的地址（默认 150 米内；没有则 404 no_address_near「未找到附近地址」）")
def nearest(request, lon: float, lat: float):
    a, d = search.nearest(search.visible(request.user), lon, lat)
    return search.as_item(a, d)


@router.get("/template", response=answers(None, 403), summary="地址导入模板（xlsx）",
            openapi_extra=binary(XLSX, description="导入模板"))
def import_template(request):
    require(request.user, roles.IMPORT)
    data, ctype = services.template()
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = 'attachment; filename="addresses-template.xlsx"'
    return resp


@router.post("/import", response=answers(AddressImportOut, 400, 403, 413, 422),
             summary="导入地址：请求体为 xlsx/CSV 文件（或 multipart 的 file 字段）；先校验每一行，"
                     "有错误则不写入（422 import_rejected，errors 列出每一行）",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def import_addresses(request):
    from gridgov.basedata.importing import read_upload

    require(request.user, roles.IMPORT)
    data, name = read_upload(request)
    report = services.import_addresses(request.user, data, name)
    if report.errors:
        from django.http import JsonResponse

        return JsonResponse({"code": "import_rejected", "message": f"有 {len(report.errors)} 行数据有误，未写入任何数据："
                             + "；".join(report.errors[:20]), "errors": report.errors}, status=422,
                            json_dumps_params={"ensure_ascii": False})
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


@router.post("/sync-buildings", response=answers(AddressSyncOut, 403),
             summary="由基础数据的楼栋生成或更新地址（本人管辖范围内；重复执行不产生变化）")
def sync_buildings(request):
    return services.sync_buildings(request.user)


@router.get("/{code}", response=answers(AddressOut, 403, 404), summary="一个地址")
def get_address(request, code: str):
    a = search.visible(request.user).filter(code=code).first()
    if a is None:
        raise NotFound("not_found", "对象不存在或不在您的管辖范围内")
    return search.as_item(a)


@router.put("/{code}", response=answers(AddressOut, 400, 403, 404, 422), summary="新建或修改一个地址（按编码）")
def put_address(request, code: str, body: AddressIn):
    data = body.dict()
    if data.get("code") and data["code"] != code:
        raise DomainError("invalid_address", "请求体中的地址编码与路径不一致")
    data["code"] = code
    return search.as_item(services.save_address(request.user, data))


class AddressDeletedOut(Schema):
    code: str = Field(description="已删除的地址编码")


@router.delete("/{code}", response=answers(AddressDeletedOut, 403, 404), summary="删除一个地址")
def delete_address(request, code: str):
    services.delete_address(request.user, code)
    return {"code": code}

