from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "gridgov.duty"
    label = "duty"
    verbose_name = "值班与应急"
