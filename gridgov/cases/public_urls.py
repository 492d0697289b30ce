"""Residents' pages under /r/ (no account needed)."""

from .views import public

app_name = "public"
urlpatterns = [*public.urls]
