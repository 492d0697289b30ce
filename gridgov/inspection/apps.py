from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "gridgov.inspection"
    label = "inspection"
    verbose_name = "检查（监督检查、回头看、门前三包）"
