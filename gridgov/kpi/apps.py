from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "gridgov.kpi"
    verbose_name = "指标"
