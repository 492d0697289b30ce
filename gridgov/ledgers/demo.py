"""The registers for the demo (called by ``gridgov.demo.build``): 东城区's 17 streets with their 常住人口 and 面积
and the district's annual case total (附件2), and — at "demo" scale — the registers of the demo's last two
complete months: 倒查 problems matched or missed, each street's case sample drawn and marked, trainings (submitted
and confirmed), system faults and an upgrade, media reports and submissions. Every write goes through the
services (audited), as the centre's shift leader (审核) and the street's supervisor (培训填报).

The populations and areas are SYNTHETIC: of the order of the 2020 census (第七次人口普查: 东城区 708,829 people) and the
district's 41.84 km², shared out plausibly — not the official figures. The annual case total (60,000) is invented.
Deterministic: a seeded RNG, dates relative to the demo's "now" (the last two complete months before it).
"""

import datetime as dt
import random
import time

from django.utils import timezone

from gridgov.accounts.models import User

from . import services
from .logic import periods
from .models import (
    Mark,
    Outage,
    Problem,
    Publicity,
    QuotaAdjustment,
    QuotaYear,
    SampleDraw,
    Training,
    UnitBase,
)

DISTRICT = "110101"
ANNUAL_CASES = 60_000
POPULATION_SOURCE, AREA_SOURCE = "2020年上报（演示数据）", "2019版年鉴（演示数据）"
# street code → (常住人口, 面积 km²): synthetic, summing to 708,829 people and 41.84 km²
BASES = {
    "110101001": (52_000, 4.00), "110101002": (26_000, 1.52), "110101003": (35_000, 1.43),
    "110101004": (33_000, 1.74), "110101005": (52_000, 2.76), "110101006": (34_000, 1.52),
    "110101007": (33_000, 1.38), "110101008": (47_000, 2.69), "110101009": (42_000, 2.35),
    "110101010": (93_000, 5.30), "110101011": (17_000, 1.09), "110101012": (34_000, 1.88),
    "110101013": (40_000, 1.85), "110101014": (51_000, 3.20), "110101015": (38_000, 1.90),
    "110101016": (33_000, 3.99), "110101017": (48_829, 3.24),
}


def build(stdout=print, scale: str = "demo") -> None:
    t0 = time.perf_counter()
    shift = User.objects.get(username="shift")
    now = timezone.now()
    months = [periods.previous(periods.of(now), 2), periods.previous(periods.of(now), 1)]
    years = sorted({int(m[:4]) for m in months} | {now.astimezone(periods.SHANGHAI).year})
    for year in years:
        _bases(shift, year)
    if scale != "demo":
        return
    counts = _registers(shift, months, now)
    stdout(f"考评台账：{len(BASES)} 个街道的人口与面积（{'、'.join(map(str, years))} 年），{months[0]}、{months[1]} 两个月的"
           f"倒查问题 {counts['problems']} 个、抽查案件 {counts['sampled']} 件、培训 {counts['trainings']} 次"
           f"（{time.perf_counter() - t0:.1f} 秒）")


def _bases(user, year: int) -> None:
    UnitBase.objects.filter(year=year, scope_key__startswith=DISTRICT).delete()
    QuotaYear.objects.filter(year=year, scope_key=DISTRICT).delete()
    QuotaAdjustment.objects.filter(year=year, scope_key__startswith=DISTRICT).delete()
    for code, (population, area) in BASES.items():
        services.save_unit_base(user, code, year, population, area, POPULATION_SOURCE, AREA_SOURCE)
    services.set_district_total(user, DISTRICT, year, ANNUAL_CASES, note="演示数据")
    services.add_adjustment(user, "110101011", year, -120, "前门地区旅游人流量大、常住人口少，核减（演示）")


def _registers(shift, months: list[str], now: dt.datetime) -> dict:
    from gridgov.cases.models import Case

    rng = random.Random(20261203)
    supervisor = User.objects.get(username="supervisor")
    Problem.objects.filter(scope_key__startswith=DISTRICT).delete()
    SampleDraw.objects.filter(scope_key__startswith=DISTRICT, period__in=months).delete()
    # its own registers only: a row a training session (gridgov/training) entered stays with its session
    Training.objects.filter(scope_key__startswith=DISTRICT, session__isnull=True).delete()
    Outage.objects.filter(scope_key__startswith=DISTRICT).delete()
    Publicity.objects.filter(scope_key__startswith=DISTRICT).delete()
    counts = {"problems": 0, "sampled": 0, "trainings": 0}
    kinds = ["site_check", "monthly_check", "media", "leader", "public"]
    for period in months:
        start, end = periods.month(period)
        for code in BASES:
            own = list(Case.objects.filter(scope_key__startswith=code, reported_at__gte=start, reported_at__lt=end,
                                           source__in=("grid_worker", "inspector")).select_related("matter")
                       .order_by("number")[:40])
            for case in rng.sample(own, min(len(own), rng.randint(2, 5))):
                in_time = rng.random() < 0.75
                found = case.reported_at + (dt.timedelta(hours=rng.randint(1, 20)) if in_time
                                            else -dt.timedelta(days=rng.randint(2, 6)))
                if not start <= found < end or found > now:
                    continue
                p = services.record_problem(shift, rng.choice(kinds), found, case.lon, case.lat,
                                            f"{case.matter.name if case.matter_id else '问题'}（{period} 倒查演示）",
                                            case.matter.code if case.matter_id else "", case.address)
                services.review_problem(shift, p.pk, "in_time" if p.suggested_id else "missed",
                                        note="" if p.suggested_id else "问题发现前网格未上报")
                counts["problems"] += 1
            if end <= now:
                d = services.draw_sample(shift, period, code)
                for s in d.cases.all():
                    failed = rng.random() < 0.12
                    services.mark_sample(shift, s.pk, Mark.FAILED if failed else Mark.PASSED,
                                         "处置结果照片与问题不符" if failed else "")
                    counts["sampled"] += 1
            day = (start + dt.timedelta(days=rng.randint(3, 20))).date()
            kind = "whole" if rng.random() < 0.5 else "partial"
            t = services.submit_training(supervisor if code == "110101001" else shift, day,
                                         "网格员业务培训：案件分类与上报规范" if kind == "whole" else "新入职网格员岗前培训",
                                         kind, rng.randint(8, 40), "签到表、培训照片", street_code=code)
            services.review_training(shift, t.pk, True)
            counts["trainings"] += 1
            if rng.random() < 0.3:
                a = start + dt.timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 20))
                services.record_outage(shift, code, "fault", a, a + dt.timedelta(hours=rng.randint(4, 60)),
                                       "终端网络中断（演示）")
            if rng.random() < 0.5:
                services.record_publicity(shift, code, "submission", (start + dt.timedelta(days=rng.randint(1, 25)))
                                          .date(), "网格化管理工作信息", "北京日报（报送）")
    services.record_outage(shift, "110101002", "upgrade", periods.month(months[0])[0] + dt.timedelta(days=2),
                           periods.month(months[0])[0] + dt.timedelta(days=9), "分中心系统升级改造（演示）")
    services.record_publicity(shift, "110101001", "report", periods.month(months[1])[0].date() + dt.timedelta(days=9),
                              "东华门街道网格化管理经验", "北京日报")
    return counts
