"""Social-governance records beside a case (社会治理): 矛盾纠纷调解 (mediation) and 信访 (petitions).

A record hangs on one case of its class (矛盾纠纷 major 50, 信访 major 51) and is read through the case: whoever may
read the case (scope, restricted classes) may read its record. Parties and petitioners are linked to the basic data
where known (实有人口); otherwise name and phone are kept like other personal data (phone encrypted, shown masked).
Only ``services`` writes these tables.
"""

from django.conf import settings
from django.db import models

from .logic import mediation as ml
from .logic import petitions as pl


class Mediation(models.Model):
    """矛盾纠纷调解记录."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="mediation")
    status = models.CharField("状态", max_length=10, choices=list(ml.STATUSES.items()), default="accepted")
    summary = models.TextField("纠纷概要", blank=True)
    accepted_on = models.DateField("受理日期")
    agreement_text = models.TextField("协议内容", blank=True)
    agreement_signed_on = models.DateField("协议签订日期", null=True, blank=True)
    failure_reason = models.TextField("调解不成原因", blank=True)
    concluded_on = models.DateField("调解结束日期", null=True, blank=True)
    visited_on = models.DateField("回访日期", null=True, blank=True)
    visit_result = models.TextField("回访结果", blank=True)
    visit_satisfied = models.BooleanField("当事人满意", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷调解"
        ordering = ["-accepted_on", "-id"]

    def __str__(self):
        return f"{self.case.number} 调解"


class Petition(models.Model):
    """信访登记."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="petition")
    form = models.CharField("信访形式", max_length=10, choices=list(pl.FORMS.items()))
    subject = models.CharField("信访事项", max_length=200)
    received_on = models.DateField("收到日期")
    accept_due_on = models.DateField("受理告知期限")
    status = models.CharField("状态", max_length=12, choices=list(pl.STATUSES.items()), default="registered")
    decision = models.CharField("受理意见", max_length=12, choices=list(pl.DECISIONS.items()), blank=True)
    decided_on = models.DateField("受理意见日期", null=True, blank=True)
    decision_note = models.TextField("受理意见说明", blank=True)
    reply_due_on = models.DateField("办结期限", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    extension_reason = models.TextField("延期理由", blank=True)
    reply_text = models.TextField("答复意见", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    review_requested_on = models.DateField("复查申请日期", null=True, blank=True)
    review_request_text = models.TextField("复查请求", blank=True)
    review_due_on = models.DateField("复查期限", null=True, blank=True)
    review_result = models.TextField("复查意见", blank=True)
    reviewed_on = models.DateField("复查日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访登记"
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.case.number} 信访"


class Party(models.Model):
    """当事人 of a mediation, or 信访人 of a petition: a resident of the basic data, or a name and phone."""

    mediation = models.ForeignKey(Mediation, verbose_name="调解", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="parties")
    petition = models.ForeignKey(Petition, verbose_name="信访", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="petitioners")
    resident = models.ForeignKey("basedata.Resident", verbose_name="实有人口", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    role = models.CharField("身份", max_length=20, blank=True, help_text="如 申请人、被申请人、信访人")
    name = models.CharField("姓名", max_length=50)
    phone_cipher = models.BinaryField("联系电话（密文）", blank=True, default=b"", editable=False)
    phone_masked = models.CharField("联系电话", max_length=11, blank=True, editable=False)
    phone_index = models.CharField("联系电话索引", max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "当事人/信访人"
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(mediation__isnull=False, petition__isnull=True)
            | models.Q(mediation__isnull=True, petition__isnull=False), name="governance_party_one_record")]

    def __str__(self):
        return self.role or "当事人"


class Session(models.Model):
    """一次调解: date, place, mediator, notes."""

    mediation = models.ForeignKey(Mediation, verbose_name="调解", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=100)
    mediator = models.CharField("调解员", max_length=50)
    notes = models.TextField("调解情况", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解记录"
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.held_on} {self.place}"
