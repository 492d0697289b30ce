"""值班与应急 (duty and emergencies): 应急预案 as data and their activations on cases, the 24-hour 值班 roster
(shifts and who is on them), and the 交班记录 the outgoing shift writes. Only ``services`` writes these tables.

A 预案's match (matter codes / majors) and its checklist are configuration: defaults are shipped by a data
migration and edited in the admin through the services. Centres are nodes of the tree (a district's centre, or a
street's 分中心): a shift and a handover note carry the centre's code as their scope key.
"""

from django.conf import settings
from django.db import models

from .logic.roster import DUTY_ROLE_LABELS


class EmergencyPlan(models.Model):
    """应急预案: which matters start it (when a case of one is filed as urgent), its checklist of steps and who is
    told."""

    code = models.CharField("预案代码", max_length=30, unique=True)
    name = models.CharField("预案名称", max_length=100)
    matter_codes = models.JSONField("适用事项代码", default=list, blank=True,
                                    help_text="5 位事项代码，如 [\"52001\", \"09012\"]")
    majors = models.JSONField("适用事项大类", default=list, blank=True, help_text="2 位大类代码，如 [\"52\"]")
    notify_posts = models.JSONField("通知岗位", default=list, blank=True,
                                    help_text="岗位代码（shift_leader、grid_leader…）：案件所在区、街道、社区、网格上的这些岗位")
    notify_departments = models.JSONField("通知部门", default=list, blank=True, help_text="部门编码")
    notify_users = models.JSONField("通知人员", default=list, blank=True, help_text="账号")
    notify_on_duty = models.BooleanField("通知当班人员", default=True,
                                         help_text="案件所在区中心和街道分中心此刻在班的人员")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急预案"
        ordering = ["code"]

    def __str__(self):
        return self.name


class PlanStep(models.Model):
    """预案步骤: one ordered step of a plan's checklist, with who is responsible and its time limit."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name="预案", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("步骤", max_length=100)
    responsible = models.CharField("责任岗位/部门", max_length=50)
    minutes = models.PositiveIntegerField("时限（分钟）", help_text="自预案启动起")

    class Meta:
        verbose_name = verbose_name_plural = "预案步骤"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="duty_step_order_unique")]

    def __str__(self):
        return f"{self.order}. {self.title}"


class Activation(models.Model):
    """预案启动: a plan started for one case — its steps to tick and whom it told. One per (plan, case)."""

    SCOPE_FIELD = "scope_key"

    class Status(models.TextChoices):
        ACTIVE = "active", "处置中"
        FINISHED = "finished", "已完成"

    plan = models.ForeignKey(EmergencyPlan, verbose_name="预案", on_delete=models.PROTECT, related_name="activations")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    trigger = models.CharField("启动方式", max_length=10, choices=[("intake", "上报自动启动"), ("manual", "值班人员启动")])
    started_at = models.DateTimeField("启动时间", db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="启动人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    told = models.JSONField("已通知", default=list, blank=True, help_text="被通知人员的账号")

    class Meta:
        verbose_name = verbose_name_plural = "预案启动"
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "case"], name="duty_activation_once")]

    def __str__(self):
        return f"{self.plan} · {self.case_id}"


class ActivationStep(models.Model):
    """One step of an activation: copied from the plan when it starts, ticked by the duty staff (who, when, note)."""

    activation = models.ForeignKey(Activation, verbose_name="预案启动", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("步骤", max_length=100)
    responsible = models.CharField("责任岗位/部门", max_length=50)
    due_at = models.DateTimeField("时限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="完成人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("情况说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预案步骤记录"
        ordering = ["activation", "order"]
        constraints = [models.UniqueConstraint(fields=["activation", "order"], name="duty_activation_step_unique")]


class Shift(models.Model):
    """值班班次: one shift of a centre (the district's 指挥中心 or a street's 分中心), from start to end."""

    SCOPE_FIELD = "centre"

    centre = models.CharField("值班中心", max_length=12, db_index=True, help_text="区或街道代码")
    date = models.DateField("值班日期")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "值班班次"
        ordering = ["centre", "starts_at"]
        indexes = [models.Index(fields=["centre", "starts_at", "ends_at"], name="duty_shift_span")]

    def __str__(self):
        return f"{self.centre} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftMember(models.Model):
    """One person on a shift, as 带班领导, 值班长 or 值班员."""

    shift = models.ForeignKey(Shift, verbose_name="班次", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE, related_name="+")
    duty_role = models.CharField("值班职责", max_length=10, choices=list(DUTY_ROLE_LABELS.items()))

    class Meta:
        verbose_name = verbose_name_plural = "值班人员"
        ordering = ["shift", "duty_role", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "user"], name="duty_member_once")]


class Handover(models.Model):
    """交班记录: what the outgoing shift hands over, for a centre and a day."""

    SCOPE_FIELD = "centre"

    centre = models.CharField("值班中心", max_length=12, db_index=True)
    day = models.DateField("日期", db_index=True)
    shift = models.ForeignKey(Shift, verbose_name="班次", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="handovers")
    text = models.TextField("交班内容")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交班人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "交班记录"
        ordering = ["day", "written_at", "id"]
