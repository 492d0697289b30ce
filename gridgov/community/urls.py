"""Pages of the grid's public face, mounted at /community/ (the QR page and the directories need no account)."""

from django.urls import path, re_path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("phones/", views.phones, name="phones"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/board.pdf", views.board_pdf, name="board_pdf"),
    path("board/<str:code>/cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("q/<str:code>/", views.qr, name="qr"),
    path("photos/<int:person_id>/", views.photo, name="photo"),  # upload or remove (POST)
    path("photos/<int:person_id>.jpg", views.photo_file, name="photo_file"),  # public, like the boards
    re_path(r"^(?P<code>\d{12})/$", views.directory, name="directory"),
]
