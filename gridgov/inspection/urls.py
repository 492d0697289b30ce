"""The inspection pages, under /inspection/."""

from django.urls import path

from .views import agreement_new, checklist, detail, export, home, plan_new, plan_targets, results, revisits

app_name = "inspection"
urlpatterns = [
    path("", home, name="home"),
    path("do/<str:kind>/<int:pk>/", checklist, name="checklist"),
    path("inspections/<int:pk>/", detail, name="detail"),
    path("results/", results, name="results"),
    path("results/export/", export, name="export"),
    path("revisits/", revisits, name="revisits"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/<int:pk>/targets/", plan_targets, name="plan_targets"),
    path("frontage/new/", agreement_new, name="agreement_new"),
]
