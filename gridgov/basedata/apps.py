from django.apps import AppConfig


class BasedataConfig(AppConfig):
    name = "gridgov.basedata"
    label = "basedata"
    verbose_name = "基础数据（人地物事组织）"
