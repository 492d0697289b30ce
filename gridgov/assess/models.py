"""考评 (assessment, seed 003 篇7 专项考评实施细则): schemes as data, reviewer judgements and the units' evidence,
scoring runs with their revisions and results, and appeals (申诉).

The assessed units are the district's streets (镇街), keyed by their 9-digit code (``unit_code``, the scope key of
their rows). A run keeps the whole facts document it scored, so any revision can be re-checked by hand with
``gridgov assess score``.
"""

from django.conf import settings
from django.db import models

from .logic.scheme import METHODS, RULES


class Scheme(models.Model):
    """考评方案: parts → items, each with points, a method, a rule, its parameters and tiers."""

    name = models.CharField("方案名称", max_length=100)
    basis = models.CharField("依据", max_length=200, blank=True)
    district_code = models.CharField("适用区县", max_length=12, blank=True, help_text="空：任何区县")
    total = models.FloatField("总分", default=100)
    params = models.JSONField("方案参数", default=dict, blank=True,
                              help_text="申诉期限（工作日）、奖励经费总额、差额拨付比例等")
    based_on = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    shipped = models.BooleanField("随系统提供", default=False, help_text="随系统提供的方案不能修改，请复制后修改")
    active = models.BooleanField("当前使用", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评方案"
        ordering = ["-active", "id"]

    def __str__(self):
        return f"{self.name}（第 {self.version} 版）"


class Part(models.Model):
    """考评部分 (体系建设, 数据维护更新, 案件管理 …)."""

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.CASCADE, related_name="parts")
    no = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=50)
    points = models.FloatField("分值")

    class Meta:
        verbose_name = verbose_name_plural = "考评部分"
        ordering = ["scheme", "no"]
        constraints = [models.UniqueConstraint(fields=["scheme", "no"], name="assess_part_unique_no")]

    def __str__(self):
        return f"{self.no}. {self.name}（{self.points:g} 分）"


class Item(models.Model):
    """考评项: points, how it is assessed (method), the rule that scores it and the rule's parameters."""

    part = models.ForeignKey(Part, verbose_name="部分", on_delete=models.CASCADE, related_name="items")
    key = models.CharField("键名", max_length=40)
    name = models.CharField("名称", max_length=50)
    points = models.FloatField("分值")
    cap = models.FloatField("封顶", help_text="该项最高得分（等于分值）")
    method = models.CharField("考评方式", max_length=20, choices=list(METHODS.items()))
    rule = models.CharField("计分规则", max_length=30, choices=[(k, v[0]) for k, v in RULES.items()])
    params = models.JSONField("规则参数", default=dict, blank=True)
    tiers = models.JSONField("各档分值", default=list, blank=True)
    tier_labels = models.JSONField("档位名称", default=list, blank=True)
    content = models.TextField("考评内容", blank=True)
    order = models.PositiveSmallIntegerField("次序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考评项"
        ordering = ["part__no", "order"]

    def __str__(self):
        return f"{self.name}（{self.points:g} 分）"


class Evidence(models.Model):
    """佐证材料: what a unit submits for a material item (text and files)."""

    SCOPE_FIELD = "unit_code"

    period = models.CharField("考评月份", max_length=7, db_index=True)
    unit_code = models.CharField("考评对象", max_length=12, db_index=True)
    item_key = models.CharField("考评项", max_length=40)
    text = models.TextField("说明", max_length=4000)
    files = models.JSONField("附件", default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["-at", "-id"]


class Judgement(models.Model):
    """专人评判: the tier (or points) a reviewer set for one unit's item, from a month on. Items of parts 1, 2, 4, 5, 6
    carry forward month to month within the year until changed (003 篇7 第四条 「根据完成进度每月考评时更新」)."""

    SCOPE_FIELD = "unit_code"

    period = models.CharField("自考评月份", max_length=7, db_index=True)
    unit_code = models.CharField("考评对象", max_length=12, db_index=True)
    item_key = models.CharField("考评项", max_length=40)
    tier = models.PositiveSmallIntegerField("档位", null=True, blank=True)
    points = models.FloatField("分值", null=True, blank=True)
    receiver = models.BooleanField("专人接收", null=True, blank=True)
    remark = models.CharField("评语", max_length=500)
    evidence = models.ForeignKey(Evidence, verbose_name="依据材料", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    source = models.CharField("来源", max_length=100, blank=True, help_text="如：申诉 #3")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评判人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("评判时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "专人评判"
        ordering = ["-period", "-id"]


class Run(models.Model):
    """考评计算: one revision of a month's scores for a district, with the facts it scored and the results."""

    period = models.CharField("考评月份", max_length=7, db_index=True)
    district_code = models.CharField("区县", max_length=12)
    revision = models.PositiveIntegerField("修订版次")
    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.PROTECT, related_name="runs")
    scheme_version = models.PositiveIntegerField("方案版本")
    facts = models.JSONField("考评数据")
    result = models.JSONField("考评结果")
    reason = models.CharField("修订原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("计算时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考评计算"
        ordering = ["-period", "-revision"]
        constraints = [models.UniqueConstraint(fields=["district_code", "period", "revision"],
                                               name="assess_run_unique_revision")]

    def __str__(self):
        return f"{self.period} 第 {self.revision} 版"


class Result(models.Model):
    """One unit's score in a run: items (points, explanation, source), parts, total, rank."""

    SCOPE_FIELD = "unit_code"

    run = models.ForeignKey(Run, verbose_name="考评计算", on_delete=models.CASCADE, related_name="results")
    unit_code = models.CharField("考评对象", max_length=12, db_index=True)
    unit_name = models.CharField("名称", max_length=100)
    items = models.JSONField("各项得分")
    parts = models.JSONField("各部分得分")
    total = models.FloatField("总分")
    rank = models.PositiveIntegerField("名次")

    class Meta:
        verbose_name = verbose_name_plural = "考评结果"
        ordering = ["run", "rank", "unit_code"]


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待裁定"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "驳回"


class Appeal(models.Model):
    """申诉: a unit contests one item's score of a published month; a reviewer rules."""

    SCOPE_FIELD = "unit_code"

    run = models.ForeignKey(Run, verbose_name="被申诉的考评", on_delete=models.PROTECT, related_name="appeals")
    period = models.CharField("考评月份", max_length=7, db_index=True)
    unit_code = models.CharField("考评对象", max_length=12, db_index=True)
    item_key = models.CharField("考评项", max_length=40)
    reason = models.TextField("申诉理由", max_length=4000)
    files = models.JSONField("附件", default=list, blank=True)
    old_points = models.FloatField("原得分")
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    ruling = models.TextField("裁定意见", blank=True)
    corrected = models.JSONField("改正的输入", default=dict, blank=True)
    points = models.FloatField("改正的分值", null=True, blank=True)
    new_points = models.FloatField("新得分", null=True, blank=True)
    new_run = models.ForeignKey(Run, verbose_name="重新计算", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申诉人", null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField("申诉时间", auto_now_add=True)
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="裁定人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    ruled_at = models.DateTimeField("裁定时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉"
        ordering = ["-at", "-id"]
