"""Two scored and published months of 考评 for 东城区's streets (called by ``gridgov.demo.build``): the demo's last two
complete months, with the reviewers' judgements (through ``services.judge``: who set each tier and why), evidence
from 东华门街道, one appeal upheld (the month's second revision; the history shows both scores and why) and one
pending.

The earlier month goes in as a facts file a district sends (``services.run_document``; its computed inputs synthetic
and deterministic, seeded by street and month); the last month is computed from the platform's own data
(``services.run_period``: the demo's cases, the ledgers' registers, the integrity flags). This runs after the apps that
fill those. scale "test": the shipped scheme only (the tests make their own runs).
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User

from . import services
from .models import Appeal, Evidence, Judgement, Result, Run

DISTRICT, STREET = "110101", "110101001"


def build(stdout=print, scale: str = "demo") -> None:
    services.shipped_scheme()
    if scale != "demo":
        return
    months = _months(timezone.localdate())
    n = _build(months)
    stdout(f"考评：{'、'.join(months)} 两个月 {n} 个街道已计算并发布，东华门街道一项申诉已成立（第 2 版）、一项待裁定")


def _months(today: dt.date) -> list[str]:
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    before = last.replace(day=1) - dt.timedelta(days=1)
    return [f"{before.year}-{before.month:02d}", f"{last.year}-{last.month:02d}"]


def _computed(rng: random.Random, communities: int) -> dict:
    quota = float(rng.randrange(80, 160))
    completed = int(quota * rng.uniform(0.75, 1.3))
    closed_q = rng.randrange(20, 60)
    sampled = min(10, closed_q)
    total = rng.randrange(60, 200)
    public = int(total * rng.uniform(0.1, 0.3))
    received = rng.randrange(0, 25)
    due = rng.randrange(60, 120)
    return {
        "system_uptime": {"fault_hours": float(rng.randrange(0, 300)), "upgrade_hours": float(rng.choice([0, 200, 760])),
                          "upgrades": rng.randrange(0, 3), "usable": True},
        "grid_update": {"plans": 1, "plans_on_time": rng.randrange(0, 2)},
        "case_count": {"completed": completed, "quota": quota,
                       "last_year": rng.choice([None, int(completed * rng.uniform(0.8, 1.2))])},
        "quality_sample": {"closed": closed_q, "sampled": sampled, "passed": rng.randrange(sampled // 2, sampled + 1)},
        "type_diversity": {"simple": int(total * rng.uniform(0, 0.15)), "self_handled": int(total * rng.uniform(0, 0.15)),
                           "total": total},
        "discovery": {"checked": (c := rng.randrange(0, 15)), "found_in_time": rng.randrange(0, c + 1)},
        "closure_rate": {"closed": int(due * rng.uniform(0.75, 1.0)), "due": due},
        "staffing": {"staff": int(communities * rng.uniform(0.5, 1.1)), "communities": communities},
        "training": {"whole": rng.randrange(0, 4), "partial": rng.randrange(0, 4)},
        "city_dispatch": {"received": received, "timely": (t := rng.randrange(0, received + 1)),
                          "closed": rng.randrange(t, received + 1) if received else 0},
        "public_channels": {"public": public, "total": total, "public_closed_on_time": int(public * rng.uniform(0.6, 1))},
        "publicity": {"reports": rng.randrange(0, 3), "submissions": rng.randrange(0, 14)},
    }


@transaction.atomic
def _build(months: list[str]) -> int:
    from gridgov.geo.models import Jurisdiction, Level

    # a rebuild: the district's assessment rows go first (the demo's own data, not a service write)
    Appeal.objects.filter(unit_code__startswith=DISTRICT).delete()
    Result.objects.filter(run__district_code=DISTRICT).delete()
    Run.objects.filter(district_code=DISTRICT).delete()
    Judgement.objects.filter(unit_code__startswith=DISTRICT).delete()
    Evidence.objects.filter(unit_code__startswith=DISTRICT).delete()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "shift", "supervisor"])}
    reviewer, admin, supervisor = users["shift"], users["admin"], users["supervisor"]
    streets = services.units(DISTRICT)
    communities = {code: Jurisdiction.objects.filter(level=Level.COMMUNITY, code__startswith=code).count()
                   for code, _ in streets}
    ev = services.submit_evidence(supervisor, months[0], "subcentre",
                                  "东华门街道分中心已建成，并与“接诉即办”平台建立联动机制（附联动工作规程）。")
    for i, (code, _name) in enumerate(streets):
        rng = random.Random(f"assess-{code}")
        services.judge(reviewer, months[0], code, "subcentre", tier=1 if code == STREET else 1 + i % 3,
                       remark="现场查看分中心建设情况", evidence_id=ev.pk if code == STREET else None)
        for key, tiers in (("geo_update", 3), ("grid_update", 3), ("component_update", 4), ("management", 3),
                           ("big_data", 4)):
            services.judge(reviewer, months[0], code, key, tier=rng.randrange(1, tiers + 1), remark="依据报送材料评定")
        services.judge(reviewer, months[0], code, "special_tasks", tier=rng.randrange(1, 4), receiver=True,
                       remark="专项工作按期反馈")
        services.judge(reviewer, months[0], code, "innovation", points=float(rng.randrange(0, 11)) / 2,
                       remark="创新工作机制材料")
        for m in months:
            services.judge(reviewer, m, code, "feedback", tier=rng.randrange(1, 4), remark="当月反馈及时性与准确度")
    services.judge(reviewer, months[0], STREET, "management", tier=2, remark="出台了考核制度，未见奖惩措施")
    # a change in the second month: carried forward until changed
    services.judge(reviewer, months[1], STREET, "big_data", tier=1, remark="提交了大数据分析报告（人流与案件高发时段）")
    # the earlier month as a district would send it in a facts file (its computed inputs synthetic); the last one
    # computed from the platform's own data — the cases (kpi), the registers (ledgers), the confirmed 弄虚作假 flags
    # (integrity) and the judgements above
    run = services.run_document(admin, _facts(months[0], streets, communities), reason="按考评数据文件计算（演示数据）")
    services.publish(admin, run.pk)
    run = services.run_period(admin, months[1], DISTRICT)
    services.publish(admin, run.pk)
    last = services.current_run(admin, months[1])
    upheld = services.file_appeal(supervisor, last.pk, "management",
                                  "本街道已于上月出台网格员考核制度及奖惩措施，评为二档有误（附制度文件）。")
    services.rule_appeal(reviewer, upheld.pk, True, "经核实已出台考核制度及奖惩措施，改评一档。", corrected={"tier": 1})
    services.file_appeal(supervisor, services.current_run(admin, months[1]).pk, "quality_sample",
                         "抽查的 1 件不合格案件系照片上传失败，现场已处置完毕，请复核。")
    return len(streets)


def _facts(period: str, streets, communities) -> dict:
    from .logic import facts as facts_logic

    scheme = services.active_scheme()
    codes = [c for c, _ in streets]
    judged = services._strip_sources(services.judgement_inputs(period, scheme, codes))
    computed = {code: _computed(random.Random(f"assess-{code}-{period}"), max(1, communities[code]))
                for code in codes}
    return facts_logic.compose(period, {"code": DISTRICT, "name": "东城区"}, services.document(scheme), streets,
                               {"totals": {"closure_rate": 0.872, "public_share": 0.18}, "units": {}},
                               {"totals": {"population": 708829, "area_km2": 41.84, "annual_cases": 60000},
                                "units": computed}, judged, [])
