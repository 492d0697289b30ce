from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gridgov.evaluation"
    label = "evaluation"
    verbose_name = "满意度回访与双向评价"
