from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "gridgov.transparency"
    verbose_name = "公开信息"
