"""Leader dashboard under /dashboard/."""

app_name = "dashboard"
urlpatterns = []
