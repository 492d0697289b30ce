"""The integrity pages, under /integrity/."""

from django.urls import path

from .views import board, flag

app_name = "integrity"
urlpatterns = [
    path("", board, name="board"),
    path("<int:pk>/", flag, name="flag"),
]
