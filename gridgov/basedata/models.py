"""The basic data of the territory (人、地、物、事、组织): buildings, dwellings, households, residents,
organisations, key populations, visits, the field diary, 六必访 rules, and the access log.

Every scoped row carries ``scope_key`` copied from its unit grid (``<management grid>.<unit grid>``, see
``gridgov.geo.models.Grid``), so the accounts scoping primitive applies by prefix. ID numbers and phones are
stored encrypted (``*_cipher``, AES-GCM, see ``crypto.py``), with a keyed blind index (``*_index``) for exact
look-up and a masked copy (``*_masked``) for display; the plain value is never stored.
"""

from django.conf import settings
from django.db import models


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围键", max_length=100, blank=True, editable=False,
                                 help_text="所在单元网格的范围键：<管理网格>.<单元网格>")

    class Meta:
        abstract = True
        # one index serving both equality and prefix (LIKE 'x%') look-ups; opclasses apply on PostgreSQL only
        indexes = [models.Index(fields=["scope_key"], name="%(app_label)s_%(class)s_scope", opclasses=["varchar_pattern_ops"])]


class Building(Scoped):
    """楼栋: a building with its address and location; it knows its grid from its location."""

    code = models.CharField("楼栋编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    unit_grid = models.CharField("单元网格", max_length=20, blank=True, db_index=True)
    management_grid = models.CharField("管理网格", max_length=24, blank=True)
    community_code = models.CharField("社区代码", max_length=12, blank=True)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采集人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("采集时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "楼栋"
        ordering = ["code"]

    def __str__(self):
        return self.name or self.address


class DwellingUse(models.TextChoices):
    OWNER = "owner", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    COMMERCIAL = "commercial", "商用"


class Dwelling(Scoped):
    """房屋/户室: one dwelling of a building — 单元 (stairway/entrance), floor, room."""

    building = models.ForeignKey(Building, verbose_name="楼栋", on_delete=models.PROTECT, related_name="dwellings")
    code = models.CharField("房屋编码", max_length=60, unique=True)
    unit_no = models.CharField("单元", max_length=10, blank=True)
    floor = models.SmallIntegerField("楼层", default=1)
    room = models.CharField("室号", max_length=20)
    use = models.CharField("用途", max_length=10, choices=DwellingUse.choices, default=DwellingUse.OWNER)
    area_m2 = models.DecimalField("建筑面积(平方米)", max_digits=8, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采集人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("采集时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "房屋"
        ordering = ["code"]

    def __str__(self):
        unit = f"{self.unit_no}单元" if self.unit_no else ""
        return f"{self.building}{unit}{self.room}室"


class Household(Scoped):
    """一户一档: a household's file — its members, its dwelling, its visits (and cases, later)."""

    number = models.CharField("户编号", max_length=40)
    dwelling = models.ForeignKey(Dwelling, verbose_name="房屋", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="households")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "户（一户一档）"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["number"], name="basedata_household_number_unique")]

    def __str__(self):
        return self.number


class RegistrationType(models.TextChoices):
    HUKOU = "hukou", "户籍"
    FLOATING = "floating", "流动"
    FOREIGN = "foreign", "境外"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    OTHER = "other", "其他"


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", "在住"
    CANCELLED = "cancelled", "已注销"
    MOVED_OUT = "moved_out", "已迁出"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Resident(Scoped):
    """实有人口: a person living in the territory. ID number and phone are encrypted at rest."""

    name = models.CharField("姓名", max_length=50)
    id_cipher = models.BinaryField("身份证号（密文）", editable=False)
    id_index = models.CharField("身份证号索引", max_length=40, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone_cipher = models.BinaryField("手机号（密文）", blank=True, default=b"", editable=False)
    phone_index = models.CharField("手机号索引", max_length=40, blank=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    reg_type = models.CharField("人口类型", max_length=10, choices=RegistrationType.choices,
                                default=RegistrationType.HUKOU)
    household = models.ForeignKey(Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="members")
    relation = models.CharField("与户主关系", max_length=10, choices=Relation.choices, default=Relation.OTHER)
    dwelling = models.ForeignKey(Dwelling, verbose_name="居住房屋", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="residents")
    status = models.CharField("状态", max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE)
    moved_in = models.DateField("迁入日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采集人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField("采集时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "实有人口"
        ordering = ["id"]
        # exact-match indexes as constraints/indexes (no LIKE-pattern twin on PostgreSQL: they are never prefix-searched)
        constraints = [models.UniqueConstraint(fields=["id_index"], name="basedata_resident_id_unique")]
        indexes = [*Scoped.Meta.indexes, models.Index(fields=["phone_index"], name="basedata_resident_phone")]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"


class EventKind(models.TextChoices):
    ADD = "add", "新增"
    CANCEL = "cancel", "注销"
    MOVE = "move", "迁移"
    UPDATE = "update", "变更"
    CORRECT = "correct", "更正"


class ResidentEvent(Scoped):
    """人口变动: 新增 / 注销 / 迁移 (and 变更) with date and reason — the history, never overwritten."""

    # history rows are append-only and residents are never deleted: no database-level constraint check per row
    resident = models.ForeignKey(Resident, verbose_name="人员", on_delete=models.PROTECT, related_name="events",
                                 db_constraint=False)
    kind = models.CharField("变动类型", max_length=10, choices=EventKind.choices)
    date = models.DateField("变动日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    from_key = models.CharField("迁出范围键", max_length=100, blank=True)
    to_key = models.CharField("迁入范围键", max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False)
    # 更正 (个人信息保护法 第四十六条): which field was corrected, its old and new value — masked, never plain
    # (database defaults: the bulk import writes history rows with its own column list, gridgov/basedata/fastsql.py)
    field_name = models.CharField("更正字段", max_length=20, blank=True, db_default="")
    old_masked = models.CharField("原值（脱敏）", max_length=60, blank=True, db_default="")
    new_masked = models.CharField("新值（脱敏）", max_length=60, blank=True, db_default="")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "人口变动记录"
        ordering = ["resident_id", "date", "id"]
        indexes = [models.Index(fields=["created_at"], name="basedata_residentevent_created")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    SOCIAL = "social", "社会组织"
    PUBLIC = "public", "机关事业单位"


class Organisation(Scoped):
    """实有单位/法人: an organisation with its unified social credit code."""

    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("类型", max_length=12, choices=OrgKind.choices, default=OrgKind.ENTERPRISE)
    address = models.CharField("地址", max_length=200)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    building = models.ForeignKey(Building, verbose_name="所在楼栋", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="organisations")
    unit_grid = models.CharField("单元网格", max_length=20, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone_cipher = models.BinaryField("联系电话（密文）", blank=True, default=b"", editable=False)
    contact_phone_masked = models.CharField("联系电话", max_length=11, blank=True, editable=False)
    opened_on = models.DateField("成立/入驻日期", null=True, blank=True)
    closed_on = models.DateField("注销/迁出日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采集人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("采集时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "实有单位"
        ordering = ["credit_code"]

    def __str__(self):
        return self.name


class KeyCategory(models.Model):
    """重点人群类别 (独居老人、残疾人、困难群体、社区矫正…): configured by an administrator; sensitive —
    visible only to the posts granted the category; each with its own visit frequency."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    visit_interval_days = models.PositiveSmallIntegerField("走访周期(天)", default=30)
    roles = models.JSONField("可见岗位", default=list, blank=True, help_text="可查看此类别的岗位编码列表")
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点人群类别"
        ordering = ["code"]

    def __str__(self):
        return self.name


class KeyTag(Scoped):
    """重点人群标记: one resident in one category, from a date (until a date when lifted)."""

    resident = models.ForeignKey(Resident, verbose_name="人员", on_delete=models.PROTECT, related_name="tags")
    category = models.ForeignKey(KeyCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="tags")
    since = models.DateField("标记日期")
    until = models.DateField("解除日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="标记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "重点人群"
        ordering = ["category_id", "resident_id"]
        constraints = [models.UniqueConstraint(fields=["resident", "category"], condition=models.Q(until__isnull=True),
                                               name="basedata_keytag_one_open")]

    def __str__(self):
        return f"{self.category}"


class Visit(Scoped):
    """走访: who visited whom, when, where, what was raised, the follow-up, optionally a case."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT,
                               related_name="basedata_visits")
    household = models.ForeignKey(Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="visits")
    resident = models.ForeignKey(Resident, verbose_name="走访对象", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits")
    organisation = models.ForeignKey(Organisation, verbose_name="走访单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField("走访时间", db_index=True)
    place = models.CharField("地点", max_length=200, blank=True)
    issues = models.TextField("反映问题", blank=True)
    follow_up = models.TextField("跟进情况", blank=True)
    case_number = models.CharField("关联案件编号", max_length=40, null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_at", "-id"]

    def __str__(self):
        return f"{self.visited_at:%Y-%m-%d} {self.worker}"


class DiaryEntry(Scoped):
    """民情日记: a grid worker's log of residents' concerns."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="网格员", on_delete=models.PROTECT,
                               related_name="diary_entries")
    date = models.DateField("日期", db_index=True)
    content = models.TextField("内容")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "民情日记"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.worker}"


class VisitRule(models.Model):
    """六必访规则: an event in a household (death, illness, hardship, dispute…) that must be visited within N days."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    within_days = models.PositiveSmallIntegerField("须在几天内走访", default=3)
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "六必访规则"
        ordering = ["code"]

    def __str__(self):
        return self.name


class VisitTrigger(Scoped):
    """必访事项: a rule met by a household on a date; due by ``due_on``; done when a visit is linked."""

    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.PROTECT, related_name="triggers")
    rule = models.ForeignKey(VisitRule, verbose_name="规则", on_delete=models.PROTECT, related_name="triggers")
    occurred_on = models.DateField("发生日期")
    due_on = models.DateField("应访日期", db_index=True)
    note = models.CharField("说明", max_length=200, blank=True)
    visit = models.ForeignKey(Visit, verbose_name="完成走访", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="triggers")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "必访事项"
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.rule} {self.occurred_on}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("访问日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("访问日志只能追加，不能删除")


class AccessAction(models.TextChoices):
    UNMASK = "unmask", "查看明文"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    SEARCH = "search", "查询"


class AccessLog(Scoped):
    """个人信息访问日志: every unmasking, export and import — who, what, why, when. Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, on_delete=models.SET_NULL,
                             related_name="+")
    username = models.CharField("账号", max_length=150)
    action = models.CharField("操作", max_length=10, choices=AccessAction.choices)
    target = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象", max_length=40, blank=True)
    fields = models.CharField("字段", max_length=100, blank=True)
    count = models.PositiveIntegerField("条数", default=1)
    reason = models.CharField("事由", max_length=200, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "个人信息访问日志"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("访问日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("访问日志只能追加，不能删除")


class ImportStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    REJECTED = "rejected", "有错误，未写入"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class ImportJob(models.Model):
    """一次导入: progress an API client can poll, and the report of every bad row (no personal data)."""

    SCOPE_FIELD = "scope_key"

    register = models.CharField("登记簿", max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL,
                             related_name="+")
    scope_key = models.CharField("范围键", max_length=100, blank=True, editable=False)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    skip_bad = models.BooleanField("跳过错误行", default=False)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    phase = models.CharField("阶段", max_length=20, blank=True)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    skipped = models.PositiveIntegerField("跳过", default=0)
    errors = models.JSONField("错误行", default=list, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.register} #{self.pk}"
