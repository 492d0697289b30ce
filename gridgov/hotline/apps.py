from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "gridgov.hotline"
    verbose_name = "12345 热线对接"

    def ready(self):
        from . import jobs  # noqa: F401 — registers the background jobs (hotline.deliver, hotline.sweep)
