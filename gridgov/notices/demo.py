"""Demo: per street a current warning and a few community notices (one expired warning and one withdrawn notice in
多福巷社区 to show those states), a staff notice of the centre read by some and not by others (the unread visible on
its page), subscribed residents and yesterday's daily digest delivered.

Replayed through the services with the historical time (``now=``); deterministic (the streets in code order, a
fixed rotation of topics and levels). Rebuilt on every run (the demo's own rows are removed first).
"""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.geo.models import Jurisdiction, Level

from . import services
from .models import DigestSent, Kind, Notice, Subscription

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WARNINGS = [  # (topic, level, title, body) rotated over the streets
    ("雨雪灾害", "yellow", "明日有中到大雪，注意出行安全",
     "预计明日白天有中到大雪，路面湿滑。请居民减少外出，老旧平房住户注意屋顶积雪，社区已安排人员清扫主要道路积雪。"),
    ("停水停电", "blue", "管线检修临时停水",
     "因供水管线检修，明日 9:00—15:00 辖区部分楼栋临时停水，请提前储水。值班电话见社区公告栏。"),
    ("大风", "orange", "大风橙色预警：请固定阳台物品",
     "预计今夜至明日有 7～8 级阵风。请收好阳台花盆等易坠物品，远离临时搭建物和广告牌。"),
    ("燃气", "yellow", "冬季燃气安全提示",
     "取暖季燃气使用增多，请定期检查燃气软管，使用时保持通风，发现泄漏立即关阀开窗并拨打抢修电话。"),
]
NOTICES = [
    ("社区文化家园冬季活动安排", "本周六上午在社区文化家园举办书法、剪纸活动，欢迎居民参加。"),
    ("网格员入户走访通知", "本月网格员将入户走访，核实人口信息、了解居民诉求，请居民配合。走访人员佩戴工作证。"),
    ("垃圾分类桶站调整", "为方便居民投放，小区 3 号楼东侧桶站调整至 5 号楼北侧，投放时间 7:00—9:00、18:00—20:00。"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI)


@transaction.atomic
def build(stdout=print, scale: str = "demo") -> None:
    u = {x.username: x for x in User.objects.filter(username__in=["admin", "shift", "supervisor", "gridleader",
                                                                   "resident"])}
    if len(u) < 5:
        return
    streets = list(Jurisdiction.objects.filter(level=Level.STREET, code__startswith="110101").order_by("code"))
    if scale == "test":
        streets = streets[:3]
    Notice.objects.filter(scope_key__startswith="110101").delete()
    Subscription.objects.all().delete()
    DigestSent.objects.all().delete()
    now = timezone.now()
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)

    # residents: the demo resident and two more subscribe to 多福巷社区 and to other communities (before yesterday)
    residents = [u["resident"]]
    for i in (1, 2):
        r, _ = User.objects.get_or_create(username=f"demo-resident-{i}", defaults={
            "role": Role.RESIDENT, "display_name": f"居民{i}", "is_active": True})
        residents.append(r)
    communities = list(Jurisdiction.objects.filter(level=Level.COMMUNITY, parent__in=streets).order_by("code"))
    before = _at(yesterday - dt.timedelta(days=3))
    for i, r in enumerate(residents):
        for j in {communities[0].code, communities[i * 2 % len(communities)].code}:
            services.subscribe(r, j, now=before)

    made = 0
    for i, street in enumerate(streets):
        author = u["supervisor"] if street.code == "110101001" else u["shift"]
        topic, level, title, body = WARNINGS[i % len(WARNINGS)]
        services.publish(author, services.Draft(
            kind=Kind.WARNING, title=title, body=body, scope=street.code, level=level, topic=topic,
            starts_at=now - dt.timedelta(hours=3), ends_at=now + dt.timedelta(days=1, hours=6)),
            now=now - dt.timedelta(hours=3))
        first = Jurisdiction.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code").first()
        for k, (t, b) in enumerate(NOTICES[:2] if scale == "test" else NOTICES):
            scope = street.code if k == 0 or first is None else first.code
            services.publish(author, services.Draft(kind=Kind.COMMUNITY, title=t, body=b, scope=scope),
                             now=_at(yesterday, 9 + k))
            made += 1
        made += 1

    # 多福巷社区: an expired warning (not shown as current) and a withdrawn notice (gone from the public page)
    gl = u["gridleader"]
    services.publish(gl, services.Draft(
        kind=Kind.WARNING, title="暴雨蓝色预警（已过期）", body="上周暴雨预警，已解除。", scope="110101001001",
        level="blue", topic="雨雪灾害", starts_at=now - dt.timedelta(days=8), ends_at=now - dt.timedelta(days=6)),
        now=now - dt.timedelta(days=8))
    wrong = services.publish(gl, services.Draft(kind=Kind.COMMUNITY, title="周末停车场施工（时间有误）",
                                                body="原定周末停车场施工，日期有误。", scope="110101001001"),
                             now=now - dt.timedelta(days=2))
    services.withdraw(gl, wrong.pk, "日期有误，另行通知", now=now - dt.timedelta(days=2) + dt.timedelta(hours=1))

    # a staff notice of the centre to the street's field posts, read by some (the unread stay listed)
    staff = services.publish(u["shift"], services.Draft(
        kind=Kind.STAFF, title="关于做好雨雪天气期间网格巡查工作的通知",
        body="各网格员、网格长：雨雪天气期间请加密巡查频次，重点排查危旧房屋、积雪积水路段，发现险情立即上报。"
             "请于今日内阅读本通知。", scope="110101001",
        posts=[Role.GRID_WORKER, Role.GRID_LEADER, Role.GRID_SUPERVISOR, Role.INSPECTOR]),
        now=now - dt.timedelta(hours=5))
    readers = list(staff.receipts.select_related("user").order_by("user__username"))
    for k, r in enumerate(readers):
        if r.user.username in ("gridleader", "supervisor") or (k % 3 == 1 and r.user.username != "gridworker"):
            services.open_notice(r.user, staff.pk, now=now - dt.timedelta(hours=4))

    sent = services.digest(yesterday, now=_at(today, 7))
    stdout(f"  通知公告：{made} 条通知和预警，工作通知 1 条（{len(readers)} 人），订阅居民 {len(residents)} 人，"
           f"昨日摘要 {sent} 份")
