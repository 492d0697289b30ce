"""人员网格 (grids of people; issue #17 item 6): an organisation — a school, a company, a park operator — divided into
groups without geometry (班级 → 寝室, 公司 → 班组), each with members and a responsible cadre (班干部/负责人); notices
with confirmation per group, 假期去向 and the return check, 例会 every two weeks with minutes, and members' reports that
enter the case loop (seed 003 篇4). Beside them, dynamic groups of residents by conditions over the basic data, with a
responsible person (seed 000).

An organisation sits in one management grid (its ``scope_key``): whoever may see that grid may see it and everything
hanging on it. Members' phones are kept like other personal data (encrypted, shown masked); whereabouts' places are
shown in full only to posts that manage groups, each such reading logged. Only ``services`` writes these tables.
"""

from django.conf import settings
from django.db import models

from .logic import returns as rl

KINDS = {"school": "学校", "company": "企业", "park": "园区", "other": "其他"}


class Organisation(models.Model):
    """人员网格单位: a school, a company, a park operator."""

    SCOPE_FIELD = "scope_key"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=list(KINDS.items()), default="school")
    scope_key = models.CharField("所在网格（范围键）", max_length=100, db_index=True, editable=False)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    address = models.CharField("地址", max_length=200, blank=True)
    head = models.CharField("负责人（班主任/负责人）", max_length=50, blank=True)
    meeting_start = models.DateField("例会起始日期", null=True, blank=True)
    meeting_every = models.PositiveSmallIntegerField("例会间隔（天）", default=14)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员网格单位"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Group(models.Model):
    """人员网格: a group of an organisation (班级, 寝室, 班组…), nested under a parent group."""

    SCOPE_FIELD = "organisation__scope_key"

    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="groups")
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    name = models.CharField("名称", max_length=50)
    cadre = models.ForeignKey("Member", verbose_name="负责人（班干部）", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads")

    class Meta:
        verbose_name = verbose_name_plural = "人员网格"
        ordering = ["organisation_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="groups_group_name_unique")]

    def __str__(self):
        return self.name


class Member(models.Model):
    """成员: a person of an organisation in one group; optionally a resident of the basic data or a user account."""

    SCOPE_FIELD = "organisation__scope_key"

    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="members")
    group = models.ForeignKey(Group, verbose_name="所在网格", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=20, blank=True, help_text="如 班长、寝室长、组长")
    phone_cipher = models.BinaryField("手机号（密文）", blank=True, default=b"", editable=False)
    phone_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    phone_index = models.CharField("手机号索引", max_length=40, blank=True, editable=False)
    resident = models.ForeignKey("basedata.Resident", verbose_name="实有人口", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="group_memberships")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "成员"
        ordering = ["group_id", "id"]

    def __str__(self):
        return self.name


class Notice(models.Model):
    """通知: to all groups of an organisation or some; each group's cadre confirms for the group."""

    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="notices")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", blank=True)
    confirm_by = models.DateField("确认期限", null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.title


class Receipt(models.Model):
    """一个网格对通知的确认 (empty ``confirmed_at``: not yet confirmed — shown as missing)."""

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="receipts")
    group = models.ForeignKey(Group, verbose_name="网格", on_delete=models.CASCADE, related_name="receipts")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认登记人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey(Member, verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "通知确认"
        ordering = ["group__name", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "group"], name="groups_receipt_unique")]


class Holiday(models.Model):
    """假期: its dates and the day everyone who left must be back by."""

    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="holidays")
    name = models.CharField("名称", max_length=50)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    return_due_on = models.DateField("返回截止日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "假期"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class Whereabouts(models.Model):
    """假期去向 of one member (personal data: the place is shown masked to posts that only read groups)."""

    holiday = models.ForeignKey(Holiday, verbose_name="假期", on_delete=models.CASCADE, related_name="whereabouts")
    member = models.ForeignKey(Member, verbose_name="成员", on_delete=models.CASCADE, related_name="whereabouts")
    plan = models.CharField("去向", max_length=10, choices=list(rl.PLANS.items()))
    place = models.CharField("去向地点", max_length=100, blank=True)
    leave_on = models.DateField("离开日期", null=True, blank=True)
    back_on = models.DateField("计划返回日期", null=True, blank=True)
    returned_on = models.DateField("实际返回日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "假期去向"
        ordering = ["member__group__name", "member_id"]
        constraints = [models.UniqueConstraint(fields=["holiday", "member"], name="groups_whereabouts_unique")]


class Meeting(models.Model):
    """例会 with its minutes, for one scheduled day."""

    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="meetings")
    scheduled_for = models.DateField("计划日期")
    held_on = models.DateField("召开日期")
    minutes = models.TextField("会议纪要")
    recorder = models.CharField("记录人", max_length=50, blank=True)
    attendees = models.PositiveSmallIntegerField("到会人数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "例会"
        ordering = ["-scheduled_for", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "scheduled_for"],
                                               name="groups_meeting_per_day")]


class GroupReport(models.Model):
    """A problem reported from a group page: the case it became, with the organisation and group as its source."""

    group = models.ForeignKey(Group, verbose_name="网格", on_delete=models.PROTECT, related_name="reports")
    member = models.ForeignKey(Member, verbose_name="反映人", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="group_report")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报账号", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员网格上报"
        ordering = ["-created_at", "-id"]


class DynamicGroup(models.Model):
    """动态人群网格: residents of a place who meet stored conditions, recomputed whenever it is read."""

    SCOPE_FIELD = "scope_key"

    name = models.CharField("名称", max_length=50)
    scope_key = models.CharField("范围（社区或网格）", max_length=100, db_index=True)
    conditions = models.JSONField("条件", default=list)
    responsible = models.CharField("负责人", max_length=50)
    responsible_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人账号", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "动态人群网格"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name
