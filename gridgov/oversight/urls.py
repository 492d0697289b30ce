from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.home, name="home"),
    path("city/", views.city, name="city"),
    path("dispatches/new/", views.dispatch_new, name="dispatch_new"),
    path("dispatches/<int:pk>/answer/", views.dispatch_answer, name="dispatch_answer"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    path("notices/<int:pk>/review/", views.notice_review, name="notice_review"),
    path("notices/<int:pk>/print/", views.notice_print, name="notice_print"),
]
