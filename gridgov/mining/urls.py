"""数据挖掘 pages, mounted at /mining/."""

from django.urls import path

from . import views

app_name = "mining"

urlpatterns = [path("", views.home, name="home")]
