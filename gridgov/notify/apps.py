from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gridgov.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self):
        from . import jobs  # noqa: F401  (registers notify.deliver and notify.sweep)
