"""Staff case pages under /cases/ (each views module lists its own urls)."""

from .views import centre, department, field

app_name = "cases"
urlpatterns = [*centre.urls, *field.urls, *department.urls]
