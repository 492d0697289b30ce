from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "gridgov.groups"
    label = "groups"
    verbose_name = "人员网格"
