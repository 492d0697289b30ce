"""Leader dashboard under /dashboard/; 统计分析 (any period and level, drill-down, Excel) under /dashboard/figures/."""

from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [path("", views.home, name="home"), path("figures/", views.figures, name="figures"),
               path("figures/export.xlsx", views.figures_export, name="figures_export")]
