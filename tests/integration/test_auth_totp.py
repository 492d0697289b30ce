"""TOTP for administrators (RFC 6238: the codes are computed here with pyotp from the secret shown, the clock
frozen): enrol, confirm, then signing in (page, /admin/, API) asks for the code; a code works once; the secret
is stored encrypted; GRIDGOV_ADMIN_TOTP=required makes administrators enrol at their first sign-in."""

import json
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.test import Client

from gridgov.accounts.models import TotpDevice
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 3, 2, 0, 5, tzinfo=UTC)  # 5 s into a 30-s step


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrol(client) -> str:
    r = client.post("/accounts/totp/", {"what": "begin"})
    assert r.status_code == 302
    html = client.get("/accounts/totp/").content.decode()
    return re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)


def sign_in(client, username="admin", password="gridgov-demo", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_an_administrator_enrols_and_then_signs_in_with_a_code(frozen, client_for):
    c = client_for("admin")
    secret = enrol(c)
    html = c.get("/accounts/totp/").content.decode()
    assert f"otpauth://totp/gridgov:admin?secret={secret}&amp;issuer=gridgov" in html and "<svg" in html
    device = TotpDevice.objects.get(user__username="admin")
    assert secret.encode() not in bytes(device.secret_cipher) and device.confirmed_at is None
    # until confirmed, signing in asks for no code
    assert sign_in(Client())["Location"] == "/"
    r = c.post("/accounts/totp/", {"what": "confirm", "code": "000000"})
    assert r.status_code == 400 and "动态口令不正确" in r.content.decode()
    r = c.post("/accounts/totp/", {"what": "confirm", "code": code_at(secret, START)})
    assert r.status_code == 302
    assert "已启用" in c.get("/accounts/totp/").content.decode()
    assert AuditRecord.objects.filter(action="enable_totp", actor__username="admin").count() == 1

    frozen.shift(timedelta(seconds=30))  # the next step: the confirming code is used
    now = START + timedelta(seconds=30)
    fresh = Client()
    r = sign_in(fresh, next="/admin/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in fresh.session  # not signed in by the password alone
    r = fresh.post("/accounts/login/code/", {"code": "123456"})
    assert r.status_code == 400 and "动态口令错误或已使用" in r.content.decode()
    assert "_auth_user_id" not in fresh.session
    r = fresh.post("/accounts/login/code/", {"code": code_at(secret, now)})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert fresh.get("/admin/").status_code == 200
    # the same code again (replayed): refused
    again = Client()
    sign_in(again)
    r = again.post("/accounts/login/code/", {"code": code_at(secret, now)})
    assert r.status_code == 400 and "_auth_user_id" not in again.session


def test_codes_of_the_neighbouring_steps_are_accepted_and_older_ones_not(frozen, client_for):
    c = client_for("admin")
    secret = enrol(c)
    c.post("/accounts/totp/", {"what": "confirm", "code": code_at(secret, START)})
    frozen.shift(timedelta(minutes=10))
    now = START + timedelta(minutes=10)
    for when, ok in [(now - timedelta(seconds=60), False), (now - timedelta(seconds=30), True)]:
        client = Client()
        sign_in(client)
        r = client.post("/accounts/login/code/", {"code": code_at(secret, when)})
        assert (r.status_code == 302) is ok


def test_wrong_codes_are_throttled_like_passwords(frozen, client_for):
    c = client_for("admin")
    secret = enrol(c)
    c.post("/accounts/totp/", {"what": "confirm", "code": code_at(secret, START)})
    frozen.shift(timedelta(seconds=30))
    client = Client()
    sign_in(client)
    for _ in range(5):
        assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 400
    r = client.post("/accounts/login/code/", {"code": code_at(secret, START + timedelta(seconds=30))})
    assert r.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in r.content.decode()
    assert AuditRecord.objects.filter(action="login_failed", object_id="admin").count() == 5


def test_the_api_asks_for_the_code_of_an_account_with_totp(frozen, client_for):
    c = client_for("admin")
    secret = enrol(c)
    c.post("/accounts/totp/", {"what": "confirm", "code": code_at(secret, START)})
    frozen.shift(timedelta(seconds=30))

    def token(**extra):
        r = Client().post("/api/v1/auth/token", content_type="application/json",
                          data=json.dumps({"username": "admin", "password": "gridgov-demo", **extra}))
        return r.status_code, r.json()

    status, body = token()
    assert status == 401 and body["code"] == "otp_required" and "token" not in body
    status, body = token(otp="000000")
    assert status == 401 and body["code"] == "bad_otp"
    status, body = token(otp=code_at(secret, START + timedelta(seconds=30)))
    assert status == 201 and body["token"].startswith("gg_")


def test_removing_totp_needs_a_current_code_and_is_audited(frozen, client_for):
    c = client_for("admin")
    secret = enrol(c)
    c.post("/accounts/totp/", {"what": "confirm", "code": code_at(secret, START)})
    frozen.shift(timedelta(seconds=30))
    r = c.post("/accounts/totp/", {"what": "remove", "code": "000000"})
    assert r.status_code == 400 and TotpDevice.objects.filter(user__username="admin").exists()
    r = c.post("/accounts/totp/", {"what": "remove", "code": code_at(secret, START + timedelta(seconds=30))})
    assert r.status_code == 302 and not TotpDevice.objects.filter(user__username="admin").exists()
    assert AuditRecord.objects.filter(action="disable_totp", actor__username="admin").count() == 1
    assert sign_in(Client())["Location"] == "/"


def test_required_totp_makes_an_administrator_enrol_at_sign_in(frozen, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "ADMIN_TOTP": "required"}
    client = Client()
    r = sign_in(client)
    assert r.status_code == 302 and r["Location"] == "/accounts/login/enrol/"
    assert "_auth_user_id" not in client.session
    html = client.get("/accounts/login/enrol/").content.decode()
    assert "系统要求管理员登录时使用动态口令" in html
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    r = client.post("/accounts/login/enrol/", {"code": code_at(secret, START)})
    assert r.status_code == 302 and r["Location"] == "/" and "_auth_user_id" in client.session
    assert TotpDevice.objects.get(user__username="admin").confirmed_at == START
    # other posts are not asked
    assert sign_in(Client(), "gridleader")["Location"] == "/"
    # the API refuses an administrator without TOTP
    r = Client().post("/api/v1/auth/token", content_type="application/json",
                      data=json.dumps({"username": "shift", "password": "gridgov-demo"}))
    assert r.status_code == 201  # 值班长 is no administrator
    TotpDevice.objects.filter(user__username="admin").delete()
    r = Client().post("/api/v1/auth/token", content_type="application/json",
                      data=json.dumps({"username": "admin", "password": "gridgov-demo"}))
    assert r.status_code == 403 and r.json()["code"] == "totp_enrolment_required"


def test_totp_is_for_administrators(client_for):
    r = client_for("gridleader").get("/accounts/totp/")
    assert r.status_code == 403 and "动态口令仅面向管理员账号" in r.content.decode()
