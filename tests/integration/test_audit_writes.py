"""Every write leaves exactly its audit records: one table per app, (write → expected (object_type, action) records),
typed by hand. A row runs its preparation, notes the chain's end, runs the one write under test and compares the
records appended since with the row's expectation — so a write that forgets the audit, or records twice, fails.

The same for the Django admin (the demo's `admin`, through the admin pages with the test client) and for the
API handlers and page views that used to write models themselves.
"""

import datetime as dt
import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from gridgov.audit.models import AuditRecord

# ---------------------------------------------------------------- helpers


def last_id() -> int:
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def records_since(start: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(id__gt=start).order_by("id"))


def kinds(recs) -> list[tuple[str, str]]:
    return [(r.object_type, r.action) for r in recs]


class Ctx:
    """What a row needs: the demo accounts, a point in 多福巷社区 and its grid, and a scratch dict."""

    def __init__(self, users, point):
        self.users, self.point, self.scratch = users, point, {}

    def __getattr__(self, name):
        return self.users[name]


def unit_point():
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", scope_key__startswith="110101001001W001.").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


def valid_id(prefix17: str) -> str:
    from gridgov.basedata.logic.ids import id_check_char

    return prefix17 + id_check_char(prefix17)


def own_dwelling():
    from gridgov.basedata.models import Dwelling

    return Dwelling.objects.filter(scope_key__startswith="110101001001W001.").order_by("id").first()


def new_resident(c, id17="11010119800101123"):
    from gridgov.basedata import services

    return services.create_resident(c.gridleader, {
        "name": "审计测试人", "id_number": valid_id(id17), "phone": "13812345678", "dwelling_id": own_dwelling().pk,
        "household_number": "AUDIT-HH-1"})


# ---------------------------------------------------------------- geo


def _grid_update(c):
    from gridgov.geo import services

    services.update_grid(c.gridleader, "management", "110101001001W001", {"name": "多福巷第一网格（改）",
                                                                           "households": 321})


def _duties(c):
    from gridgov.geo import services

    services.set_duties(c.gridleader, "management", "110101001001W001",
                        [{"post": "grid_worker", "username": "gridworker"}])


def _layer_import(c):
    from gridgov.geo import services
    from gridgov.geo.models import Jurisdiction

    community = Jurisdiction.objects.get(code="110101001001")
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(community.geometry),
         "properties": {"code": "XF001", "name": "消防一号网格", "community": "110101001001"}}]}
    services.import_grids(c.admin, "fire", "消防网格", json.dumps(data))


def _boundary_import(c):
    from gridgov.geo import services
    from gridgov.geo.models import Jurisdiction

    community = Jurisdiction.objects.get(code="110101001001")
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(community.geometry),
         "properties": {"code": "110101001001", "name": community.name}}]}
    services.import_boundary(json.dumps(data).encode(), code="110101001001", user=c.admin)


def _init_district(c):
    from gridgov.geo import services

    services.init_district("110105")  # 朝阳区: not in the test world yet


def _generate_grids(c):
    from gridgov.geo import services

    services.generate_grids("110102", cell_m=400)


def _change_plan(c):
    from gridgov.geo import gridchanges

    c.scratch["change"] = gridchanges.plan(c.gridleader, node="110101001001", kind="workload", parts=2).pk


def _change_apply(c):
    from gridgov.geo import gridchanges

    gridchanges.apply(c.gridleader, c.scratch["change"])


GEO = [
    ("update_grid", None, _grid_update, [("grid", "update")]),
    ("set_duties", None, _duties, [("grid", "set_duties")]),
    ("import_grids", None, _layer_import, [("grid_layer", "import_grids")]),
    ("import_boundary", None, _boundary_import, [("jurisdiction", "import_boundary")]),
    ("init_district", None, _init_district, [("jurisdiction", "init_district")]),
    # gridchange: a district that has grids is regenerated through a change plan (planned, then applied)
    ("generate_grids", None, _generate_grids, [("grid_change", "grid_change.plan"), ("grid_change", "grid_change.apply")]),
    ("grid change plan", None, _change_plan, [("grid_change", "grid_change.plan")]),
    ("grid change apply", _change_plan, _change_apply, [("grid_change", "grid_change.apply")]),
]

# ---------------------------------------------------------------- catalog, deadlines, routing, calendar


def _component_create(c):
    from gridgov.catalog import services

    lon, lat = unit_point()
    c.scratch["component"] = services.create_component(c.gridleader, "01002", lon, lat, owner="区水务局")


def _component_prepare(c):
    _component_create(c)


def _component_update(c):
    from gridgov.catalog import services

    services.update_component(c.gridleader, c.scratch["component"].code, {"status": "damaged", "note": "井盖松动"})


def _components_bulk(c):
    from gridgov.catalog import services

    lon, lat = unit_point()
    services.create_components_bulk([{"item_code": "01002", "lon": lon, "lat": lat},
                                     {"item_code": "01002", "lon": lon, "lat": lat}])


def _item_update(c):
    from gridgov.catalog import services

    services.update_item(c.admin, "matter", "06036", {"active": False})


def _rule_data(**kw):
    return {"matter": None, "urgency": "urgent", "area_class": "C", "stage": "dispatch", "amount": Decimal("3"),
            "unit": "work_hours", "note": "审计测试", **kw}


def _rule_prepare(c):
    from gridgov.catalog import services
    from gridgov.catalog.models import DeadlineRule

    DeadlineRule.objects.filter(matter=None, urgency="urgent", area_class="C", stage="dispatch").delete()
    c.scratch["rule"] = services.save_deadline_rule(c.admin, _rule_data())


def _rule_create(c):
    from gridgov.catalog.models import DeadlineRule

    DeadlineRule.objects.filter(matter=None, urgency="urgent", area_class="C", stage="dispatch").delete()
    from gridgov.catalog import services

    services.save_deadline_rule(c.admin, _rule_data())


def _rule_update(c):
    from gridgov.catalog import services

    services.save_deadline_rule(c.admin, _rule_data(amount=Decimal("5")), c.scratch["rule"].pk)


def _rule_delete(c):
    from gridgov.catalog import services

    services.delete_deadline_rule(c.admin, c.scratch["rule"].pk)


def _legacy_update(c):
    from gridgov.catalog import services
    from gridgov.catalog.models import LegacyCode

    services.update_legacy_code(c.admin, LegacyCode.objects.order_by("id").first().pk, {"note": "人工核对"})


def _routing_create(c):
    from gridgov.accounts.models import Department
    from gridgov.cases.services import routing

    c.scratch["routing"] = routing.save_rule(c.admin, {
        "matter": None, "level": "street", "department": Department.objects.get(code="110101-HW"), "priority": 3})


def _routing_update(c):
    from gridgov.cases.services import routing

    routing.save_rule(c.admin, {"priority": 7, "active": False}, c.scratch["routing"].pk)


def _routing_delete(c):
    from gridgov.cases.services import routing

    routing.delete_rule(c.admin, c.scratch["routing"].pk)


def _entry_create(c):  # levels: where a class enters
    from gridgov.cases.services import entry

    c.scratch["entry"] = entry.save_rule(c.admin, {"major": "06", "source": "resident", "level": "grid"})


def _entry_update(c):
    from gridgov.cases.services import entry

    entry.save_rule(c.admin, {"level": "centre", "priority": 2}, c.scratch["entry"].pk)


def _entry_delete(c):
    from gridgov.cases.services import entry

    entry.delete_rule(c.admin, c.scratch["entry"].pk)


def _at_grid(c):  # levels: a 邻里纠纷 reported by the grid worker enters at the grid
    from gridgov.cases import services

    c.scratch["case"] = services.intake(c.gridworker, source="grid_worker", lon=c.point[0], lat=c.point[1],
                                        description="邻里纠纷", matter="50001").case.number


def _receive(c):
    from gridgov.cases import services

    services.transition(c.gridleader, c.scratch["case"], "receive")


def _received(c):
    _at_grid(c)
    _receive(c)


def _escalate(c):
    from gridgov.cases import services

    services.transition(c.gridleader, c.scratch["case"], "escalate", {"reason": "上报社区"})


def _day_set(c):
    from gridgov.worktime import services

    services.set_day(dt.date(2031, 5, 6), False, "审计测试休息日", user=c.admin)


def _day_change(c):
    from gridgov.worktime import services

    services.set_day(dt.date(2031, 5, 6), True, "改为上班", user=c.admin)


def _day_remove(c):
    from gridgov.worktime import services

    services.remove_day(dt.date(2031, 5, 6), user=c.admin)


def _setting_prepare(c):
    from gridgov.worktime import services

    services.update_setting(yellow_share=0.6, user=c.admin)


def _setting_update(c):
    from gridgov.worktime import services

    services.update_setting(yellow_share=0.75, user=c.admin)


def _saved_view(c):
    from gridgov.cases.services import saved_views

    c.scratch["view"] = saved_views.save_view(c.dispatcher, "红灯", "light=red")


def _saved_view_delete(c):
    from gridgov.cases.services import saved_views

    assert saved_views.delete_view(c.dispatcher, c.scratch["view"].pk) is True


CONFIG = [
    ("create_component", None, _component_create, [("component", "create")]),
    ("update_component", _component_prepare, _component_update, [("component", "update")]),
    ("create_components_bulk", None, _components_bulk, [("component", "create_many")]),
    ("update_item", None, _item_update, [("catalog_item", "update")]),
    ("save_deadline_rule (new)", None, _rule_create, [("deadline_rule", "create")]),
    ("save_deadline_rule (change)", _rule_prepare, _rule_update, [("deadline_rule", "update")]),
    ("delete_deadline_rule", _rule_prepare, _rule_delete, [("deadline_rule", "delete")]),
    ("update_legacy_code", None, _legacy_update, [("legacy_code", "update")]),
    ("routing save_rule (new)", None, _routing_create, [("routing_rule", "create")]),
    ("routing save_rule (change)", _routing_create, _routing_update, [("routing_rule", "update")]),
    ("routing delete_rule", _routing_create, _routing_delete, [("routing_rule", "delete")]),
    ("entry save_rule (new)", None, _entry_create, [("entry_rule", "create")]),
    ("entry save_rule (change)", _entry_create, _entry_update, [("entry_rule", "update")]),
    ("entry delete_rule", _entry_create, _entry_delete, [("entry_rule", "delete")]),
    ("case intake at the grid", None, _at_grid, [("case", "report")]),
    ("case receive (受理 at the grid)", _at_grid, _receive, [("case", "receive")]),
    ("case escalate (grid → community)", _received, _escalate, [("case", "escalate")]),
    ("set_day (new)", None, _day_set, [("calendar_day", "create")]),
    ("set_day (change)", _day_set, _day_change, [("calendar_day", "update")]),
    ("remove_day", _day_set, _day_remove, [("calendar_day", "delete")]),
    ("update_setting", _setting_prepare, _setting_update, [("work_setting", "update")]),
    ("save_view", None, _saved_view, [("saved_view", "create")]),
    ("delete_view", _saved_view, _saved_view_delete, [("saved_view", "delete")]),
]

# ---------------------------------------------------------------- basic data (personal data: field names only)


def _building(c):
    from gridgov.basedata import services

    lon, lat = unit_point()
    c.scratch["building"] = services.save_building(c.gridleader, {"code": "AUDIT-B1", "name": "审计楼",
                                                                  "address": "多福巷 1 号", "lon": lon, "lat": lat,
                                                                  "floors": 6})


def _building_update(c):
    from gridgov.basedata import services

    services.save_building(c.gridleader, {"floors": 7}, c.scratch["building"].pk)


def _dwelling(c):
    from gridgov.basedata import services

    services.save_dwelling(c.gridleader, {"building_id": own_dwelling().building_id, "unit_no": "9", "floor": 9,
                                          "room": "909"})


def _resident(c):
    c.scratch["resident"] = new_resident(c)


def _resident_update(c):
    from gridgov.basedata import services

    services.update_resident(c.gridleader, c.scratch["resident"].pk, {"phone": "13987654321", "name": "审计改名"})


def _resident_cancel(c):
    from gridgov.basedata import services

    services.move_resident(c.gridleader, c.scratch["resident"].pk, "cancel", dt.date(2026, 1, 5), "注销")


def _organisation(c):
    from gridgov.basedata import services

    lon, lat = unit_point()
    from gridgov.basedata.logic.ids import credit_check_char

    services.save_organisation(c.gridleader, {"credit_code": "91110101MA0000000" + credit_check_char("91110101MA0000000"), "name": "审计测试公司",
                                              "address": "多福巷 2 号", "contact_name": "联系人甲",
                                              "contact_phone": "13611112222", "lon": lon, "lat": lat})


def _tag(c):
    from gridgov.basedata import services
    from gridgov.basedata.models import KeyCategory

    services.tag_resident(c.admin, c.scratch["resident"].pk, KeyCategory.objects.filter(active=True).first().code)


def _visit(c):
    from gridgov.basedata import services

    services.record_visit(c.gridworker, {"resident_id": c.scratch["resident"].pk, "issues": "反映楼道灯不亮"})


def _diary(c):
    from gridgov.basedata import services

    services.add_diary(c.gridworker, "今日走访 3 户")


def _trigger(c):
    from gridgov.basedata import services
    from gridgov.basedata.models import VisitRule

    services.add_trigger(c.gridworker, c.scratch["resident"].household_id,
                         VisitRule.objects.filter(active=True).first().code, dt.date(2026, 1, 5))


def _category(c):
    from gridgov.basedata import services

    services.save_key_category(c.admin, "audit-test", {"name": "审计测试类", "visit_interval_days": 14,
                                                       "roles": ["grid_worker"]})


def _visit_rule(c):
    from gridgov.basedata import services

    services.save_visit_rule(c.admin, "audit-test", {"name": "审计测试规则", "within_days": 2})


def _import(c):
    from gridgov.basedata import importing

    lon, lat = unit_point()
    csv = f"楼栋编码,地址,经度,纬度\nAUDIT-I1,多福巷 3 号,{lon},{lat}\nAUDIT-I2,多福巷 4 号,{lon},{lat}\n"
    report = importing.run_import("buildings", c.gridleader, csv.encode(), "b.csv")
    assert report.created == 2


BASEDATA = [
    ("save_building (new)", None, _building, [("building", "create")]),
    ("save_building (change)", _building, _building_update, [("building", "update")]),
    ("save_dwelling", None, _dwelling, [("dwelling", "create")]),
    ("create_resident", None, _resident, [("resident", "create")]),
    ("update_resident", _resident, _resident_update, [("resident", "update")]),
    ("move_resident (cancel)", _resident, _resident_cancel, [("resident", "cancel")]),
    ("save_organisation", None, _organisation, [("organisation", "create")]),
    ("tag_resident", _resident, _tag, [("key_tag", "create")]),
    ("record_visit", _resident, _visit, [("visit", "create")]),
    ("add_diary", None, _diary, [("diary_entry", "create")]),
    ("add_trigger", _resident, _trigger, [("visit_trigger", "create")]),
    ("save_key_category", None, _category, [("key_category", "create")]),
    ("save_visit_rule", None, _visit_rule, [("visit_rule", "create")]),
    ("import buildings", None, _import, [("import_job", "import")]),
]

# ---------------------------------------------------------------- duty (值班与应急)


def _duty_fire(c):
    """An urgent report of a plan's matter (09012 占用消防通道, national catalog): the report and the plan's start."""
    from gridgov.cases import services

    lon, lat = c.point
    c.scratch["case"] = services.intake(c.gridworker, source="grid_worker", lon=lon, lat=lat, matter="09012",
                                        urgency="urgent", description="消防通道被占").case


def _duty_report(c):
    from gridgov.cases import services

    lon, lat = c.point
    c.scratch["case"] = services.intake(c.gridworker, source="grid_worker", lon=lon, lat=lat, matter="06010",
                                        description="楼道堆物").case


def _duty_manual(c):
    from gridgov.duty import services as duty

    c.scratch["activation"] = duty.start_manual(c.intake, c.scratch["case"].number, "fire")


def _duty_started(c):
    _duty_report(c)
    _duty_manual(c)


def _duty_tick(c):
    from gridgov.duty import services as duty

    duty.tick(c.dispatcher, c.scratch["activation"].pk, 1, "已通知")


def _duty_shift_data(c, **kw):
    tz = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 6, 1, 8, 30, tzinfo=tz)
    return {"centre": "110101", "date": start.date(), "starts_at": start, "ends_at": start + dt.timedelta(hours=24),
            "members": [("shift", "chief"), ("intake", "officer")], **kw}


def _duty_shift(c):
    from gridgov.duty import services as duty

    c.scratch["shift"] = duty.save_shift(c.shift, **_duty_shift_data(c))


def _duty_shift_change(c):
    from gridgov.duty import services as duty

    duty.save_shift(c.shift, **_duty_shift_data(c, members=[("shift", "chief")]), pk=c.scratch["shift"].pk)


def _duty_shift_delete(c):
    from gridgov.duty import services as duty

    duty.delete_shift(c.shift, c.scratch["shift"].pk)


def _duty_handover(c):
    from gridgov.duty import services as duty

    duty.write_handover(c.intake, "夜间平稳")


DUTY = [
    ("intake of an urgent 预案 matter", None, _duty_fire, [("case", "report"), ("duty_activation", "start")]),
    ("start_manual", _duty_report, _duty_manual, [("duty_activation", "start")]),
    ("tick", _duty_started, _duty_tick, [("duty_activation", "tick")]),
    ("save_shift (new)", None, _duty_shift, [("duty_shift", "create")]),
    ("save_shift (change)", _duty_shift, _duty_shift_change, [("duty_shift", "update")]),
    ("delete_shift", _duty_shift, _duty_shift_delete, [("duty_shift", "delete")]),
    ("write_handover", None, _duty_handover, [("duty_handover", "create")]),
]

ROWS = GEO + CONFIG + BASEDATA + DUTY
# ---------------------------------------------------------------- oversight (the city's block)


def _city_case(c):
    from gridgov.accounts.models import User
    from gridgov.cases import services

    shift = User.objects.update_or_create(username="audit-city-shift",
                                          defaults={"role": "shift_leader", "node_key": "1101"})[0]
    lon, lat = c.point
    number = services.intake(shift, source="leader", lon=lon, lat=lat, description="市级交办", matter="06010").case.number
    services.transition(shift, number, "register", {"matter": "06010"})
    c.scratch.update(city_shift=shift, number=number)


def _city_dispatch(c):
    from django.utils import timezone

    from gridgov.oversight import services

    c.scratch["dispatch"] = services.dispatch_to_district(c.scratch["city_shift"], c.scratch["number"], "110101",
                                                          timezone.now() + dt.timedelta(days=3))


def _city_dispatched_and_signed(c):
    from gridgov.cases import services

    _city_case(c)
    _city_dispatch(c)
    services.transition(c.dispatcher, c.scratch["number"], "accept")


def _answer(c):
    from gridgov.oversight import services

    services.answer_dispatch(c.dispatcher, c.scratch["dispatch"].pk, "已办结")


def _notice(c):
    from django.utils import timezone

    from gridgov.oversight import services

    c.scratch["notice"] = services.issue_notice(c.shift, title="督办", text="请整改", node="110101001",
                                                due_at=timezone.now() + dt.timedelta(days=3))


def _notice_reply(c):
    from gridgov.oversight import services

    services.reply_notice(c.supervisor, c.scratch["notice"].pk, "已整改")


def _notice_replied(c):
    _notice(c)
    _notice_reply(c)


def _notice_accept(c):
    from gridgov.oversight import services

    services.review_notice(c.shift, c.scratch["notice"].pk, True)


def _dispatched(c):
    from gridgov.cases import services

    lon, lat = c.point
    number = services.intake(c.inspector, source="inspector", lon=lon, lat=lat, description="暴露垃圾",
                             matter="06010").case.number
    services.transition(c.intake, number, "register", {"matter": "06010"})
    services.transition(c.dispatcher, number, "dispatch", {"department": "110101-HW"})
    c.scratch["number"] = number


def _contest(c):
    from gridgov.cases import services

    services.transition(c.handler, c.scratch["number"], "contest", {"reason": "不属本部门"})


def _contested(c):
    _dispatched(c)
    _contest(c)


def _rule(c):
    from gridgov.cases import services

    services.transition(c.shift, c.scratch["number"], "rule_uphold", {"department": "110101-SZ", "reason": "属市政"})


OVERSIGHT = [
    ("dispatch_to_district", _city_case, _city_dispatch, [("case", "city_dispatch"), ("city_dispatch", "create")]),
    ("answer_dispatch", _city_dispatched_and_signed, _answer, [("city_dispatch", "answer")]),
    ("issue_notice", None, _notice, [("notice", "issue")]),
    ("reply_notice", _notice, _notice_reply, [("notice", "reply")]),
    ("review_notice", _notice_replied, _notice_accept, [("notice", "accept")]),
    ("contest", _dispatched, _contest, [("case", "contest")]),
    ("rule_uphold", _contested, _rule, [("case", "rule_uphold")]),
]

ROWS += OVERSIGHT  # the city's block
# ---------------------------------------------------------------- tasks (专项行动、专项工作、演练、例会)


def _tk_campaign(c):
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    m = timezone.localdate().replace(day=1)
    c.scratch["campaign"] = services.create_campaign(c.admin, {
        "name": "审计测试专项行动", "start": m, "report_day": 27, "units": [{"unit": "110101001"}],
        "phases": [{"kind": "implement", "start": m, "end": m + dt.timedelta(days=90)}]})


def _tk_report(c):
    from django.utils import timezone

    from gridgov.tasks import services

    services.submit_report(c.supervisor, c.scratch["campaign"].pk, "110101001", timezone.localdate(), "本月情况",
                           {"排查": 3})


def _tk_assign(c):
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    (c.scratch["task"],) = services.assign(c.supervisor, {"title": "审计测试任务", "units": ["110101001001"],
                                                          "deadline": timezone.localdate() + dt.timedelta(days=3)})


def _tk_feedback(c):
    from gridgov.tasks import services

    services.give_feedback(c.gridleader, c.scratch["task"].pk, "已办理")


def _tk_decide(accept):
    def write(c):
        from gridgov.tasks import services

        services.decide(c.supervisor, c.scratch["task"].pk, accept, "" if accept else "请补充照片")
    return write


def _tk_overdue_task(c):
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    now = timezone.now() - dt.timedelta(days=10)
    services.assign(c.supervisor, {"title": "审计逾期任务", "units": ["110101001001"],
                                   "deadline": timezone.localdate(now) + dt.timedelta(days=2)}, now=now)


def _tk_scan(c):
    from gridgov.tasks import services

    assert services.scan_overdue() >= 1


def _tk_drill(c):
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    c.scratch["drill"] = services.create_drill(c.gridleader, {
        "title": "审计测试演练", "place": "社区广场", "planned_on": timezone.localdate() - dt.timedelta(days=1)})


def _tk_drill_record(c):
    from gridgov.tasks import services

    services.record_drill(c.gridleader, c.scratch["drill"].pk, {"findings": "楼道堆物"})


def _tk_drill_photo(c):
    import io

    from PIL import Image

    from gridgov.tasks import services

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(buf, "PNG")
    services.add_drill_photos(c.gridleader, c.scratch["drill"].pk, [("演练.png", buf.getvalue())])


def _tk_drill_action(c):
    from gridgov.tasks import services

    c.scratch["action"] = services.add_drill_action(c.gridleader, c.scratch["drill"].pk, "清理楼道")


def _tk_drill_done(c):
    from gridgov.tasks import services

    services.finish_drill_action(c.gridleader, c.scratch["drill"].pk, c.scratch["action"].pk)


def _tk_meeting(c):
    from django.utils import timezone

    from gridgov.tasks import services

    c.scratch["meeting"] = services.create_meeting(c.gridleader, {"title": "审计测试例会", "held_at": timezone.now(),
                                                                  "members": ["gridworker"]})


def _tk_minutes(c):
    from gridgov.tasks import services

    services.send_minutes(c.gridleader, c.scratch["meeting"].pk, "会议纪要")


def _tk_confirm(c):
    from gridgov.tasks import services

    services.confirm_minutes(c.gridworker, c.scratch["meeting"].pk)


def _then(*steps):
    def run(c):
        for step in steps:
            step(c)
    return run


TASKS = [
    ("create_campaign", None, _tk_campaign, [("campaign", "create")]),
    ("submit_report", _tk_campaign, _tk_report, [("campaign_report", "report")]),
    ("assign", None, _tk_assign, [("task", "assign")]),
    ("give_feedback", _tk_assign, _tk_feedback, [("task", "feedback")]),
    ("decide (accept)", _then(_tk_assign, _tk_feedback), _tk_decide(True), [("task", "accept")]),
    ("decide (return)", _then(_tk_assign, _tk_feedback), _tk_decide(False), [("task", "return")]),
    ("scan_overdue", _tk_overdue_task, _tk_scan, [("task", "overdue")]),
    ("create_drill", None, _tk_drill, [("drill", "create")]),
    ("record_drill", _tk_drill, _tk_drill_record, [("drill", "update")]),
    ("add_drill_photos", _tk_drill, _tk_drill_photo, [("drill", "add_photos")]),
    ("add_drill_action", _tk_drill, _tk_drill_action, [("drill", "add_action")]),
    ("finish_drill_action", _then(_tk_drill, _tk_drill_action), _tk_drill_done, [("drill", "finish_action")]),
    ("create_meeting", None, _tk_meeting, [("meeting", "create")]),
    ("send_minutes", _tk_meeting, _tk_minutes, [("meeting", "send_minutes")]),
    ("confirm_minutes", _then(_tk_meeting, _tk_minutes), _tk_confirm, [("meeting", "confirm_minutes")]),
]
# --- end tasks

ROWS += TASKS  # tasks
# ---------------------------------------------------------------- inspection (检查)

FIRE_ITEMS = ("F01", "F02", "F03", "F04", "F05", "F06")


def _ins_org(n=0):
    from gridgov.basedata.models import Organisation

    return Organisation.objects.filter(scope_key__startswith="110101001001W001.", lon__isnull=False).order_by(
        "id")[n]


def _ins_plan(c):
    from gridgov.inspection import services

    c.scratch["plan"] = services.create_plan(c.supervisor, name="审计消防检查", template="fire", frequency="monthly",
                                             start_on=dt.date(2026, 11, 1), inspector="inspector",
                                             targets=[("organisation", _ins_org().pk)])
    c.scratch["target"] = c.scratch["plan"].targets.get()


def _ins_target(c):
    from gridgov.inspection import services

    services.add_target(c.supervisor, c.scratch["plan"].pk, "organisation", _ins_org(1).pk)


def _ins_answers(failed=()):
    return [{"item": i, "answer": "fail" if i in failed else "pass"} for i in FIRE_ITEMS]


def _ins_submit(c):
    from gridgov.inspection import services

    services.submit(c.inspector, target_id=c.scratch["target"].pk, answers=_ins_answers(), client_key="audit-ins-1")


def _ins_submit_failed(c):
    import io

    from PIL import Image

    from gridgov.inspection import services

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    services.submit(c.inspector, target_id=c.scratch["target"].pk, answers=_ins_answers({"F02"}),
                    client_key="audit-ins-2", photos={"F02": [("灭火器.png", buf.getvalue())]})


def _ins_closed(c):
    from gridgov.cases import services

    lon, lat = unit_point()
    number = services.intake(c.gridworker, source="grid_worker", lon=lon, lat=lat, description="暴露垃圾",
                             matter="06010").case.number
    for who, action, data in [("intake", "register", {"matter": "06010"}),
                              ("dispatcher", "dispatch", {"department": "110101-HW"}), ("handler", "accept", {}),
                              ("handler", "handle", {"feedback": "已清运"}), ("inspector", "inspect_pass", {}),
                              ("intake", "close", {})]:
        services.transition(c.users[who], number, action, data)
    c.scratch["closed"] = number


def _ins_revisit(recurred):
    def write(c):
        from gridgov.inspection import services

        services.record_revisit(c.inspector, case_number=c.scratch["closed"], recurred=recurred,
                                client_key=f"audit-rv-{recurred}")
    return write


def _ins_agreement(c):
    from gridgov.inspection import services

    services.save_agreement(c.gridleader, organisation_id=_ins_org().pk, frontage="门前至路缘石",
                            signed_on=dt.date(2031, 1, 2))


def _ins_template(c):
    from gridgov.inspection import services
    from gridgov.inspection.models import ChecklistTemplate

    t = ChecklistTemplate.objects.get(code="park")
    t.note = "审计：园区检查说明"
    services.save_template(c.admin, t)


def _ins_item(c):
    from gridgov.inspection import services
    from gridgov.inspection.models import ChecklistItem

    item = ChecklistItem.objects.select_related("template").get(template__code="fire", code="F06")
    item.photo_required = True
    services.save_item(c.admin, item)


INSPECTION = [
    ("inspection create_plan", None, _ins_plan, [("inspection_plan", "create")]),
    ("inspection add_target", _ins_plan, _ins_target, [("inspection_target", "create")]),
    ("inspection submit (all passed)", _ins_plan, _ins_submit, [("inspection", "submit")]),
    ("inspection submit (one failed: one case)", _ins_plan, _ins_submit_failed,
     [("case", "report"), ("inspection", "submit")]),
    ("inspection revisit (not recurred)", _ins_closed, _ins_revisit(False), [("revisit", "create")]),
    ("inspection revisit (recurred: a new case)", _ins_closed, _ins_revisit(True),
     [("case", "report"), ("revisit", "create")]),
    ("inspection save_agreement", None, _ins_agreement, [("frontage_agreement", "create")]),
    ("inspection save_template", None, _ins_template, [("checklist_template", "update")]),
    ("inspection save_item", None, _ins_item, [("checklist_item", "update")]),
]

ROWS += INSPECTION  # inspection
# ---- matters: the open catalog and the governance records (调解, 信访) ----


def _local_item(c):
    from gridgov.catalog import services

    services.create_local_item(c.admin, {"code": "59001", "name": "审计本地事项", "major_name": "审计类"})


def _local_item_with_rule(c):
    from gridgov.catalog import services

    services.create_local_item(c.admin, {"code": "59002", "name": "审计本地事项二", "major_name": "审计类"},
                               [{"stage": "handle", "amount": 3, "unit": "work_days"}])


def _local_item_update(c):
    from gridgov.catalog import services

    services.update_local_item(c.admin, "matter", "50004", {"name": "劳动报酬纠纷"})


def _gov_case(c, matter):
    from gridgov.cases.services import intake

    c.scratch["n"] = intake(c.gridleader, source="grid_worker", lon=c.point[0], lat=c.point[1],
                            description="审计测试纠纷", matter=matter).case.number


def _mediation_prepare(c):
    _gov_case(c, "50001")


def _mediation_open(c):
    from gridgov.governance import services

    services.open_mediation(c.gridleader, c.scratch["n"], "噪音", None, [{"name": "王甲", "phone": "13900003001"},
                                                                        {"name": "李乙"}])


def _mediation_opened(c):
    _mediation_prepare(c)
    _mediation_open(c)


def _mediation_session(c):
    from gridgov.governance import services

    services.add_session(c.gridleader, c.scratch["n"], {"place": "调解室", "mediator": "赵"})


def _mediation_mediating(c):
    _mediation_opened(c)
    _mediation_session(c)


def _mediation_party(c):
    from gridgov.governance import services

    services.add_party(c.gridleader, c.scratch["n"], {"name": "张丙", "phone": "13900003002"})


def _mediation_agree(c):
    from gridgov.governance import services

    services.record_outcome(c.gridleader, c.scratch["n"], "agreed", "和解")


def _mediation_agreed(c):
    _mediation_mediating(c)
    _mediation_agree(c)


def _mediation_visit(c):
    from gridgov.governance import services

    services.record_visit(c.gridleader, c.scratch["n"], "已履行", None, True)


def _petition_prepare(c):
    _gov_case(c, "51001")


def _petition_register(c):
    from gridgov.governance import services

    services.register_petition(c.gridleader, c.scratch["n"], "letter", "施工扰民", None,
                               [{"name": "刘丙", "phone": "13900003003"}])


def _petition_registered(c):
    _petition_prepare(c)
    _petition_register(c)


def _petition_decide(c):
    from gridgov.governance import services

    services.decide_petition(c.gridleader, c.scratch["n"], "accepted")


def _petition_accepted(c):
    _petition_registered(c)
    _petition_decide(c)


def _petition_extend(c):
    from gridgov.governance import services

    services.extend_petition(c.gridleader, c.scratch["n"], 30, "复杂")


def _petition_reply(c):
    from gridgov.governance import services

    services.reply_petition(c.gridleader, c.scratch["n"], "已答复")


def _petition_replied(c):
    _petition_accepted(c)
    _petition_reply(c)


def _petition_review_request(c):
    from gridgov.governance import services

    services.request_review(c.gridleader, c.scratch["n"], "不服")


def _petition_in_review(c):
    _petition_replied(c)
    _petition_review_request(c)


def _petition_review(c):
    from gridgov.governance import services

    services.record_review(c.gridleader, c.scratch["n"], "维持")


MATTERS = [
    ("create_local_item", None, _local_item, [("catalog_item", "create")]),
    ("create_local_item with a deadline rule", None, _local_item_with_rule,
     [("catalog_item", "create"), ("deadline_rule", "create")]),
    ("update_local_item", None, _local_item_update, [("catalog_item", "update")]),
    ("open_mediation", _mediation_prepare, _mediation_open, [("mediation", "open")]),
    ("add_party", _mediation_opened, _mediation_party, [("mediation", "add_party")]),
    ("add_session", _mediation_opened, _mediation_session, [("mediation", "add_session")]),
    ("record_outcome", _mediation_mediating, _mediation_agree, [("mediation", "agreed")]),
    ("record_visit (mediation)", _mediation_agreed, _mediation_visit, [("mediation", "visit")]),
    ("register_petition", _petition_prepare, _petition_register, [("petition", "register")]),
    ("decide_petition", _petition_registered, _petition_decide, [("petition", "decide")]),
    ("extend_petition", _petition_accepted, _petition_extend, [("petition", "extend")]),
    ("reply_petition", _petition_accepted, _petition_reply, [("petition", "reply")]),
    ("request_review", _petition_replied, _petition_review_request, [("petition", "review_request")]),
    ("record_review", _petition_in_review, _petition_review, [("petition", "review")]),
]
# ---- end matters ----

ROWS += MATTERS  # matters
# ---------------------------------------------------------------- patrol (巡查与考勤)


def _checkin(c):
    from gridgov.patrol import services

    c.scratch["shift"] = services.checkin(c.gridworker, *unit_point())


def _checkout(c):
    from gridgov.patrol import services

    services.checkout(c.gridworker, *unit_point())


def _track(c):
    from django.utils import timezone

    from gridgov.patrol import services

    lon, lat = unit_point()
    services.add_points(c.gridworker, c.scratch["shift"].pk,
                        [{"seq": 1, "at": timezone.now(), "lon": lon, "lat": lat, "accuracy": 5}])


def _track_columns(c):
    from django.utils import timezone

    from gridgov.patrol import services
    from gridgov.worktime.logic.calendar import to_us

    lon, lat = unit_point()
    services.add_columns(c.gridworker, c.scratch["shift"].pk, [1, 2], [to_us(timezone.now())] * 2, [lon] * 2,
                         [lat] * 2, [5, None])


def _plan(c):
    from gridgov.patrol import services

    services.set_plan(c.gridleader, "110101001001W001", per_week=4)


def _plan_change(c):
    from gridgov.patrol import services

    services.set_plan(c.supervisor, "110101001001W001", min_km=3.5)


def _leave(c):
    from gridgov.patrol import services

    c.scratch["leave"] = services.request_leave(c.gridworker, dt.date(2026, 11, 20), dt.date(2026, 11, 21), "看病")


def _decide(c):
    from gridgov.patrol import services

    services.decide_leave(c.supervisor, c.scratch["leave"].pk, True)


def _hours(c):
    from gridgov.patrol import services

    services.set_hours(c.gridleader, person=c.gridworker, start=dt.time(14), end=dt.time(21), weekdays="1234")


PATROL = [
    ("patrol checkin", None, _checkin, [("patrol_shift", "checkin")]),
    ("patrol add_points", _checkin, _track, [("patrol_shift", "track_upload")]),
    ("patrol checkout", _checkin, _checkout, [("patrol_shift", "checkout")]),
    ("patrol set_plan", None, _plan, [("patrol_plan", "update")]),  # the shipped plan (made from the class) changed
    ("patrol set_plan (change)", _plan, _plan_change, [("patrol_plan", "update")]),
    ("patrol request_leave", None, _leave, [("patrol_leave", "request_leave")]),
    ("patrol decide_leave", _leave, _decide, [("patrol_leave", "decide_leave")]),
    ("patrol set_hours", None, _hours, [("patrol_hours", "set_hours")]),
]

ROWS += PATROL  # patrol
# ---- ledgers (考评台账): every register's write


def _lg_total(c):
    from gridgov.ledgers import services

    services.set_district_total(c.admin, "110101", 2026, 61_000)  # the demo's 60,000 changed


def _lg_base(c):
    from gridgov.ledgers import services

    services.save_unit_base(c.shift, "110101001", 2026, 52_100, "4.00", "2020年上报", "2019版年鉴")


def _lg_base_new(c):
    from gridgov.ledgers import services

    services.save_unit_base(c.shift, "110101001", 2024, 52_000, "4.00")


def _lg_adjust(c):
    from gridgov.ledgers import services

    services.add_adjustment(c.shift, "110101002", 2026, 30, "景区人流量大")


def _lg_problem(c):
    from gridgov.ledgers import services

    c.scratch["problem"] = services.record_problem(
        c.shift, "public", dt.datetime.fromisoformat("2026-11-20T10:00:00+08:00"), *c.point, "群众举报：垃圾")


def _lg_review(c):
    from gridgov.ledgers import services

    services.review_problem(c.shift, c.scratch["problem"].pk, "missed", note="网格未上报")


def _lg_import(c):
    from gridgov.inspection import services as inspection
    from gridgov.ledgers import services

    _ins_plan(c)
    inspection.submit(c.inspector, target_id=c.scratch["target"].pk, answers=_ins_answers({"F06"}),
                      client_key="audit-lg-1", now=dt.datetime.fromisoformat("2026-11-20T10:00:00+08:00"))
    c.scratch["import"] = lambda: services.import_problems(c.shift, "2026-11")


def _lg_draw(c):
    from gridgov.ledgers import services

    c.scratch["draw"] = services.draw_sample(c.shift, "2026-10", "110101003")


def _lg_sampled(c):
    import time_machine

    from gridgov.cases.services import intake
    from gridgov.ledgers import services
    from tests.loop import close_loop

    with time_machine.travel(dt.datetime.fromisoformat("2025-05-12T10:00:00+08:00"), tick=False):
        n = intake(c.gridworker, source="grid_worker", lon=c.point[0], lat=c.point[1], description="垃圾",
                   matter="06010", find_duplicates=False).case.number
        close_loop(c.users, n)
    c.scratch["sampled"] = services.draw_sample(c.shift, "2025-05", "110101001").cases.get()


def _lg_mark(c):
    from gridgov.ledgers import services

    services.mark_sample(c.shift, c.scratch["sampled"].pk, "failed", "照片与问题不符")


def _lg_training(c):
    from gridgov.ledgers import services

    c.scratch["training"] = services.submit_training(c.supervisor, dt.date(2026, 11, 5), "业务培训", "whole", 12)


def _lg_training_review(c):
    from gridgov.ledgers import services

    services.review_training(c.shift, c.scratch["training"].pk, True)


def _lg_outage(c):
    from gridgov.ledgers import services

    services.record_outage(c.shift, "110101001", "fault", dt.datetime.fromisoformat("2026-11-01T08:00:00+08:00"),
                           dt.datetime.fromisoformat("2026-11-01T20:00:00+08:00"))


def _lg_publicity(c):
    from gridgov.ledgers import services

    services.record_publicity(c.shift, "110101001", "report", dt.date(2026, 11, 10), "网格经验", "北京日报")


LEDGERS = [
    ("ledgers set_district_total", None, _lg_total, [("ledger_quota_year", "update")]),
    ("ledgers save_unit_base (change)", None, _lg_base, [("ledger_unit_base", "update")]),
    ("ledgers save_unit_base (new year)", None, _lg_base_new, [("ledger_unit_base", "create")]),
    ("ledgers add_adjustment", None, _lg_adjust, [("ledger_quota_adjustment", "create")]),
    ("ledgers record_problem", None, _lg_problem, [("ledger_problem", "create")]),
    ("ledgers review_problem", _lg_problem, _lg_review, [("ledger_problem", "review")]),
    ("ledgers import_problems (inspection)", _lg_import, lambda c: c.scratch["import"](),
     [("ledger_problem", "import")]),
    ("ledgers draw_sample", None, _lg_draw, [("ledger_sample", "draw")]),
    ("ledgers mark_sample", _lg_sampled, _lg_mark, [("ledger_sampled_case", "mark")]),
    ("ledgers submit_training", None, _lg_training, [("ledger_training", "create")]),
    ("ledgers review_training", _lg_training, _lg_training_review, [("ledger_training", "review")]),
    ("ledgers record_outage", None, _lg_outage, [("ledger_outage", "create")]),
    ("ledgers record_publicity", None, _lg_publicity, [("ledger_publicity", "create")]),
]

ROWS += LEDGERS  # ledgers


# ---------------------------------------------------------------- assess (考评)


def _assess_doc():
    from importlib import resources

    return json.loads(resources.files("gridgov.assess").joinpath("data/example_facts_2026-11.json")
                      .read_text("utf-8"))


def _assess_copy(c):
    from gridgov.assess import services

    c.scratch["scheme"] = services.copy_scheme(c.admin, services.shipped_scheme().pk, "审计副本")


def _assess_edit(c):
    from gridgov.assess import services

    services.edit_scheme(c.admin, c.scratch["scheme"].pk, {"params": {"reward_pool": 500000}})


def _assess_activate(c):
    from gridgov.assess import services

    services.activate_scheme(c.admin, c.scratch["scheme"].pk)


def _assess_judge(c):
    from gridgov.assess import services

    services.judge(c.shift, "2026-11", "110101001", "subcentre", tier=1, remark="现场查看")


def _assess_evidence(c):
    from gridgov.assess import services

    services.submit_evidence(c.supervisor, "2026-11", "big_data", "大数据分析报告")


def _assess_run(c):
    from gridgov.assess import services

    c.scratch["run"] = services.run_document(c.admin, _assess_doc())


def _assess_publish(c):
    from gridgov.assess import services

    services.publish(c.admin, c.scratch["run"].pk)


def _assess_published(c):
    _assess_run(c)
    _assess_publish(c)


def _assess_appeal(c):
    from gridgov.assess import services

    c.scratch["appeal"] = services.file_appeal(c.supervisor, c.scratch["run"].pk, "training", "培训次数漏计")


def _assess_appealed(c):
    _assess_published(c)
    _assess_appeal(c)


def _assess_reject(c):
    from gridgov.assess import services

    services.rule_appeal(c.shift, c.scratch["appeal"].pk, False, "台账中无该次培训记录")


def _assess_uphold(c):
    from gridgov.assess import services

    services.rule_appeal(c.shift, c.scratch["appeal"].pk, True, "补录培训一次", corrected={"whole": 4})


ASSESS = [
    ("assess copy_scheme", None, _assess_copy, [("assess_scheme", "copy")]),
    ("assess edit_scheme", _assess_copy, _assess_edit, [("assess_scheme", "edit")]),
    ("assess activate_scheme", _assess_copy, _assess_activate, [("assess_scheme", "activate")]),
    ("assess judge", None, _assess_judge, [("assess_judgement", "judge")]),
    ("assess submit_evidence", None, _assess_evidence, [("assess_evidence", "submit")]),
    ("assess run_document", None, _assess_run, [("assess_run", "run")]),
    ("assess publish", _assess_run, _assess_publish, [("assess_run", "publish")]),
    ("assess file_appeal", _assess_published, _assess_appeal, [("assess_appeal", "appeal")]),
    ("assess rule_appeal (rejected)", _assess_appealed, _assess_reject, [("assess_appeal", "rule_appeal")]),
    # upheld: the month is recomputed (a new revision) and the ruling recorded
    ("assess rule_appeal (upheld)", _assess_appealed, _assess_uphold,
     [("assess_run", "run"), ("assess_appeal", "rule_appeal")]),
]

ROWS += ASSESS  # assess
ROWS += [("patrol add_columns", _checkin, _track_columns, [("patrol_shift", "track_upload")])]  # field


def _ins_targets(c):
    from gridgov.inspection import services

    services.add_targets(c.supervisor, c.scratch["plan"].pk, [("organisation", _ins_org(1).pk), ("grid", "110101001001W001")])


ROWS += [("inspection add_targets", _ins_plan, _ins_targets,
          [("inspection_target", "create"), ("inspection_target", "create")])]  # field: one record per target


# ---- evaluation: 满意度回访 (the survey rides on the case's own follow_up / reopen transition) and 条块双向考核


def _ev_closed(c, reporter="intake", source="hotline"):
    from gridgov.cases import services

    lon, lat = unit_point()
    number = services.intake(c.users[reporter], source=source, lon=lon, lat=lat, description="暴露垃圾",
                             matter="06010", reporter_phone="13900001111").case.number
    for who, action, data in [("intake", "assign_verify", {}), ("inspector", "confirm", {}),
                              ("intake", "register", {"matter": "06010"}),
                              ("dispatcher", "dispatch", {"department": "110101-HW"}), ("handler", "accept", {}),
                              ("handler", "handle", {"feedback": "已清运"}), ("inspector", "inspect_pass", {}),
                              ("intake", "close", {})]:
        services.transition(c.users[who], number, action, data)
    c.scratch["closed"] = number


def _ev_survey(resolved):
    def write(c):
        from gridgov.evaluation import services

        services.phone_survey(c.intake, c.scratch["closed"], attitude=5, efficiency=4, result=4 if resolved else 2,
                              resolved=resolved, remark="" if resolved else "没有解决")
    return write


def _ev_resident_closed(c):
    _ev_closed(c, "resident", "resident")


def _ev_resident_survey(c):
    from gridgov.cases.services import public
    from gridgov.evaluation import services

    grant = public.grant_for_user(c.resident, c.scratch["closed"])
    services.resident_survey(grant, c.scratch["closed"], attitude=4, efficiency=4, result=5, resolved=True)


def _ev_resident_not_solved(c):
    from gridgov.cases.services import public
    from gridgov.evaluation import services

    grant = public.grant_for_user(c.resident, c.scratch["closed"])
    services.resident_survey(grant, c.scratch["closed"], resolved=False, remark="还是很脏")


def _ev_call(c):
    from gridgov.evaluation import services

    services.record_call(c.intake, c.scratch["closed"], "无人接听")


def _ev_two_calls(c):
    _ev_closed(c)
    _ev_call(c)
    _ev_call(c)


def _ev_period():
    from gridgov.evaluation import services

    return services.current_period()


def _ev_rate(c):
    from gridgov.evaluation import services

    services.rate(c.supervisor, _ev_period(), "110101-HW", {"speed": 4, "quality": 5, "cooperation": 3}, "及时")


def _ev_rate_centre(c):
    from gridgov.evaluation import services

    services.rate(c.handler, _ev_period(), None, {"accuracy": 5, "clarity": 4, "coordination": 4})


def _ev_dimension(c):
    from gridgov.evaluation import services

    services.save_dimension(c.admin, "department", "quality", "处置质量（含现场复核）", 2)


def _ev_notices(c):
    from gridgov.evaluation import services

    services.send_notices(c.shift, _ev_period())


EVALUATION = [
    ("evaluation phone_survey (resolved)", _ev_closed, _ev_survey(True), [("case", "follow_up"), ("survey", "create")]),
    ("evaluation phone_survey (not resolved: 重办)", _ev_closed, _ev_survey(False),
     [("case", "reopen"), ("survey", "create")]),
    ("evaluation resident_survey", _ev_resident_closed, _ev_resident_survey, [("case", "follow_up"), ("survey", "create")]),
    ("evaluation resident_survey (没有解决: 重办)", _ev_resident_closed, _ev_resident_not_solved,
     [("case", "reopen"), ("survey", "create")]),
    ("evaluation record_call", _ev_closed, _ev_call, [("call_attempt", "create")]),
    ("evaluation record_call (third: 无法联系)", _ev_two_calls, _ev_call, [("call_attempt", "create"), ("survey", "create")]),
    ("evaluation rate (street → department)", None, _ev_rate, [("rating", "create")]),
    ("evaluation rate (replaced)", _ev_rate, _ev_rate, [("rating", "update")]),
    ("evaluation rate (department → centre)", None, _ev_rate_centre, [("rating", "create")]),
    ("evaluation save_dimension", None, _ev_dimension, [("rating_dimension", "update")]),
    ("evaluation send_notices", None, _ev_notices, [("evaluation_notice", "send")]),
]

ROWS += EVALUATION  # evaluation


# ---------------------------------------------------------------- integrity (弄虚作假核查, 人员考核)


def _far_photo_case(c):
    """A grid worker's report whose photo's EXIF position is 116°E 39°N, ≈ 100 km from 多福巷: the scan's finding."""
    import io

    from django.utils import timezone
    from PIL import Image

    from gridgov.cases.services import intake

    lon, lat = unit_point()
    img = Image.new("L", (9, 8))
    img.putdata([(i * 37) % 256 for i in range(72)])
    exif = Image.Exif()
    exif[34853] = {1: "N", 2: (39, 0, 0.0), 3: "E", 4: (116, 0, 0.0)}
    buf = io.BytesIO()
    img.resize((90, 80)).convert("RGB").save(buf, "JPEG", exif=exif)
    intake(c.gridworker, source="grid_worker", lon=lon, lat=lat, description="审计测试：照片位置", matter="06010",
           photos=[("far.jpg", buf.getvalue())], find_duplicates=False)
    c.scratch["since"] = timezone.now() - dt.timedelta(minutes=5)


def _integrity_scan(c):
    from gridgov.integrity import services

    services.scan(since=c.scratch["since"])


def _integrity_flag(c):
    from django.utils import timezone

    from gridgov.integrity import services

    c.scratch["flag"] = services.create(c.shift, unit="110101001", item="training",
                                        period=timezone.localdate().strftime("%Y-%m"), reason="培训签到表代签")


def _integrity_confirm(c):
    from gridgov.integrity import services

    services.decide(c.shift, c.scratch["flag"].pk, "confirm", "核实属实")


def _integrity_clear(c):
    from gridgov.integrity import services

    services.decide(c.admin, c.scratch["flag"].pk, "clear", "补签有据")


def _pay_scheme(c):
    from gridgov.performance import services
    from gridgov.performance.logic import score

    services.set_scheme(c.admin, "110101", weights=score.DEFAULT_WEIGHTS, targets=score.DEFAULT_TARGETS,
                        deductions=score.DEFAULT_DEDUCTIONS, bands=score.DEFAULT_BANDS)


def _pay_scheme_change(c):
    from gridgov.performance import services
    from gridgov.performance.logic import score

    services.set_scheme(c.admin, "110101", weights=score.DEFAULT_WEIGHTS, targets={**score.DEFAULT_TARGETS,
                                                                                   "visits": 30},
                        deductions=score.DEFAULT_DEDUCTIONS, bands=score.DEFAULT_BANDS)


INTEGRITY = [
    ("integrity scan", _far_photo_case, _integrity_scan, [("integrity_flag", "detect")]),  # 系统: one per finding
    ("integrity create", None, _integrity_flag, [("integrity_flag", "create")]),
    ("integrity confirm", _integrity_flag, _integrity_confirm, [("integrity_flag", "confirm")]),
    ("integrity clear", _integrity_flag, _integrity_clear, [("integrity_flag", "clear")]),
    ("performance set_scheme", None, _pay_scheme, [("pay_scheme", "create")]),
    ("performance set_scheme (change)", _pay_scheme, _pay_scheme_change, [("pay_scheme", "update")]),
]

ROWS += INTEGRITY  # integrity

# --- scale: the 系统运行 record written by the health checks (the system; one period per street of the world:
# 东城区's 17 streets and 西城区's 15)


def _scale_open(c):
    from gridgov.ledgers import services

    c.scratch["outages"] = services.open_system_outage(dt.datetime.fromisoformat("2026-12-01T09:00:00+08:00"),
                                                       "健康检查自动记录：cache不可用")


def _scale_close(c):
    from gridgov.ledgers import services

    services.close_system_outage([o.pk for o in c.scratch["outages"]],
                                 dt.datetime.fromisoformat("2026-12-01T09:42:00+08:00"))


SCALE_ROWS = [
    ("ledgers open_system_outage", None, _scale_open, [("ledger_outage", "create")] * 32),
    ("ledgers close_system_outage", _scale_open, _scale_close, [("ledger_outage", "update")] * 32),
]
ROWS += SCALE_ROWS


# --- notify


def _notify_pref(c):
    from gridgov.notify import services

    services.set_preference(c.handler, c.handler, phone="13912345678", wecom_userid="zhang.handler")


def _notify_pref_change(c):
    from gridgov.notify import services

    services.set_preference(c.handler, c.handler, phone="13900000000", quiet=(dt.time(22), dt.time(7)))


def _notify_template(c):
    from gridgov.notify import services

    c.scratch["tpl"] = services.save_template(c.admin, {"channel": "sms", "kind": "case.dispatch",
                                                         "template_code": "SMS_1", "params": {"no": "{number}"}})


def _notify_template_delete(c):
    from gridgov.notify import services

    services.delete_template(c.admin, c.scratch["tpl"].pk)


def _notify_no_pref(c):
    from gridgov.notify.models import Preference

    Preference.objects.filter(user=c.handler).delete()


NOTIFY = [
    ("notify set_preference", _notify_no_pref, _notify_pref, [("notify_preference", "create")]),
    ("notify set_preference (change)", _notify_pref, _notify_pref_change, [("notify_preference", "update")]),
    ("notify save_template", None, _notify_template, [("notify_template", "create")]),
    ("notify delete_template", _notify_template, _notify_template_delete, [("notify_template", "delete")]),
]

ROWS += NOTIFY  # notify


# --- open311: Open311 api keys and requests; the 12345 receivers, orders, outbox deliveries and retries
def _o311_key(c):
    from gridgov.open311 import services

    c.scratch["key"], c.scratch["secret"] = services.create_key(c.admin, "审计测试客户端")


def _o311_revoke(c):
    from gridgov.open311 import services

    services.revoke_key(c.admin, c.scratch["key"].pk)


def _o311_request(c):
    from gridgov.open311 import services

    services.submit(c.scratch["key"], {"service_code": "06010", "lat": c.point[1], "long": c.point[0],
                                       "description": "路口暴露垃圾", "phone": "13912345678", "attributes": {}})


def _hotline_receiver(c, url="http://127.0.0.1:9/hook"):
    from gridgov.hotline import services

    services.save_receiver(c.admin, system="audit12345", name="审计 12345", url=url, secret="audit-shared-secret-01")


def _hotline_receiver_change(c):
    from gridgov.hotline import services

    services.save_receiver(c.admin, system="audit12345", name="审计 12345（改）", url="http://127.0.0.1:9/hook2")


def _hotline_order(c):
    from gridgov.hotline import services

    [(order, _)] = services.receive_orders(c.intake, "audit12345", [{
        "order_id": "AUDIT-1", "lon": c.point[0], "lat": c.point[1], "description": "小区门口垃圾无人清运",
        "caller_phone": "13600001111"}])
    c.scratch["order"] = order


def _hotline_with_order(c):
    _hotline_receiver(c)
    _hotline_order(c)


def _hotline_change(c):
    from gridgov.cases import services

    services.transition(c.intake, c.scratch["order"].case.number, "assign_verify")


def _hotline_deliver_failing(c):
    from gridgov.hotline import services

    services.deliver_case(c.scratch["order"].case_id)  # port 9: refused


def _hotline_deliver_ok(c):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from gridgov.hotline import services
    from gridgov.hotline.models import Receiver

    class Ack(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        Receiver.objects.filter(system="audit12345").update(url=f"http://127.0.0.1:{server.server_address[1]}/")
        services.deliver_case(c.scratch["order"].case_id)
    finally:
        server.shutdown()
        server.server_close()


def _hotline_failed_once(c):
    _hotline_with_order(c)
    _hotline_deliver_failing(c)


def _hotline_retry(c):
    from gridgov.hotline import services
    from gridgov.hotline.models import Delivery

    services.retry_now(c.shift, Delivery.objects.get(order=c.scratch["order"]).pk)


OPEN311 = [
    ("open311 create_key", None, _o311_key, [("open311_key", "create")]),
    ("open311 revoke_key", _o311_key, _o311_revoke, [("open311_key", "revoke")]),
    ("open311 submit", _o311_key, _o311_request, [("case", "report"), ("open311_request", "create")]),
    ("hotline save_receiver", None, _hotline_receiver, [("hotline_receiver", "create")]),
    ("hotline save_receiver (change)", _hotline_receiver, _hotline_receiver_change, [("hotline_receiver", "update")]),
    ("hotline receive_orders", _hotline_receiver, _hotline_order, [("case", "report"), ("hotline_order", "receive")]),
    ("hotline transition (outbox)", _hotline_with_order, _hotline_change, [("case", "assign_verify")]),
    ("hotline deliver (refused)", _hotline_with_order, _hotline_deliver_failing, [("hotline_delivery", "failed")]),
    ("hotline deliver (acknowledged)", _hotline_with_order, _hotline_deliver_ok, [("hotline_delivery", "sent")]),
    ("hotline retry_now", _hotline_failed_once, _hotline_retry, [("hotline_delivery", "retry")]),
]

ROWS += OPEN311  # open311


# --- analytics: a rebuild of the roll-up's days is one record (the roll-up kept by a case change rides on the
# case's own record)


def _analytics_rebuild(c):
    import datetime as dt

    from gridgov.analytics.rollup import rebuild

    rebuild(dt.date(2025, 3, 1), dt.date(2025, 3, 31))


ANALYTICS = [("analytics rebuild", None, _analytics_rebuild, [("analytics", "rebuild")])]
ROWS += ANALYTICS  # analytics


# --- exports: 案件导出 (a small export is made at once: created and finished; a large one is created, then finished by
# its background job), the export builder's column sets, the purge of old files


def _export_small(c):
    from gridgov.exports import services

    c.scratch["export"] = services.start(c.intake, "status=reported", ["number"], "csv")


def _export_large(c):
    from django.conf import settings

    from gridgov.exports import services

    keep = settings.GRIDGOV["EXPORT_SYNC_ROWS"]
    settings.GRIDGOV["EXPORT_SYNC_ROWS"] = -1  # every export goes to the background (the job runs after the commit)
    try:
        c.scratch["export"] = services.start(c.intake, "status=reported", ["number"], "csv")
    finally:
        settings.GRIDGOV["EXPORT_SYNC_ROWS"] = keep


def _export_build(c):
    from gridgov.exports import services

    services.build(c.scratch["export"].pk)


def _export_purge(c):
    import datetime as dt

    from django.utils import timezone

    from gridgov.exports import services
    from gridgov.exports.models import Export

    Export.objects.exclude(pk=c.scratch["export"].pk).filter(status="done").update(status="expired")
    services.purge(timezone.now() + dt.timedelta(days=400))


def _column_set(c):
    from gridgov.exports import services

    c.scratch["set"], _ = services.save_column_set(c.intake, "审计模板", ["number", "status"])


def _column_set_again(c):
    from gridgov.exports import services

    services.save_column_set(c.intake, "审计模板", ["status", "number"], shared=True)


def _column_set_delete(c):
    from gridgov.exports import services

    services.delete_column_set(c.intake, c.scratch["set"].pk)


EXPORTS = [
    ("exports start (small)", None, _export_small, [("case_export", "create"), ("case_export", "finish")]),
    ("exports start (large)", None, _export_large, [("case_export", "create")]),
    ("exports build", _export_large, _export_build, [("case_export", "finish")]),
    ("exports purge", _export_small, _export_purge, [("case_export", "purge")]),
    ("exports column set", None, _column_set, [("export_column_set", "create")]),
    ("exports column set (again)", _column_set, _column_set_again, [("export_column_set", "update")]),
    ("exports column set delete", _column_set, _column_set_delete, [("export_column_set", "delete")]),
]
ROWS += EXPORTS  # exports


# --- briefs


def _brief_draft(c):
    from gridgov.briefs import services

    c.scratch["brief"] = services.draft(c.shift, "weekly", "2025-03-03", "110101")


def _brief_generate(c):
    from gridgov.briefs import services

    services.generate(c.scratch["brief"].pk)


def _brief_drafted(c):
    _brief_draft(c)
    _brief_generate(c)


def _brief_edit(c):
    from gridgov.briefs import services

    services.edit(c.shift, c.scratch["brief"].pk, {"next": "审计测试"})


def _brief_issue(c):
    from gridgov.briefs import services

    services.issue(c.shift, c.scratch["brief"].pk)


def _brief_subscribe(c):
    from gridgov.briefs import services

    c.scratch["sub"] = services.subscribe(c.leader, "monthly", "110101")  # (the demo's leader has the weekly one)


def _brief_unsubscribe(c):
    from gridgov.briefs import services

    services.unsubscribe(c.leader, c.scratch["sub"].pk)


def _brief_issued_subscribed(c):
    import datetime as dt

    from gridgov.briefs import services

    services.subscribe(c.leader, "weekly", "110101")  # the demo's subscription (nothing written when it is there)
    other = services.draft(c.shift, "weekly", "2025-03-03", "110101")
    services.generate(other.pk)
    services.issue(c.shift, other.pk)
    c.scratch["monday"] = dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    from gridgov.briefs.models import Delivery

    Delivery.objects.all().delete()  # as if the subscription came after the issue


def _brief_run_subscriptions(c):
    from gridgov.briefs import services

    services.run_subscriptions(c.scratch["monday"])


def _mining_request(c):
    import datetime as dt

    from gridgov.mining import services

    c.scratch["run"] = services.request(c.leader, "110101", dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def _mining_compute(c):
    from gridgov.mining import services

    services.compute(c.scratch["run"].pk)


BRIEFS = [
    ("briefs draft", None, _brief_draft, [("brief", "draft")]),
    ("briefs generate", _brief_draft, _brief_generate, [("brief", "generate")]),  # 系统 (the job)
    ("briefs edit", _brief_drafted, _brief_edit, [("brief", "edit")]),
    ("briefs issue", _brief_drafted, _brief_issue, [("brief", "issue")]),
    ("briefs subscribe", None, _brief_subscribe, [("brief_subscription", "create")]),
    ("briefs unsubscribe", _brief_subscribe, _brief_unsubscribe, [("brief_subscription", "update")]),
    ("briefs run_subscriptions", _brief_issued_subscribed, _brief_run_subscriptions,
     [("brief_subscription", "deliver")]),
    ("mining request", None, _mining_request, [("mining_run", "request")]),
    ("mining compute", _mining_request, _mining_compute, [("mining_run", "compute")]),  # 系统 (the job)
]

ROWS += BRIEFS  # briefs


# --- basemap: the address register (one address, an import, the buildings feeding it) and the base maps kept


def _addr(code="BM1", number="8"):
    def write(c):
        from gridgov.addresses import services

        lon, lat = unit_point()
        services.save_address(c.admin, {"code": code, "kind": "door", "road": "审计胡同", "number": number,
                                        "lon": lon, "lat": lat})
    return write


def _addr_delete(c):
    from gridgov.addresses import services

    services.delete_address(c.admin, "BM1")


def _addr_import(c):
    from gridgov.addresses import services

    lon, lat = unit_point()
    csv = f"地址编码,类型,街路巷,门牌号,名称,经度,纬度\nBM2,门牌,审计胡同,2,,{lon},{lat}\nBM3,兴趣点,,,审计站,{lon},{lat}\n"
    report = services.import_addresses(c.admin, csv.encode(), "a.csv")
    assert report.errors == []


def _building_moved(c):
    from gridgov.basedata.models import Building

    b = Building.objects.order_by("code").first()
    Building.objects.filter(pk=b.pk).update(address="北京市东城区审计胡同99号")


def _addr_sync(c):
    from gridgov.addresses import services

    services.sync_buildings(c.admin)


def _basemap_source(c):
    from gridgov.addresses import services
    from gridgov.addresses.models import BaseMapSource

    services.save_source(c.admin, BaseMapSource(name="intranet", label="内网底图", kind="xyz",
                                                url="https://gis.example/{z}/{x}/{y}.png"))


def _basemap_source_delete(c):
    from gridgov.addresses import services
    from gridgov.addresses.models import BaseMapSource

    services.delete_source(c.admin, BaseMapSource.objects.get(name="intranet"))


BASEMAP = [
    ("address save (new)", None, _addr(), [("address", "create")]),
    ("address save (change)", _addr(), _addr(number="9"), [("address", "update")]),
    ("address delete", _addr(), _addr_delete, [("address", "delete")]),
    ("address import", None, _addr_import, [("address", "create"), ("address", "create")]),
    ("address sync_buildings", _building_moved, _addr_sync, [("address", "update")]),  # only the changed building
    ("basemap save_source", None, _basemap_source, [("basemap", "create")]),
    ("basemap delete_source", _basemap_source, _basemap_source_delete, [("basemap", "delete")]),
]
ROWS += BASEMAP  # basemap


# --- demo: case history loaded in bulk (one record per case, by the system, with its course)


def _history_template(c):
    from gridgov.cases import services

    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    n = services.intake(c.gridworker, source="grid_worker", lon=c.point[0], lat=c.point[1], description="路边有暴露垃圾",
                        matter="06010", find_duplicates=False, now=at).case.number
    services.transition(c.gridworker, n, "self_handle", {"feedback": "已现场处置"}, now=at + dt.timedelta(minutes=20))
    services.transition(c.inspector, n, "inspect_pass", {}, now=at + dt.timedelta(hours=2))
    services.transition(c.intake, n, "close", {}, now=at + dt.timedelta(hours=3))
    c.scratch["template"] = n


def _history_load(c):
    from gridgov.cases.models import Case
    from gridgov.cases.services import history

    t = Case.objects.get(number=c.scratch["template"])
    history.load([history.Copy(t.pk, t.reported_at + dt.timedelta(days=1), t.unit_grid_id, t.lon, t.lat)])


DEMO_ROWS = [
    ("cases history.load", _history_template, _history_load,
     [("case", "load_history")]),
]

ROWS += DEMO_ROWS  # demo


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "prepare", "write", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_each_service_write_leaves_exactly_its_audit_records(name, prepare, write, expected, users, point):
    c = Ctx(users, point)
    if prepare is not None:
        prepare(c)
    start = last_id()
    write(c)
    recs = records_since(start)
    assert kinds(recs) == expected


PERSONAL = ("审计测试人", "审计改名", "13812345678", "13987654321", "1381234", "联系人甲", "13611112222",
            "11010119800101123")


@pytest.mark.django_db
def test_personal_data_never_enters_the_audit_record(users, point):
    c = Ctx(users, point)
    start = last_id()
    _resident(c)
    _resident_update(c)
    _organisation(c)
    _visit(c)
    _diary(c)
    recs = records_since(start)
    assert kinds(recs) == [("resident", "create"), ("resident", "update"), ("organisation", "create"),
                           ("visit", "create"), ("diary_entry", "create")]
    text = json.dumps([[r.before, r.after] for r in recs], ensure_ascii=False)
    for clear in PERSONAL + ("反映楼道灯不亮", "今日走访 3 户"):
        assert clear not in text
    assert recs[1].after == {"fields": ["name", "phone"]}
    assert recs[4].after["fields"] == ["content"]


@pytest.mark.django_db
def test_audit_records_carry_actor_and_changed_values(users, point):
    from gridgov.geo.models import Grid

    c = Ctx(users, point)
    households = Grid.objects.get(layer__code="management", code="110101001001W001").households
    start = last_id()
    _grid_update(c)
    (rec,) = records_since(start)
    assert (rec.actor_id, rec.object_id) == (users["gridleader"].pk, "management/110101001001W001")
    assert rec.before == {"name": "多福巷社区居委会第1网格", "households": households, "households_estimated": True}
    assert rec.after == {"name": "多福巷第一网格（改）", "households": 321, "households_estimated": False}


@pytest.mark.django_db
def test_a_refused_write_records_nothing(users):
    from gridgov.errors import DomainError
    from gridgov.geo import services

    start = last_id()
    with pytest.raises(DomainError):
        services.update_grid(users["gridleader"], "management", "110101001001W001", {"grid_class": "9"})
    with pytest.raises(DomainError):
        services.update_grid(users["gridleader"], "management", "110101001001W001", {"households": -1})
    assert records_since(start) == []


@pytest.mark.django_db
def test_the_scans_system_urge_is_audited_as_the_system(users, point):
    from gridgov.cases import services
    from gridgov.cases.models import Case

    lon, lat = point
    n = services.intake(users["gridworker"], source="grid_worker", lon=lon, lat=lat, description="暴露垃圾",
                        matter="06036").case.number
    services.transition(users["intake"], n, "register")
    services.transition(users["dispatcher"], n, "dispatch", {"department": "110101-HW"})
    late = Case.objects.get(number=n).stage_due_at + dt.timedelta(hours=1)
    start = last_id()
    sent = services.scan(now=late)
    mine = [r for r in records_since(start) if r.object_id == n]
    assert kinds(mine) == [("case", "urge")]
    assert (mine[0].actor_id, mine[0].actor_name) == (None, "系统")
    assert mine[0].after["level"] == "red" and mine[0].after["urge_count"] == 1
    # every red warning of the pass is one 系统督办 record, nothing else
    assert kinds(records_since(start)) == [("case", "urge")] * sent["red"]
    start = last_id()
    services.scan(now=late)
    assert [r for r in records_since(start) if r.object_id == n] == []  # once per stage


# ---------------------------------------------------------------- the admin writes through the services


class FormFields(HTMLParser):
    """The fields of the admin's change form (``<form id="…_form">``) as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.in_form = (a.get("id") or "").endswith("_form")
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data.lstrip("\n") if not self.data[self.textarea][0] else data


def admin_post(client, url: str, **changes) -> int:
    """Open the admin form at ``url``, change the named fields, submit it; returns the response status."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = FormFields()
    form.feed(page.content.decode())
    data = {k: v for k, v in form.data.items()}
    for k, v in changes.items():
        data[k] = v if isinstance(v, list) else [str(v)]
    resp = client.post(url, data)
    if resp.status_code != 302:
        import re

        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', resp.content.decode(), re.S)
        raise AssertionError(f"{url}: {resp.status_code} {errors}")
    return resp.status_code


@pytest.fixture
def admin_client(client_for):
    return client_for("admin")


def _a_grid(c):
    from gridgov.geo.models import Grid

    g = Grid.objects.get(layer__code="management", code="110101001001W001")
    admin_post(c.client, f"/admin/geo/grid/{g.pk}/change/", name="多福巷管理网格（后台）")


def _a_duties(c):
    from gridgov.geo.models import Grid

    g = Grid.objects.get(layer__code="management", code="110101001001W001")
    page = c.client.get(f"/admin/geo/grid/{g.pk}/change/").content.decode()
    prefix = "duties" if 'name="duties-TOTAL_FORMS"' in page else "gridduty_set"
    admin_post(c.client, f"/admin/geo/grid/{g.pk}/change/", **{f"{prefix}-0-duty_hours": "全天 24 小时"})


def _a_item(c):
    from gridgov.catalog.models import CatalogItem

    item = CatalogItem.objects.get(kind="matter", code="06036")
    admin_post(c.client, f"/admin/catalog/catalogitem/{item.pk}/change/", register_condition="审计测试：立案条件")


def _a_rule_add(c):
    from gridgov.catalog.models import DeadlineRule

    DeadlineRule.objects.filter(matter=None, urgency="urgent", area_class="C", stage="dispatch").delete()
    admin_post(c.client, "/admin/catalog/deadlinerule/add/", urgency="urgent", area_class="C", stage="dispatch",
               amount="3", unit="work_hours", note="后台新增")


def _a_rule_prepare(c):
    _rule_prepare(c)


def _a_rule_change(c):
    admin_post(c.client, f"/admin/catalog/deadlinerule/{c.scratch['rule'].pk}/change/", amount="6")


def _a_rule_delete(c):
    resp = c.client.post(f"/admin/catalog/deadlinerule/{c.scratch['rule'].pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302


def _a_rule_bulk_delete(c):
    from gridgov.catalog import services

    second = services.save_deadline_rule(c.admin, _rule_data(urgency="normal", area_class="C", stage="accept"))
    c.scratch["ids"] = [c.scratch["rule"].pk, second.pk]


def _a_rule_bulk_delete_act(c):
    resp = c.client.post("/admin/catalog/deadlinerule/", {"action": "delete_selected", "post": "yes",
                                                         "_selected_action": c.scratch["ids"]})
    assert resp.status_code == 302


def _a_legacy(c):
    from gridgov.catalog.models import LegacyCode

    code = LegacyCode.objects.order_by("id").first()
    admin_post(c.client, f"/admin/catalog/legacycode/{code.pk}/change/", note="后台核对")


def _a_component(c):
    comp = c.scratch["component"]
    admin_post(c.client, f"/admin/catalog/component/{comp.pk}/change/", status="lost")


def _a_routing_add(c):
    from gridgov.accounts.models import Department

    admin_post(c.client, "/admin/cases/routingrule/add/", level="street",
               department=Department.objects.get(code="110101-HW").pk, priority="4", active="on")


def _a_routing_delete(c):
    resp = c.client.post(f"/admin/cases/routingrule/{c.scratch['routing'].pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302


def _a_entry_add(c):  # levels
    admin_post(c.client, "/admin/cases/entryrule/add/", major="07", source="grid_worker", level="grid", priority="1",
               active="on")


def _a_day_add(c):
    admin_post(c.client, "/admin/worktime/calendarday/add/", date="2031-05-07", name="后台休息日", note="")


def _a_day_delete(c):
    from gridgov.worktime.models import CalendarDay

    day = CalendarDay.objects.get(date=dt.date(2031, 5, 6))
    resp = c.client.post(f"/admin/worktime/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302


def _a_setting(c):
    from gridgov.worktime.models import WorkSetting

    admin_post(c.client, f"/admin/worktime/worksetting/{WorkSetting.load().pk}/change/", yellow_share="0.5")


def _a_category(c):
    admin_post(c.client, "/admin/basedata/keycategory/add/", code="audit-admin", name="后台类别",
               visit_interval_days="30", roles='["grid_worker"]', active="on")


def _a_visit_rule(c):
    admin_post(c.client, "/admin/basedata/visitrule/add/", code="audit-admin", name="后台规则", within_days="3",
               active="on")


def _a_plan(c):
    from gridgov.duty.models import EmergencyPlan

    plan = EmergencyPlan.objects.get(code="fire")
    admin_post(c.client, f"/admin/duty/emergencyplan/{plan.pk}/change/", note="后台修改说明")


def _a_shift_add(c):
    from gridgov.accounts.models import User

    admin_post(c.client, "/admin/duty/shift/add/", centre="110101", date="2026-06-05", starts_at_0="2026-06-05",
               starts_at_1="08:30:00", ends_at_0="2026-06-06", ends_at_1="08:30:00",
               **{"members-0-user": User.objects.get(username="shift").pk, "members-0-duty_role": "chief"})
def _a_checklist_item(c):
    from gridgov.inspection.models import ChecklistItem

    item = ChecklistItem.objects.get(template__code="farm", code="A04")
    admin_post(c.client, f"/admin/inspection/checklistitem/{item.pk}/change/", text="粪污消纳台账齐全（后台）")


def _a_checklist_template(c):
    from gridgov.inspection.models import ChecklistTemplate

    t = ChecklistTemplate.objects.get(code="farm")
    admin_post(c.client, f"/admin/inspection/checklisttemplate/{t.pk}/change/", name="养殖场环境检查（后台）")


def _a_rating_dimension(c):  # evaluation
    from gridgov.evaluation.models import Dimension

    d = Dimension.objects.get(ratee_kind="centre", key="clarity")
    admin_post(c.client, f"/admin/evaluation/dimension/{d.pk}/change/", name="指令清楚、要求明确")


ADMIN = [
    ("grid", None, _a_grid, [("grid", "update")]),
    ("grid 五定 inline", None, _a_duties, [("grid", "set_duties")]),
    ("catalog item", None, _a_item, [("catalog_item", "update")]),
    ("deadline rule add", None, _a_rule_add, [("deadline_rule", "create")]),
    ("deadline rule change", _a_rule_prepare, _a_rule_change, [("deadline_rule", "update")]),
    ("deadline rule delete", _a_rule_prepare, _a_rule_delete, [("deadline_rule", "delete")]),
    ("deadline rules bulk delete", lambda c: (_rule_prepare(c), _a_rule_bulk_delete(c)), _a_rule_bulk_delete_act,
     [("deadline_rule", "delete"), ("deadline_rule", "delete")]),
    ("legacy code", None, _a_legacy, [("legacy_code", "update")]),
    ("component", _component_prepare, _a_component, [("component", "update")]),
    ("routing rule add", None, _a_routing_add, [("routing_rule", "create")]),
    ("routing rule delete", _routing_create, _a_routing_delete, [("routing_rule", "delete")]),
    ("entry rule add", None, _a_entry_add, [("entry_rule", "create")]),
    ("calendar day add", None, _a_day_add, [("calendar_day", "create")]),
    ("calendar day delete", _day_set, _a_day_delete, [("calendar_day", "delete")]),
    ("office hours", _setting_prepare, _a_setting, [("work_setting", "update")]),
    ("key category add", None, _a_category, [("key_category", "create")]),
    ("visit rule add", None, _a_visit_rule, [("visit_rule", "create")]),
    ("duty plan (预案)", None, _a_plan, [("duty_plan", "update")]),
    ("duty shift with its people", None, _a_shift_add, [("duty_shift", "create")]),
    ("inspection checklist template", None, _a_checklist_template, [("checklist_template", "update")]),
    ("inspection checklist item", None, _a_checklist_item, [("checklist_item", "update")]),
]
ADMIN += [("evaluation rating dimension", None, _a_rating_dimension, [("rating_dimension", "update")])]  # evaluation


def _a_basemap_add(c):  # basemap
    # (admin_post's own parameter is called url, so the form is posted here)
    resp = c.client.post("/admin/addresses/basemapsource/add/", {
        "name": "intranet", "label": "内网底图", "kind": "xyz", "crs": "wgs84", "url": "https://gis.example/{z}/{x}/{y}.png",
        "layer": "", "key": "", "matrix_set": "", "subdomains": "", "attribution": "", "min_zoom": "0", "max_zoom": "18",
        "file": "", "position": "0", "enabled": "on"})
    assert resp.status_code == 302, resp.content.decode()[:2000]


ADMIN += [("basemap source add", None, _a_basemap_add, [("basemap", "create")])]  # basemap


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "prepare", "write", "expected"), ADMIN, ids=[r[0] for r in ADMIN])
def test_each_admin_save_goes_through_its_service_and_is_audited(name, prepare, write, expected, users, point,
                                                                 admin_client):
    c = Ctx(users, point)
    c.client = admin_client
    if prepare is not None:
        prepare(c)
    start = last_id()
    write(c)
    recs = records_since(start)
    assert kinds(recs) == expected
    assert all(r.actor_id == users["admin"].pk for r in recs)


@pytest.mark.django_db
def test_an_admin_save_the_service_refuses_writes_nothing_and_says_why(users, admin_client):
    from gridgov.worktime import services
    from gridgov.worktime.models import WorkSetting

    services.update_setting(yellow_share=0.6, user=users["admin"])
    start = last_id()
    url = f"/admin/worktime/worksetting/{WorkSetting.load().pk}/change/"
    page = admin_client.get(url)
    form = FormFields()
    form.feed(page.content.decode())
    resp = admin_client.post(url, {**form.data, "office_hours": ["25:00-26:00"]}, follow=True)
    assert records_since(start) == []
    assert WorkSetting.load().yellow_share == 0.6
    text = resp.content.decode()
    assert resp.status_code == 200 and ("办公时间" in text or "时间" in text)


@pytest.mark.django_db
def test_admin_pages_without_a_service_are_read_only(admin_client):
    from gridgov.geo.models import GridLayer, Jurisdiction

    start = last_id()
    layer = GridLayer.objects.get(code="unit")
    node = Jurisdiction.objects.get(code="110101001001")
    assert admin_client.post(f"/admin/geo/gridlayer/{layer.pk}/change/", {"name": "改名"}).status_code == 403
    assert admin_client.post(f"/admin/geo/jurisdiction/{node.pk}/change/", {"name": "改名"}).status_code == 403
    assert admin_client.get("/admin/geo/grid/add/").status_code == 403
    layer.refresh_from_db()
    node.refresh_from_db()
    assert (layer.name, node.name) == ("单元网格", "多福巷社区居委会")
    assert records_since(start) == []


# ---------------------------------------------------------------- API handlers and pages that wrote models themselves


@pytest.mark.django_db
def test_key_category_and_visit_rule_api_write_through_services(client_for):
    client = client_for("admin")
    start = last_id()
    r = client.put("/api/v1/basedata/key-categories/audit-api", {"code": "audit-api", "name": "接口类别", "visit_interval_days": 10,
                                                                  "roles": ["grid_worker"]},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    r = client.put("/api/v1/basedata/visit-rules/audit-api", {"name": "接口规则", "within_days": 4},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    r = client.put("/api/v1/basedata/visit-rules/audit-api", {"name": "接口规则（改）", "within_days": 4},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    recs = records_since(start)
    assert kinds(recs) == [("key_category", "create"), ("visit_rule", "create"), ("visit_rule", "update")]
    assert (recs[2].before, recs[2].after) == ({"name": "接口规则"}, {"name": "接口规则（改）"})
    bad = client.put("/api/v1/basedata/key-categories/audit-api2", {"code": "audit-api2", "name": "x", "roles": ["nobody"]},
                     content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_role"
    assert len(records_since(start)) == 3


@pytest.mark.django_db
def test_saved_views_of_the_queue_page_are_written_by_the_service(client_for, users):
    from gridgov.cases.models import SavedView

    client = client_for("dispatcher")
    start = last_id()
    assert client.post("/cases/views/", {"name": "我的红灯", "query": "light=red"}).status_code == 302
    view = SavedView.objects.get(user=users["dispatcher"], name="我的红灯")
    assert client.post(f"/cases/views/{view.pk}/delete/").status_code == 302
    assert kinds(records_since(start)) == [("saved_view", "create"), ("saved_view", "delete")]
    assert not SavedView.objects.filter(pk=view.pk).exists()


