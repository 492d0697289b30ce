from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "gridgov.notices"
    label = "notices"
    verbose_name = "通知公告"

    def ready(self):
        from . import jobs  # noqa: F401  (registers notices.digest)
