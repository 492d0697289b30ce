from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "gridgov.dashboard"
    label = "dashboard"
    verbose_name = "领导看板"
