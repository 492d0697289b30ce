from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "gridgov.geo"
    label = "geo"
    verbose_name = "辖区与网格"
