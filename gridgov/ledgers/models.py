"""考评台账 (003 篇7): the registers the assessment reads — the quota allocation (附件2), the 倒查 register, the
monthly case sampling, trainings, the system's fault and upgrade periods, and media reports and submissions.

Every row is scoped by ``scope_key``: the street's 9-digit code (the district's 6-digit code for the district's
own row), so the accounts scoping primitive applies by prefix. Only ``services`` writes.
"""

from django.conf import settings
from django.db import models


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("镇街代码", max_length=12, db_index=True)
    unit_name = models.CharField("镇街", max_length=100, blank=True)

    class Meta:
        abstract = True


# ---------------------------------------------------------------- 附件2 考核数量分配


class QuotaYear(Scoped):
    """全区年度考核数量: the district's annual case total and the weights of population and area (one per year)."""

    year = models.PositiveSmallIntegerField("考核年度")
    annual_cases = models.PositiveIntegerField("全区总案件数")
    population_weight = models.FloatField("人口权重", default=0.6)
    area_weight = models.FloatField("面积权重", default=0.4)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "全区年度考核数量"
        ordering = ["-year", "scope_key"]
        constraints = [models.UniqueConstraint(fields=["scope_key", "year"], name="ledgers_quota_year_unique")]


class UnitBase(Scoped):
    """镇街基数: a street's 常住人口 and 面积 for an assessment year, with their sources."""

    year = models.PositiveSmallIntegerField("考核年度")
    population = models.PositiveIntegerField("常住人口", null=True, blank=True)
    population_source = models.CharField("人口来源", max_length=100, blank=True)
    area_km2 = models.DecimalField("面积（平方公里）", max_digits=8, decimal_places=2, null=True, blank=True)
    area_source = models.CharField("面积来源", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "镇街人口与面积"
        ordering = ["-year", "scope_key"]
        constraints = [models.UniqueConstraint(fields=["scope_key", "year"], name="ledgers_unit_base_unique")]


class QuotaAdjustment(Scoped):
    """考核数量调整: a recorded manual adjustment of a street's annual indicator (who, why, how much)."""

    year = models.PositiveSmallIntegerField("考核年度")
    amount = models.DecimalField("调整量（件/年）", max_digits=10, decimal_places=2)
    reason = models.CharField("调整理由", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核数量调整"
        ordering = ["year", "scope_key", "id"]


# ---------------------------------------------------------------- 发现问题倒查台账


class ProblemKind(models.TextChoices):
    SITE_CHECK = "site_check", "现场检查"
    MONTHLY_CHECK = "monthly_check", "首环办月检查"
    MEDIA = "media", "媒体曝光"
    LEADER = "leader", "领导批示"
    PUBLIC = "public", "群众举报"


class Verdict(models.TextChoices):
    PENDING = "pending", "待核对"
    IN_TIME = "in_time", "已及时发现"
    MISSED = "missed", "未及时发现"


class Problem(Scoped):
    """倒查问题: a problem found by someone other than the street's own patrol, and whether a case had been filed."""

    kind = models.CharField("来源", max_length=16, choices=ProblemKind.choices)
    found_at = models.DateTimeField("发现时间", db_index=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    community = models.CharField("社区代码", max_length=12, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    description = models.CharField("问题描述", max_length=500)
    matter = models.CharField("事项代码", max_length=5, blank=True)
    source_ref = models.CharField("来源记录", max_length=64, blank=True,
                                  help_text="如 inspection-answer:12（由检查不合格项导入）")
    suggested = models.ForeignKey("cases.Case", verbose_name="建议匹配案件", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    verdict = models.CharField("核对结论", max_length=8, choices=Verdict.choices, default=Verdict.PENDING)
    case = models.ForeignKey("cases.Case", verbose_name="确认的案件", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField("核对说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核对人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("核对时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发现问题倒查台账"
        ordering = ["-found_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_ref"], condition=~models.Q(source_ref=""),
                                               name="ledgers_problem_source_unique")]


# ---------------------------------------------------------------- 案件抽查


class SampleDraw(Scoped):
    """月度抽样: one month's sample of a street's normally closed cases (seed = "<period>:<street code>")."""

    period = models.CharField("考评月份", max_length=7)
    closed = models.PositiveIntegerField("正常结案数")
    seed = models.CharField("随机种子", max_length=24)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽样人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField("抽样时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件抽查"
        ordering = ["-period", "scope_key"]
        constraints = [models.UniqueConstraint(fields=["scope_key", "period"], name="ledgers_sample_unique")]


class Mark(models.TextChoices):
    PENDING = "pending", "待评定"
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class SampledCase(Scoped):
    """抽查案件: one drawn case and the reviewer's mark (合格/不合格 with a reason)."""

    draw = models.ForeignKey(SampleDraw, verbose_name="抽样", on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("抽取顺序")
    mark = models.CharField("评定", max_length=8, choices=Mark.choices, default=Mark.PENDING)
    reason = models.CharField("理由", max_length=300, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评定人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField("评定时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查案件"
        ordering = ["draw", "order"]


# ---------------------------------------------------------------- 培训记录


class TrainingKind(models.TextChoices):
    WHOLE = "whole", "全体网格员"
    PARTIAL = "partial", "部分网格员（新入职、班组长等）"


class TrainingStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "不予认定"


class Training(Scoped):
    """培训记录: a training of the street's grid workers, recorded by the street and confirmed by a reviewer."""

    held_on = models.DateField("培训日期")
    title = models.CharField("培训主题", max_length=200)
    kind = models.CharField("培训范围", max_length=8, choices=TrainingKind.choices)
    attendees = models.PositiveIntegerField("参训人数")
    evidence = models.CharField("佐证材料", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=TrainingStatus.choices, default=TrainingStatus.SUBMITTED)
    review_note = models.CharField("确认意见", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训记录"
        ordering = ["-held_on", "-id"]


# ---------------------------------------------------------------- 系统运行


class OutageKind(models.TextChoices):
    FAULT = "fault", "系统故障"
    UPGRADE = "upgrade", "升级改造"
    UNUSABLE = "unusable", "无系统或系统无法使用"


class Outage(Scoped):
    """系统运行记录: a period of fault or upgrade of the street's system or terminals (an open one has no end)."""

    kind = models.CharField("类型", max_length=8, choices=OutageKind.choices)
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "系统运行记录"
        ordering = ["-start", "-id"]

    @property
    def hours(self) -> float | None:
        return None if self.end is None else round((self.end - self.start).total_seconds() / 3600, 2)


# ---------------------------------------------------------------- 宣传


class PublicityKind(models.TextChoices):
    REPORT = "report", "市级主流媒体报道"
    SUBMISSION = "submission", "向市级媒体报送宣传材料"


class Publicity(Scoped):
    """宣传记录: a city media report on the street's grid work, or material the street sent to the media."""

    kind = models.CharField("类型", max_length=10, choices=PublicityKind.choices)
    on = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    outlet = models.CharField("媒体", max_length=100)
    evidence = models.CharField("佐证材料", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "宣传记录"
        ordering = ["-on", "-id"]
