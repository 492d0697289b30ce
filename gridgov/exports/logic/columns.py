"""The columns a case export may have (导出字段) — the export builder's list, in its default order. Pure data.

A user picks and orders any of these (``keys``); ``PERSONAL`` columns hold a reporter's name and phone and come
out masked unless the post has the unmask right and gives a reason.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    personal: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("number", "案件编号"),
    Column("reported_at", "上报时间"),
    Column("registered_at", "立案时间"),
    Column("dispatched_at", "派遣时间"),
    Column("handled_at", "处置时间"),
    Column("closed_at", "结案时间"),
    Column("matter", "事项"),
    Column("matter_class", "事项大类"),
    Column("source", "来源"),
    Column("urgency", "紧急程度"),
    Column("description", "问题描述"),
    Column("address", "地址"),
    Column("street", "街道"),
    Column("community", "社区"),
    Column("grid", "单元网格"),
    Column("management_grid", "管理网格"),
    Column("department", "主办部门"),
    Column("status", "状态"),
    Column("stage", "当前环节"),
    Column("stage_due_at", "环节时限"),
    Column("overdue", "是否超期"),
    Column("closed_on_time", "按期结案"),
    Column("handle_hours", "处理用时（工作小时）"),
    Column("satisfaction", "满意度"),
    Column("lon", "经度"),
    Column("lat", "纬度"),
    Column("reporter_name", "联系人", personal=True),
    Column("reporter_phone", "联系电话", personal=True),
)
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT = ("number", "reported_at", "matter", "source", "address", "street", "community", "department", "status",
           "stage_due_at", "overdue")
MAX_COLUMNS = len(COLUMNS)


def problem(keys: list[str]) -> str | None:
    """What is wrong with a chosen list of columns (Chinese), or None."""
    if not keys:
        return "请至少选择一列"
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        return f"没有这些列：{'、'.join(unknown[:5])}"
    if len(set(keys)) != len(keys):
        return "同一列只能选一次"
    return None


def personal(keys) -> list[str]:
    return [k for k in keys if BY_KEY[k].personal]


def head(keys) -> list[str]:
    return [BY_KEY[k].label for k in keys]
