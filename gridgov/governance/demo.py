"""Demo social-governance records in 多福巷社区 (the demo grid leader's community): 矛盾纠纷 cases with mediation
records in every state (two parties from the demo residents), 信访 petitions from registration to 复查, and one
维稳信息 report (restricted: the 网格员 who reported it sees it, other 网格员 do not). Synthetic and deterministic;
run by ``gridgov.demo.build`` after the cases."""

import datetime as dt

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.cases.services import intake
from gridgov.errors import DomainError
from gridgov.geo.models import Grid

from . import services
from .models import Mediation, Petition

GRID = "110101001001W001"

DISPUTES = [  # (matter, days ago, description, target state)
    ("50001", 12, "【演示】楼上住户夜间噪音，楼下住户多次敲门发生争吵", "visited"),
    ("50001", 6, "【演示】邻居在楼道堆放杂物占用消防通道，双方争执", "agreed"),
    ("50003", 4, "【演示】物业费上涨，业主与物业公司发生纠纷", "mediating"),
    ("50002", 1, "【演示】老人赡养费分担问题，子女之间发生矛盾", "accepted"),
]
PETITIONS = [  # (matter, days ago, form, subject, target state)
    ("51001", 50, "letter", "【演示】反映小区加装电梯费用分摊不合理", "review"),
    ("51002", 20, "visit", "【演示】反映老旧小区改造施工扰民", "accepted"),
    ("51001", 3, "letter", "【演示】反映社区养老驿站收费问题", "registered"),
]


def _point():
    g = Grid.objects.filter(layer__code="unit", scope_key__startswith=GRID + ".").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


def _residents(n: int):
    from gridgov.basedata.models import Resident

    return list(Resident.objects.filter(scope_key__startswith=GRID + ".", status="active").order_by("id")[:n])


def build(stdout=print, scale: str = "demo") -> None:
    if scale != "demo":  # the test suite's world stays as it was; governance tests make their own records
        return
    if Mediation.objects.filter(case__scope_key__startswith=GRID).exists() or \
            Petition.objects.filter(case__scope_key__startswith=GRID).exists():
        stdout("调解与信访：演示数据已存在")
        return
    users = {u.username: u for u in User.objects.filter(username__in=["gridworker", "gridleader"])}
    worker, leader = users["gridworker"], users["gridleader"]
    lon, lat = _point()
    now = timezone.now()
    today = timezone.localdate()
    people = _residents(8)
    made = {"mediation": 0, "petition": 0}
    for i, (matter, ago, text, target) in enumerate(DISPUTES):
        case = intake(worker, source="grid_worker", lon=lon, lat=lat, description=text, matter=matter,
                      now=now - dt.timedelta(days=ago), find_duplicates=False).case
        n, day = case.number, today - dt.timedelta(days=ago)
        pair = people[2 * i: 2 * i + 2]
        parties = [{"resident_id": r.pk, "role": role} for r, role in zip(pair, ("申请人", "被申请人"), strict=False)]
        if len(parties) < 2:  # no basic data in this grid: names and phones (synthetic)
            parties = [{"name": "王某某", "phone": "13900000001", "role": "申请人"},
                       {"name": "李某某", "phone": "13900000002", "role": "被申请人"}]
        try:
            services.open_mediation(leader, n, text.removeprefix("【演示】"), day, parties)
            if target != "accepted":
                services.add_session(leader, n, {"held_on": day + dt.timedelta(days=1), "place": "多福巷社区调解室",
                                                 "mediator": "社区人民调解员 赵某", "notes": "听取双方陈述，释法说理"})
            if target in ("agreed", "visited"):
                services.record_outcome(leader, n, "agreed", "双方同意：即日起相互体谅，问题一周内整改到位。",
                                        day + dt.timedelta(days=2))
            if target == "visited":
                services.record_visit(leader, n, "回访时双方表示协议已履行，关系缓和", day + dt.timedelta(days=9), True)
            made["mediation"] += 1
        except DomainError as e:
            stdout(f"调解演示跳过一步：{e.message}")
    for matter, ago, form, subject, target in PETITIONS:
        case = intake(leader, source="grid_worker", lon=lon, lat=lat, description=subject, matter=matter,
                      now=now - dt.timedelta(days=ago), find_duplicates=False).case
        n, day = case.number, today - dt.timedelta(days=ago)
        try:
            services.register_petition(leader, n, form, subject.removeprefix("【演示】"), day,
                                       [{"name": "刘某某", "phone": "13700000003", "role": "信访人"}])
            if target != "registered":
                services.decide_petition(leader, n, "accepted", day + dt.timedelta(days=5), "属本社区职责，予以受理")
            if target == "accepted":
                services.extend_petition(leader, n, 15, "需协调施工单位与住建部门，情况复杂")
            if target == "review":
                services.reply_petition(leader, n, "经核实，分摊方案经业主大会表决通过，符合规定。",
                                        day + dt.timedelta(days=30))
                services.request_review(leader, n, "对分摊比例仍有异议", day + dt.timedelta(days=40))
            made["petition"] += 1
        except DomainError as e:
            stdout(f"信访演示跳过一步：{e.message}")
    intake(worker, source="grid_worker", lon=lon, lat=lat, description="【演示】小区内发现可疑人员聚集（维稳信息）",
           matter="55002", now=now - dt.timedelta(hours=5), find_duplicates=False)
    stdout(f"调解与信访：调解记录 {made['mediation']} 件，信访登记 {made['petition']} 件，维稳信息 1 件（受限）")
