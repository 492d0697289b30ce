"""The personal-information page (个人信息保护), mounted at /privacy/."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
]
