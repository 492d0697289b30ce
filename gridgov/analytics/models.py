"""The roll-up (汇总): per-day counts of the cases, kept in the same transaction as every case change
(``gridgov.analytics.rollup``), defined by ``gridgov.analytics.logic``. Derived data: ``gridgov analytics rebuild``
recomputes it from the case table and ``gridgov analytics check`` compares it with a plain GROUP BY."""

from django.db import models

from .logic import DAILY_FIELDS


class DailyCount(models.Model):
    """每日汇总: the ``Tally`` counts of one group (dim, key, area, restricted right) on one local day (grain d),
    or in one month (grain m)."""

    dim = models.CharField("维度", max_length=10)
    grain = models.CharField("粒度", max_length=1, default="d", help_text="d 日；m 月（日期为该月 1 日）")
    day = models.DateField("日期")
    area = models.CharField("区域代码", max_length=12)
    key = models.CharField("分组", max_length=40)
    restricted = models.CharField("可见权限", max_length=40, blank=True, default="")
    locals().update({f: (models.FloatField(f, default=0.0) if f == "handle_hours_sum"
                         else models.IntegerField(f, default=0)) for f in DAILY_FIELDS})

    class Meta:
        verbose_name = verbose_name_plural = "每日汇总"
        constraints = [models.UniqueConstraint(fields=["dim", "grain", "day", "area", "key", "restricted"],
                                               name="analytics_daily_key")]
        # an area's rows of a period (drilled into a street or community) without reading every area's
        # (pattern operator classes on PostgreSQL: ``area LIKE '110101001%'`` is a range of this index whatever the
        # database's collation; SQLite ignores them)
        indexes = [models.Index(fields=["dim", "grain", "area", "day"], name="analytics_daily_area",
                                opclasses=["varchar_pattern_ops"] * 3 + ["date_ops"])]


class CohortCount(models.Model):
    """应结案 / 应处理 cohorts: cases whose 立案 (``close``) or handling deadline (``handle``) fell on ``start``, by the
    month they were done (结案 / 处置; 0: not yet)."""

    kind = models.CharField("类别", max_length=6)
    dim = models.CharField("维度", max_length=10)
    grain = models.CharField("粒度", max_length=1, default="d", help_text="d 日；m 月（起始日为该月 1 日）")
    start = models.DateField("起始日")
    area = models.CharField("区域代码", max_length=12)
    key = models.CharField("分组", max_length=40)
    restricted = models.CharField("可见权限", max_length=40, blank=True, default="")
    done_month = models.IntegerField("完成月份", default=0)
    n = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "应结案/应处理汇总"
        constraints = [models.UniqueConstraint(fields=["kind", "dim", "grain", "start", "area", "key",
                                                       "restricted", "done_month"], name="analytics_cohort_key")]
        indexes = [models.Index(fields=["kind", "dim", "grain", "area", "start"], name="analytics_cohort_area",
                                opclasses=["varchar_pattern_ops"] * 4 + ["date_ops"])]


class OpenCount(models.Model):
    """在办案件计数: the open cases now per (community, management grid, department, restricted right, the month
    their running stage is due — 0 when no clock runs), kept as cases change (``logic.open_key``), so the dashboard
    reads a few thousand rows instead of every open case; grid and department 0: none."""

    area = models.CharField("社区代码", max_length=12)
    grid = models.BigIntegerField("管理网格", default=0)
    department = models.BigIntegerField("主办部门", default=0)
    restricted = models.CharField("可见权限", max_length=40, blank=True, default="")
    due_month = models.IntegerField("到期月份", default=0, help_text="yyyymm；0 为未计时（挂账或无当前环节）")
    n = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "在办案件计数"
        constraints = [models.UniqueConstraint(fields=["area", "grid", "department", "restricted", "due_month"],
                                               name="analytics_open_key")]
