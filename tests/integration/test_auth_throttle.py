"""Signing in is throttled per account and per address, on the page and in the API, with the time frozen:
5 wrong passwords, then even the right one is refused until the 15-minute window has passed; 20 wrong from one
address refuse every account from there. Failed and throttled sign-ins are recorded, never the password."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from gridgov.accounts import throttle
from gridgov.accounts.models import ThrottleCounter
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
RIGHT = "gridgov-demo"
TOO_MANY = "登录失败次数过多，请 15 分钟后再试"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def page(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def api(client, username, password, **extra):
    return client.post("/api/v1/auth/token", data=json.dumps({"username": username, "password": password, **extra}),
                       content_type="application/json")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_then_the_right_one_is_refused_on_the_page_until_the_window_has_passed(frozen):
    client = Client()
    for _ in range(5):
        r = page(client, "gridleader", "wrong-password")
        assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    r = page(client, "gridleader", RIGHT)
    assert r.status_code == 429 and TOO_MANY in r.content.decode()
    assert not signed_in(client)
    frozen.shift(timedelta(minutes=14))
    r = page(client, "gridleader", RIGHT)
    assert r.status_code == 429 and "登录失败次数过多，请 1 分钟后再试" in r.content.decode()
    frozen.shift(timedelta(minutes=1))
    r = page(client, "gridleader", RIGHT)
    assert r.status_code == 302 and r["Location"] == "/" and signed_in(client)


def test_forty_wrong_passwords_then_the_right_one_is_refused_in_the_api(frozen):
    client = Client()
    codes = [api(client, "gridleader", f"guess-{i:02d}").json()["code"] for i in range(40)]
    assert codes == ["bad_credentials"] * 5 + ["too_many_attempts"] * 35
    r = api(client, "gridleader", RIGHT)
    assert r.status_code == 429
    assert r.json()["code"] == "too_many_attempts" and r.json()["message"] == TOO_MANY
    frozen.shift(timedelta(minutes=15))
    r = api(client, "gridleader", RIGHT)
    assert r.status_code == 201 and r.json()["username"] == "gridleader"


def test_a_right_password_resets_the_accounts_failures(frozen):
    client = Client()
    for _round in range(3):  # 4 wrong, then right: never locked however often
        for _ in range(4):
            assert page(client, "gridleader", "wrong-password").status_code == 200
        assert page(client, "gridleader", RIGHT).status_code == 302
        client.logout()
    assert page(client, "gridleader", "wrong-password").status_code == 200


def test_the_account_limit_counts_page_and_api_together(frozen):
    client = Client()
    for _ in range(3):
        page(client, "gridleader", "wrong-password")
    for _ in range(2):
        api(client, "gridleader", "wrong-password")
    assert api(client, "gridleader", RIGHT).status_code == 429
    assert page(client, "gridleader", RIGHT).status_code == 429


def test_twenty_failures_from_one_address_refuse_every_account_from_there_but_not_from_elsewhere(frozen):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(20):  # 20 accounts, one guess each: no account reaches its own limit
        assert api(attacker, f"nobody{i:02d}", "wrong-password").status_code == 401
    r = api(attacker, "gridleader", RIGHT)
    assert r.status_code == 429 and r.json()["message"] == TOO_MANY
    assert page(attacker, "gridworker", RIGHT).status_code == 429
    # the same account from another address signs in
    assert page(Client(REMOTE_ADDR="198.51.100.20"), "gridleader", RIGHT).status_code == 302


def test_a_refused_attempt_spends_nobody_elses_budget(frozen):
    """Beyond gridleader's limit the attempts from an address are refused, not evaluated: they do not count
    against the address, so the address's other users still get their 20 tries."""
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(5):
        api(client, "gridleader", "wrong-password")
    for _ in range(30):
        assert api(client, "gridleader", "wrong-password").status_code == 429
    assert page(client, "gridworker", RIGHT).status_code == 302


def test_failed_and_throttled_sign_ins_are_recorded_without_the_password(frozen):
    client = Client(REMOTE_ADDR="203.0.113.11")
    before = AuditRecord.objects.count()
    for _ in range(5):
        page(client, "gridleader", "secret-guess-xyz")
    api(client, "gridleader", "secret-guess-xyz")
    new = list(AuditRecord.objects.filter(id__gt=0).order_by("-id")[:6])[::-1]
    assert AuditRecord.objects.count() == before + 6
    assert [r.action for r in new] == ["login_failed"] * 5 + ["login_throttled"]
    assert {(r.object_type, r.object_id, r.actor_id) for r in new} == {("account", "gridleader", None)}
    assert [r.after["via"] for r in new] == ["page"] * 5 + ["api"]
    assert {r.after["address"] for r in new} == {"203.0.113.11"}
    assert not any("secret-guess-xyz" in json.dumps(r.after) for r in new)


def test_counters_keep_no_user_name_or_address_in_clear(frozen):
    client = Client(REMOTE_ADDR="203.0.113.12")
    page(client, "gridleader", "wrong-password")
    keys = list(ThrottleCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any("gridleader" in k or "203.0.113.12" in k for k in keys)


def test_the_throttle_counts_refuses_forgives_and_starts_a_new_window(frozen):
    rule = throttle.Rule("test.rule", 3, 60)
    assert [throttle.hit(rule, "x").count for _ in range(4)] == [1, 2, 3, 4]
    assert throttle.hit(rule, "y").count == 1  # another subject, its own counter
    with pytest.raises(throttle.Throttled) as e:
        throttle.attempt([(rule, "x")], "too_many", "请 {minutes} 分钟后再试")
    assert e.value.status == 429 and e.value.message == "请 1 分钟后再试" and e.value.retry_after_s == 60
    h = throttle.attempt([(rule, "z")], "too_many", "")[0]
    throttle.forgive(h)
    assert throttle.hit(rule, "z").count == 1
    frozen.shift(timedelta(seconds=60))
    assert throttle.hit(rule, "x").count == 1  # the window has passed: counting starts again


def test_the_admin_sign_in_is_the_throttled_page():
    r = Client().get("/admin/login/?next=/admin/accounts/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=/admin/accounts/"


def test_limits_come_from_settings(frozen, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "THROTTLE": {**settings.GRIDGOV["THROTTLE"],
                                                         "login.account": {"limit": 2, "window_s": 120}}}
    client = Client()
    for _ in range(2):
        assert page(client, "gridleader", "wrong-password").status_code == 200
    r = page(client, "gridleader", RIGHT)
    assert r.status_code == 429 and "登录失败次数过多，请 2 分钟后再试" in r.content.decode()
