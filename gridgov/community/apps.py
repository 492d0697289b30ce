from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "gridgov.community"
    label = "community"
    verbose_name = "网格公示（公示牌、温馨提示卡、社区名录）"
