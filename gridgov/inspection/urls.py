"""The inspection pages, under /inspection/."""

from django.urls import path

from .views import checklist, detail, export, home, results, revisits

app_name = "inspection"
urlpatterns = [
    path("", home, name="home"),
    path("do/<str:kind>/<int:pk>/", checklist, name="checklist"),
    path("inspections/<int:pk>/", detail, name="detail"),
    path("results/", results, name="results"),
    path("results/export/", export, name="export"),
    path("revisits/", revisits, name="revisits"),
]
