"""培训考试 (seed 002 「建立了在线培训系统，对网格员进行定期培训和考核」; 003 篇7 专业化: 全体 / 部分网格员的业务培训):
courses with materials, question banks, timed exams with automatic marking and certificates, and training sessions.

A course is offered to posts within a jurisdiction (``scope_key`` is a jurisdiction code: everyone bound below it,
in one of ``posts`` — empty: every staff post — is enrolled). A session's register fields (date, title, 全体 / 部分,
number of attendees) live in the assessment's register (``ledgers.Training``): the session keeps only who attended.
Only ``services`` writes.
"""

from django.conf import settings
from django.db import models


class Course(models.Model):
    """培训课程: materials for the posts of a jurisdiction."""

    SCOPE_FIELD = "scope_key"

    title = models.CharField("课程名称", max_length=200)
    summary = models.TextField("课程简介", blank=True, max_length=2000)
    scope_key = models.CharField("面向辖区代码", max_length=40, db_index=True)
    posts = models.CharField("面向岗位", max_length=300, blank=True,
                             help_text="以逗号分隔的岗位代码，前后各一个逗号；为空表示全部工作人员")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训课程"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def post_list(self) -> list[str]:
        return [p for p in self.posts.split(",") if p]


class Material(models.Model):
    """课程材料: a text, a file (kept through Django's storage), or both."""

    SCOPE_FIELD = "course__scope_key"

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="materials")
    title = models.CharField("材料名称", max_length=200)
    body = models.TextField("正文", blank=True, max_length=20000)
    file = models.FileField("附件", upload_to="training/", blank=True, max_length=300)
    file_name = models.CharField("附件原名", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "课程材料"
        ordering = ["course", "position", "id"]


class Bank(models.Model):
    """题库."""

    SCOPE_FIELD = "scope_key"

    title = models.CharField("题库名称", max_length=200)
    scope_key = models.CharField("所属辖区代码", max_length=40, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "题库"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUE_FALSE = "true_false", "判断题"


class Question(models.Model):
    """试题: options A, B, C… (a 判断题 has none: 对 / 错), the answer (letters, or T / F) and its points."""

    bank = models.ForeignKey(Bank, verbose_name="题库", on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=12, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=1000)
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.CharField("答案", max_length=10)
    points = models.PositiveSmallIntegerField("分值")

    class Meta:
        verbose_name = verbose_name_plural = "试题"
        ordering = ["bank", "id"]


class Exam(models.Model):
    """考试: N questions drawn from a bank for each attempt, a time limit and a pass mark; for a course's audience."""

    SCOPE_FIELD = "course__scope_key"

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="exams")
    bank = models.ForeignKey(Bank, verbose_name="题库", on_delete=models.PROTECT, related_name="exams")
    title = models.CharField("考试名称", max_length=200)
    question_count = models.PositiveSmallIntegerField("抽题数")
    minutes = models.PositiveSmallIntegerField("限时（分钟）")
    pass_mark = models.PositiveSmallIntegerField("合格分数")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考试"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "答题中"
    SUBMITTED = "submitted", "已交卷"
    EXPIRED = "expired", "超时（按截止前保存的答案评分）"


class Attempt(models.Model):
    """一次考试: the questions drawn for it (seeded by exam, person and attempt number), the answers saved, the
    server's deadline, and the marks."""

    SCOPE_FIELD = "scope_key"

    exam = models.ForeignKey(Exam, verbose_name="考试", on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="考生", on_delete=models.PROTECT,
                             related_name="training_attempts")
    number = models.PositiveSmallIntegerField("第几次")
    scope_key = models.CharField("考生所属节点", max_length=40, db_index=True)
    seed = models.CharField("抽题种子", max_length=60)
    question_ids = models.JSONField("抽到的试题", default=list)
    answers = models.JSONField("已保存的答案", default=dict)
    started_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("截止时间")
    status = models.CharField("状态", max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    finished_at = models.DateTimeField("交卷时间", null=True, blank=True)
    score = models.PositiveIntegerField("得分", null=True, blank=True)
    max_score = models.PositiveIntegerField("满分", null=True, blank=True)
    passed = models.BooleanField("是否合格", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考试记录"
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["exam", "user", "number"], name="training_attempt_unique")]

    @property
    def certificate_number(self) -> str:
        return f"PX{self.exam_id:04d}-{self.pk:06d}"


class Session(models.Model):
    """培训场次: who attended a training whose register row (date, title, 全体 / 部分, count) is the ledger's."""

    SCOPE_FIELD = "ledger__scope_key"

    ledger = models.OneToOneField("ledgers.Training", verbose_name="培训记录（考评台账）", on_delete=models.PROTECT,
                                  related_name="session")
    course = models.ForeignKey(Course, verbose_name="课程", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="sessions")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="参训人员", related_name="training_sessions")

    class Meta:
        verbose_name = verbose_name_plural = "培训场次"
        ordering = ["-ledger__held_on", "-id"]
