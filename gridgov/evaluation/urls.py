"""The evaluation pages, under /evaluation/."""

from django.urls import path

from .views import case, export, figures, home, notices, rate, results

app_name = "evaluation"
urlpatterns = [
    path("", home, name="home"),
    path("case/<str:number>/", case, name="case"),
    path("figures/", figures, name="figures"),
    path("notices/", notices, name="notices"),
    path("rate/", rate, name="rate"),
    path("results/", results, name="results"),
    path("results/export/", export, name="export"),
]
