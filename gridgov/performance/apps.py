from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "gridgov.performance"
    verbose_name = "人员考核"
    default_auto_field = "django.db.models.BigAutoField"
