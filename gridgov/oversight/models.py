"""市区联动与督办: the city's 派件 to districts (市区两级平台派件) and 督办通知书 with their 整改 replies.

Only ``services.py`` writes these tables. A 派件 moves its case through the one case engine (the transition
``city_dispatch``); the record here keeps what the case does not: the city's 办结时限, the district's answer and
whether it came in time — what assessment needs for 市区两级平台派件「及时率 × 结案率」 (seed 003 篇7 附件1).

Scope keys are district (6) or street (9) codes, or a department's district code: grid moves never change them,
so nothing here needs re-keying (gridgov/geo/rekey.py).
"""

from django.conf import settings
from django.db import models


class CityDispatch(models.Model):
    """市级派件: the city centre sends one case to the district it lies in, with a deadline for the answer."""

    SCOPE_FIELD = "district_code"

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    city_code = models.CharField("派件的市", max_length=12)
    district_code = models.CharField("接收的区（县）", max_length=12, db_index=True)
    note = models.TextField("派件要求", blank=True)
    due_at = models.DateTimeField("办结时限")
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="派件人", null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField("派件时间", db_index=True)
    answer = models.TextField("区级答复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "市级派件"
        ordering = ["-dispatched_at", "-id"]

    def __str__(self):
        return f"{self.case_id} → {self.district_code}"

    @staticmethod
    def department_scope(department_id: int) -> models.Q:
        """A department sees no 派件 (they go to districts' centres)."""
        return models.Q(pk__in=[])


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", "已下发"
    RECTIFYING = "rectifying", "整改中"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"


class Notice(models.Model):
    """督办通知书: the city (or a district) presses a unit — a district, a street or a department — to put right
    one or more cases or a problem by a date (整改); tracked until the issuer accepts the unit's 整改 report."""

    SCOPE_FIELD = "scope_key"

    number = models.CharField("文号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=100)
    text = models.TextField("督办事项与要求")
    issuer_node = models.CharField("发文单位", max_length=12)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("下发时间")
    due_at = models.DateTimeField("整改期限")
    addressee_node = models.CharField("督办对象（区/街道）", max_length=12, blank=True)
    addressee_department = models.ForeignKey("accounts.Department", verbose_name="督办对象（部门）", null=True,
                                             blank=True, on_delete=models.PROTECT, related_name="+")
    addressee_name = models.CharField("督办对象", max_length=100)
    scope_key = models.CharField("范围键", max_length=12, db_index=True)
    cases = models.ManyToManyField("cases.Case", verbose_name="涉及案件", blank=True, related_name="+")
    status = models.CharField("状态", max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办通知书"
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return self.number

    @staticmethod
    def department_scope(department_id: int) -> models.Q:
        """A department's handlers see the notices addressed to their department."""
        return models.Q(addressee_department_id=department_id)


class NoticeReply(models.Model):
    """整改报告: the unit's reply to a 督办通知书, and the issuer's review of it (accepted, or returned)."""

    notice = models.ForeignKey(Notice, verbose_name="督办通知书", on_delete=models.CASCADE, related_name="replies")
    text = models.TextField("整改情况")
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField("回复时间")
    outcome = models.CharField("审核结果", max_length=10, blank=True,
                               choices=[("accepted", "通过，办结"), ("returned", "退回，继续整改")])
    review_note = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改报告"
        ordering = ["replied_at", "id"]
