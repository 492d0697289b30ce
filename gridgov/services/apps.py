from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "gridgov.services"
    label = "services"
    verbose_name = "便民服务（组团服务、志愿者、服务站、服务承诺、居家养老）"
