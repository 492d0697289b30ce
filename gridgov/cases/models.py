"""Cases (案件) and everything that hangs on one: reports, photos, timeline, assists, routing, alerts.

The lifecycle itself is data in ``logic/lifecycle.py``; only ``services.py`` writes these tables.
"""

from django.conf import settings
from django.db import models

from gridgov.catalog.logic.deadlines import URGENCY_LABELS

from .logic.levels import DEPARTMENT, ENTRY_LABELS, LEVEL_LABELS
from .logic.lifecycle import STAGE_LABELS, STATE_LABELS, State


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员巡查"
    INSPECTOR = "inspector", "监督员上报"
    RESIDENT = "resident", "居民上报"
    HOTLINE = "hotline", "12345 热线"
    SENSOR = "sensor", "智能设备"
    LEADER = "leader", "领导交办"
    MEDIA = "media", "媒体曝光"
    INSPECTION = "inspection", "检查发现"  # a failed checklist item or a 回头看 (gridgov.inspection)


# the urgencies are defined once, with the deadline rules that depend on them (catalog/logic/deadlines.py)
Urgency = models.TextChoices("Urgency", [(code.upper(), (code, label)) for code, label in URGENCY_LABELS.items()])


STATUS_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]
SETTLED_CHOICES = [(k, v) for k, v in LEVEL_LABELS.items()] + [(DEPARTMENT, "专业部门")]
STAGE_CHOICES = [(s.value, label) for s, label in STAGE_LABELS.items()]


class Case(models.Model):
    """案件: one reported problem going through the loop."""

    SCOPE_FIELD = "scope_key"

    number = models.CharField("案件编号", max_length=32, unique=True)
    district = models.ForeignKey("geo.Jurisdiction", verbose_name="区县", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=State.REPORTED.value,
                              db_index=True)
    version = models.PositiveIntegerField("版本", default=1)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    matter = models.ForeignKey("catalog.CatalogItem", verbose_name="事项/部件类别", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="cases")
    component = models.ForeignKey("catalog.Component", verbose_name="部件", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="cases")
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    unit_grid = models.ForeignKey("geo.Grid", verbose_name="单元网格", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    management_grid = models.ForeignKey("geo.Grid", verbose_name="管理网格", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    community = models.ForeignKey("geo.Jurisdiction", verbose_name="社区", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True)
    area_class = models.CharField("区域类别", max_length=1, default="B")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reported_cases")
    first_contact = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="首接负责人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="first_contact_cases")
    assignee_department = models.ForeignKey("accounts.Department", verbose_name="主办部门", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="cases")
    assignee_node = models.CharField("承办层级", max_length=40, blank=True, db_index=True)
    handler_ids = models.JSONField("处置人", default=list, blank=True)
    pending_request = models.CharField("待审批申请", max_length=12, blank=True)
    pending_amount = models.DecimalField("申请延期时长", max_digits=8, decimal_places=2, null=True, blank=True)
    verified = models.BooleanField("已核实", default=False)
    followed_up = models.BooleanField("已回访", default=False)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    urge_count = models.PositiveSmallIntegerField("督办次数", default=0)
    merged_into = models.ForeignKey("self", verbose_name="合并到", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_cases")
    # levels (网格 → 社区 → 街道 → 区 → 市): the nodes that sent the case down (下派), innermost last, so 上报上级 goes
    # back to the level that sent it; and the level at which it was settled (办结层级), set when it is handled
    sent_down_from = models.JSONField("下派来源层级", default=list, blank=True)
    settled_level = models.CharField("办结层级", max_length=12, blank=True, choices=SETTLED_CHOICES)

    # the running stage clock (due times of past stages are kept in the timeline)
    stage = models.CharField("当前环节", max_length=10, choices=STAGE_CHOICES, blank=True)
    stage_seq = models.PositiveIntegerField("环节序号", default=0)
    stage_started_at = models.DateTimeField("环节开始", null=True, blank=True)
    stage_amount = models.DecimalField("环节时限", max_digits=8, decimal_places=2, null=True, blank=True)
    stage_unit = models.CharField("时限单位", max_length=16, blank=True)
    stage_due_at = models.DateTimeField("环节到期", null=True, blank=True, db_index=True)
    stage_yellow_at = models.DateTimeField("黄灯时间", null=True, blank=True, db_index=True)
    stage_pauses = models.JSONField("暂停区间", default=list, blank=True)
    paused_at = models.DateTimeField("挂账开始", null=True, blank=True)
    warned_level = models.PositiveSmallIntegerField("已预警级别", default=0, help_text="0 无，1 黄灯，2 红灯")
    handle_due_at = models.DateTimeField("处置到期", null=True, blank=True)
    # kpi: the stages that ended after their due time (one bit per stage, ``gridgov.kpi.logic.indicators.
    # STAGE_BITS``; set by ``services.clock`` when a stage ends) — 按期结案 holds over every stage of the case
    late_stages = models.PositiveSmallIntegerField("超时环节", default=0)
    # kpi: working hours from 派遣 (自行处置: from 上报) to the last 处置 (平均处理时间), set when it is handled
    handle_hours = models.FloatField("处理用时（工作小时）", null=True, blank=True)

    reported_at = models.DateTimeField("上报时间", db_index=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派遣时间", null=True, blank=True)
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    inspected_at = models.DateTimeField("核查时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["status", "stage_due_at"]),
            models.Index(fields=["matter", "status", "lon", "lat"]),
            models.Index(fields=["assignee_department", "status"]),
            # the leader dashboard (gridgov/dashboard/queries.py, `gridgov bench pages`): each count of a period
            # reads only its period's rows from one of these, without touching the table (covering indexes)
            # kpi: the same indexes carry what gridgov/kpi/queries.py counts of each period (`gridgov bench kpi`)
            models.Index(fields=["reported_at", "scope_key", "assignee_department", "registered_at"],
                         name="case_reported_kpi"),
            models.Index(fields=["registered_at", "scope_key", "assignee_department", "source", "closed_at",
                                 "late_stages"], name="case_registered_kpi"),
            # (with the cohorts' start and the management grid: the roll-up's partial month of 应结案 / 应处理 for a
            # period ending inside a month, gridgov/analytics/figures.py; and the 办结层级 the dashboard counts)
            models.Index(fields=["closed_at", "scope_key", "assignee_department", "late_stages", "satisfaction",
                                 "registered_at", "management_grid", "source", "matter"], name="case_closed_kpi"),
            models.Index(fields=["handled_at", "scope_key", "assignee_department", "rework_count", "handle_hours",
                                 "settled_level", "handle_due_at", "management_grid", "source", "matter"],
                         name="case_handled_kpi"),
            models.Index(fields=["dispatched_at", "scope_key", "assignee_department", "late_stages"],
                         name="case_dispatched_kpi"),
            models.Index(fields=["handle_due_at", "scope_key", "assignee_department", "handled_at"],
                         name="case_handle_due_kpi"),
            # the open cases' counts (dashboard, overdue board, queue tabs) from the index alone, the lights'
            # columns (running: stage, paused_at; red: stage_due_at; yellow: stage_yellow_at) included — at 10 M
            # cases with 200 k open, reading the table for ``stage`` cost 147 k page reads
            models.Index(fields=["status", "scope_key", "assignee_department", "management_grid", "stage_due_at",
                                 "paused_at", "stage", "stage_yellow_at"], name="case_open_lights"),
        ]

    def __str__(self):
        return self.number

    @staticmethod
    def department_scope(department_id: int) -> models.Q:
        """A department's handlers see the cases sent to their department, as lead (主办) or assistant (协办)."""
        assisted = CaseAssist.objects.filter(department_id=department_id).values("case_id")
        return models.Q(assignee_department_id=department_id) | models.Q(pk__in=assisted)

    def sent_to(self, department_id: int) -> bool:
        """``department_scope`` for this one case (accounts.scope.may_see): no query when it is the lead."""
        return self.assignee_department_id == department_id or CaseAssist.objects.filter(
            case_id=self.pk, department_id=department_id).exists()

    # ---- matters: restricted classes (accounts.scope applies these to every scoped read of cases) ----
    @staticmethod
    def restriction_scope(user) -> models.Q | None:
        """Cases of a restricted class (信访, 治安/维稳) are hidden from posts without its right — except their own
        reports."""
        from gridgov.catalog.cache import hidden_matter_ids

        hidden = hidden_matter_ids(user)
        if not hidden:
            return None
        return ~models.Q(matter_id__in=sorted(hidden)) | models.Q(reporter_id=user.pk)

    def visible_to(self, user) -> bool:
        """``restriction_scope`` for this one case."""
        from gridgov.catalog.cache import hidden_matter_ids

        return self.matter_id is None or self.reporter_id == user.pk or self.matter_id not in hidden_matter_ids(user)
    # ---- end matters ----


class CaseReport(models.Model):
    """One report of the problem (a case keeps every report, also those merged into it)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="reports")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reporter_name = models.CharField("联系人", max_length=50, blank=True)
    # the reporter's phone: encrypted at rest (gridgov.crypto), shown masked
    reporter_phone_cipher = models.BinaryField("联系电话（密文）", blank=True, default=b"")
    reporter_phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    # keyed blind index of the phone (gridgov.crypto): a person's reports found by their phone (查询、复制)
    reporter_phone_index = models.CharField("联系电话索引", max_length=40, blank=True)
    description = models.TextField("描述")
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    address = models.CharField("地址", max_length=200, blank=True)
    client_key = models.CharField("客户端幂等键", max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "上报记录"
        ordering = ["created_at", "id"]
        # exact look-up only (no LIKE-pattern twin on PostgreSQL, as for residents' phones)
        indexes = [models.Index(fields=["reporter_phone_index"], name="cases_report_phone")]


class PhotoKind(models.TextChoices):
    REPORT = "report", "上报照片"
    VERIFY = "verify", "核实照片"
    FEEDBACK = "feedback", "处置照片"
    INSPECT = "inspect", "核查照片"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("类型", max_length=10, choices=PhotoKind.choices)
    storage_key = models.CharField("存储键", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("字节数")
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    sha256 = models.CharField(max_length=64)
    exif_lon = models.FloatField("照片经度", null=True, blank=True)
    exif_lat = models.FloatField("照片纬度", null=True, blank=True)
    taken_at = models.CharField("拍摄时间", max_length=32, blank=True)
    # integrity: the perceptual hash (dHash, 16 hex digits) that finds the same photo reused on another case
    dhash = models.CharField("感知哈希", max_length=16, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件照片"
        ordering = ["id"]


class CaseEvent(models.Model):
    """The timeline: one row per thing that happened to the case."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=50, blank=True)
    role = models.CharField("岗位", max_length=20, blank=True)
    at = models.DateTimeField("时间")
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件过程"
        ordering = ["at", "id"]
        # kpi: the timeline's events of a period (核实, 核查, 派遣, 退回, 裁定) are read by time
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["at", "action"], name="caseevent_at_action")]


class CaseAssist(models.Model):
    """协办: a department that assists the lead department on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assists")
    department = models.ForeignKey("accounts.Department", verbose_name="协办部门", on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "协办部门"
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="assist_unique")]


class CaseCounter(models.Model):
    """Daily sequence of case numbers per district (110101-20261123-0042)."""

    district_code = models.CharField(max_length=6)
    day = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district_code", "day"], name="case_counter_unique")]


class CaseAlert(models.Model):
    """A deadline warning sent for a stage of a case: each level at most once per stage instance."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=10, choices=STAGE_CHOICES)
    stage_seq = models.PositiveIntegerField()
    level = models.CharField(max_length=6, choices=[("yellow", "黄灯预警"), ("red", "红灯超期")])
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "时限预警"
        constraints = [models.UniqueConstraint(fields=["case", "stage_seq", "level"], name="alert_once")]


class RoutingRule(models.Model):
    """派遣规则: (matter × level × area class) → department, or a lower level of the tree."""

    LEVELS = [("district", "区级指挥中心"), ("street", "街道分中心")]
    TARGET_LEVELS = [("", "—"), ("street", "街道"), ("community", "社区"), ("grid", "网格")]

    matter = models.ForeignKey("catalog.CatalogItem", verbose_name="事项", null=True, blank=True,
                               on_delete=models.CASCADE, help_text="空：所有事项")
    level = models.CharField("派遣层级", max_length=10, choices=LEVELS, default="district")
    area_class = models.CharField("区域类别", max_length=1, blank=True, help_text="空：所有区域")
    department = models.ForeignKey("accounts.Department", verbose_name="处置部门", null=True, blank=True,
                                   on_delete=models.CASCADE)
    target_level = models.CharField("下派到", max_length=10, choices=TARGET_LEVELS, blank=True)
    priority = models.IntegerField("优先级", default=0, help_text="大者优先")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派遣规则"
        ordering = ["-priority", "id"]


class RoutingDecision(models.Model):
    """Every routing suggestion and what the dispatcher chose (feeds 准确派遣率)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="routing")
    at = models.DateTimeField()
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suggested_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+")
    suggested_node = models.CharField(max_length=40, blank=True)
    chosen_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    chosen_node = models.CharField(max_length=40, blank=True)
    overridden = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "派遣决定"
        ordering = ["at", "id"]


class SavedView(models.Model):
    """保存的视图: a named set of filters of the case queue, kept per person (one-click tabs)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="saved_case_views")
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=1000, blank=True, help_text="查询字符串，如 status=registered")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "保存的视图"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")]

    def __str__(self):
        return self.name


class EntryRule(models.Model):
    """上报入口规则 (levels): where a report of a class or matter, from a source, enters — with the 网格长 of its grid
    (受理第一人, community-first) or at the district centre (数字城管, as before). The most specific active rule wins
    (matter over class over any; a named source over any; then priority); no rule: the centre."""

    major = models.CharField("事项大类", max_length=2, blank=True, help_text="大类代码两位，如 50 矛盾纠纷类；空：所有大类")
    matter = models.ForeignKey("catalog.CatalogItem", verbose_name="事项", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+", help_text="空：该大类的所有事项")
    source = models.CharField("来源", max_length=12, blank=True, choices=Source.choices, help_text="空：所有来源")
    level = models.CharField("入口", max_length=8, choices=list(ENTRY_LABELS.items()))
    priority = models.IntegerField("优先级", default=0, help_text="同样具体时大者优先")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上报入口规则"
        ordering = ["major", "matter__code", "source", "id"]

    def __str__(self):
        what = self.matter.code if self.matter_id else (self.major or "全部")
        return f"{what} · {self.get_source_display() or '所有来源'} → {self.get_level_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.major and not (self.major.isdigit() and len(self.major) == 2):
            raise ValidationError({"major": "大类代码应为两位数字"})
