"""满意度回访 (surveys of closed cases, call attempts) and 条块双向考核 (monthly ratings on dimensions kept as data).

The case's own ``satisfaction`` and timeline stay the one truth of the follow-up: a survey is written by the same
service call that applies the case's ``follow_up`` (or ``reopen``) transition.
"""

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    PHONE = "phone", "电话回访"
    WEB = "web", "居民网上评价"


class Outcome(models.TextChoices):
    SURVEYED = "surveyed", "已回访"
    UNREACHABLE = "unreachable", "无法联系"


class Survey(models.Model):
    """One follow-up of one closing of a case (a reopened and closed-again case is followed up again)."""

    SCOPE_FIELD = "scope_key"

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="surveys")
    closed_at = models.DateTimeField("所回访的结案时间", db_index=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    attitude = models.PositiveSmallIntegerField("态度", null=True, blank=True)
    efficiency = models.PositiveSmallIntegerField("效率", null=True, blank=True)
    result = models.PositiveSmallIntegerField("结果满意度", null=True, blank=True)
    resolved = models.BooleanField("问题已解决", null=True, blank=True)
    remark = models.CharField("意见", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("联系次数", default=1)
    # the unit the follow-up is about, kept as at the closing (a reopen clears the case's department)
    department = models.ForeignKey("accounts.Department", verbose_name="主办部门", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    street_code = models.CharField("街道", max_length=9, db_index=True)
    scope_key = models.CharField("范围键", max_length=100, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("回访时间")

    class Meta:
        verbose_name = verbose_name_plural = "满意度回访"
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "closed_at"], name="evaluation_one_survey_per_closing")]

    def __str__(self):
        return f"{self.case_id} {self.get_outcome_display()}"

    @staticmethod
    def department_scope(department_id: int) -> models.Q:
        """A department's handlers see the surveys of the cases it handled."""
        return models.Q(department_id=department_id)


class CallAttempt(models.Model):
    """A phone call that did not reach the person (kept; the MAX_ATTEMPTS-th makes the survey 无法联系)."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="+")
    closed_at = models.DateTimeField("所回访的结案时间")
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "回访未接通记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "closed_at"], name="evaluation_attempt_closing")]


class RateeKind(models.TextChoices):
    DEPARTMENT = "department", "专业部门（街道评部门）"
    CENTRE = "centre", "区指挥中心派遣（部门评中心）"


class Dimension(models.Model):
    """A dimension of the two-way ratings (data: the administrator edits it, audited)."""

    ratee_kind = models.CharField("被评对象", max_length=12, choices=RateeKind.choices)
    key = models.CharField("代码", max_length=32)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "双向评价维度"
        ordering = ["ratee_kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["ratee_kind", "key"], name="evaluation_dimension_key")]

    def __str__(self):
        return self.name


class Rating(models.Model):
    """One rater's rating of one ratee for one month (a second one replaces it while the window is open)."""

    period = models.CharField("月份", max_length=7, db_index=True)
    district_code = models.CharField("区县", max_length=6)
    rater_kind = models.CharField("评价方", max_length=12)  # "street" | "department"
    rater_code = models.CharField("评价单位", max_length=32)
    ratee_kind = models.CharField("被评对象", max_length=12, choices=RateeKind.choices)
    ratee_code = models.CharField("被评单位", max_length=32)
    scores = models.JSONField("各维度分")
    remark = models.CharField("意见", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("评价时间")
    revision = models.PositiveSmallIntegerField("修改次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "条块双向评价"
        ordering = ["period", "ratee_kind", "ratee_code", "rater_code"]
        constraints = [models.UniqueConstraint(fields=["period", "rater_code", "ratee_kind", "ratee_code"],
                                               name="evaluation_one_rating")]
