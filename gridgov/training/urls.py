"""Pages of 培训考试, mounted at /training/."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("materials/<int:pk>/file", views.material_file, name="material_file"),
    path("exams/<int:pk>/start/", views.start, name="start"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("attempts/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("manage/", views.manage, name="manage"),
    path("banks/", views.banks, name="banks"),
    path("banks/template.xlsx", views.bank_template, name="bank_template"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    path("results/", views.results, name="results"),
    path("sessions/", views.sessions, name="sessions"),
    path("people/<int:pk>/", views.person, name="person"),
]
