"""The assessment pages, under /assess/."""

from django.urls import path

from . import views

app_name = "assess"
urlpatterns = [
    path("", views.home, name="home"),
    path("run/", views.run_now, name="run"),
    path("mine/", views.mine, name="mine"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/export/", views.export, name="export"),
    path("runs/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("runs/<int:pk>/units/<str:code>/", views.unit_sheet, name="unit"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/rule/", views.rule, name="rule"),
    path("review/", views.review, name="review"),
    path("review/judge/", views.judge, name="judge"),
    path("review/submit/", views.submit, name="submit"),
    path("annual/", views.annual, name="annual"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/<int:pk>/<str:action>/", views.scheme_action, name="scheme-action"),
]
