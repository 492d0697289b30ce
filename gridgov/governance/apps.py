from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "gridgov.governance"
    label = "governance"
    verbose_name = "社会治理：矛盾纠纷调解与信访"

    def ready(self):
        from gridgov.privacy import services as privacy
        from gridgov.privacy.logic.retention import GOVERNANCE_PARTY

        from . import services

        privacy.register_purger(GOVERNANCE_PARTY, services.purge_parties)
