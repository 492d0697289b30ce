"""Inspections with checklists (issue 15 item 5): a failed item files exactly one case with its photo, position,
matter and a link back; bad input is refused with a stable code and writes nothing; 回头看 and 门前三包.

Expected values are written out from the brief and the shipped checklist (logic/defaults.py is the shipped data,
the values below are typed by hand: 消防 has six items F01–F06, F02 灭火器 fails as 52001 消防隐患).
"""

import datetime as dt
import io

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

OWN_GRID = "110101001001W001"
OTHER_STREET_GRID = "110101002001W001"
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2031, 3, 20, 10, 0, tzinfo=dt.UTC)


def png(color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "PNG")
    return buf.getvalue()


def org_in(grid: str):
    from gridgov.basedata.models import Organisation

    return Organisation.objects.filter(scope_key__startswith=grid + ".", lon__isnull=False).order_by("id").first()


def fire_plan(users, org=None, who="supervisor"):
    from gridgov.inspection import services

    org = org or org_in(OWN_GRID)
    plan = services.create_plan(users[who], name="东华门街道消防检查", template="fire", frequency="monthly",
                                start_on=dt.date(2026, 11, 1), inspector="inspector",
                                targets=[("organisation", org.pk)])
    return plan, plan.targets.get()


def all_pass(codes=("F01", "F02", "F03", "F04", "F05", "F06")):
    return [{"item": c, "answer": "pass"} for c in codes]


def one_failed():
    answers = all_pass()
    answers[1] = {"item": "F02", "answer": "fail", "note": "灭火器压力表指针在红区"}
    return answers


def counts():
    from gridgov.cases.models import Case, CasePhoto
    from gridgov.inspection.models import Answer, Inspection

    return (Case.objects.count(), CasePhoto.objects.count(), Inspection.objects.count(), Answer.objects.count(),
            AuditRecord.objects.count())


def test_a_fire_inspection_with_one_failed_item_files_exactly_one_case_with_the_items_photo(users, time_machine):
    from gridgov.cases.models import Case
    from gridgov.inspection import services

    time_machine.move_to(NOW, tick=False)
    _, target = fire_plan(users)
    before = counts()
    photo = png()
    r = services.submit(users["inspector"], target_id=target.pk, answers=one_failed(), lon=target.lon,
                        lat=target.lat, client_key="fire-1", photos={"F02": [("灭火器.png", photo)]})
    assert r.created and len(r.cases) == 1
    case = Case.objects.get(number=r.cases[0])
    # the case: matter 52001 消防隐患, source 检查发现, at the inspection's position, with the item's photo
    assert case.matter.code == "52001"
    assert case.source == "inspection"
    assert (case.lon, case.lat) == (target.lon, target.lat)
    assert case.status == "reported"
    assert [p.sha256 for p in case.photos.all()] == [__import__("hashlib").sha256(photo).hexdigest()]
    # the link back: the answer knows its case, the case names the inspection and the item
    answer = r.inspection.answers.get(item__code="F02")
    assert answer.case_id == case.pk and answer.answer == "fail"
    assert f"检查记录 #{r.inspection.pk}" in case.description and "F02" in case.description
    assert r.inspection.outcome == "failed" and r.inspection.failed_count == 1
    after = counts()
    assert after[0] - before[0] == 1  # exactly one case
    assert after[1] - before[1] == 1  # with one photo
    assert after[2] - before[2] == 1 and after[3] - before[3] == 6
    target.refresh_from_db()
    assert target.last_inspected_on == dt.date(2026, 11, 20)

    # the same submission again (the phone retried): the first inspection, nothing more filed
    again = services.submit(users["inspector"], target_id=target.pk, answers=one_failed(), client_key="fire-1",
                            photos={"F02": [("灭火器.png", photo)]})
    assert not again.created and again.inspection.pk == r.inspection.pk and again.cases == r.cases
    assert counts() == after


def test_the_api_form_takes_the_photos_per_item(users, client_for, time_machine):
    time_machine.move_to(NOW, tick=False)
    _, target = fire_plan(users)
    import json

    f = io.BytesIO(png())
    f.name = "f04.png"
    answers = all_pass()
    answers[3] = {"item": "F04", "answer": "fail", "note": "插线板串接"}
    r = client_for("gridworker").post("/api/v1/inspection/inspections/form", {
        "target": target.pk, "answers": json.dumps(answers), "photo_items": "F04", "client_key": "form-1",
        "photos": f})
    assert r.status_code == 201, r.content
    body = r.json()
    assert len(body["cases"]) == 1 and body["inspection"]["outcome"] == "failed"
    f04 = [a for a in body["inspection"]["answers"] if a["item"] == "F04"][0]
    assert f04["case"] == body["cases"][0] and f04["photos"] == 1


BAD = [
    # (name, answers, photos, expected code)
    ("an item not in the template", all_pass() + [{"item": "X99", "answer": "pass"}], {}, "unknown_item"),
    ("an item of another template", all_pass()[:5] + [{"item": "E01", "answer": "pass"}], {}, "unknown_item"),
    ("a failed item without its photo", one_failed(), {}, "photo_required"),
    ("an item answered twice", all_pass() + [{"item": "F01", "answer": "na"}], {}, "duplicate_item"),
    ("an item left out", all_pass()[:5], {}, "answers_missing"),
    ("a photo for an item not in the template", all_pass(), {"Z01": [("x.png", None)]}, "unknown_item"),
    ("a photo that is no image", one_failed(), {"F02": [("x.png", b"not an image")]}, "photo_not_image"),
]


@pytest.mark.parametrize(("name", "answers", "photos", "code"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_writes_nothing(name, answers, photos, code, users):
    from gridgov.errors import DomainError
    from gridgov.inspection import services

    _, target = fire_plan(users)
    photos = {k: [(n, d if d is not None else png()) for n, d in v] for k, v in photos.items()}
    before = counts()
    with pytest.raises(DomainError) as e:
        services.submit(users["inspector"], target_id=target.pk, answers=answers, photos=photos,
                        client_key=f"bad-{name}")
    assert e.value.code == code and e.value.message
    assert counts() == before


def test_over_the_api_a_refusal_is_a_chinese_error_with_its_code(users, client_for):
    _, target = fire_plan(users)
    before = counts()
    r = client_for("inspector").post("/api/v1/inspection/inspections", {
        "target": target.pk, "answers": one_failed(), "client_key": "api-bad"}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "photo_required" and "须拍照" in r.json()["message"]
    assert counts() == before


def test_a_target_outside_ones_scope_is_not_found(users, client_for):
    from gridgov.accounts.scope import OutOfScope
    from gridgov.inspection import services

    _, target = fire_plan(users, org=org_in(OTHER_STREET_GRID), who="admin")
    before = counts()
    with pytest.raises(OutOfScope):
        services.submit(users["inspector"], target_id=target.pk, answers=all_pass(), client_key="far-1")
    r = client_for("gridworker").post("/api/v1/inspection/inspections", {
        "target": target.pk, "answers": all_pass(), "client_key": "far-2"}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert counts() == before


def test_a_plan_lists_its_targets_as_due_and_overdue_for_its_inspector(users, time_machine):
    from gridgov.inspection import services

    time_machine.move_to(NOW, tick=False)
    _, target = fire_plan(users)
    mine = {(r.kind, r.id): r for r in services.due(users["inspector"], dt.date(2026, 11, 20))}
    assert (mine[("target", target.pk)].state, mine[("target", target.pk)].due_on) == ("due", dt.date(2026, 11, 30))
    # another inspector post holder is not the named inspector
    assert ("target", target.pk) not in {(r.kind, r.id) for r in services.due(users["gridworker"],
                                                                               dt.date(2026, 11, 20))}
    late = {(r.kind, r.id): r for r in services.due(users["inspector"], dt.date(2026, 12, 3))}[("target", target.pk)]
    assert (late.state, late.days_overdue) == ("overdue", 3)
    services.submit(users["inspector"], target_id=target.pk, answers=all_pass(), client_key="ok-1")
    done = services.due(users["inspector"], dt.date(2026, 11, 25), include_done=True)
    row = [r for r in done if (r.kind, r.id) == ("target", target.pk)][0]
    assert (row.state, row.due_on) == ("done", dt.date(2026, 12, 31))


def closed_case(users):
    from gridgov.cases import services
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", parent__code=OWN_GRID).order_by("code").first()
    p = g.shape.representative_point()
    number = services.intake(users["gridworker"], source="grid_worker", lon=p.x, lat=p.y, description="门前暴露垃圾",
                             matter="06010").case.number
    for who, action, data in [("intake", "register", {"matter": "06010"}),
                              ("dispatcher", "dispatch", {"department": "110101-HW"}), ("handler", "accept", {}),
                              ("handler", "handle", {"feedback": "已清运"}), ("inspector", "inspect_pass", {}),
                              ("intake", "close", {})]:
        services.transition(users[who], number, action, data)
    return number


def test_revisit_lists_the_months_closed_cases_and_files_a_new_case_when_the_problem_came_back(users, time_machine):
    from gridgov.cases.models import Case
    from gridgov.inspection import services

    time_machine.move_to(NOW, tick=False)
    number = closed_case(users)
    listed = [c.number for c in services.revisit_candidates(users["inspector"], "2026-11", "110101001")]
    assert number in listed
    assert number not in [c.number for c in services.revisit_candidates(users["inspector"], "2026-10")]
    before = Case.objects.count()
    r = services.record_revisit(users["inspector"], case_number=number, recurred=True, note="又有垃圾堆放",
                                client_key="rv-1")
    assert r.created and r.revisit.new_case is not None
    new = r.revisit.new_case
    assert (new.matter.code, new.source) == ("06010", "inspection") and number in new.description
    assert Case.objects.count() == before + 1
    again = services.record_revisit(users["inspector"], case_number=number, recurred=True, client_key="rv-1")
    assert not again.created and Case.objects.count() == before + 1
    assert number not in [c.number for c in services.revisit_candidates(users["inspector"], "2026-11")]


def test_revisit_of_an_open_case_is_refused(users):
    from gridgov.cases import services as cases
    from gridgov.errors import Conflict
    from gridgov.inspection import services
    from gridgov.inspection.models import Revisit

    org = org_in(OWN_GRID)
    number = cases.intake(users["gridworker"], source="grid_worker", lon=org.lon, lat=org.lat,
                          description="井盖缺失", matter="01002").case.number
    with pytest.raises(Conflict) as e:
        services.record_revisit(users["inspector"], case_number=number, recurred=False, client_key="rv-open")
    assert e.value.code == "case_not_closed" and not Revisit.objects.filter(case__number=number).exists()


def test_frontage_rate_per_street(users, time_machine):
    """Three 门前三包 inspections in 东华门街道 in March 2031: passed, failed, all 不适用 → 1 of 2 counted = 50.0%."""
    from gridgov.basedata.models import Organisation
    from gridgov.inspection import services
    from gridgov.inspection.models import FrontageAgreement

    time_machine.move_to(LATER, tick=False)  # far from the demo's month, which is built around today
    orgs = list(Organisation.objects.filter(scope_key__startswith="110101001", lon__isnull=False)
                .exclude(pk__in=FrontageAgreement.objects.values("organisation")).order_by("id")[:3])
    made = [services.save_agreement(users["gridleader"] if o.scope_key.startswith("110101001001") else users["admin"],
                                    organisation_id=o.pk, frontage="门前至路缘石", signed_on=dt.date(2031, 2, 1))
            for o in orgs]
    answers = [
        [{"item": c, "answer": "pass"} for c in ("Q01", "Q02", "Q03")] + [{"item": "Q04", "answer": "na"}],
        [{"item": "Q01", "answer": "fail"}] + [{"item": c, "answer": "pass"} for c in ("Q02", "Q03", "Q04")],
        [{"item": c, "answer": "na"} for c in ("Q01", "Q02", "Q03", "Q04")],
    ]
    for i, (a, given) in enumerate(zip(made, answers, strict=True)):
        services.submit(users["admin"], agreement_id=a.pk, answers=given, client_key=f"fr-{i}",
                        photos={"Q01": [("门前.png", png())]} if i == 1 else None)
    rows = {r.street: r for r in services.fulfilment(users["supervisor"], dt.date(2031, 3, 1), dt.date(2031, 3, 31),
                                                      "110101001")}
    mine = rows["110101001"]
    assert (mine.passed, mine.counted, str(mine.rate)) == (1, 2, "50.0")
    assert mine.name == "东华门街道"


def test_a_refused_agreement_writes_nothing(users):
    from gridgov.errors import DomainError
    from gridgov.inspection import services

    start = AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        services.save_agreement(users["gridleader"], organisation_id=org_in(OWN_GRID).pk, frontage="门前",
                                signed_on=dt.date(2026, 10, 1), clean=False, orderly=False, green=False)
    assert e.value.code == "no_duty" and AuditRecord.objects.count() == start
