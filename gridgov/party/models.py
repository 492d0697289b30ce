"""党建引领 (party building on the grids): 网格党支部/党小组 on the grids, the restricted 党员 attribute of residents,
党员报到 to the community where they live with their 承诺 and 入户 visits, and 帮扶对子 with their visits.

Party membership is restricted personal data: it lives here, keyed to basedata's ``Resident`` (basedata's models know
nothing of it), is read only with ``party.view`` and every read is written to basedata's access log
(``services.py``). Every scoped row carries ``scope_key`` copied from the resident's or household's unit grid (an
organisation: its grid's key, or its community's code when it covers several grids), so the one scoping primitive
(``gridgov/accounts/scope.py``) applies by prefix. Only ``services`` writes these tables.
"""

from django.conf import settings
from django.db import models


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围键", max_length=100, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["scope_key"], name="%(app_label)s_%(class)s_scope",
                                opclasses=["varchar_pattern_ops"])]


class OrgKind(models.TextChoices):
    BRANCH = "branch", "网格党支部"
    GROUP = "group", "网格党小组"


class PartyOrg(Scoped):
    """网格党组织: a 网格党支部 or 网格党小组 set on one management grid or on several grids of one community, under the
    community's party organisation (党组织设在格上, seed 003 篇8 党建引领)."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=OrgKind.choices, default=OrgKind.GROUP)
    community = models.ForeignKey("geo.Jurisdiction", verbose_name="所属社区", on_delete=models.PROTECT,
                                  related_name="+")
    parent_name = models.CharField("上级党组织", max_length=100, help_text="如 多福巷社区党委")
    grids = models.ManyToManyField("geo.Grid", verbose_name="所设网格", related_name="+")
    leader = models.ForeignKey("Member", verbose_name="负责人（书记/组长）", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("成立登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "网格党组织"
        ordering = ["scope_key", "id"]

    def __str__(self):
        return self.name


class MemberStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Member(Scoped):
    """党员: the restricted attribute of one resident (政治面貌), the organisation they belong to on the grid, and —
    for an 在职党员 — the employer they work for elsewhere."""

    resident = models.OneToOneField("basedata.Resident", verbose_name="人员", on_delete=models.PROTECT,
                                    related_name="+")
    org = models.ForeignKey(PartyOrg, verbose_name="网格党组织", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="members")
    status = models.CharField("党员类别", max_length=14, choices=MemberStatus.choices, default=MemberStatus.FULL)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    in_service = models.BooleanField("在职党员", default=False)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "党员"
        ordering = ["scope_key", "id"]

    def __str__(self):
        return f"党员 #{self.pk}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DECLINED = "declined", "未通过"


class Registration(Scoped):
    """党员报到: an 在职党员 registers with the community where they live; the community confirms (seed 001 篇4:
    党员到居住社区报到制度)."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="registrations")
    community = models.ForeignKey("geo.Jurisdiction", verbose_name="报到社区", on_delete=models.PROTECT,
                                  related_name="+")
    employer = models.CharField("工作单位", max_length=100)
    registered_on = models.DateField("报到日期")
    status = models.CharField("状态", max_length=10, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "党员报到"
        ordering = ["-registered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=~models.Q(status="declined"),
                                               name="party_registration_one_open")]

    def __str__(self):
        return f"报到 {self.registered_on}"


class Pledge(Scoped):
    """承诺: what a registered party member pledges to do for the community in a year (我是党员我承诺, seed 001 篇4)."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="pledges")
    year = models.PositiveSmallIntegerField("年度")
    content = models.CharField("承诺内容", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "党员承诺"
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.year} 承诺"


class HomeVisit(Scoped):
    """党员入户: a party member's visit to a household of the community (党员入户制度, seed 001 篇4)."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="home_visits")
    household = models.ForeignKey("basedata.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("入户日期")
    content = models.CharField("入户内容", max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "党员入户"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"入户 {self.visited_on}"


class Pair(Scoped):
    """帮扶对子: a party member (the helper) paired with a household that needs help (困难群体帮扶, seed 001 篇4)."""

    helper = models.ForeignKey(Member, verbose_name="帮扶党员", on_delete=models.PROTECT, related_name="pairs")
    household = models.ForeignKey("basedata.Household", verbose_name="帮扶户", on_delete=models.PROTECT,
                                  related_name="+")
    need = models.CharField("帮扶事由", max_length=200)
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("解除日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "帮扶对子"
        ordering = ["scope_key", "id"]
        constraints = [models.UniqueConstraint(fields=["helper", "household"], condition=models.Q(ended_on__isnull=True),
                                               name="party_pair_one_open")]

    def __str__(self):
        return f"帮扶对子 #{self.pk}"


class PairVisit(Scoped):
    """帮扶走访: one visit of the helper to the paired household — date, what was done, the result."""

    pair = models.ForeignKey(Pair, verbose_name="帮扶对子", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    content = models.CharField("帮扶内容", max_length=500)
    result = models.CharField("帮扶结果", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta(Scoped.Meta):
        verbose_name = verbose_name_plural = "帮扶走访"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"帮扶走访 {self.visited_on}"
