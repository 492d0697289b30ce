"""The performance pages, under /performance/."""

from django.urls import path

from .views import mine, scheme, sheets

app_name = "performance"
urlpatterns = [
    path("", sheets, name="sheets"),
    path("scheme/", scheme, name="scheme"),
    path("mine/", mine, name="mine"),
]
