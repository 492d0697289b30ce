"""人员考核 (网格员、监督员): the district's score formula and pay bands (差异化管理) as data. The monthly sheets are
computed from the month's facts (attendance, cases, visits, flags) when asked (``services.sheets``).

Only ``services.py`` writes this table.
"""

from django.db import models

from .logic import score


def _weights():
    return dict(score.DEFAULT_WEIGHTS)


def _targets():
    return dict(score.DEFAULT_TARGETS)


def _deductions():
    return dict(score.DEFAULT_DEDUCTIONS)


def _bands():
    return [dict(b) for b in score.DEFAULT_BANDS]


class PayScheme(models.Model):
    """考核与绩效档次: the weights of the person score, its targets and deductions, and the pay bands."""

    district = models.CharField("区县代码", max_length=6, unique=True)
    weights = models.JSONField("各项权重", default=_weights)
    targets = models.JSONField("月度目标", default=_targets)
    deductions = models.JSONField("扣分", default=_deductions)
    bands = models.JSONField("绩效档次", default=_bands)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核与绩效档次"

    def __str__(self):
        return f"{self.district} 考核与绩效档次"
