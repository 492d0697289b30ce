"""党建引领 pages, mounted at /party/."""

from django.urls import path

from . import views

app_name = "party"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/leader/", views.leader, name="leader"),
    path("orgs/<int:pk>/members/", views.add_member, name="add_member"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/<str:action>/", views.member_act, name="member_act"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/decide/", views.decide, name="decide"),
    path("pairs/", views.pairs, name="pairs"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
]
