"""Pages of the basic data (the grid worker's phone pages), mounted at /basedata/."""

from django.urls import path

from . import views

app_name = "basedata"

urlpatterns = [
    path("", views.home, name="home"),
    path("due/", views.due, name="due"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("residents/new/", views.resident_new, name="resident_new"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("dwellings/<int:pk>/edit/", views.dwelling_edit, name="dwelling_edit"),
    path("visits/new/", views.visit_new, name="visit_new"),
    # households (issue #17 item 5)
    path("coverage/", views.coverage_page, name="coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
    path("households/<int:pk>/", views.household, name="household"),
    path("diary/", views.diary, name="diary"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ranking/", views.ranking_page, name="ranking"),
]
