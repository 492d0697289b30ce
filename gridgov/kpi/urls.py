"""指标 under /kpi/."""

from django.urls import path

from . import views

app_name = "kpi"
urlpatterns = [path("", views.home, name="home"), path("export.xlsx", views.export, name="export")]
