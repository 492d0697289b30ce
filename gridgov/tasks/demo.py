"""Demo: a campaign (背街小巷环境整治专项行动) with three responsible units, its phases, tasks and monthly reports (one
late, one missing), assigned tasks with feedback, a drill and a meeting whose minutes some members confirmed.

Replayed through the services with the historical time (``now=``), relative to today; deterministic. Rebuilt on
every run (the demo's own rows are removed first).
"""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User

from . import services
from .models import Campaign, Drill, Meeting, Task

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CAMPAIGN = "背街小巷环境整治专项行动"
FIGURES = ("排查背街小巷（条）", "清理堆物堆料（处）", "发现问题（个）")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI)


def _month(first: dt.date, delta: int) -> dt.date:
    y, m = divmod(first.year * 12 + first.month - 1 + delta, 12)
    return dt.date(y, m + 1, 1)


def _past(t: dt.datetime, now: dt.datetime) -> dt.datetime:
    return min(t, now - dt.timedelta(hours=1))


@transaction.atomic
def build(stdout=print, scale: str = "demo") -> None:
    u = {x.username: x for x in User.objects.filter(username__in=[
        "admin", "supervisor", "handler", "gridleader", "gridworker", "demo-s110101002"])}
    if len(u) < 6:
        return
    Campaign.objects.filter(name=CAMPAIGN).delete()
    Task.objects.filter(issuer_key="110101001", campaign__isnull=True).delete()
    Drill.objects.filter(scope_key="110101001001").delete()
    Meeting.objects.filter(scope_key="110101001001").delete()
    now = timezone.now()
    today = timezone.localdate(now)
    m0 = today.replace(day=1)
    m_2, m_1, m1, m2, m3 = (_month(m0, d) for d in (-2, -1, 1, 2, 3))
    start = m_2 - dt.timedelta(days=7)
    c = services.create_campaign(u["admin"], {
        "name": CAMPAIGN, "issuer": "110101", "start": start, "end": None, "report_day": 27,
        "summary": "按照「定区域、定职责、定人员、定任务、定考核」的要求，全面排查背街小巷的堆物堆料、暴露垃圾和私搭乱建，"
                   "责任到人，建立长效机制。各责任单位每月27日前将本月工作开展情况上报。",
        "phases": [
            {"kind": "deploy", "start": start, "end": m_2 - dt.timedelta(days=1), "note": "动员部署，分解细化工作"},
            {"kind": "implement", "start": m_2, "end": m2 - dt.timedelta(days=1), "reporting": True,
             "note": "全面排查，每月27日前上报本月工作开展情况"},
            {"kind": "summary", "start": m2, "end": m3 - dt.timedelta(days=1), "note": "回头看，总结经验"},
            {"kind": "long_term", "start": m3, "end": None, "note": "纳入日常监管"},
        ],
        "units": [{"unit": "110101001", "duty": "东华门街道辖区背街小巷排查整治"},
                  {"unit": "110101002", "duty": "景山街道辖区背街小巷排查整治"},
                  {"unit": "110101-HW", "duty": "积存垃圾清运"}],
    })
    reporters = {"110101001": u["supervisor"], "110101002": u["demo-s110101002"], "110101-HW": u["handler"]}
    # (unit, month, day of submission — None: not reported)
    plan = [("110101001", m_2, 20), ("110101002", m_2, 26), ("110101-HW", m_2, 24),
            ("110101001", m_1, 25), ("110101002", m_1, 29), ("110101-HW", m_1, None)]
    if today.day >= 10:
        plan.append(("110101001", m0, 9))
    for i, (unit, month, day) in enumerate(plan):
        if day is None:
            continue
        due = dt.date(month.year, month.month, 27)
        when = _past(_at(due + dt.timedelta(days=day - 27), 16), now)
        services.submit_report(reporters[unit], c.pk, unit, month,
                               f"{month:%m}月排查背街小巷，清理堆物堆料，督促商户落实门前三包。",
                               {FIGURES[0]: 12 + 3 * i, FIGURES[1]: 5 + i, FIGURES[2]: 2 + i % 3}, now=when)
    issued = _at(m_2, 9)
    deadline = _month(m_2, 1) + dt.timedelta(days=14)
    done, overdue = services.assign(u["admin"], {
        "campaign": c.pk, "title": "建立背街小巷台账", "detail": "逐条登记背街小巷的长度、问题和责任人",
        "deadline": deadline, "units": ["110101001", "110101002"]}, now=issued)
    services.give_feedback(u["supervisor"], done.pk, "已建立台账，共 46 条背街小巷", now=_at(deadline - dt.timedelta(days=3)))
    services.decide(u["admin"], done.pk, True, "台账完整", now=_at(deadline - dt.timedelta(days=2)))
    services.assign(u["admin"], {"campaign": c.pk, "title": "清运背街小巷积存垃圾", "deadline": m2 - dt.timedelta(days=5),
                                 "units": ["110101-HW"]}, now=issued)
    services.scan_overdue(now)  # the 景山街道 ledger is overdue: its unit and the sender are told once
    # 专项工作: 东华门街道 sends work down to 多福巷社区 and to the demo grid worker's grid
    (old,) = services.assign(u["supervisor"], {"title": "统计辖区烟花爆竹零售点", "deadline": today - dt.timedelta(days=10),
                                               "units": ["110101001001"]}, now=now - dt.timedelta(days=20))
    services.give_feedback(u["gridleader"], old.pk, "共 3 处零售点，均已登记", now=now - dt.timedelta(days=12))
    services.decide(u["supervisor"], old.pk, True, now=now - dt.timedelta(days=11))
    (fire,) = services.assign(u["supervisor"], {
        "title": "核查辖区消防通道堵塞情况", "detail": "逐栋查看楼道和消防通道，拍照反馈", "deadline": today + dt.timedelta(days=7),
        "units": ["110101001001"]}, now=now - dt.timedelta(days=3))
    services.give_feedback(u["gridleader"], fire.pk, "已核查 12 栋，清理楼道堆物 5 处", now=now - dt.timedelta(hours=20))
    services.assign(u["supervisor"], {"title": "排查网格内群租房", "deadline": today + dt.timedelta(days=5),
                                      "units": [u["gridworker"].node_key]}, now=now - dt.timedelta(days=1))
    # 演练 (seed 003 篇5): 社区与共建单位进行防灾减灾应急疏散演练
    d = services.create_drill(u["gridleader"], {
        "kind": "disaster", "title": "防灾减灾应急疏散演练", "planned_on": today - dt.timedelta(days=20),
        "place": "社区广场", "participants": "社区工作人员、共建单位、学生、志愿者和居民代表", "participant_count": 86})
    services.record_drill(u["gridleader"], d.pk, {
        "held_on": today - dt.timedelta(days=20),
        "findings": "3 号楼楼道堆放杂物影响疏散；部分居民不会使用灭火器"})
    services.add_drill_action(u["gridleader"], d.pk, "清理 3 号楼楼道堆物", "网格员", today - dt.timedelta(days=13))
    services.add_drill_action(u["gridleader"], d.pk, "开展灭火器使用培训", "社区居委会", today + dt.timedelta(days=10))
    first = d.actions.order_by("id").first()
    services.finish_drill_action(u["gridleader"], d.pk, first.pk, today - dt.timedelta(days=15))
    # 例会 (seed 003 篇1: 每周五组织召开网格员例会)
    workers = list(User.objects.filter(node_key__startswith="110101001001W", role="grid_worker")
                   .exclude(username="gridworker").order_by("username").values_list("username", flat=True)[:3])
    held = _at(today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7), 15)
    m = services.create_meeting(u["gridleader"], {
        "title": "网格员周例会", "held_at": held, "place": "社区会议室",
        "agenda": "一、本周采集数据排名\n二、消防通道核查进展\n三、部署下周重点工作",
        "members": ["gridworker", *workers]})
    services.send_minutes(u["gridleader"], m.pk, "本周采集新增人口 86 人，走访 214 户；下周重点：消防通道核查、群租房排查。",
                          now=held + dt.timedelta(hours=2))
    for name in workers[:2]:
        services.confirm_minutes(User.objects.get(username=name), m.pk, now=held + dt.timedelta(hours=5))
    stdout(f"专项行动：{CAMPAIGN}（3 个责任单位，{c.reports.count()} 份月报），专项工作 3 项，演练 1 次，例会 1 次")
