"""Inspections with checklists (监督检查): checklist templates, plans and their targets, inspections item by item,
回头看 (revisits of closed cases) and 门前三包 responsibility agreements.

Templates are configuration (shipped by a data migration, edited by an administrator through ``services``);
every other row is scoped by ``scope_key`` (the key of the place: a unit grid's ``<management grid>.<unit grid>``,
or a node of the tree for a plan), so the accounts scoping primitive applies by prefix. Only ``services`` writes.
"""

from django.conf import settings
from django.db import models

from .logic.compliance import ANSWERS
from .logic.defaults import KINDS
from .logic.schedule import FREQUENCIES


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围键", max_length=100, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["scope_key"], name="%(app_label)s_%(class)s_scope",
                                opclasses=["varchar_pattern_ops"])]


class ChecklistTemplate(models.Model):
    """检查表模板: a named checklist (消防、企业安全环保、养殖场、园区、门前三包…)."""

    code = models.CharField("模板代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类别", max_length=12, choices=list(KINDS.items()), default="other")
    active = models.BooleanField("启用", default=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查表模板"
        ordering = ["code"]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """检查项: one line of a checklist and the matter to file when it fails."""

    template = models.ForeignKey(ChecklistTemplate, verbose_name="模板", on_delete=models.CASCADE,
                                 related_name="items")
    code = models.CharField("检查项代码", max_length=10)
    text = models.CharField("检查内容", max_length=200)
    matter_code = models.CharField("不合格时上报的事项", max_length=5, help_text="事项分类代码（5 位）")
    photo_required = models.BooleanField("不合格须拍照", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查项"
        ordering = ["template", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="inspection_item_code_unique")]

    def __str__(self):
        return f"{self.code} {self.text}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", FREQUENCIES["weekly"]
    MONTHLY = "monthly", FREQUENCIES["monthly"]
    QUARTERLY = "quarterly", FREQUENCIES["quarterly"]
    HALF_YEARLY = "half_yearly", FREQUENCIES["half_yearly"]
    YEARLY = "yearly", FREQUENCIES["yearly"]


class Plan(Scoped):
    """监督检查计划: targets inspected with one template, at a frequency, by an inspector (a person, or any holder
    of a post within the plan's area)."""

    name = models.CharField("计划名称", max_length=100)
    template = models.ForeignKey(ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT,
                                 related_name="plans")
    frequency = models.CharField("检查频次", max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="inspection_plans")
    inspector_role = models.CharField("检查岗位", max_length=20, blank=True,
                                      help_text="未指定检查人时：该岗位在计划范围内的人员均可检查")
    start_on = models.DateField("开始日期")
    active = models.BooleanField("执行中", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "监督检查计划"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class TargetKind(models.TextChoices):
    ORGANISATION = "organisation", "单位"
    BUILDING = "building", "楼栋"
    GRID = "grid", "网格"
    COMPONENT = "component", "部件"


class Target(Scoped):
    """检查对象: an organisation, building, grid or component on a plan (its place copied at the time)."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField("对象类型", max_length=12, choices=TargetKind.choices)
    organisation = models.ForeignKey("basedata.Organisation", verbose_name="单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("basedata.Building", verbose_name="楼栋", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("geo.Grid", verbose_name="网格", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    component = models.ForeignKey("catalog.Component", verbose_name="部件", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=200)
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    start_on = models.DateField("纳入日期")
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "检查对象"
        ordering = ["plan", "name", "id"]

    def __str__(self):
        return self.name


class FrontageAgreement(Scoped):
    """门前三包责任书 (seed 001 篇2): a shop's responsibility for the pavement in front of it — 市容整洁, 秩序, 绿化."""

    organisation = models.ForeignKey("basedata.Organisation", verbose_name="责任单位", on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField("责任单位名称", max_length=200)
    frontage = models.CharField("责任区", max_length=200, help_text="如：门前至路缘石，东西各 5 米")
    clean = models.BooleanField("包市容整洁", default=True)
    orderly = models.BooleanField("包秩序", default=True)
    green = models.BooleanField("包绿化", default=True)
    signed_on = models.DateField("签订日期")
    expires_on = models.DateField("到期日期", null=True, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "门前三包责任书"
        ordering = ["name", "id"]
        # the inherited name (inspection_frontageagreement_scope) is over Django's 30 characters: `gridgov migrate`
        # refused to run (models.E034)
        indexes = [models.Index(fields=["scope_key"], name="inspection_frontage_scope",
                                opclasses=["varchar_pattern_ops"])]
        constraints = [models.UniqueConstraint(fields=["organisation", "signed_on"],
                                               name="inspection_frontage_once_per_signing")]

    def __str__(self):
        return f"{self.name}（门前三包）"


class Outcome(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"
    EMPTY = "empty", "无可判定项"


class Inspection(Scoped):
    """检查记录: one inspection of a plan's target or of a 门前三包 agreement, item by item."""

    template = models.ForeignKey(ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT,
                                 related_name="inspections")
    target = models.ForeignKey(Target, verbose_name="检查对象", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="inspections")
    agreement = models.ForeignKey(FrontageAgreement, verbose_name="门前三包责任书", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="inspections")
    place = models.CharField("检查对象", max_length=200)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    inspector_name = models.CharField("检查人姓名", max_length=50, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    inspected_at = models.DateTimeField("检查时间", db_index=True)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    failed_count = models.PositiveSmallIntegerField("不合格项数", default=0)
    note = models.TextField("备注", blank=True)
    client_key = models.CharField("客户端幂等键", max_length=64, unique=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-inspected_at", "-id"]

    def __str__(self):
        return f"{self.template.name} · {self.place}"


class Answer(models.Model):
    """检查结果项: the answer to one item (合格 / 不合格 / 不适用), and the case its failure filed."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", on_delete=models.CASCADE,
                                   related_name="answers")
    item = models.ForeignKey(ChecklistItem, verbose_name="检查项", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField("结果", max_length=4, choices=list(ANSWERS.items()))
    note = models.CharField("说明", max_length=500, blank=True)
    case = models.OneToOneField("cases.Case", verbose_name="上报案件", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="inspection_answer")

    class Meta:
        verbose_name = verbose_name_plural = "检查结果项"
        ordering = ["inspection", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_answer_once")]


class AnswerPhoto(models.Model):
    """A photo of an answer, kept through the photo store of the cases (``cases.storage``)."""

    answer = models.ForeignKey(Answer, verbose_name="检查结果项", on_delete=models.CASCADE, related_name="photos")
    storage_key = models.CharField("存储键", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("字节数")
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "检查照片"
        ordering = ["id"]


class Revisit(Scoped):
    """回头看: a closed case's place inspected again — did the problem come back? If so, a new case."""

    case = models.ForeignKey("cases.Case", verbose_name="原案件", on_delete=models.PROTECT, related_name="revisits")
    recurred = models.BooleanField("问题复发")
    note = models.CharField("说明", max_length=500, blank=True)
    new_case = models.OneToOneField("cases.Case", verbose_name="新立案件", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="revisit_source")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    inspector_name = models.CharField("检查人姓名", max_length=50, blank=True)
    visited_at = models.DateTimeField("回访时间")
    client_key = models.CharField("客户端幂等键", max_length=64, unique=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "回头看"
        ordering = ["-visited_at", "-id"]
