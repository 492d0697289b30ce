"""The duty pages (值班与应急), mounted at /duty/."""

from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.home, name="home"),
    path("handover/", views.handover, name="handover"),
    path("roster/", views.roster, name="roster"),
    path("roster/add/", views.shift_add, name="shift_add"),
    path("roster/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("activations/<int:pk>/", views.activation, name="activation"),
    path("activations/<int:pk>/steps/<int:order>/tick/", views.tick, name="tick"),
    path("report/", views.report, name="report"),
    path("clearance/", views.clearance, name="clearance"),
    path("cases/<str:number>/panel/", views.case_panel, name="case_panel"),
    path("cases/<str:number>/start/", views.start, name="start"),
]
