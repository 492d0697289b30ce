"""公开信息 under /open/ (no account)."""

from django.urls import path, re_path

from .views import (
    clocks,
    closed_download,
    closed_geojson,
    closed_map,
    data,
    figures_download,
    home,
    rankings,
)

app_name = "open"
urlpatterns = [
    path("", home, name="home"),
    path("map/", closed_map, name="map"),
    path("map/closed.geojson", closed_geojson, name="closed_geojson"),
    path("clocks/", clocks, name="clocks"),
    path("rankings/", rankings, name="rankings"),
    path("data/", data, name="data"),
    re_path(r"^data/closed-cases\.(?P<fmt>csv|json)$", closed_download, name="closed_download"),
    re_path(r"^data/street-figures\.(?P<fmt>csv|json)$", figures_download, name="figures_download"),
]
