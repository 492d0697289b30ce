"""运行状态 (/ops/): the administrator's page of the site's running state (gridgov/ops/status.py)."""

from gridgov.accounts import roles
from gridgov.pages import page, render_page

from . import status

LABELS = {  # the periodic work's names (serving.every) as the page shows them
    "deadline-scan": "时限扫描（黄灯预警、红灯超期）", "tasks-scan": "专项任务时限扫描", "notify-sweep": "消息投递重试",
    "hotline-sweep": "12345 回传重试", "health-watch": "健康检查", "background-outbox": "后台任务发件箱补发",
    "integrity-scan": "弄虚作假核查扫描", "retention-purge": "个人信息保存期限清理", "audit-anchor": "审计链锚定",
    "export-purge": "过期导出文件清理", "brief-subscriptions": "简报订阅推送",
}
CHECK_LABELS = {"database": "数据库", "cache": "缓存", "broker": "消息代理", "storage": "文件存储"}


@page(roles.OPS_VIEW)
def status_page(request):
    snap = status.snapshot(request.user)
    checks = [(CHECK_LABELS.get(name, name), name, c) for name, c in snap["health"]["checks"].items()]
    runs = [(LABELS.get(r.name, r.name), r) for r in snap["periodic"]]
    return render_page(request, "ops/status.html", {**snap, "checks": checks, "runs": runs})
