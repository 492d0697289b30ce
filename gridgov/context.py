"""Template context shared by every page: the navigation the signed-in post may use, and each post's home.

A post's home is the page made for its daily work; the navigation lists only the pages the post can use.
"""

from gridgov.accounts import roles
from gridgov.accounts.roles import Role

R = Role
CENTRE = frozenset({R.INTAKE_CLERK, R.SHIFT_LEADER, R.DISPATCHER, R.ADMIN, R.CLERK})  # levels: + 信息员
FIELD = frozenset({R.GRID_WORKER, R.GRID_LEADER, R.GRID_SUPERVISOR, R.INSPECTOR})
DEPARTMENT = frozenset({R.HANDLER})
LEADERS = frozenset({R.LEADER, R.SHIFT_LEADER, R.ADMIN})

# (label, url, posts that see it — None: every post with the right, right — None: every signed-in account)
NAV = [
    ("案件受理", "/cases/", CENTRE, roles.CASE_VIEW),
    ("超期督办", "/cases/overdue/", CENTRE, roles.CASE_VIEW),
    ("我的任务", "/cases/field/", FIELD, roles.CASE_VIEW),
    ("在岗巡查", "/cases/field/patrol/", frozenset({R.GRID_WORKER}), roles.PATROL_DUTY),  # patrol
    ("巡查督导", "/patrol/", frozenset({R.GRID_SUPERVISOR, R.GRID_LEADER, R.ADMIN}), roles.PATROL_VIEW),  # patrol
    ("考勤", "/patrol/attendance/", None, roles.PATROL_ATTENDANCE),  # patrol
    ("人员考核", "/performance/", None, roles.PATROL_ATTENDANCE),  # integrity: monthly sheets, pay bands
    ("我的考核", "/performance/mine/", frozenset({R.GRID_WORKER, R.INSPECTOR}), None),  # integrity: one's own sheet
    ("部门待办", "/cases/inbox/", DEPARTMENT, roles.CASE_VIEW),
    ("检查任务", "/inspection/", None, roles.INSPECTION_VIEW),  # inspection: checklists, 回头看, 门前三包
    ("待回访", "/evaluation/", frozenset({R.INTAKE_CLERK, R.SHIFT_LEADER, R.ADMIN}), roles.CASE_VIEW),  # evaluation
    ("满意度", "/evaluation/figures/", None, roles.ASSESS_VIEW),  # evaluation: 满意度统计, 回访意见
    ("双向评价", "/evaluation/rate/", None, roles.ASSESS_RATE),  # evaluation: 条块双向考核
    ("领导看板", "/dashboard/", LEADERS, roles.CASE_VIEW),
    ("考评台账", "/ledgers/", None, roles.ASSESS_VIEW),  # ledgers: 附件2, 倒查, 抽查, 培训, 系统运行, 宣传
    ("弄虚作假核查", "/integrity/", frozenset({R.ADMIN, R.LEADER, R.SHIFT_LEADER, R.GRID_SUPERVISOR}),
     roles.ASSESS_VIEW),  # integrity: flags for the reviewer (a department sees none)
    ("指标", "/kpi/", LEADERS | CENTRE | {R.GRID_SUPERVISOR, R.HANDLER}, roles.CASE_VIEW),  # kpi: the seeds' KPIs
    ("值班应急", "/duty/", None, roles.DUTY_VIEW),  # duty helper: 值班台, 值班表, 预案, 值班日报, 日产日清
    ("市区督办", "/oversight/", CENTRE | LEADERS | DEPARTMENT | {R.GRID_SUPERVISOR}, roles.CASE_VIEW),  # city helper
    ("全市概览", "/oversight/city/", LEADERS | CENTRE, roles.CASE_VIEW),  # city helper
    ("案件导出", "/exports/", None, roles.EXPORTS_CASES),  # exports
    ("指挥大屏", "/screen/", None, roles.EXPORTS_SCREEN),  # exports
    ("网格地图", "/map/", None, roles.VIEW),
    ("网格调整", "/map/changes/", None, roles.EDIT),  # gridchange: plans, history, 历史案件对照表
    ("基础数据", "/basedata/", None, roles.BD_VIEW),
    ("个人信息", "/privacy/", None, roles.PRIVACY_REQUEST),
    ("专项工作", "/tasks/", None, roles.TASKS_VIEW),  # tasks: 专项行动、任务、演练、例会
    ("调解台账", "/governance/mediations/", None, roles.GOV_VIEW),  # matters
    ("信访登记簿", "/governance/petitions/", None, roles.GOV_VIEW),  # matters (only 信访 cases one may read)
    ("考评", "/assess/", None, roles.ASSESS_VIEW),  # assess: 月度/年度考评、评判、申诉、方案
    ("12345 对接", "/hotline/", None, roles.HOTLINE_VIEW),  # open311: outbox, receivers
    ("Open311 密钥", "/open311/keys/", None, roles.OPEN311_MANAGE),  # open311
    ("简报通报", "/briefs/", None, roles.BRIEFS_VIEW),  # briefs: 工作简报、情况通报、值班日报、分析报告
    ("数据挖掘", "/mining/", None, roles.MINING_VIEW),  # briefs: 热点、屡禁不止、季节规律、薄弱环节、预测
    ("标准地址", "/addresses/", None, roles.IMPORT),  # basemap: the address register, its import
    ("管理后台", "/admin/", None, roles.MANAGE_USERS),
    ("我的账户", "/accounts/tokens/", None, None),  # API tokens, password, TOTP
    ("消息", "/notify/", None, None),  # notify: the inbox (unread count in the header), channels and quiet hours
    ("统计分析", "/dashboard/figures/", LEADERS | CENTRE | {R.GRID_SUPERVISOR, R.HANDLER}, roles.CASE_VIEW),  # analytics
    ("公示牌", "/community/", None, roles.COMMUNITY_VIEW),  # community: 公示牌、温馨提示卡、服务热线与监督电话
    ("通知公告", "/notices/", None, roles.NOTICES_VIEW),  # notices: 社区动态、预警、工作通知（阅读回执）
    ("通知公告", "/notices/subscribe/", frozenset({R.RESIDENT}), roles.NOTICES_SUBSCRIBE),  # notices: 订阅社区
    ("便民服务", "/services/", None, roles.SERVICES_VIEW),  # services: 组团服务、志愿者、服务站、承诺、居家养老
    ("居家养老", "/services/elderly/", frozenset({R.RESIDENT}), roles.SERVICES_REQUEST),  # services: a resident requests
    ("党建引领", "/party/", None, roles.PARTY_VIEW),  # party: 网格党组织、党员报到、承诺与入户、帮扶对子
    ("走访覆盖", "/basedata/coverage/", None, roles.BD_STATS),  # households: 网格长年度走访覆盖、未走访户
    ("民情日记", "/basedata/diary/", None, roles.BD_VIEW),  # households
    ("民情台账", "/basedata/ledger/", None, roles.BD_VIEW),  # households: 走访、日记、问题（按网格和月份，可导出）
    ("网格员周排名", "/basedata/ranking/", None, roles.BD_STATS),  # households
    ("培训考试", "/training/", None, roles.TRAINING_VIEW),  # training: courses, exams, results, sessions
    ("人员网格", "/groups/", None, roles.GROUPS_VIEW),  # groups: 班级/寝室, 通知确认, 假期去向, 例会, 动态人群
    ("运行状态", "/ops/", None, roles.OPS_VIEW),  # ops: health, queues, outbox, periodic runs, workers, fault days
]

# The navigation in sections: the daily work is shown as links, every other section as a menu (the leader and the
# administrator have some thirty pages). A page's section is that of the longest prefix of its URL below; a page
# not listed falls under 其他.
DAILY = "日常办理"
SECTIONS = [
    (DAILY, ["/cases/", "/cases/overdue/", "/cases/field/", "/cases/field/patrol/", "/cases/inbox/", "/evaluation/",
             "/inspection/", "/duty/", "/dashboard/"]),
    ("监督考评", ["/patrol/", "/performance/", "/evaluation/figures/", "/evaluation/rate/", "/ledgers/", "/integrity/",
              "/assess/", "/oversight/"]),
    ("统计分析", ["/kpi/", "/oversight/city/", "/analytics/", "/dashboard/screen/", "/screen/", "/exports/", "/briefs/",
              "/mining/"]),
    ("网格与数据", ["/map/", "/map/changes/", "/basedata/", "/addresses/", "/governance/", "/tasks/"]),
    ("社区服务", ["/community/", "/notices/", "/services/", "/party/", "/groups/", "/training/"]),  # issue #17
    ("系统", ["/privacy/", "/admin/", "/accounts/", "/hotline/", "/open311/", "/notify/", "/ops/"]),
]
OTHER = "其他"


def section_of(url: str) -> str:
    best, found = "", OTHER
    for label, prefixes in SECTIONS:
        for prefix in prefixes:
            if url.startswith(prefix) and len(prefix) > len(best):
                best, found = prefix, label
    return found


HOME = {
    R.INTAKE_CLERK: "/cases/", R.SHIFT_LEADER: "/cases/", R.DISPATCHER: "/cases/", R.ADMIN: "/cases/",
    R.GRID_WORKER: "/cases/field/", R.GRID_LEADER: "/cases/field/", R.GRID_SUPERVISOR: "/cases/field/",
    R.INSPECTOR: "/cases/field/", R.HANDLER: "/cases/inbox/", R.LEADER: "/dashboard/", R.RESIDENT: "/r/",
    R.CLERK: "/cases/",  # levels: 信息员 at the centre's desk
}


def home_of(user) -> str:
    if user.is_superuser and user.role not in HOME:
        return "/cases/"
    return HOME.get(user.role, "/map/")


def _visible(user, posts, right) -> bool:
    if user.is_superuser:
        return True
    return (posts is None or user.role in posts) and (right is None or roles.has_right(user.role, right))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    allowed = [(label, url) for label, url, posts, right in NAV if _visible(user, posts, right)]
    nav = [(label, url, request.path.startswith(url) and not any(
        u != url and u.startswith(url) and request.path.startswith(u) for _, u in allowed)) for label, url in allowed]
    return {"nav": nav, "nav_sections": sections(nav)}


def sections(nav: list[tuple[str, str, bool]]) -> list[tuple[str, list, bool]]:
    """``nav`` in sections, in the order of SECTIONS: (section, [(label, url, here)…], here in it). The daily work
    comes first and is shown as links; a section of one page is shown as that link."""
    order = [label for label, _ in SECTIONS] + [OTHER]
    grouped: dict[str, list] = {}
    for link in nav:
        grouped.setdefault(section_of(link[1]), []).append(link)
    return [(name, grouped[name], any(here for _, _, here in grouped[name])) for name in order if name in grouped]
