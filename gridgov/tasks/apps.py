from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "gridgov.tasks"
    label = "tasks"
    verbose_name = "专项行动与任务"
