from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "gridgov.patrol"
    verbose_name = "巡查与考勤"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.privacy import services as privacy
        from gridgov.privacy.logic.retention import FIELD_TRACK

        from . import services

        privacy.register_purger(FIELD_TRACK, services.purge_tracks)
