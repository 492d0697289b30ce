from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "gridgov.governance"
    label = "governance"
    verbose_name = "社会治理：矛盾纠纷调解与信访"
