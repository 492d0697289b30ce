"""Passwords (Django's validators, the change page) and the admin of accounts going through the audited services."""

import pytest
from django.test import Client

from gridgov.accounts import services
from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


def new_records(before: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(id__gt=before).order_by("id"))


def last_id() -> int:
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_createuser_refuses_1234_with_the_validators_chinese_messages():
    before = last_id()
    with pytest.raises(DomainError) as e:
        services.create_user("zhang", "grid_leader", node="110101001001", password="1234")
    assert e.value.code == "weak_password"
    assert e.value.message == ("密码不符合要求：此密码太短，至少要包含 10 个字符。；这个密码太常见了。；密码只包含数字。")
    for weak, said in [("password123", "这个密码太常见了。"), ("zhang-wei-1", "密码跟 用户名 太相似了。")]:
        with pytest.raises(DomainError) as e:
            services.create_user("zhang-wei", "grid_leader", node="110101001001", password=weak)
        assert said in e.value.message
    assert not User.objects.filter(username__startswith="zhang").exists()
    assert new_records(before) == []


def test_createuser_with_a_good_password_is_audited_without_it():
    before = last_id()
    user, key = services.create_user("zhang", "grid_leader", node="110101001001", password="Hutong-lamp-47",
                                     display_name="张伟")
    assert key is None and user.check_password("Hutong-lamp-47")
    (rec,) = new_records(before)
    assert rec.action == "create_user" and rec.object_type == "user" and rec.object_id == str(user.pk)
    assert rec.after == {"username": "zhang", "role": "grid_leader", "node_key": "110101001001", "department": None,
                         "display_name": "张伟", "is_active": True, "is_staff": False, "is_superuser": False}
    assert "Hutong-lamp-47" not in str(rec.after) and "password" not in rec.after


def test_changing_ones_password_checks_the_old_one_and_the_validators_and_is_audited(client_for):
    c = client_for("gridworker")
    before = last_id()
    r = c.post("/accounts/password/", {"old_password": "not-it", "new_password1": "Lantern-road-88",
                                       "new_password2": "Lantern-road-88"})
    assert r.status_code == 400 and "原密码不正确，请重新输入" in r.content.decode()
    r = c.post("/accounts/password/", {"old_password": "gridgov-demo", "new_password1": "12345678901",
                                       "new_password2": "12345678901"})
    assert r.status_code == 400 and "密码只包含数字。" in r.content.decode()
    assert new_records(before) == []
    r = c.post("/accounts/password/", {"old_password": "gridgov-demo", "new_password1": "Lantern-road-88",
                                       "new_password2": "Lantern-road-88"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/"
    assert "密码已修改" in c.get("/accounts/password/").content.decode()
    assert c.get("/cases/field/").status_code == 200  # still signed in
    (rec,) = new_records(before)
    assert (rec.action, rec.object_type, rec.actor.username, rec.after) == ("change_password", "user", "gridworker",
                                                                           None)
    fresh = Client()
    assert fresh.post("/accounts/login/", {"username": "gridworker", "password": "gridgov-demo"}).status_code == 200
    assert fresh.post("/accounts/login/", {"username": "gridworker", "password": "Lantern-road-88"}).status_code == 302


def test_the_password_page_needs_a_sign_in():
    r = Client().get("/accounts/password/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def admin_action(client, model, action, pks):
    return client.post(f"/admin/accounts/{model}/", {"action": action, "_selected_action": [str(p) for p in pks]})


def test_the_admin_deactivates_through_the_service(client_for, users):
    before = last_id()
    worker = users["gridworker"]
    r = admin_action(client_for("admin"), "user", "deactivate", [worker.pk])
    assert r.status_code == 302
    worker.refresh_from_db()
    assert not worker.is_active
    (rec,) = new_records(before)
    assert (rec.action, rec.object_id, rec.actor.username) == ("deactivate_user", str(worker.pk), "admin")
    assert rec.before == {"is_active": True} and rec.after == {"is_active": False}


def test_the_admin_edits_a_user_through_the_service(client_for, users):
    leader = users["gridleader"]
    c = client_for("admin")
    form = c.get(f"/admin/accounts/user/{leader.pk}/change/")
    assert form.status_code == 200
    data = {"username": "gridleader", "first_name": "", "last_name": "", "email": "", "is_active": "on",
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-12-01", "date_joined_1": "08:00:00",
            "role": "grid_leader", "display_name": "新名字", "node_key": "110101001001", "department": ""}
    before = last_id()
    r = c.post(f"/admin/accounts/user/{leader.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    (rec,) = new_records(before)
    assert rec.action == "update_user" and rec.actor.username == "admin"
    assert rec.after == {"display_name": "新名字"} and rec.before["display_name"] != "新名字"


def test_the_admin_sets_a_password_through_the_service(client_for, users):
    leader = users["gridleader"]
    c = client_for("admin")
    before = last_id()
    r = c.post(f"/admin/accounts/user/{leader.pk}/password/", {"password1": "1234", "password2": "1234",
                                                               "usable_password": "true"})
    assert r.status_code == 200 and "这个密码太常见了。" in r.content.decode()
    assert new_records(before) == []
    r = c.post(f"/admin/accounts/user/{leader.pk}/password/", {"password1": "Drum-tower-2026", "password2":
                                                               "Drum-tower-2026", "usable_password": "true"})
    assert r.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password("Drum-tower-2026")
    (rec,) = new_records(before)
    assert (rec.action, rec.actor.username, rec.after) == ("set_password", "admin", {"usable": True})


def test_the_admin_revokes_tokens_through_the_service_and_cannot_add_or_delete_them(client_for, users):
    token, key = services.issue_token(users["gridleader"], users["gridleader"], "x")
    c = client_for("admin")
    before = last_id()
    r = admin_action(c, "apitoken", "revoke", [token.pk])
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    (rec,) = new_records(before)
    assert (rec.action, rec.object_id, rec.actor.username) == ("revoke_token", str(token.pk), "admin")
    assert c.get("/admin/accounts/apitoken/add/").status_code == 403
    page = c.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.digest not in page
