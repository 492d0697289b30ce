"""Campaigns (专项行动), assigned tasks (专项工作), drills (演练) and meetings (例会).

Every row carries ``scope_key``: the node of the tree it belongs to (a jurisdiction code, a management grid's
code) or, for a department, its district's code — so the scoping primitive (``accounts.scope``) applies by
prefix and a grid move re-keys it (``geo.rekey``). A campaign is keyed by its issuing office, a responsible unit,
a task and a progress report by the unit; a task also keeps its issuer's key (``issuer_key``) so that the sender
sees what it sent (the proxy ``IssuedTask`` scopes by it). Written only by ``services``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)

    class Meta:
        abstract = True


class Campaign(Scoped):
    """专项行动: an action issued by an office (a node of the tree or a department) to responsible units, in phases,
    with monthly progress reports due on a fixed day of the month (seed 003 篇6: 每月27日前)."""

    name = models.CharField("行动名称", max_length=200)
    summary = models.TextField("工作目标与重点", blank=True)
    issuer_name = models.CharField("发起单位", max_length=100)
    issuer_department = models.ForeignKey("accounts.Department", verbose_name="发起部门", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    report_day = models.PositiveSmallIntegerField("每月上报日", default=27,
                                                  validators=[MinValueValidator(1), MaxValueValidator(31)],
                                                  help_text="每月此日（含）前上报本月进展；当月没有这一天时为月末")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "专项行动"
        ordering = ["-start", "-id"]

    def __str__(self):
        return self.name


class PhaseKind(models.TextChoices):
    DEPLOY = "deploy", "动员部署"
    IMPLEMENT = "implement", "检查实施"
    SUMMARY = "summary", "总结"
    LONG_TERM = "long_term", "长效监管"


class Phase(models.Model):
    """阶段 of a campaign (部署 / 实施 / 总结 / 长效) with its dates; ``reporting``: monthly reports are due in it."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项行动", on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField("阶段", max_length=12, choices=PhaseKind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="留空表示长期")
    reporting = models.BooleanField("本阶段按月上报进展", default=False)
    note = models.CharField("要求", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专项行动阶段"
        ordering = ["start", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="tasks_phase_once")]

    def __str__(self):
        return self.get_kind_display()


class Unit(Scoped):
    """责任单位 of a campaign: a street, community or grid (``scope_key`` is its code) or a department."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项行动", on_delete=models.CASCADE, related_name="units")
    department = models.ForeignKey("accounts.Department", verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField("单位名称", max_length=100)
    duty = models.CharField("职责", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "责任单位"
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def code(self) -> str:
        return self.department.code if self.department_id else self.scope_key


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", "待办理"
    SUBMITTED = "submitted", "已反馈待审核"
    ACCEPTED = "accepted", "已通过"
    RETURNED = "returned", "已退回"


class Task(Scoped):
    """任务: work sent down by an office to one unit with a deadline — a 专项工作 on its own, or one unit's task in a
    campaign. The unit answers with feedback (text and an attachment); the sender accepts it or returns it."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项行动", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="tasks")
    title = models.CharField("任务", max_length=200)
    detail = models.TextField("要求", blank=True)
    deadline = models.DateField("完成期限", db_index=True)
    # the unit (scope_key: its node code, or its department's district)
    department = models.ForeignKey("accounts.Department", verbose_name="承办部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("承办单位", max_length=100)
    # the sender
    issuer_key = models.CharField("发起单位范围键", max_length=100, db_index=True, editable=False)
    issuer_department = models.ForeignKey("accounts.Department", verbose_name="发起部门", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField("发起单位", max_length=100)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="派发人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("派发时间", default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    feedback = models.TextField("办理反馈", blank=True)
    attachment_key = models.CharField("附件", max_length=200, blank=True, editable=False)
    attachment_name = models.CharField("附件名", max_length=200, blank=True)
    attachment_type = models.CharField("附件类型", max_length=60, blank=True, editable=False)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.CharField("审核意见", max_length=500, blank=True)
    overdue_notified_at = models.DateTimeField("逾期提醒时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "任务"
        ordering = ["deadline", "id"]

    def __str__(self):
        return f"{self.title}（{self.unit_name}）"

    @staticmethod
    def department_scope(department_id) -> Q:
        """A department's staff see the tasks sent to it and those it sent."""
        return Q(department_id=department_id) | Q(issuer_department_id=department_id)


class IssuedTask(Task):
    """The same tasks, scoped by their sender (what an office sent down)."""

    SCOPE_FIELD = "issuer_key"

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "已派发任务"


class Report(Scoped):
    """进展报告: one unit's monthly report in a campaign — what was done and its figures (检查车辆 120, 查处 5 …)."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项行动", on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.CASCADE, related_name="reports")
    period = models.DateField("月份", help_text="该月 1 日")
    text = models.TextField("工作开展情况")
    figures = models.JSONField("数据", default=dict, blank=True)
    submitted_at = models.DateTimeField("上报时间", default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "进展报告"
        ordering = ["period", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="tasks_report_once_a_month")]

    def __str__(self):
        return f"{self.unit} {self.period:%Y-%m}"


class DrillKind(models.TextChoices):
    FIRE = "fire", "消防疏散演练"
    DISASTER = "disaster", "防灾减灾应急疏散演练"
    FLOOD = "flood", "防汛演练"
    EARTHQUAKE = "earthquake", "地震避险演练"
    OTHER = "other", "其他应急演练"


class Drill(Scoped):
    """演练: an emergency drill — plan (type, date, place, organiser), participants, photos, findings and the follow-up
    actions (seed 003 篇5: 社区与共建单位进行防灾减灾应急疏散演练 … 积累经验，查找不足)."""

    kind = models.CharField("演练类型", max_length=12, choices=DrillKind.choices)
    title = models.CharField("名称", max_length=200)
    planned_on = models.DateField("计划日期")
    place = models.CharField("地点", max_length=200)
    organiser_name = models.CharField("组织单位", max_length=100)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组织人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    participants = models.TextField("参加单位和人员", blank=True)
    participant_count = models.PositiveIntegerField("参加人数", default=0)
    held_on = models.DateField("实际演练日期", null=True, blank=True)
    findings = models.TextField("发现的问题与不足", blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "应急演练"
        ordering = ["-planned_on", "-id"]

    def __str__(self):
        return self.title


class DrillPhoto(models.Model):
    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="photos")
    key = models.CharField("存储键", max_length=200, editable=False)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "演练照片"
        ordering = ["id"]


class DrillAction(models.Model):
    """整改措施: one follow-up action from a drill's findings."""

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="actions")
    action = models.CharField("整改措施", max_length=500)
    responsible = models.CharField("责任人或单位", max_length=100, blank=True)
    due = models.DateField("完成期限", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "演练整改措施"
        ordering = ["id"]


class Meeting(Scoped):
    """例会: a regular meeting (seed 003 篇1 每周例会制; 篇4 例会纪要会后发送给与会成员) — date, members, agenda,
    minutes; the minutes are sent to the members, who confirm reading them."""

    title = models.CharField("会议名称", max_length=200)
    held_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=200, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="召集人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    agenda = models.TextField("议题", blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    minutes_sent_at = models.DateTimeField("纪要发送时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "例会"
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return self.title


class MeetingMember(models.Model):
    """A member of a meeting: when the minutes were sent to them and when they confirmed reading."""

    meeting = models.ForeignKey(Meeting, verbose_name="例会", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="参会人", on_delete=models.CASCADE,
                             related_name="meetings")
    sent_at = models.DateTimeField("纪要送达时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "参会人"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="tasks_member_once")]
