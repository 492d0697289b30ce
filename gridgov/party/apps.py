from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "gridgov.party"
    label = "party"
    verbose_name = "党建引领：网格党组织、党员报到、帮扶对子"
