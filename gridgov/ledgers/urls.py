"""The registers' pages (考评台账), under /ledgers/."""

from django.urls import path

from .views import home, outages, problems, publicity, quota, quota_export, samples, trainings

app_name = "ledgers"
urlpatterns = [
    path("", home, name="home"),
    path("quota/", quota, name="quota"),
    path("quota/export/", quota_export, name="quota_export"),
    path("problems/", problems, name="problems"),
    path("samples/", samples, name="samples"),
    path("trainings/", trainings, name="trainings"),
    path("outages/", outages, name="outages"),
    path("publicity/", publicity, name="publicity"),
]
