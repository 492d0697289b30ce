"""The demo's grid history (网格调整): one community's management grids re-divided by workload — planned, applied,
its mapping (历史案件对照表) kept — and a workload division of another community left as a plan to preview.

Deterministic: the division depends only on the demo's grids and cases. Fast: one community each.
"""

from gridgov.accounts.models import User

from . import gridchanges
from .models import ChangeStatus, Grid, GridChange

APPLIED = "110101001005"   # re-divided and applied (in the demo accounts' street, away from the tests' communities)
PREVIEW = "110101001006"   # a division among three people, left as a plan to look at


def build(stdout=print, scale: str = "demo") -> None:
    admin = User.objects.get(username="admin")
    done = GridChange.objects.filter(node_code=APPLIED, status=ChangeStatus.APPLIED).exists()
    if not done and Grid.objects.filter(layer__code="management", community__code=APPLIED).exists():
        n = max(2, Grid.objects.filter(layer__code="management", community__code=APPLIED).count() - 1)
        change = gridchanges.plan(admin, node=APPLIED, kind="workload", parts=n, months=3)
        change = gridchanges.apply(admin, change.pk)
        c = change.counts
        stdout(f"网格调整：{change.title}，停用 {c['retired_management']} 个、新建 {c['new_management']} 个管理网格，"
               f"案件 {c['rekeyed'].get('cases.Case.scope_key', 0)} 件随迁，五定随迁 {c['duties_carried']} 条"
               f"（/map/changes/{change.pk}/）")
    if not GridChange.objects.filter(node_code=PREVIEW, status=ChangeStatus.PLANNED).exists() and \
            Grid.objects.filter(layer__code="unit", community__code=PREVIEW).count() >= 3:
        preview = gridchanges.plan(admin, node=PREVIEW, kind="workload", parts=3, months=3)
        loads = "、".join(str(g["load"]) for g in preview.impact["new"])
        stdout(f"按工作量划分（预览）：{preview.title}，三人工作量 {loads}（/map/changes/{preview.pk}/）")
