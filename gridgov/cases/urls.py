"""Staff case pages under /cases/ (each views module lists its own urls)."""

from .views import centre, department, field, queue

app_name = "cases"
urlpatterns = [*queue.urls, *centre.urls, *field.urls, *department.urls]
