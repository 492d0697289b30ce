"""Demo: 监督检查计划 for the demo's organisations, a month of inspections (some failed items → cases), 门前三包
agreements with their inspections, and a few 回头看 — synthetic, deterministic (seeded), through the services.

The inspector's first screen (/inspection/) then shows what is due and overdue: each plan started two months ago,
and some targets were not inspected this month or last. Scale "test" (the test suite's world) makes no failed
items and no recurrences, so it files no cases.
"""

import datetime as dt
import random

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.basedata.models import Organisation, OrgKind
from gridgov.errors import DomainError

from . import services
from .logic.defaults import TEMPLATES
from .models import Inspection

STREET = "110101001"  # 东华门街道: the demo accounts' street
GRID = "110101001001W001"  # the demo grid worker's grid
ITEMS = {code: [i[0] for i in items] for code, _, _, items in TEMPLATES}
NOTES = {"F01": "疏散通道堆放纸箱", "F02": "灭火器压力不足", "F03": "应急照明灯不亮", "F04": "插线板串接、电线裸露",
         "E02": "设备防护罩缺失", "E03": "危废暂存间未上锁、无标识", "E04": "雨水口有油污痕迹", "P01": "道路有暴露垃圾",
         "Q01": "门前堆放杂物", "Q02": "商品摆放到店外", "Q03": "门前绿地被踩踏"}


def _png(seed: int) -> bytes:
    """A site photo of its own (``gridgov.demo.photo``): no two demo photos look alike to the reuse check."""
    from gridgov.demo import photo

    return photo(seed, "PNG")


def _answers(rng, template: str, fail_share: float, seed: int):
    answers, photos = [], {}
    codes = ITEMS[template]
    failed = rng.choice(codes) if rng.random() < fail_share else None
    for code in codes:
        if code == failed:
            answers.append({"item": code, "answer": "fail", "note": NOTES.get(code, "现场发现问题")})
            photos[code] = [(f"{code}.png", _png(seed))]
        elif code == "Q04":  # 冬季积雪清除: 不适用 when there is no snow
            answers.append({"item": code, "answer": "na"})
        else:
            answers.append({"item": code, "answer": "pass"})
    return answers, photos


def build(stdout=print, scale: str = "demo") -> None:
    if Inspection.objects.filter(client_key__startswith="demo-").exists():
        stdout("检查：演示数据已存在")
        return
    rng = random.Random(20261203)
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "supervisor", "inspector",
                                                                      "gridleader", "gridworker"])}
    if len(users) < 5:
        return
    fail_share = 0.25 if scale == "demo" else 0.0
    now = timezone.now()
    today = services.local_day(now)
    month_start = today.replace(day=1)
    started = (month_start - dt.timedelta(days=40)).replace(day=1)  # two months ago
    orgs = list(Organisation.objects.filter(scope_key__startswith=STREET, lon__isnull=False, closed_on__isnull=True)
                .order_by("id"))
    shops = [o for o in orgs if o.kind == OrgKind.INDIVIDUAL]
    firms = [o for o in orgs if o.kind == OrgKind.ENTERPRISE]
    n = 12 if scale == "demo" else 4
    plans = []
    if firms:
        plans.append(services.create_plan(
            users["supervisor"], name="东华门街道人员密集场所消防检查", template="fire", frequency="monthly",
            start_on=started, inspector="inspector", targets=[("organisation", o.pk) for o in firms[:n]]))
        plans.append(services.create_plan(
            users["supervisor"], name="东华门街道重点企业安全环保检查", template="enterprise", frequency="quarterly",
            start_on=started, inspector_role="inspector",
            targets=[("organisation", o.pk) for o in firms[n:n + n // 2]]))
    plans.append(services.create_plan(
        users["gridleader"], name="多福巷社区园区（胡同片区）环境秩序检查", template="park", frequency="weekly",
        start_on=started, node=GRID[:12], inspector="gridworker", targets=[("grid", GRID)]))
    inspected = failed = 0
    for plan in plans:
        who = plan.inspector or users["inspector"]
        for k, target in enumerate(plan.targets.order_by("id")):
            if k % 4 == 3:
                continue  # never inspected: overdue on the inspector's first screen
            visits = [1] if k % 4 == 2 else [1, 2]  # 1 = last month, 2 = this month
            if plan.frequency == "weekly":
                visits = [1, 2, 3]
            for v in visits:
                if v == 1:
                    day = started + dt.timedelta(days=32 + rng.randrange(0, 20))
                elif v == 2:
                    day = month_start + dt.timedelta(days=rng.randrange(0, max(1, (today - month_start).days)))
                else:
                    day = today - dt.timedelta(days=rng.randrange(0, 6))
                at = dt.datetime.combine(min(day, today), dt.time(9 + rng.randrange(0, 8), rng.randrange(60)),
                                         tzinfo=services.SHANGHAI)
                if at > now:
                    at = now - dt.timedelta(minutes=5)
                answers, photos = _answers(rng, plan.template.code, fail_share, inspected)
                try:
                    r = services.submit(who, target_id=target.pk, answers=answers, photos=photos, now=at,
                                        client_key=f"demo-t{target.pk}-{v}")
                except DomainError as e:
                    stdout(f"检查演示跳过一次：{e.message}")
                    continue
                inspected += 1
                failed += len(r.cases)
    # 门前三包: the shops of the street sign; the grid worker (own grid) and the inspector check them
    agreements = 0
    for k, shop in enumerate(shops[: (16 if scale == "demo" else 5)]):
        who = users["gridleader"] if shop.scope_key.startswith(GRID[:12]) else users["supervisor"]
        try:
            a = services.save_agreement(who, organisation_id=shop.pk, frontage="门前至路缘石，东西各 5 米",
                                        signed_on=started - dt.timedelta(days=30 + k), green=k % 3 != 0)
        except DomainError as e:
            stdout(f"门前三包演示跳过：{e.message}")
            continue
        agreements += 1
        if k % 5 == 4:
            continue  # not yet inspected this cycle
        inspector = users["gridworker"] if shop.scope_key.startswith(GRID) else users["inspector"]
        day = month_start + dt.timedelta(days=rng.randrange(0, max(1, (today - month_start).days)))
        at = min(now - dt.timedelta(minutes=5), dt.datetime.combine(day, dt.time(10, k % 60), tzinfo=services.SHANGHAI))
        answers, photos = _answers(rng, "frontage", fail_share * 1.2, 1000 + k)
        r = services.submit(inspector, agreement_id=a.pk, answers=answers, photos=photos, now=at,
                            client_key=f"demo-a{a.pk}")
        inspected += 1
        failed += len(r.cases)
    revisits = _revisits(users, rng, scale, now)
    stdout(f"检查：{len(plans)} 个检查计划，{inspected} 次检查（不合格项上报 {failed} 件），"
           f"门前三包责任书 {agreements} 份，回头看 {revisits} 次")


def _revisits(users, rng, scale, now) -> int:
    """Two 回头看 of last month's closed cases (in the demo one found the problem back: a new case)."""
    last_month = (services.local_day(now).replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    done = 0
    for k, case in enumerate(services.revisit_candidates(users["inspector"], last_month, STREET)[:2]):
        recurred = scale == "demo" and k == 0
        services.record_revisit(users["inspector"], case_number=case.number, recurred=recurred,
                                note="原处又有堆物" if recurred else "未复发", client_key=f"demo-rv{case.pk}",
                                now=now - dt.timedelta(hours=2 + k))
        done += 1
    return done


