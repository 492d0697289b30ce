from django.urls import path

from . import views

urlpatterns = [
    path("", views.outbox, name="hotline-outbox"),
    path("receivers/", views.receivers, name="hotline-receivers"),
]
