"""人员网格 pages, mounted at /groups/."""

from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/<str:action>/", views.org_act, name="org_act"),
    path("g/<int:pk>/", views.group, name="group"),
    path("g/<int:pk>/report/", views.group_report, name="report"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/confirm/", views.notice_confirm, name="confirm"),
    path("holidays/<int:pk>/", views.holiday, name="holiday"),
    path("holidays/<int:pk>/<str:action>/", views.holiday_act, name="holiday_act"),
    path("dynamic/new/", views.dynamic_create, name="dynamic_create"),
    path("dynamic/<int:pk>/", views.dynamic, name="dynamic"),
]
