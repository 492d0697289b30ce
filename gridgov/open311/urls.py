"""Open311 GeoReport v2 paths (the specification's) and the administrator's key page."""

from django.urls import path, re_path

from . import pages, views

F = r"\.(?P<fmt>[a-z]+)$"

urlpatterns = [
    re_path(r"^discovery" + F, views.discovery, name="open311-discovery"),
    re_path(r"^v2/services" + F, views.services, name="open311-services"),
    re_path(r"^v2/services/(?P<code>[^/]+?)" + F, views.definition, name="open311-service"),
    re_path(r"^v2/requests" + F, views.requests, name="open311-requests"),
    re_path(r"^v2/requests/(?P<rid>[^/]+?)" + F, views.one_request, name="open311-request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + F, views.token, name="open311-token"),
    path("keys/", pages.keys, name="open311-keys"),
]
