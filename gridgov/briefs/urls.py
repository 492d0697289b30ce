"""The brief pages (简报与通报), mounted at /briefs/."""

from django.urls import path

from . import views

app_name = "briefs"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/cancel/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/docx", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/pdf", views.download, {"fmt": "pdf"}, name="pdf"),
]
