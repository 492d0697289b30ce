"""便民服务 (seed 001 篇4 「三是提供精细化服务」, 003 篇5): the service team of each management grid (组团服务), volunteer
teams with their activities and hours, 便民服务站 and other facilities (the 15-minute service circle), service pledges
per post (服务承诺), the elderly service catalogue (「139」: 9 classes, 27 items) and residents' requests of it, each
one a case of the loop.

Every row is scoped by ``scope_key`` (a grid's key, a community's or a street's code), so the accounts scoping
primitive applies by prefix. Names and phones of members and volunteers are personal data: phones are stored
encrypted with the residents' key (blind index, masked copy), names are shown masked to posts without
``basedata.unmask``. Only ``services`` writes.
"""

from django.conf import settings
from django.db import models


class Scoped(models.Model):
    SCOPE_FIELD = "scope_key"

    scope_key = models.CharField("范围键", max_length=100, db_index=True)

    class Meta:
        abstract = True


class Person(Scoped):
    """A name and a phone (encrypted, blind index, masked copy), as for other personal data."""

    name = models.CharField("姓名", max_length=50)
    phone_cipher = models.BinaryField("联系电话（密文）", blank=True, default=b"", editable=False)
    phone_masked = models.CharField("联系电话", max_length=11, blank=True, editable=False)
    phone_index = models.CharField("联系电话索引", max_length=40, blank=True, editable=False)

    class Meta:
        abstract = True


# ---------------------------------------------------------------- 组团服务


class MemberRole(models.TextChoices):
    GRID_LEADER = "grid_leader", "网格长"
    PARTY = "party", "党小组长"
    POLICE = "police", "民警"
    DOCTOR = "doctor", "医生"
    LAWYER = "lawyer", "律师"
    PROPERTY = "property", "物业"
    SOCIAL_WORKER = "social_worker", "社工"
    BUILDING = "building", "楼宇长"
    UTILITIES = "utilities", "水电暖技术人员"
    HOUSEKEEPING = "housekeeping", "家政服务人员"
    TEACHER = "teacher", "教师"


class TeamMember(Person):
    """组团服务团队成员: one person of a management grid's service team, by role (001 篇4: 片警、医务人员、物业…)."""

    grid = models.ForeignKey("geo.Grid", verbose_name="网格", on_delete=models.CASCADE, related_name="service_members")
    role = models.CharField("角色", max_length=16, choices=MemberRole.choices)
    unit = models.CharField("单位", max_length=100, blank=True)
    duty = models.CharField("服务内容", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组团服务成员"
        ordering = ["grid_id", "role", "id"]


# ---------------------------------------------------------------- 志愿者


class TeamKind(models.TextChoices):
    PARTY = "party", "党员志愿者服务队"
    FIRE = "fire", "消防志愿者队伍"
    ASSOCIATION = "association", "社区志愿者协会"


class VolunteerTeam(Scoped):
    """志愿者队伍 of a community (scope_key: its 12-digit code)."""

    kind = models.CharField("类型", max_length=12, choices=TeamKind.choices)
    name = models.CharField("名称", max_length=100)
    unit_name = models.CharField("社区", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿者队伍"
        ordering = ["scope_key", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["scope_key", "name"], name="services_team_name_unique")]

    def __str__(self):
        return self.name


class Volunteer(Person):
    team = models.ForeignKey(VolunteerTeam, verbose_name="队伍", on_delete=models.CASCADE, related_name="volunteers")
    joined_on = models.DateField("加入日期", null=True, blank=True)
    active = models.BooleanField("在队", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿者"
        ordering = ["team_id", "id"]


class Activity(Scoped):
    """志愿服务活动: date, place, content; the participants with their hours (``Participation``)."""

    team = models.ForeignKey(VolunteerTeam, verbose_name="队伍", on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField("日期", db_index=True)
    place = models.CharField("地点", max_length=200)
    content = models.CharField("内容", max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务活动"
        ordering = ["-held_on", "-id"]


class Participation(models.Model):
    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="participants")
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="hours")
    hours = models.DecimalField("服务时长（小时）", max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "参加活动与时长"
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="services_participation_once")]


# ---------------------------------------------------------------- 便民服务站与设施


class FacilityKind(models.TextChoices):
    STATION = "station", "社区便民服务站"
    CENTRE = "centre", "街道便民服务中心"
    PARTY = "party", "党员服务中心"
    CHARITY = "charity", "爱心超市"
    ELDERLY = "elderly", "养老服务驿站"
    HEALTH = "health", "社区卫生服务站"
    POLICE = "police", "警务工作站"


class Facility(Scoped):
    """便民服务站 or another facility: kind, address, point, opening hours (public information, no personal data)."""

    kind = models.CharField("类型", max_length=10, choices=FacilityKind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    hours = models.CharField("开放时间", max_length=100)
    phone = models.CharField("服务电话", max_length=20, blank=True)
    services = models.CharField("服务项目", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "便民服务站与设施"
        ordering = ["scope_key", "kind", "id"]


# ---------------------------------------------------------------- 服务承诺


class Pledge(Scoped):
    """服务承诺 of a post in a community (scope_key: its 12-digit code), shown publicly."""

    post = models.CharField("岗位", max_length=20)
    text = models.CharField("承诺内容", max_length=500)
    time_limit = models.CharField("时限", max_length=100)
    unit_name = models.CharField("社区", max_length=100, blank=True)
    active = models.BooleanField("公示中", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务承诺"
        ordering = ["scope_key", "post", "id"]


# ---------------------------------------------------------------- 居家养老服务目录与申请


class ElderlyItem(models.Model):
    """An item of the elderly service catalogue (「139」老年服务平台: 9 classes, 27 items) and the local matter of the
    catalog its requests become (major 60 居家养老服务类; its time limit is the matter's 处置 deadline rule)."""

    class_no = models.PositiveSmallIntegerField("大类序号")
    class_name = models.CharField("大类", max_length=20)
    name = models.CharField("服务项目", max_length=50)
    description = models.CharField("说明", max_length=200, blank=True)
    matter = models.OneToOneField("catalog.CatalogItem", verbose_name="对应事项", on_delete=models.PROTECT,
                                  related_name="elderly_item")

    class Meta:
        verbose_name = verbose_name_plural = "居家养老服务项目"
        ordering = ["class_no", "matter__code"]

    def __str__(self):
        return f"{self.class_name} · {self.name}"


class ServiceRequest(Scoped):
    """A resident's request of a catalogue item (个性化需求限时办结): its case runs through the loop."""

    item = models.ForeignKey(ElderlyItem, verbose_name="服务项目", on_delete=models.PROTECT, related_name="requests")
    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="service_request")
    name = models.CharField("申请人", max_length=50)
    phone_cipher = models.BinaryField("联系电话（密文）", blank=True, default=b"", editable=False)
    phone_masked = models.CharField("联系电话", max_length=11, blank=True, editable=False)
    phone_index = models.CharField("联系电话索引", max_length=40, blank=True, editable=False)
    address = models.CharField("服务地址", max_length=200)
    note = models.CharField("需求说明", max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    on_behalf = models.BooleanField("工作人员代办", default=False)
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "居家养老服务申请"
        ordering = ["-created_at", "-id"]
