"""Pages of 通知公告, mounted at /notices/."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("c/", views.public_index, name="public_index"),
    path("c/<str:code>/", views.public_page, name="public"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/remind/", views.remind, name="remind"),
]
