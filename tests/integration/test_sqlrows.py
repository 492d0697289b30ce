"""gridgov.sqlrows writes and reads the same rows as the ORM (the case engine's hot paths rely on it)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov import sqlrows
from gridgov.accounts.models import User
from gridgov.cases.models import Case, CaseEvent
from gridgov.geo.models import Jurisdiction
from gridgov.notify.models import Notification

pytestmark = pytest.mark.django_db

SKIP = {"id", "number", "updated_at"}
# one fixed instant for every case these tests build: two calls to the clock could straddle a second on a busy
# machine, and the rows compared would differ by it
AT = dt.datetime(2026, 11, 20, 1, 30, 0, 123456, tzinfo=dt.UTC)


def _case(number: str, **extra) -> Case:
    district = Jurisdiction.objects.get(code="110101")
    now = AT
    return Case(number=number, district=district, source="hotline", description="井盖缺失 \"引号\" 与 ' 单引号",
                address="东华门大街 1 号", lon=116.4012345678, lat=39.9123456789, scope_key="110101001001",
                reported_at=now, stage="verify", stage_seq=2, stage_started_at=now, stage_amount=Decimal("2.50"),
                stage_unit="work_hours", stage_due_at=now + dt.timedelta(hours=3),
                stage_pauses=[[now.isoformat(), None]], handler_ids=[3, 5], pending_amount=Decimal("1.25"),
                satisfaction=None, **extra)


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_insert_writes_the_row_save_writes():
    by_orm = _case("110101-20990101-0001")
    by_orm.save()
    by_sql = sqlrows.insert(_case("110101-20990101-0002"))
    assert by_sql.pk and by_sql.pk != by_orm.pk and not by_sql._state.adding
    a, b = _row(Case, by_orm.pk), _row(Case, by_sql.pk)
    assert {k: v for k, v in a.items() if k not in SKIP} == {k: v for k, v in b.items() if k not in SKIP}
    assert b["updated_at"] is not None  # auto_now is stamped as save() stamps it


def test_insert_of_json_and_nulls():
    case = _case("110101-20990101-0003")
    case.save()
    now = timezone.now()
    data = {"reason": "雨天 \\ 路滑", "n": 1.5, "list": [1, None, "二"]}
    e1 = CaseEvent.objects.create(case=case, action="urge", to_state="", actor=None, at=now, data=data)
    e2 = sqlrows.insert(CaseEvent(case=case, action="urge", to_state="", actor=None, at=now, data=data))
    r1, r2 = _row(CaseEvent, e1.pk), _row(CaseEvent, e2.pk)
    assert {k: v for k, v in r1.items() if k != "id"} == {k: v for k, v in r2.items() if k != "id"}
    n = sqlrows.insert(Notification(user_id=User.objects.order_by("id").first().pk, kind="k", title="t", body="b",
                                    created=now))
    assert Notification.objects.get(pk=n.pk).channel_results == Notification().channel_results


def test_update_changes_what_queryset_update_changes():
    a, b = _case("110101-20990101-0004"), _case("110101-20990101-0005")
    a.save()
    b.save()
    now = timezone.now()
    values = {"status": "verified", "version": 2, "stage_amount": Decimal("4.00"), "stage_due_at": now,
              "stage_pauses": [], "handler_ids": [7], "pending_amount": None, "matter_id": None, "updated_at": now}
    assert Case.objects.filter(pk=a.pk, version=1).update(**values) == 1
    assert sqlrows.update(Case, values, pk=b.pk, version=1) == 1
    ra, rb = _row(Case, a.pk), _row(Case, b.pk)
    assert {k: v for k, v in ra.items() if k not in SKIP - {"updated_at"}} == {
        k: v for k, v in rb.items() if k not in SKIP - {"updated_at"}}
    # the condition holds the optimistic lock: a stale version changes nothing
    assert sqlrows.update(Case, {"status": "closed"}, pk=b.pk, version=1) == 0
    assert Case.objects.get(pk=b.pk).status == "verified"


def test_update_many_changes_what_one_update_a_row_changes():
    cases = [_case(f"110101-20990101-00{i}") for i in range(10, 16)]
    for c in cases:
        c.save()
    now = timezone.now()
    values = {"status": "verified", "version": 2, "stage_amount": Decimal("4.00"), "stage_due_at": now,
              "stage_pauses": [[now.isoformat(), None]], "handler_ids": [7], "pending_amount": None,
              "verified": True, "updated_at": now}
    other = {**values, "urgency": "urgent"}  # another set of columns: its own statement on PostgreSQL
    by_one = [sqlrows.update(Case, values, pk=cases[0].pk, version=1)]
    rows = [({"pk": cases[1].pk, "version": 1}, values), ({"pk": cases[2].pk, "version": 1}, values),
            ({"pk": cases[3].pk, "version": 1}, other), ({"pk": cases[4].pk, "version": 9}, values)]  # stale
    assert by_one == [1] and sqlrows.update_many(Case, rows) == 3
    r0, r1, r2, r3, r4 = (_row(Case, c.pk) for c in cases[:5])
    keep = SKIP - {"updated_at"}
    assert {k: v for k, v in r0.items() if k not in keep} == {k: v for k, v in r1.items() if k not in keep} == {
        k: v for k, v in r2.items() if k not in keep}
    assert r3["urgency"] == "urgent" and r3["stage_pauses"] == values["stage_pauses"]
    assert r4["status"] == cases[4].status and r4["version"] == 1, "a stale version changes nothing"
    assert _row(Case, cases[5].pk)["version"] == 1, "rows not named are untouched"


def test_fetch_builds_the_instance_the_orm_builds():
    case = _case("110101-20990101-0006")
    case.save()
    by_orm = Case.objects.get(pk=case.pk)
    [by_sql] = sqlrows.fetch(Case, "id = %s", [case.pk])
    for f in Case._meta.concrete_fields:
        assert getattr(by_sql, f.attname) == getattr(by_orm, f.attname), f.attname
        assert type(getattr(by_sql, f.attname)) is type(getattr(by_orm, f.attname)), f.attname
    assert not by_sql._state.adding and by_sql._state.db == "default"
    assert sqlrows.fetch(Case, "id = %s", [-1]) == []


def test_insert_many_writes_what_bulk_create_writes():
    ids = list(User.objects.order_by("id").values_list("id", flat=True)[:7])
    now = timezone.now()

    def rows(kind):
        return [Notification(user_id=u, kind=kind, title=f"案件 {i}", body="正文", object_type="case",
                             object_id=str(i), created=now) for i, u in enumerate(ids)]

    by_orm = Notification.objects.bulk_create(rows("orm"))
    by_sql = sqlrows.insert_many(rows("sql"), batch=3)  # three statements
    assert all(n.pk for n in by_sql) and len({n.pk for n in by_sql}) == len(ids)
    assert [n.pk for n in by_sql] == sorted(n.pk for n in by_sql)  # ids in the order given

    def stored(objs):
        return [{k: v for k, v in _row(Notification, n.pk).items() if k not in ("id", "kind")} for n in objs]

    assert stored(by_orm) == stored(by_sql)
    assert sqlrows.insert_many([]) == []


def test_values_reads_what_queryset_values_reads():
    case = _case("110101-20990101-0007")
    case.save()
    names = ("number", "status", "lon", "lat", "reported_at", "stage_amount", "stage_pauses", "matter_id")
    assert sqlrows.values(Case, names, "id = %s", [case.pk]) == list(Case.objects.filter(pk=case.pk).values(*names))


def test_insert_with_children_writes_what_save_writes():
    from django.db import DataError, connection, transaction

    from gridgov.cases.models import CaseReport

    users = list(User.objects.order_by("id")[:1])
    now = timezone.now()

    def family(number):
        case = _case(number, reporter=users[0])
        report = CaseReport(source="hotline", reporter=users[0], reporter_name="王", reporter_phone_cipher=b"\x00\xff",
                            reporter_phone_masked="138****0000", description="描述", lon=116.4, lat=39.9,
                            client_key=None, created_at=now)
        event = CaseEvent(action="report", to_state="reported", actor=None, actor_name="系统", at=now,
                          data={"source": "hotline", "n": [1, 2]})
        return case, report, event

    a, ra, ea = family("110101-20990101-0008")
    a.save()
    ra.case, ea.case = a, a
    ra.save()
    ea.save()
    b, rb, eb = family("110101-20990101-0009")
    sqlrows.insert_with_children(b, [rb, eb], link="case")
    assert b.pk and rb.pk and eb.pk and rb.case_id == eb.case_id == b.pk
    assert {k: v for k, v in _row(Case, a.pk).items() if k not in SKIP} == {
        k: v for k, v in _row(Case, b.pk).items() if k not in SKIP}
    for model, x, y in ((CaseReport, ra, rb), (CaseEvent, ea, eb)):
        assert {k: v for k, v in _row(model, x.pk).items() if k not in ("id", "case_id")} == {
            k: v for k, v in _row(model, y.pk).items() if k not in ("id", "case_id")}
    if connection.vendor == "postgresql":  # an over-long value is refused, as by a plain INSERT (not cut)
        c, r, e = family("110101-20990101-0010")
        r.reporter_name = "长" * 51
        with pytest.raises(DataError), transaction.atomic():
            sqlrows.insert_with_children(c, [r, e], link="case")
        assert not Case.objects.filter(number="110101-20990101-0010").exists()


def test_update_with_children_writes_children_only_when_one_row_changed():
    case = _case("110101-20990101-0011")
    case.save()
    now = timezone.now()
    event = CaseEvent(case=case, action="confirm", from_state="verifying", to_state="verified", at=now, data={"a": 1})
    changed = sqlrows.update_with_children(Case, {"status": "verified", "version": 2}, [event], "case", pk=case.pk,
                                           version=1)
    assert changed == 1 and event.pk
    assert _row(CaseEvent, event.pk)["case_id"] == case.pk and Case.objects.get(pk=case.pk).status == "verified"
    stale = CaseEvent(case=case, action="close", from_state="verified", to_state="closed", at=now, data={})
    assert sqlrows.update_with_children(Case, {"status": "closed", "version": 3}, [stale], "case", pk=case.pk,
                                        version=1) == 0  # someone was first: nothing is written
    assert stale.pk is None and Case.objects.get(pk=case.pk).status == "verified"
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["confirm"]
