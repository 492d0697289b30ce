from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "gridgov.briefs"
    label = "briefs"
    verbose_name = "简报与通报"

    def ready(self):
        from . import jobs  # noqa: F401  registers the background jobs
