from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "gridgov.exports"
    verbose_name = "案件导出"

    def ready(self):
        from . import jobs  # noqa: F401  registers the background job exports.build
