"""The jurisdiction tree (市/区/街道/社区), grid layers, grids and the 五定 of each grid.

Geometries are stored as GeoJSON text in WGS84 lon/lat (no GIS extension needed on SQLite or
PostgreSQL), with their bounding box in indexed columns for bounding-box queries.
"""

import json

from django.conf import settings
from django.db import models


class Level(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区(县)"
    STREET = "street", "街道(乡镇)"
    COMMUNITY = "community", "社区(村)"


class BoundarySource(models.TextChoices):
    NONE = "none", "无边界"
    IMPORTED = "imported", "导入"
    GENERATED = "generated", "自动生成"


class GeometryMixin(models.Model):
    geometry = models.TextField("边界(GeoJSON)", blank=True)
    area_m2 = models.FloatField("面积(平方米)", null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def set_shape(self, shape, area_m2: float) -> None:
        """Store a shapely geometry (lon/lat) with its bounding box and area."""
        from shapely.geometry import mapping

        self.geometry = json.dumps(mapping(shape), separators=(",", ":"))
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape.bounds
        self.area_m2 = area_m2

    @property
    def shape(self):
        from shapely.geometry import shape

        return shape(json.loads(self.geometry)) if self.geometry else None


class Jurisdiction(GeometryMixin):
    """辖区: a node of the tree — 市, 区(县), 街道(乡镇) or 社区(村) — with its national statistical code."""

    SCOPE_FIELD = "code"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary_source = models.CharField(
        "边界来源", max_length=10, choices=BoundarySource.choices, default=BoundarySource.NONE
    )
    boundary_note = models.TextField("边界说明", blank=True)
    lattice = models.JSONField("单元网格格网", null=True, blank=True, help_text="origin_lon, origin_lat, step_lon, step_lat")

    class Meta:
        verbose_name = verbose_name_plural = "辖区"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class LayerKind(models.TextChoices):
    UNIT = "unit", "单元网格"
    MANAGEMENT = "management", "管理网格"
    THEMATIC = "thematic", "专题网格"


class GridLayer(models.Model):
    """网格图层: unit grids, management grids, or a thematic layer (环保, 消防, 园区…)."""

    code = models.SlugField("图层编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=LayerKind.choices)
    description = models.TextField("说明", blank=True)
    revision = models.CharField("版本", max_length=32, default="", editable=False,
                                help_text="每次网格变化都会换一个新值，定位索引据此重建")

    class Meta:
        verbose_name = verbose_name_plural = "网格图层"
        ordering = ["id"]

    def __str__(self):
        return self.name


class GridClass(models.TextChoices):
    ONE = "1", "一类网格"
    TWO = "2", "二类网格"
    THREE = "3", "三类网格"


class GridType(models.TextChoices):
    STREET = "street", "街巷型"
    COMPOUND = "compound", "楼院型"
    UNIT = "unit", "单位型"


class AreaClass(models.TextChoices):
    """区域类别: sets deadlines (A 核心区 / B 一般区 / C 其他)."""

    A = "A", "A类（核心区）"
    B = "B", "B类（一般区）"
    C = "C", "C类（其他区域）"


class Grid(GeometryMixin):
    """网格: one cell of a layer, belonging to exactly one community."""

    SCOPE_FIELD = "scope_key"

    layer = models.ForeignKey(GridLayer, verbose_name="图层", on_delete=models.PROTECT, related_name="grids")
    code = models.CharField("网格编码", max_length=40)
    name = models.CharField("名称", max_length=100, blank=True)
    community = models.ForeignKey(
        Jurisdiction, verbose_name="所属社区", on_delete=models.PROTECT, related_name="grids"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级网格", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text="单元网格所属的管理网格；专题图层的上一级网格",
    )
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    grid_class = models.CharField("网格类别", max_length=1, choices=GridClass.choices, default=GridClass.TWO)
    grid_type = models.CharField("网格类型", max_length=10, choices=GridType.choices, default=GridType.STREET)
    area_class = models.CharField("区域类别", max_length=1, choices=AreaClass.choices, default=AreaClass.B)
    households = models.PositiveIntegerField("户数", default=0)
    households_estimated = models.BooleanField("户数为估算", default=True)
    generated = models.BooleanField("自动生成", default=False)
    # gridchange: since when this grid is in force (网格调整生效时间); empty for grids made before history was kept
    valid_from = models.DateTimeField("启用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["layer_id", "code"]
        constraints = [models.UniqueConstraint(fields=["layer", "code"], name="grid_code_unique_in_layer")]
        indexes = [models.Index(fields=["layer", "min_lon", "min_lat"]), models.Index(fields=["layer", "community"])]

    def __str__(self):
        return f"{self.name or self.code}"


class Post(models.TextChoices):
    """定岗: the post a person holds in a grid."""

    GRID_WORKER = "grid_worker", "专职网格员"
    PART_TIME = "part_time", "兼职网格员"
    GRID_LEADER = "grid_leader", "网格长"
    SUPERVISOR = "grid_supervisor", "网格督导员"
    INSPECTOR = "inspector", "监督员"
    POLICE = "police", "社区民警"


class GridDuty(models.Model):
    """五定: 定人 (person), 定岗 (post), 定区域 (the grid), 定时间 (duty hours), 定标准 (standard)."""

    SCOPE_FIELD = "grid__scope_key"

    grid = models.ForeignKey(Grid, verbose_name="网格(定区域)", on_delete=models.CASCADE, related_name="duties")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员(定人)", on_delete=models.PROTECT, related_name="duties"
    )
    post = models.CharField("岗位(定岗)", max_length=20, choices=Post.choices)
    duty_hours = models.CharField("在岗时间(定时间)", max_length=100, default="周一至周五 8:30–17:30")
    standard = models.TextField("工作标准(定标准)", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格五定"
        ordering = ["grid_id", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "person", "post"], name="duty_unique")]

    def __str__(self):
        return f"{self.grid} · {self.get_post_display()} · {self.person}"


# ---------------------------------------------------------------- gridchange: grid changes keep history


class ChangeKind(models.TextChoices):
    REGENERATE = "regenerate", "重新生成"
    MERGE = "merge", "合并网格"
    SPLIT = "split", "拆分网格"
    REDRAW = "redraw", "重新划定"
    WORKLOAD = "workload", "按工作量划分"


class ChangeStatus(models.TextChoices):
    PLANNED = "planned", "方案（未实施）"
    APPLIED = "applied", "已实施"


class GridChange(models.Model):
    """网格调整方案: a proposed new division of an area's unit and management grids with its impact; applied once.

    ``proposal`` holds the new grids (unit grids and management grids as groups of unit grids); ``impact`` what
    would move where (computed when planned, by the same code that applies it); ``basis`` the fingerprint of the
    area's grids when planned — a plan whose area changed since is stale and is refused.
    """

    SCOPE_FIELD = "node_code"

    node_code = models.CharField("调整范围", max_length=40, db_index=True)
    node_name = models.CharField("范围名称", max_length=100)
    kind = models.CharField("调整类型", max_length=12, choices=ChangeKind.choices)
    title = models.CharField("方案名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PLANNED)
    basis = models.CharField("现状指纹", max_length=64)
    parameters = models.JSONField("参数", default=dict, blank=True)
    proposal = models.JSONField("新网格", default=dict)
    impact = models.JSONField("影响分析", default=dict)
    counts = models.JSONField("实施结果", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编制人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="实施人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField("实施时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格调整方案"
        ordering = ["-id"]

    def __str__(self):
        return self.title


class RetiredGrid(models.Model):
    """历史网格: a unit or management grid retired by a change (valid until ``valid_to``), with its 五定 then."""

    SCOPE_FIELD = "key"

    change = models.ForeignKey(GridChange, verbose_name="调整方案", on_delete=models.PROTECT, related_name="retired")
    layer = models.CharField("图层", max_length=40)
    code = models.CharField("网格编码", max_length=40, db_index=True)
    name = models.CharField("名称", max_length=100, blank=True)
    community_code = models.CharField("所属社区", max_length=12)
    key = models.CharField("原范围键", max_length=100, db_index=True)
    parent_code = models.CharField("原管理网格", max_length=40, blank=True)
    geometry = models.TextField("边界(GeoJSON)")
    households = models.PositiveIntegerField("户数", default=0)
    duties = models.JSONField("原五定", default=list, blank=True)
    valid_from = models.DateTimeField("启用时间", null=True, blank=True)
    valid_to = models.DateTimeField("停用时间")

    class Meta:
        verbose_name = verbose_name_plural = "历史网格"
        ordering = ["layer", "code"]

    def __str__(self):
        return f"{self.code}（已停用）"


class GridMapping(models.Model):
    """新旧网格对照: where an old grid's area went (share of the old grid's area), per change."""

    SCOPE_FIELD = "old_key"

    change = models.ForeignKey(GridChange, verbose_name="调整方案", on_delete=models.PROTECT, related_name="mappings")
    layer = models.CharField("图层", max_length=40)
    old_code = models.CharField("原网格", max_length=40, db_index=True)
    old_key = models.CharField("原范围键", max_length=100)
    new_code = models.CharField("新网格", max_length=40, db_index=True)
    share = models.FloatField("面积占比")

    class Meta:
        verbose_name = verbose_name_plural = "新旧网格对照"
        ordering = ["change_id", "layer", "old_code", "-share"]

    def __str__(self):
        return f"{self.old_code} → {self.new_code}（{self.share:.0%}）"


class RowMapping(models.Model):
    """历史案件对照表 (seed 003 篇7): each case (and each row of a model listed in ``rekey.MAPPED``) that a change
    moved — its grids before and after, so a case filed under an old grid code is found under the new one."""

    SCOPE_FIELD = "new_key"

    change = models.ForeignKey(GridChange, verbose_name="调整方案", on_delete=models.PROTECT, related_name="rows")
    model = models.CharField("类型", max_length=60)
    label = models.CharField("编号", max_length=60, db_index=True)
    old_key = models.CharField("原范围键", max_length=100)
    new_key = models.CharField("新范围键", max_length=100)
    old_unit_grid = models.CharField("原单元网格", max_length=40, blank=True)
    old_management_grid = models.CharField("原管理网格", max_length=40, blank=True, db_index=True)
    new_unit_grid = models.CharField("新单元网格", max_length=40, blank=True)
    new_management_grid = models.CharField("新管理网格", max_length=40, blank=True)
    state = models.CharField("当时状态", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史案件对照表"
        ordering = ["change_id", "label"]

    def __str__(self):
        return f"{self.label}：{self.old_management_grid} → {self.new_management_grid}"
