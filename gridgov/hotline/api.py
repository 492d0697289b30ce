"""POST /api/v1/hotline/orders — 12345 work orders in (the hotline system's account: 受理员/值班长/信息员 or admin)."""

from ninja import Field, Router, Schema

from gridgov.errors import DomainError
from gridgov.schemas import answers

from . import services

router = Router(tags=["12345 对接"])


class HotlineOrderIn(Schema):
    order_id: str = Field(max_length=40, title="工单编号", description="12345 系统自己的工单编号（同一系统内唯一）")
    lon: float = Field(title="经度")
    lat: float = Field(title="纬度")
    description: str = Field(max_length=2000, title="诉求内容")
    matter: str | None = Field(None, max_length=40, title="事项")
    address: str = Field("", max_length=200, title="地址")
    urgency: str = Field("normal", max_length=10, title="紧急程度")
    deadline: str | None = Field(None, max_length=40, title="12345 办理时限",
                                 description="ISO 8601，带时区，如 2026-12-05T18:00:00+08:00（有误的一条单独返回错误）")
    caller_name: str = Field("", max_length=50, title="来电人")
    caller_phone: str = Field("", max_length=40, title="来电号码", description="按个人信息保护：加密保存，页面上脱敏")


class HotlineOrdersIn(Schema):
    system: str = Field(max_length=40, title="12345 系统代码", description="管理员在「12345 对接」页面登记的系统代码")
    orders: list[HotlineOrderIn]


class HotlineOrderError(Schema):
    code: str
    message: str


class HotlineOrderDone(Schema):
    index: int = Field(description="在请求 orders 中的序号（从 0 开始）")
    order_id: str
    created: bool = Field(description="false：此工单编号已受理过，返回原案件（不会重复立案）")
    number: str = Field(description="案件编号")
    status: str


class HotlineOrderFailed(Schema):
    index: int
    order_id: str
    error: HotlineOrderError


class HotlineOrdersOut(Schema):
    created: int
    failed: int
    results: list[HotlineOrderDone | HotlineOrderFailed]


@router.post("/orders", response=answers(HotlineOrdersOut, 400, 403, 404, 422),
             summary="接收 12345 工单（逐条校验；同一系统的工单编号重复时返回原案件）；案件的状态变化经签名 webhook 回传")
def receive_orders(request, payload: HotlineOrdersIn):
    orders = [o.dict() for o in payload.orders]
    out = services.receive_orders(request.user, payload.system, orders)
    items = []
    for i, (o, r) in enumerate(zip(orders, out, strict=True)):
        if isinstance(r, DomainError):
            items.append({"index": i, "order_id": o["order_id"], "error": {"code": r.code, "message": r.message}})
        else:
            order, created = r
            items.append({"index": i, "order_id": order.order_id, "created": created, "number": order.case.number,
                          "status": order.case.status})
    return {"created": sum(1 for it in items if it.get("created")),
            "failed": sum(1 for it in items if "error" in it), "results": items}
