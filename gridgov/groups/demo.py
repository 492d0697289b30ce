"""Demo 人员网格 in 多福巷社区's grid W001 (the demo 网格员's grid), after seed 003 篇4: a nursing class divided into four
dormitories with their 寝室长 and the 班长; a notice about 落户手续 confirmed by three of the four dormitories (the fourth
shown as missing); the 国庆 holiday with everyone's whereabouts and one late return; 例会 every two weeks with minutes
and one missed; a report from a dormitory that became a case (demo scale). Beside it a company with two teams, and
the dynamic group 「独居且 80 岁以上」 of the community. Synthetic and deterministic; run again, it is rebuilt."""

import datetime as dt

from django.utils import timezone

from gridgov.accounts.models import User

from . import services
from .models import DynamicGroup, GroupReport, Organisation

GRID, COMMUNITY = "110101001001W001", "110101001001"
SCHOOL, COMPANY, DYNAMIC = "演示医学院 13级护理班", "演示物业服务公司", "独居且 80 岁以上"
# (dormitory, its members: (name, title)); the first of each is the 寝室长, the first of all the 班长 too
DORMS = [
    ("1号寝室", [("徐演示", "班长"), ("王示例", ""), ("陈样本", ""), ("李测试", "")]),
    ("2号寝室", [("赵演示", "寝室长"), ("钱示例", ""), ("孙样本", ""), ("周测试", "")]),
    ("3号寝室", [("吴演示", "寝室长"), ("郑示例", ""), ("冯样本", ""), ("褚测试", "")]),
    ("4号寝室", [("卫演示", "寝室长"), ("蒋示例", ""), ("沈样本", ""), ("韩测试", "")]),
]
# whereabouts over the holiday: member → (plan, place, returned how many days after the due day; None: stays)
PLACES = ["江苏省南通市", "安徽省合肥市", "浙江省杭州市", "山东省济南市", "江苏省扬州市", "上海市"]
TEAMS = [("保洁班组", ["杨演示", "朱示例", "秦样本"]), ("绿化班组", ["尤演示", "许示例", "何样本"])]


def _clear() -> None:
    for o in Organisation.objects.filter(scope_key=GRID, name__in=[SCHOOL, COMPANY]):
        GroupReport.objects.filter(group__organisation=o).delete()
        o.groups.update(cadre=None)
        o.members.all().delete()
        for g in sorted(o.groups.all(), key=lambda g: -len(_ancestors(g))):
            g.delete()
        o.delete()
    DynamicGroup.objects.filter(scope_key=COMMUNITY, name=DYNAMIC).delete()


def _ancestors(g) -> list:
    out = []
    while g.parent_id:
        g = g.parent
        out.append(g)
    return out


def build(stdout=print, scale: str = "demo") -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["gridworker", "gridleader", "resident"])}
    if len(users) < 3:
        return
    worker, leader = users["gridworker"], users["gridleader"]
    _clear()
    today = timezone.localdate()
    school = services.create_organisation(leader, {
        "name": SCHOOL, "kind": "school", "grid": GRID, "address": "多福巷 8 号 学生公寓 3 号楼", "head": "班主任 周老师",
        "meeting_start": today - dt.timedelta(days=70)})
    klass = services.add_group(leader, school.pk, "13级护理班")
    people, dorm_groups = [], []
    for d, (dorm, names) in enumerate(DORMS):
        g = services.add_group(leader, school.pk, dorm, klass.pk)
        dorm_groups.append(g)
        for i, (name, title) in enumerate(names):
            m = services.add_member(leader, school.pk, {
                "group_id": g.pk, "name": name, "title": title, "phone": f"1390000{d}{i:03d}", "cadre": i == 0,
                # the demo resident's account is 4号寝室's 寝室长: it opens the dormitory's page and confirms there
                "username": "resident" if (d, i) == (3, 0) else ""})
            people.append(m)
    klass.cadre = people[0]
    klass.save(update_fields=["cadre"])
    # a notice about 落户手续 (the seed's example of a notice that did not reach everyone): 3 of 4 confirmed
    n = services.send_notice(leader, school.pk, "关于按时办理落户手续的通知",
                             "请各寝室长通知到每位同学：本周五前到学院办公室提交落户材料，逾期须迁回原籍。",
                             confirm_by=today + dt.timedelta(days=3))
    for g in dorm_groups[:3]:
        services.confirm_notice(worker, n.pk, g.pk)
    # the 国庆 holiday: everyone's whereabouts, all back on time but one (late by two days)
    h = services.create_holiday(leader, school.pk, "国庆假期", today - dt.timedelta(days=30),
                                today - dt.timedelta(days=24), today - dt.timedelta(days=23))
    for i, m in enumerate(people):
        if i % 5 == 4:
            services.record_whereabouts(worker, h.pk, m.pk, "stay")
            continue
        leave = h.starts_on + dt.timedelta(days=i % 2)
        services.record_whereabouts(worker, h.pk, m.pk, "travel" if i % 7 == 3 else "home", PLACES[i % len(PLACES)],
                                    leave, h.ends_on)
        late = m.name == "韩测试"
        services.record_return(worker, h.pk, m.pk, h.return_due_on + dt.timedelta(days=2 if late else -(i % 2)))
    # 例会 every two weeks since ten weeks ago: minutes for four, the third one missed, today's not yet
    for k, text in [(0, "总结开学两周工作：寝室卫生检查全部合格。下一阶段：组织「上自习小分队」。"),
                    (1, "通报落户手续办理进度；安排国庆假期去向统计，由各寝室长负责到人。"),
                    (3, "核查国庆返校情况：一人逾期返回，已由寝室长谈话了解原因。"),
                    (4, "布置期中考试复习；学生代表反映 4 号寝室门前路灯不亮，已上报社区。")]:
        day = school.meeting_start + dt.timedelta(days=14 * k)
        services.record_meeting(leader, school.pk, day, day, text, "文艺委员 郑示例", 13)
    if scale == "demo":  # the test world keeps its cases as they were
        services.report(worker, dorm_groups[3].pk, "学生公寓 3 号楼 4 号寝室门前路灯不亮，夜间出行不便",
                        member_id=people[12].pk)
    company = services.create_organisation(leader, {"name": COMPANY, "kind": "company", "grid": GRID,
                                                    "address": "多福巷 12 号", "head": "经理 马某"})
    for t, (team, names) in enumerate(TEAMS):
        g = services.add_group(leader, company.pk, team)
        for i, name in enumerate(names):
            services.add_member(leader, company.pk, {"group_id": g.pk, "name": name, "title": "组长" if i == 0 else "",
                                                     "phone": f"1370000{t}{i:03d}", "cadre": i == 0})
    d = services.create_dynamic(leader, DYNAMIC, COMMUNITY, [{"field": "age", "op": "gte", "value": 80},
                                                            {"field": "living_alone", "op": "eq", "value": True}],
                                "多福巷社区网格长", "gridleader")
    stdout(f"人员网格：{SCHOOL}（4 个寝室，{len(people)} 人；通知确认 3/4；国庆假期 1 人逾期返回），{COMPANY}（2 个班组），"
           f"动态人群「{DYNAMIC}」{services.dynamic_members(leader, d).count()} 人")
