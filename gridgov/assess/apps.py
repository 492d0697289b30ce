from django.apps import AppConfig


class AssessConfig(AppConfig):
    name = "gridgov.assess"
    verbose_name = "考评"
    default_auto_field = "django.db.models.BigAutoField"
