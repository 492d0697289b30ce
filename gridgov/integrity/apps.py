from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "gridgov.integrity"
    verbose_name = "弄虚作假核查"
    default_auto_field = "django.db.models.BigAutoField"
