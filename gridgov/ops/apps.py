from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "gridgov.ops"
    verbose_name = "运行维护"

    def ready(self):
        from gridgov import background

        background.autodiscover()  # the apps' background jobs (``jobs`` modules), known in every process
