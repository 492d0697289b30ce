from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "gridgov.addresses"
    label = "addresses"
    verbose_name = "底图与地址"
    default_auto_field = "django.db.models.BigAutoField"
