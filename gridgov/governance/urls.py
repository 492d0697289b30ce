"""Social-governance pages (matters), mounted at /governance/."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("mediations/", views.mediations, name="mediations"),
    path("petitions/", views.petitions, name="petitions"),
    path("cases/<str:number>/<str:action>/", views.act, name="act"),
]
