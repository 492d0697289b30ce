"""便民服务 for the demo (called by ``gridgov.demo.build``): the service team of every management grid of 东华门街道
(the demo accounts' street), three volunteer teams of 多福巷社区 (党员志愿者, 消防志愿者, 社区志愿者协会) with the last
month's activities and hours, a 便民服务站 in every community (at "test" scale those of the street), the street's
便民服务中心, pledges of the street's communities, and a few elderly service requests in various states (one waiting
to be registered, one dispatched, one being handled, one closed). Every write goes through the services (audited),
as the administrator, the grid worker and the centre.

SYNTHETIC: names, phones, places and hours are invented. Deterministic: a seeded RNG, dates relative to today.
"""

import datetime as dt
import random
import time

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.errors import DomainError
from gridgov.geo.models import Grid, Jurisdiction, Level

from . import services
from .models import Facility, MemberRole, ServiceRequest, VolunteerTeam

STREET, COMMUNITY = "110101001", "110101001001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "建国", "桂兰", "志强", "淑珍", "国华", "丽娟", "文斌", "玉梅", "海涛", "春燕", "德明"]
TEAM = [(MemberRole.GRID_LEADER, "社区居委会", "网格内居民事务总协调"), (MemberRole.POLICE, "东华门派出所", "治安巡逻、法律宣传"),
        (MemberRole.DOCTOR, "社区卫生服务站", "健康咨询、慢病随访"), (MemberRole.LAWYER, "律师事务所", "每月一次法律咨询"),
        (MemberRole.PROPERTY, "物业服务中心", "报修、公共设施维护"), (MemberRole.SOCIAL_WORKER, "社工事务所", "困难群众帮扶")]
TEAMS = [("party", "多福巷党员志愿者服务队"), ("fire", "多福巷消防志愿者队伍"), ("association", "多福巷社区志愿者协会")]
ACTIVITIES = {
    "party": [("社区广场", "党员志愿者清理楼道小广告"), ("多福巷小区", "为空巢老人送餐（邻里守望）"), ("社区服务站", "帮助老人使用智能手机")],
    "fire": [("各楼门", "楼道消防通道杂物排查"), ("社区广场", "灭火器使用演示"), ("平房区", "冬季用电用气安全入户宣传")],
    "association": [("社区活动室", "老年人读书会"), ("多福巷小学", "放学护学岗"), ("社区广场", "垃圾分类桶前值守")],
}
PLEDGES = [("网格员", "每日巡查网格，发现问题及时上报；居民反映的问题当日回应", "当日回应"),
           ("网格长", "每年对网格内每户居民走访一次；个性化需求限时办结", "3 个工作日内办结"),
           ("社区便民服务站", "代办事项一次告知、限时办结；工作日午间不断档", "5 个工作日内办结")]
REQUESTS = [("60021", "送餐上门", "leave"), ("60061", "空巢老人每周探访", "dispatch"), ("60052", "电视机无法开机", "accept"),
            ("60011", "代缴燃气费", "close"), ("60071", "独居老人一键呼叫后无人应答", "close")]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    return f"13{rng.randrange(10**9):09d}"


def _point(grid: Grid) -> tuple[float, float]:
    p = grid.shape.representative_point()
    return round(p.x, 6), round(p.y, 6)


def build(stdout=print, scale: str = "demo") -> None:
    t0 = time.perf_counter()
    if VolunteerTeam.objects.filter(scope_key=COMMUNITY).exists():
        stdout("便民服务：演示数据已存在")
        return
    rng = random.Random(17)
    users = {u.username: u for u in User.objects.filter(
        username__in=["admin", "gridworker", "intake", "dispatcher", "handler", "inspector", "shift"])}
    admin = users["admin"]
    grids = list(Grid.objects.filter(layer__code="management", code__startswith=STREET).order_by("code"))
    for g in grids:
        for role, unit, duty in TEAM:
            services.add_member(admin, g.code, role=role, name=_name(rng), phone=_phone(rng), unit=unit, duty=duty)
    today = timezone.localdate()
    hours = 0
    for kind, name in TEAMS:
        team = services.create_team(admin, COMMUNITY, kind, name)
        people = [services.add_volunteer(admin, team.pk, name=_name(rng), phone=_phone(rng),
                                         joined_on=today - dt.timedelta(days=rng.randrange(60, 900)))
                  for _ in range(8)]
        for week in range(5):  # a month of activities: one a week
            place, content = ACTIVITIES[kind][week % 3]
            went = rng.sample(people, rng.randrange(3, 7))
            parts = [(v.pk, rng.choice(["1", "1.5", "2", "2.5", "3"])) for v in went]
            services.record_activity(admin, team.pk, held_on=today - dt.timedelta(days=2 + 7 * week), place=place,
                                     content=content, participants=parts)
            hours += len(parts)
    facilities = _facilities(admin, scale, rng)
    for c in Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=STREET).order_by("code"):
        for post, text, limit in PLEDGES:
            services.save_pledge(admin, c.code, post=post, text=text, time_limit=limit)
    made = _requests(users, grids, rng)
    stdout(f"便民服务：{len(grids)} 个网格的组团服务团队、{len(TEAMS)} 支志愿者队伍（{hours} 人次）、{facilities} 处服务设施、"
           f"{made} 件居家养老服务申请（{time.perf_counter() - t0:.1f} 秒）")


def _facilities(admin, scale: str, rng) -> int:
    prefix = STREET if scale == "test" else STREET[:6]
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=prefix).order_by("code")
    first = {}
    for g in Grid.objects.filter(layer__code="management", code__startswith=prefix).order_by("code"):
        first.setdefault(g.code[:12], g)
    n = 0
    for c in communities:
        g = first.get(c.code)
        if g is None:
            continue
        lon, lat = _point(g)
        try:
            services.save_facility(admin, kind="station", name=f"{c.name}便民服务站", address=f"{c.name}居委会一层",
                                   lon=lon, lat=lat, hours="周一至周五 8:30-17:30，周六 9:00-12:00",
                                   phone=f"010-6{rng.randrange(10**6):06d}"[:12], services="代缴代办、政策咨询、老年证办理")
            n += 1
        except DomainError:
            continue
    street_grid = first.get(COMMUNITY)
    if street_grid is not None:
        lon, lat = _point(street_grid)
        for kind, name, dx in [("centre", "东华门街道便民服务中心", 0.004), ("elderly", "多福巷养老服务驿站", -0.003),
                               ("health", "多福巷社区卫生服务站", 0.002), ("charity", "东华门爱心超市", 0.012)]:
            try:
                services.save_facility(admin, kind=kind, name=name, address="东华门街道（演示）", lon=lon + dx, lat=lat,
                                       hours="每天 8:00-20:00" if kind != "centre" else "周一至周五 9:00-17:00")
                n += 1
            except DomainError:
                continue
    return Facility.objects.count() and n


def _requests(users, grids, rng) -> int:
    """Requests by the grid worker on residents' behalf, moved along the loop as far as each row says."""
    from gridgov.cases.services.transitions import transition

    grid = next((g for g in grids if g.code.startswith(COMMUNITY)), None)
    if grid is None:
        return 0
    lon, lat = _point(grid)
    made = 0
    for item, note, target in REQUESTS:
        r = services.request_service(users["gridworker"], item=item, name=_name(rng), phone=_phone(rng),
                                     address="多福巷（演示）", lon=lon, lat=lat, note=note)
        made += 1
        steps = [(users["intake"], "register", {}), (users["dispatcher"], "dispatch", {"department": "110101-HW"}),
                 (users["handler"], "accept", {}), (users["handler"], "handle", {"feedback": "已上门服务"}),
                 (users["inspector"], "inspect_pass", {}), (users["intake"], "close", {})]
        stop = {"leave": 0, "dispatch": 2, "accept": 3, "close": 6}[target]
        for user, action, data in steps[:stop]:
            try:
                transition(user, r.case.number, action, data)
            except DomainError:
                break
    return ServiceRequest.objects.count() and made
