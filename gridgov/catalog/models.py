"""GB/T 47678.5-2026 管理部件和管理事项: the catalog, legacy codes, deadline rules and component instances.

The catalog and the shipped defaults are loaded by a data migration (``loading.load_catalog``); the local
parts (department, 立案/结案条件, deadlines) are edited by an administrator. Component instances are written
only by ``services``.
"""

from django.db import models
from django.db.models import Q

from gridgov.geo.models import AreaClass
from gridgov.worktime.logic import sla

from .logic import deadlines as dl
from .logic.codes import is_local_code


class Kind(models.TextChoices):
    COMPONENT = "component", "管理部件"
    MATTER = "matter", "管理事项"


class CatalogItem(models.Model):
    """管理部件或管理事项的分类 (class code = 2-digit major + 3-digit minor). Matter majors 01–05 ("<部件>异常")
    share the component's code, hence unique on (kind, code)."""

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    code = models.CharField("分类代码", max_length=5)
    major_code = models.CharField("大类代码", max_length=2)
    major_name = models.CharField("大类名称", max_length=50)
    minor_code = models.CharField("小类代码", max_length=3)
    name = models.CharField("名称", max_length=50)
    default_department = models.CharField(
        "建议主管部门", max_length=100, blank=True, help_text="本地建议的处置/主管部门，不属于国家标准"
    )
    register_condition = models.TextField("立案条件", blank=True)
    close_condition = models.TextField("结案条件", blank=True)
    active = models.BooleanField("启用", default=True)
    # the open catalog (area: matters): who may read cases of this class — "" open, or a right (accounts.roles)
    restricted_right = models.CharField("可见权限", max_length=40, blank=True, default="",
                                        help_text="留空 = 不限；填写权限（如 cases.restricted）则只有具备该权限的岗位可见此类案件")

    class Meta:
        verbose_name = verbose_name_plural = "部件与事项分类"
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="catalog_item_kind_code_unique")]
        indexes = [models.Index(fields=["kind", "major_code"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_local(self) -> bool:
        """本地事项: a class in the local code range (major 50–99), beside GB/T 47678.5."""
        return is_local_code(self.code)


class LegacyCode(models.Model):
    """旧标准分类代码 (CJ/T 214-2007 部件 4 位代码, 旧事件分类) and the GB/T 47678.5 class it maps to."""

    class Method(models.TextChoices):
        RULE = "rule", "编码规则"
        NAME = "name", "名称一致"
        SYNONYM = "synonym", "名称对应"
        MANUAL = "manual", "人工指定"
        NONE = "", "无对应"

    scheme = models.CharField("代码体系", max_length=20)
    code = models.CharField("旧代码", max_length=10)
    name = models.CharField("旧名称", max_length=100)
    major_name = models.CharField("旧大类", max_length=50, blank=True)
    item = models.ForeignKey(
        CatalogItem, verbose_name="对应新分类", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="legacy_codes",
    )
    method = models.CharField("对应依据", max_length=10, choices=Method.choices, blank=True, default="")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "旧分类代码对照"
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="legacy_code_unique")]

    def __str__(self):
        return f"{self.scheme}:{self.code} {self.name}"


# a rule's urgency and area class: "" (不限, any) or one of the case's urgencies / the grid's area classes,
# which are defined once (logic/deadlines.py URGENCY_LABELS, geo.models.AreaClass)
Urgency = models.TextChoices("Urgency", [("ANY", ("", "不限"))] + [
    (code.upper(), (code, label)) for code, label in dl.URGENCY_LABELS.items()])
AreaClassFilter = models.TextChoices("AreaClassFilter", [("ANY", ("", "不限"))] + [
    (c.name, (c.value, c.label)) for c in AreaClass])



# the stages are defined once, in logic/deadlines.py; these are their Django choices
Stage = models.TextChoices("Stage", [(s.name, (s.value, dl.STAGE_LABELS[s])) for s in dl.Stage])


# the units are defined once, in worktime/logic/sla.py (code and label); these are their Django choices
TimeUnit = models.TextChoices("TimeUnit", [(u.name, (u.value, label)) for u, label in sla.UNIT_LABELS.items()])


class DeadlineRule(models.Model):
    """时限规则: how long a stage may take, by matter, urgency and area class (empty = any; the most specific wins,
    see ``logic.deadlines``)."""

    matter = models.ForeignKey(
        CatalogItem, verbose_name="事项", null=True, blank=True, on_delete=models.CASCADE, related_name="deadline_rules",
        limit_choices_to={"kind": Kind.MATTER}, help_text="留空 = 所有事项",
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, blank=True, default="")
    area_class = models.CharField("区域类别", max_length=1, choices=AreaClassFilter.choices, blank=True, default="")
    stage = models.CharField("环节", max_length=10, choices=Stage.choices)
    amount = models.DecimalField("时限", max_digits=8, decimal_places=2)
    unit = models.CharField("单位", max_length=15, choices=TimeUnit.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限规则"
        ordering = ["stage", "matter__code", "urgency", "area_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "urgency", "area_class", "stage"], condition=Q(matter__isnull=False),
                name="deadline_rule_unique_matter", violation_error_message="该事项已有相同紧急程度、区域类别和环节的时限规则",
            ),
            models.UniqueConstraint(
                fields=["urgency", "area_class", "stage"], condition=Q(matter__isnull=True),
                name="deadline_rule_unique_generic", violation_error_message="已有相同紧急程度、区域类别和环节的通用时限规则",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deadline_rule_amount_positive",
                                   violation_error_message="时限必须大于 0"),
        ]

    def __str__(self):
        who = self.matter.name if self.matter_id else "所有事项"
        extra = "".join(f"·{x}" for x in (self.get_urgency_display() if self.urgency else "",
                                          self.area_class and f"{self.area_class}类区域") if x)
        return f"{who}{extra}·{self.get_stage_display()}：{self.amount.normalize():f} {self.get_unit_display()}"


class ComponentStatus(models.TextChoices):
    INTACT = "intact", "完好"
    DAMAGED = "damaged", "破损"
    LOST = "lost", "丢失"
    ABANDONED = "abandoned", "废弃"
    REMOVED = "removed", "移除"


class Component(models.Model):
    """管理部件 (an instance): 17-digit code = 6-digit division + 5-digit class + 6-digit serial, located in a unit grid."""

    SCOPE_FIELD = "scope_key"

    code = models.CharField("部件标识码", max_length=17, unique=True)
    item = models.ForeignKey(
        CatalogItem, verbose_name="部件分类", on_delete=models.PROTECT, related_name="components",
        limit_choices_to={"kind": Kind.COMPONENT},
    )
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    grid = models.ForeignKey(
        "geo.Grid", verbose_name="所在单元网格", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="components", help_text="网格重新生成后为空，由 relocate_components 重新定位",
    )
    community = models.ForeignKey(
        "geo.Jurisdiction", verbose_name="所在社区", on_delete=models.PROTECT, related_name="components"
    )
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    owner = models.CharField("权属单位", max_length=100, blank=True)
    maintainer = models.CharField("养护单位", max_length=100, blank=True)
    status = models.CharField("部件状态", max_length=10, choices=ComponentStatus.choices, default=ComponentStatus.INTACT)
    note = models.TextField("备注", blank=True)
    created = models.DateTimeField("初始日期", auto_now_add=True)
    updated = models.DateTimeField("变更日期", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "管理部件"
        ordering = ["code"]
        indexes = [models.Index(fields=["lon", "lat"]), models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.code} {self.item.name}"


class ComponentSerial(models.Model):
    """部件顺序码: the last serial handed out per (division, class); never reused, even after a deletion."""

    division = models.CharField("行政区划代码", max_length=6)
    class_code = models.CharField("分类代码", max_length=5)
    last = models.PositiveIntegerField("已用顺序码", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "部件顺序码"
        constraints = [models.UniqueConstraint(fields=["division", "class_code"], name="component_serial_unique")]

    def __str__(self):
        return f"{self.division}{self.class_code}: {self.last}"
