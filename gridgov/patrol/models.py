"""巡查与考勤: patrol plans per grid, 错时督查 places, duty windows (弹性上下班), leave, shifts on duty with their
tracks, and the anomalies found in them.

Positions are personal data: a track point has no scope of its own — it is read only through its shift (whose
``scope_key`` is the worker's grid) by the supervisor chain, and erased after the ``field_track`` retention.
"""

from django.conf import settings
from django.db import models

from .logic.plans import METHOD_LABELS
from .logic.track import KIND_LABELS


class Method(models.TextChoices):
    FOOT = "foot", METHOD_LABELS["foot"]
    VEHICLE = "vehicle", METHOD_LABELS["vehicle"]


class PatrolPlan(models.Model):
    """巡查计划: how a management grid is patrolled (made from its class; editable)."""

    SCOPE_FIELD = "scope_key"

    grid = models.OneToOneField("geo.Grid", verbose_name="网格", on_delete=models.CASCADE, related_name="patrol_plan")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    method = models.CharField("巡查方式", max_length=10, choices=Method.choices)
    per_week = models.PositiveSmallIntegerField("每周巡查次数", default=5)
    min_minutes = models.PositiveSmallIntegerField("每次至少（分钟）", default=60)
    min_km = models.FloatField("每次至少（公里）", default=2.0)
    min_share = models.FloatField("单元网格覆盖至少（0–1）", default=0.5)
    hours = models.CharField("巡查时间", max_length=100, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "巡查计划"
        ordering = ["scope_key"]

    def __str__(self):
        return f"{self.grid} · {self.get_method_display()}"


class KeyPlace(models.Model):
    """难点、重点地段: 错时督查 at its own times (a grid, or a geometry of its own)."""

    SCOPE_FIELD = "scope_key"

    name = models.CharField("名称", max_length=100)
    grid = models.ForeignKey("geo.Grid", verbose_name="所在网格", on_delete=models.CASCADE, related_name="key_places")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    geometry = models.TextField("范围(GeoJSON)", blank=True)
    times = models.CharField("督查时间", max_length=100, help_text="如：每日 7:00–8:30、18:00–21:00（错时）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "错时督查地段"
        ordering = ["scope_key", "name"]

    def __str__(self):
        return self.name


class WorkHours(models.Model):
    """弹性上下班: the duty window of one person, or of everyone on one grid (a person's own wins)."""

    SCOPE_FIELD = "scope_key"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("geo.Grid", verbose_name="网格", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    weekdays = models.CharField("适用星期", max_length=7, default="12345", help_text="1=周一 … 7=周日，如 1234")
    start = models.TimeField("上班时间")
    end = models.TimeField("下班时间")

    class Meta:
        verbose_name = verbose_name_plural = "弹性上下班时间"
        constraints = [models.CheckConstraint(condition=models.Q(person__isnull=False) | models.Q(grid__isnull=False),
                                              name="workhours_person_or_grid")]

    def __str__(self):
        return f"{self.person or self.grid} {self.start:%H:%M}–{self.end:%H:%M}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class Leave(models.Model):
    """请假: asked by the worker, approved by the grid leader or the street's supervisor."""

    SCOPE_FIELD = "scope_key"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="请假人", on_delete=models.CASCADE,
                               related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200)
    status = models.CharField("状态", max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    created = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "请假"
        ordering = ["-start", "-id"]

    def __str__(self):
        return f"{self.person} {self.start}–{self.end}"


class Shift(models.Model):
    """在岗: one check-in (上班签到) to check-out (下班签退) of a grid worker, with what the track shows."""

    SCOPE_FIELD = "scope_key"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="网格员", on_delete=models.CASCADE,
                               related_name="+")
    # the grid's code stays in scope_key when the grid is regenerated (the row then loses its link, not its facts)
    grid = models.ForeignKey("geo.Grid", verbose_name="网格", null=True, on_delete=models.SET_NULL, related_name="+")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    day = models.DateField("日期", db_index=True)
    started_at = models.DateTimeField("签到时间")
    start_lon = models.FloatField("签到经度", null=True)
    start_lat = models.FloatField("签到纬度", null=True)
    start_inside = models.BooleanField("签到在网格内", default=True)
    start_distance_m = models.FloatField("签到点距网格（米）", default=0)
    start_reason = models.CharField("网格外签到事由", max_length=200, blank=True)
    late_minutes = models.PositiveIntegerField("迟到（分钟）", default=0)
    ended_at = models.DateTimeField("签退时间", null=True, blank=True)
    end_lon = models.FloatField("签退经度", null=True, blank=True)
    end_lat = models.FloatField("签退纬度", null=True, blank=True)
    end_inside = models.BooleanField("签退在网格内", default=True)
    end_reason = models.CharField("网格外签退事由", max_length=200, blank=True)
    # what the track shows (computed at check-out and when late points arrive)
    points = models.PositiveIntegerField("轨迹点数", default=0)
    length_m = models.FloatField("巡查里程（米）", default=0)
    duration_s = models.FloatField("巡查时长（秒）", default=0)
    units_visited = models.JSONField("到过的单元网格", default=list)
    share = models.FloatField("单元网格覆盖率", default=0)
    done = models.BooleanField("完成一次巡查", default=False)
    missing = models.CharField("未达标原因", max_length=300, blank=True)
    track_erased = models.BooleanField("轨迹已按保存期限删除", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "在岗记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["person", "day"])]
        constraints = [models.UniqueConstraint(fields=["person"], condition=models.Q(ended_at__isnull=True),
                                               name="one_open_shift_per_person")]

    def __str__(self):
        return f"{self.person} {self.day}"


class TrackPoint(models.Model):
    """轨迹点: a position recorded by the phone while on duty. ``seq`` is the phone's number of the point in the
    shift, so a batch sent twice stores each point once."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="track")
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    accuracy = models.FloatField("精度（米）", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "轨迹点"
        constraints = [models.UniqueConstraint(fields=["shift", "seq"], name="trackpoint_once")]


class AnomalyKind(models.TextChoices):
    SPEED = "speed", KIND_LABELS["speed"]
    STILL = "still", KIND_LABELS["still"]
    OUTSIDE = "outside", KIND_LABELS["outside"]
    CHECKIN_FAR = "checkin_far", KIND_LABELS["checkin_far"]


class Anomaly(models.Model):
    """巡查异常, flagged for the supervisor."""

    SCOPE_FIELD = "scope_key"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="anomalies")
    scope_key = models.CharField("范围键", max_length=100, db_index=True, editable=False)
    kind = models.CharField("类型", max_length=12, choices=AnomalyKind.choices)
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束")
    detail = models.CharField("说明", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "巡查异常"
        ordering = ["-start", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"
