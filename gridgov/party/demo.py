"""Demo party building (党建引领) on the grids of two streets (东华门街道 110101001 and 景山街道 110101002): in every
community with residents, a 网格党支部 on its first two management grids and a 网格党小组 on each other grid, party
members drawn from the adult residents (about one in fourteen), 在职党员 who registered with their community (the
last one of each community still waiting for confirmation), their 承诺 of this year and last year, 入户 visits, and
two 帮扶对子 per community with visits — one of them, in 多福巷社区 (the demo 网格长's), not visited for 120 days
(超期未走访). Synthetic and deterministic (a seeded generator over the demo residents, ordered by id); run by
``gridgov.demo.build`` after the basic data.
"""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.basedata.models import Household, Resident, ResidentStatus
from gridgov.geo.models import Grid, Jurisdiction, Level

from .models import (
    HomeVisit,
    Member,
    MemberStatus,
    OrgKind,
    Pair,
    PairVisit,
    PartyOrg,
    Pledge,
    Registration,
    RegistrationStatus,
)

STREETS = ("110101001", "110101002")
OVERDUE_COMMUNITY = "110101001001"  # 多福巷社区: the demo grid leader's community
EMPLOYERS = ["区财政局", "区教育委员会", "北京市第五中学", "区卫生健康委员会", "国家电网北京东城供电公司", "区税务局",
             "北京协和医院", "区文化和旅游局", "中国邮政东城分公司", "区市场监督管理局"]
PLEDGES = ["每月参加一次社区志愿服务", "结对帮扶一户困难家庭", "参与楼门院环境整治", "为社区老人义务理发",
           "开展一次防诈骗宣传", "参加社区疫情防控值守", "为辖区青少年辅导功课"]
HOME_VISITS = ["了解家庭生活情况，宣传养老政策", "帮助老人预约社区医生上门", "收集对楼道照明的意见",
               "讲解垃圾分类要求", "慰问独居老人，检查燃气安全"]
NEEDS = ["独居老人，行动不便", "低保家庭，子女就学困难", "残疾人家庭，需要日常照料", "大病家庭，经济困难"]
PAIR_VISITS = [("上门陪老人就医取药", "药已取回，老人情况稳定"), ("帮助申请临时救助", "已提交申请，社区受理"),
               ("打扫卫生，检查水电", "已修好漏水龙头"), ("陪同聊天，了解近况", "情绪良好，无新的诉求")]


def clear() -> None:
    for model in (PairVisit, Pair, HomeVisit, Pledge, Registration):
        model.objects.all().delete()
    PartyOrg.objects.update(leader=None)
    Member.objects.all().delete()
    PartyOrg.objects.all().delete()


@transaction.atomic
def build(stdout=print, scale: str = "demo") -> None:
    rng = random.Random(1921)
    today = timezone.localdate()
    clear()
    adult = today.replace(year=today.year - 18)
    residents = defaultdict(list)  # management grid's scope key → adult residents (id, scope key, household)
    for row in (Resident.objects.filter(status=ResidentStatus.ACTIVE, birth_date__lte=adult)
                .filter(Q(scope_key__startswith=STREETS[0]) | Q(scope_key__startswith=STREETS[1])).order_by("id")
                .values_list("id", "scope_key", "household_id")):
        residents[row[1].split(".")[0]].append(row)
    communities = (Jurisdiction.objects.filter(level=Level.COMMUNITY, parent__code__in=STREETS).order_by("code"))
    n_orgs = n_members = n_pairs = 0
    for community in communities:
        grids = [g for g in Grid.objects.filter(layer__code="management", community=community).order_by("code")
                 if residents.get(g.scope_key)]
        if not grids:
            continue
        base = community.name.removesuffix("居委会").removesuffix("社区")
        groups = [grids[:2]] + [[g] for g in grids[2:]] if len(grids) >= 3 else [[g] for g in grids]
        members_here: list[Member] = []
        for group in groups:
            two = len(group) > 1
            org = PartyOrg.objects.create(
                name=f"{base}社区第一网格党支部" if two else f"{base}社区{group[0].name or group[0].code}党小组",
                kind=OrgKind.BRANCH if two else OrgKind.GROUP, community=community, parent_name=f"{base}社区党委",
                scope_key=community.code if two else group[0].scope_key)
            org.grids.set(group)
            n_orgs += 1
            made = []
            for g in group:
                pool = residents[g.scope_key]
                chosen = [r for r in pool if rng.random() < 1 / 14] or pool[:2]
                for rid, key, _ in chosen:
                    in_service = rng.random() < 0.5
                    made.append(Member(
                        resident_id=rid, org=org, scope_key=key, in_service=in_service,
                        employer=rng.choice(EMPLOYERS) if in_service else "",
                        status=MemberStatus.PROBATIONARY if rng.random() < 0.08 else MemberStatus.FULL,
                        joined_on=dt.date(rng.randrange(1975, today.year - 1), rng.randrange(1, 13), rng.randrange(1, 29))))
            made = Member.objects.bulk_create(made)
            org.leader = made[0]
            org.save(update_fields=["leader"])
            members_here += made
        n_members += len(members_here)
        _registrations(rng, today, community, members_here)
        n_pairs += _pairs(rng, today, community, members_here)
    stdout(f"党建引领：网格党组织 {n_orgs} 个，党员 {n_members} 名，帮扶对子 {n_pairs} 个（1 个超期未走访）")


def _registrations(rng, today, community, members: list[Member]) -> None:
    in_service = [m for m in members if m.in_service]
    regs, pledges, visits = [], [], []
    households = list(Household.objects.filter(scope_key__startswith=community.code).order_by("id")
                      .values_list("id", "scope_key")[:200])
    for i, m in enumerate(in_service):
        pending = i == len(in_service) - 1
        on = today - dt.timedelta(days=rng.randrange(20, 700) if not pending else 3)
        regs.append(Registration(
            member=m, community=community, employer=m.employer, registered_on=on, scope_key=m.scope_key,
            status=RegistrationStatus.PENDING if pending else RegistrationStatus.CONFIRMED,
            decided_at=None if pending else timezone.now() - dt.timedelta(days=(today - on).days - 2)))
        if pending:
            continue
        for year in (today.year - 1, today.year):
            pledges.append(Pledge(member=m, year=year, content=rng.choice(PLEDGES), scope_key=m.scope_key))
            for _ in range(rng.randrange(1, 4)):
                hid, key = rng.choice(households)
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
                visits.append(HomeVisit(member=m, household_id=hid, visited_on=min(day, today), scope_key=key,
                                        content=rng.choice(HOME_VISITS)))
    Registration.objects.bulk_create(regs)
    Pledge.objects.bulk_create(pledges)
    HomeVisit.objects.bulk_create(visits)


def _pairs(rng, today, community, members: list[Member]) -> int:
    helpers = members[:2]
    own = set(Resident.objects.filter(pk__in=[m.resident_id for m in helpers]).values_list("household_id", flat=True))
    households = [h for h in Household.objects.filter(scope_key__startswith=community.code).order_by("id")
                  .values_list("id", "scope_key")[:50] if h[0] not in own]
    made = 0
    for k, helper in enumerate(helpers):
        if k >= len(households):
            break
        hid, key = households[k * 7 % len(households)]
        overdue = community.code == OVERDUE_COMMUNITY and k == 1
        pair = Pair.objects.create(helper=helper, household_id=hid, need=NEEDS[k % len(NEEDS)], scope_key=key,
                                   started_on=today - dt.timedelta(days=400))
        ago = [300, 200, 120] if overdue else [150, 75, 12 + k * 5]
        PairVisit.objects.bulk_create([
            PairVisit(pair=pair, visited_on=today - dt.timedelta(days=d), content=c, result=r, scope_key=key)
            for d, (c, r) in zip(ago, rng.sample(PAIR_VISITS, len(ago)), strict=True)])
        made += 1
    return made
