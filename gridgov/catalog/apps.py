from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "gridgov.catalog"
    label = "catalog"
    verbose_name = "部件与事项目录"
