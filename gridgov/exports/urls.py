"""案件导出 under /exports/."""

from .views import urls

app_name = "exports"
urlpatterns = urls
