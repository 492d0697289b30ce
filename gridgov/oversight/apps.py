from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "gridgov.oversight"
    label = "oversight"
    verbose_name = "市区联动与督办"
