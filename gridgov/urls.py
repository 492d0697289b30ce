from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gridgov.accounts import views as account_views
from gridgov.addresses import views as address_views  # basemap
from gridgov.api import api
from gridgov.exports import screen as screen_views  # exports: 指挥大屏
from gridgov.geo import change_views as grid_change_views  # gridchange
from gridgov.geo import views as geo_views
from gridgov.ops import health as ops_health  # scale
from gridgov.ops import metrics as ops_metrics  # scale
from gridgov.patrol import views as patrol_views  # patrol

admin.site.site_header = admin.site.site_title = "gridgov 网格化管理平台 · 管理后台"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("", geo_views.home, name="home"),
    path("map/", geo_views.grid_map, name="map"),
    path("map/changes/", grid_change_views.changes, name="grid-changes"),  # gridchange
    path("map/changes/<int:pk>/", grid_change_views.change, name="grid-change"),  # gridchange
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include((account_views.urlpatterns, "accounts"))),
    path("basedata/", include("gridgov.basedata.urls")),
    path("cases/field/patrol/", include((patrol_views.phone_urls, "patrol_phone"))),  # patrol (under the field pages)
    path("cases/", include("gridgov.cases.urls")),
    path("r/", include("gridgov.cases.public_urls")),
    path("dashboard/", include("gridgov.dashboard.urls")),
    path("admin/login/", account_views.admin_login),  # one sign-in page: throttled, with TOTP
    path("privacy/", include("gridgov.privacy.urls")),
    path("duty/", include("gridgov.duty.urls")),  # 值班与应急 (duty helper)
    path("oversight/", include("gridgov.oversight.urls")),  # 市区联动与督办 (the city helper)
    path("tasks/", include("gridgov.tasks.urls")),  # tasks: 专项行动、专项工作、演练、例会
    path("inspection/", include("gridgov.inspection.urls")),  # inspection
    path("ledgers/", include("gridgov.ledgers.urls")),  # ledgers: 考评台账
    path("governance/", include("gridgov.governance.urls")),  # matters: 调解台账, 信访登记簿
    path("patrol/", include((patrol_views.urls, "patrol"))),  # patrol
    path("assess/", include("gridgov.assess.urls")),  # assess: 考评
    path("evaluation/", include("gridgov.evaluation.urls")),  # evaluation: 满意度回访, 条块双向考核
    path("integrity/", include("gridgov.integrity.urls")),  # integrity: 弄虚作假核查
    path("performance/", include("gridgov.performance.urls")),  # integrity: 人员考核
    path("kpi/", include("gridgov.kpi.urls")),  # kpi: 指标
    path("notify/", include(("gridgov.notify.views", "notify"), namespace="notify")),  # notify: 消息
    path("open311/", include("gridgov.open311.urls")),  # open311: GeoReport v2 and the key page
    path("hotline/", include("gridgov.hotline.urls")),  # open311: 12345 outbox and receivers
    path("exports/", include("gridgov.exports.urls")),  # exports: 案件导出
    path("open/", include("gridgov.transparency.urls")),  # exports: 公开信息 (no account)
    path("screen/", include((screen_views.urls, "screen"))),  # exports: 指挥大屏
    path("briefs/", include("gridgov.briefs.urls")),  # briefs: 简报与通报
    path("mining/", include("gridgov.mining.urls")),  # briefs: 数据挖掘
    path("tiles/", include((address_views.tile_urls, "tiles"))),  # basemap: offline tile archives
    path("basemap/", include((address_views.basemap_urls, "basemap"))),  # basemap: the own-data base
    path("addresses/", include((address_views.urls, "addresses"))),  # basemap: 标准地址
    path("community/", include("gridgov.community.urls")),  # community
    path("notices/", include("gridgov.notices.urls")),  # notices
    path("services/", include("gridgov.services.urls")),  # services: 便民服务
    path("party/", include("gridgov.party.urls")),  # party: 党建引领
    path("training/", include("gridgov.training.urls")),  # training
    path("groups/", include("gridgov.groups.urls")),  # groups: 人员网格
    path("ops/", include("gridgov.ops.urls")),  # ops: 运行状态
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", ops_health.healthz_view, name="healthz"),  # scale: DB, cache, broker, storage (200/503)
    path("metrics", ops_metrics.metrics_view, name="metrics"),  # scale: Prometheus (token or administrator)
]
