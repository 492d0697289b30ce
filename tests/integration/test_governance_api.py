"""Mediation (矛盾纠纷) and petitions (信访) as records beside a case, through the API: a 邻里纠纷 with two parties
(one from the basic data), sessions, an agreement and the visit; a 信访 from its register entry to the reply and the
复查, with the due dates worked by hand; refusals with a stable code that write nothing; the ledgers per post."""

import datetime as dt

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GOV = "/api/v1/governance/cases"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _case(client, matter, description):
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", parent__code="110101001001W001").order_by("code").first()
    p = g.shape.representative_point()
    r = client.post("/api/v1/cases", {"source": "grid_worker", "lon": p.x, "lat": p.y, "matter": matter,
                                      "description": description}, content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()["case"]["number"]


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _resident():
    from gridgov.basedata.models import Resident

    return Resident.objects.filter(scope_key__startswith="110101001001W001.", status="active").order_by("id").first()


def test_a_neighbour_dispute_with_two_parties_is_mediated_and_visited(frozen, client_for):
    number = _case(client_for("gridworker"), "50001", "楼上楼下因噪音争吵")
    leader = client_for("gridleader")
    resident = _resident()
    r = post(leader, f"{GOV}/{number}/mediation", {"summary": "噪音纠纷", "parties": [
        {"resident_id": resident.pk, "role": "申请人"}, {"name": "李建国", "phone": "13912345678", "role": "被申请人"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["status_label"], body["accepted_on"]) == ("accepted", "受理", "2026-11-02")
    assert [(p["role"], p["resident_id"], p["name"], p["phone"]) for p in body["parties"]] == [
        ("申请人", resident.pk, resident.name, resident.phone_masked), ("被申请人", None, "李建国", "139****5678")]
    # the grid worker has no basedata.unmask: names masked; phones are always masked
    seen = client_for("gridworker").get(f"{GOV}/{number}/mediation").json()["parties"]
    assert seen[1]["name"] == "李**" and seen[1]["phone"] == "139****5678"
    r = post(leader, f"{GOV}/{number}/mediation/sessions", {"held_on": "2026-11-03", "place": "多福巷社区调解室",
                                                            "mediator": "赵调解员", "notes": "双方陈述"})
    assert r.status_code == 201 and r.json()["status"] == "mediating"
    r = post(leader, f"{GOV}/{number}/mediation/outcome", {"outcome": "agreed", "text": "晚十点后不再制造噪音",
                                                           "signed_on": "2026-11-05"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["agreement_signed_on"]) == ("agreed", "2026-11-05")
    r = post(leader, f"{GOV}/{number}/mediation/visit", {"result": "协议已履行", "visited_on": "2026-11-20",
                                                         "satisfied": True})
    assert r.status_code == 200 and r.json()["status"] == "visited"
    ledger = leader.get("/api/v1/governance/mediations?status=visited").json()["items"]
    assert [(m["case_number"], m["parties"], m["sessions"]) for m in ledger if m["case_number"] == number] == [
        (number, 2, 1)]


def test_an_agreement_without_parties_is_refused_and_writes_nothing(frozen, client_for):
    number = _case(client_for("gridworker"), "50002", "家庭纠纷")
    leader = client_for("gridleader")
    assert post(leader, f"{GOV}/{number}/mediation", {"summary": "赡养纠纷"}).status_code == 201
    assert post(leader, f"{GOV}/{number}/mediation/sessions", {"place": "调解室", "mediator": "赵"}).status_code == 201
    before = AuditRecord.objects.count()
    r = post(leader, f"{GOV}/{number}/mediation/outcome", {"outcome": "agreed", "text": "和解"})
    assert (r.status_code, r.json()["code"]) == (400, "parties_required")
    assert "当事人" in r.json()["message"]
    assert AuditRecord.objects.count() == before
    assert leader.get(f"{GOV}/{number}/mediation").json()["status"] == "mediating"


def test_a_mediation_needs_a_dispute_case(frozen, client_for):
    number = _case(client_for("gridworker"), "06010", "暴露垃圾")
    r = post(client_for("gridleader"), f"{GOV}/{number}/mediation", {"summary": "x"})
    assert (r.status_code, r.json()["code"]) == (400, "not_a_dispute")


def test_a_petition_from_register_to_reply_and_review(frozen, client_for):
    number = _case(client_for("gridleader"), "51001", "来信反映施工扰民")
    leader = client_for("gridleader")
    r = post(leader, f"{GOV}/{number}/petition", {"form": "letter", "subject": "施工扰民", "received_on": "2026-11-02",
                                                  "petitioners": [{"name": "刘丙", "phone": "13700001234"}]})
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["accept_due_on"], r.json()["reply_due_on"]) == (
        "registered", "2026-11-17", None)                         # 2 + 15 = November 17
    # a reply before the acceptance decision
    before = AuditRecord.objects.count()
    r = post(leader, f"{GOV}/{number}/petition/reply", {"text": "已答复"})
    assert (r.status_code, r.json()["code"]) == (409, "not_accepted")
    r = post(leader, f"{GOV}/{number}/petition/extension", {"days": 10, "reason": "复杂"})
    assert (r.status_code, r.json()["code"]) == (409, "not_accepted")
    assert AuditRecord.objects.count() == before
    r = post(leader, f"{GOV}/{number}/petition/decision", {"decision": "accepted", "decided_on": "2026-11-02"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["reply_due_on"]) == ("accepted", "2027-01-01")   # 28 + 31 + 1 = 60 days
    # an extension over 30 days, then one of 30, then a second one
    r = post(leader, f"{GOV}/{number}/petition/extension", {"days": 31, "reason": "复杂"})
    assert (r.status_code, r.json()["code"]) == (400, "extension_too_long")
    r = post(leader, f"{GOV}/{number}/petition/extension", {"days": 30, "reason": "需协调住建部门"})
    assert r.status_code == 200 and r.json()["reply_due_on"] == "2027-01-31"
    before = AuditRecord.objects.count()
    r = post(leader, f"{GOV}/{number}/petition/extension", {"days": 5, "reason": "再延"})
    assert (r.status_code, r.json()["code"]) == (409, "extension_used")
    assert AuditRecord.objects.count() == before
    assert leader.get(f"{GOV}/{number}/petition").json()["reply_due_on"] == "2027-01-31"
    r = post(leader, f"{GOV}/{number}/petition/reply", {"text": "已协调施工单位夜间停工", "replied_on": "2027-01-05"})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    r = post(leader, f"{GOV}/{number}/petition/review", {"step": "request", "text": "仍有噪音", "on": "2027-02-05"})
    assert (r.status_code, r.json()["code"]) == (409, "review_too_late")       # day 31 after the reply
    r = post(leader, f"{GOV}/{number}/petition/review", {"step": "request", "text": "仍有噪音", "on": "2027-02-04"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["review_due_on"]) == ("review", "2027-03-06")  # 4 + 30 − 28 = March 6
    r = post(leader, f"{GOV}/{number}/petition/review", {"step": "result", "text": "维持原答复", "on": "2027-02-20"})
    assert r.status_code == 200 and r.json()["status"] == "reviewed"
    assert [(p["case_number"], p["status"]) for p in leader.get("/api/v1/governance/petitions").json()["items"]] == [
        (number, "reviewed")]


def test_the_petition_register_is_restricted(frozen, client_for):
    number = _case(client_for("gridleader"), "51002", "来访反映拆迁补偿")
    assert post(client_for("gridleader"), f"{GOV}/{number}/petition", {
        "form": "visit", "subject": "拆迁补偿", "petitioners": [{"name": "孙丁"}]}).status_code == 201
    # the grid worker may read the ledgers but not a 信访 case: the register is empty for her, the record 404
    assert client_for("gridworker").get("/api/v1/governance/petitions").json()["count"] == 0
    assert client_for("gridworker").get(f"{GOV}/{number}/petition").status_code == 404
    assert client_for("supervisor").get("/api/v1/governance/petitions").json()["count"] == 1
    assert client_for("inspector").get("/api/v1/governance/petitions").status_code == 403


def test_the_ledgers_export_to_excel(frozen, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    number = _case(client_for("gridworker"), "50003", "物业纠纷")
    leader = client_for("gridleader")
    assert post(leader, f"{GOV}/{number}/mediation", {"summary": "物业费"}).status_code == 201
    r = leader.get("/governance/mediations/?format=xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("案件编号", "事项", "社区", "受理日期", "状态")
    assert [row[:2] for row in rows[1:]] == [(number, "物业纠纷")]
    page = leader.get("/governance/mediations/").content.decode()
    assert number in page and "调解台账" in page
    assert client_for("inspector").get("/governance/mediations/").status_code == 403


def test_the_case_page_form_refusal_is_shown_in_chinese(frozen, client_for):
    number = _case(client_for("gridworker"), "51001", "来信")
    leader = client_for("gridleader")
    assert post(leader, f"{GOV}/{number}/petition", {"form": "letter", "subject": "来信",
                                                     "petitioners": [{"name": "周戊"}]}).status_code == 201
    before = AuditRecord.objects.count()
    r = leader.post(f"/governance/cases/{number}/petition_reply/", {"text": "答复"}, follow=True)
    text = r.content.decode()
    assert "尚未作出受理意见" in text and "信访登记" in text
    assert AuditRecord.objects.count() == before


def test_parties_are_erased_three_years_after_the_case_is_archived(frozen, client_for, time_machine):
    """个人信息保存期限: 调解当事人 and 信访人 (kind governance_party, 1,095 days from the case's 归档). A case archived on
    2026-11-10: its parties are kept all of 2029-11-08 and erased on 2029-11-09 — the record itself stays."""
    from gridgov.cases.models import Case
    from gridgov.governance.models import Party
    from gridgov.privacy import services as privacy

    number = _case(client_for("gridworker"), "50001", "楼上楼下因噪音争吵")
    resident = _resident()
    r = post(client_for("gridleader"), f"{GOV}/{number}/mediation", {"summary": "噪音纠纷", "parties": [
        {"resident_id": resident.pk, "role": "申请人"}, {"name": "李建国", "phone": "13912345678", "role": "被申请人"}]})
    assert r.status_code == 201, r.content
    # test set-up: the case is put at the end of its loop directly (the loop itself is tested elsewhere)
    Case.objects.filter(number=number).update(status="archived", closed_at=NOW, archived_at=NOW + dt.timedelta(days=8))
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()

    time_machine.move_to(dt.datetime(2029, 11, 8, 23, 59, tzinfo=NOW.tzinfo), tick=False)
    assert privacy.purge()["governance_party"] == 0
    time_machine.move_to(dt.datetime(2029, 11, 9, 0, 1, tzinfo=NOW.tzinfo), tick=False)
    assert privacy.purge()["governance_party"] == 2
    parties = list(Party.objects.filter(mediation__case__number=number).order_by("id"))
    assert [(p.name, bytes(p.phone_cipher), p.phone_masked, p.phone_index, p.resident_id) for p in parties] == [
        ("已按保存期限删除", b"", "", "", None), ("已按保存期限删除", b"", "", "", None)]
    assert parties[0].mediation.summary == "噪音纠纷" and parties[0].role == "申请人"
    records = AuditRecord.objects.filter(id__gt=before, object_type="retention", object_id="governance_party")
    assert [(r.action, r.after) for r in records] == [("purge", {"count": 2, "days": 1095, "before": "2026-11-11"})]
    assert privacy.purge()["governance_party"] == 0  # nothing left to erase
