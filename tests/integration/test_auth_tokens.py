"""API tokens expire and can be revoked — in the API and on /accounts/tokens/; administrators list and revoke the
tokens of their scope; the key is shown once and only its hash is stored; issuing and revoking are audited."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken, User
from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def obtain(username="gridleader", **extra) -> dict:
    r = Client().post("/api/v1/auth/token", data=json.dumps({"username": username, "password": "gridgov-demo", **extra}),
                      content_type="application/json")
    return {"status": r.status_code, **r.json()}


def me(key):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_works_for_90_days_by_default_then_401_expired(frozen):
    got = obtain()
    assert got["status"] == 201 and got["expires_at"] == "2027-03-03T02:00:00Z"
    assert me(got["token"]).status_code == 200
    frozen.shift(timedelta(days=90) - timedelta(seconds=1))
    assert me(got["token"]).status_code == 200
    frozen.shift(timedelta(seconds=1))
    r = me(got["token"])
    assert r.status_code == 401
    assert r.json() == {"code": "token_expired", "message": "令牌已过期，请重新获取（POST /api/v1/auth/token）"}


def test_a_lifetime_can_be_asked_for_within_the_bounds(frozen):
    assert obtain(lifetime_days=7)["expires_at"] == "2026-12-10T02:00:00Z"
    for days in (0, 367, -1):
        got = obtain(lifetime_days=days)
        assert got["status"] == 400 and got["code"] == "invalid_lifetime"
        assert got["message"] == "有效期应为 1～366 天"
    assert ApiToken.objects.filter(user__username="gridleader").count() == 1  # the refused ones wrote nothing


def test_revoking_ones_own_token_makes_it_401_and_is_audited(frozen):
    got = obtain(name="巡查 App")
    other = obtain()
    token_id = got["id"]
    r = Client().get("/api/v1/auth/tokens", **bearer(got["token"]))
    assert r.status_code == 200
    listed = r.json()
    assert listed["count"] == 2
    assert [(t["id"], t["name"], t["state"]) for t in listed["items"]] == [(other["id"], "api", "active"),
                                                                          (token_id, "巡查 App", "active")]
    assert "token" not in listed["items"][0] and "digest" not in listed["items"][0]
    before = AuditRecord.objects.count()
    r = Client().delete(f"/api/v1/auth/tokens/{token_id}", **bearer(other["token"]))
    assert r.status_code == 200 and r.json()["state"] == "revoked" and r.json()["revoked_at"] == "2026-12-03T02:00:00Z"
    record = AuditRecord.objects.get(id__gt=0, action="revoke_token", object_id=str(token_id))
    assert AuditRecord.objects.count() == before + 1 and record.actor.username == "gridleader"
    r = me(got["token"])
    assert r.status_code == 401 and r.json()["code"] == "token_revoked" and "吊销" in r.json()["message"]
    assert me(other["token"]).status_code == 200
    r = Client().post(f"/api/v1/auth/tokens/{token_id}/revoke", **bearer(other["token"]))
    assert r.status_code == 400 and r.json() == {"code": "already_revoked", "message": "该令牌已吊销"}
    assert AuditRecord.objects.count() == before + 1


def test_issuing_is_audited_without_the_key(frozen):
    before = AuditRecord.objects.count()
    got = obtain(name="数据对接")
    rec = AuditRecord.objects.get(action="issue_token", object_id=str(got["id"]))
    assert AuditRecord.objects.count() == before + 1
    assert rec.after == {"user": "gridleader", "name": "数据对接", "prefix": got["token"][:8],
                         "expires_at": "2027-03-03T02:00:00+00:00"}
    assert got["token"] not in json.dumps(rec.after) and ApiToken.hash(got["token"]) not in json.dumps(rec.after)


def test_nobody_revokes_or_sees_someone_elses_token_but_an_administrator_of_the_scope(frozen, users):
    leader = obtain("gridleader")
    worker = obtain("gridworker")
    r = Client().delete(f"/api/v1/auth/tokens/{leader['id']}", **bearer(worker["token"]))
    assert r.status_code == 404
    everyone = Client().get("/api/v1/auth/tokens?all=true", **bearer(worker["token"])).json()
    assert [t["username"] for t in everyone["items"]] == ["gridworker"]  # not an administrator: its own only
    # a user of the neighbouring district, outside the demo admin's scope (东城区)
    outsider, key = services.create_user("xicheng-worker", "shift_leader", node="110102", token=True)
    admin = obtain("admin")
    listed = Client().get("/api/v1/auth/tokens?all=true", **bearer(admin["token"])).json()
    names = {t["username"] for t in listed["items"]}
    assert {"gridleader", "gridworker", "admin"} <= names and "xicheng-worker" not in names
    outsider_token = ApiToken.objects.get(user=outsider)
    r = Client().delete(f"/api/v1/auth/tokens/{outsider_token.pk}", **bearer(admin["token"]))
    assert r.status_code == 404 and me(key).status_code == 200
    r = Client().delete(f"/api/v1/auth/tokens/{leader['id']}", **bearer(admin["token"]))
    assert r.status_code == 200 and me(leader["token"]).status_code == 401
    assert AuditRecord.objects.get(action="revoke_token", object_id=str(leader["id"])).actor.username == "admin"


def test_unknown_and_absurd_token_ids_are_404(frozen):
    got = obtain()
    for token_id in (999999999, 2**63, 10**30):
        r = Client().delete(f"/api/v1/auth/tokens/{token_id}", **bearer(got["token"]))
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_a_deactivated_account_has_no_working_token(frozen, users):
    got = obtain("gridworker")
    services.deactivate_user(users["admin"], users["gridworker"])
    assert me(got["token"]).status_code == 401
    assert AuditRecord.objects.filter(action="deactivate_user", object_id=str(users["gridworker"].pk)).count() == 1


def test_the_tokens_page_creates_shows_the_key_once_lists_and_revokes(frozen, client_for):
    c = client_for("gridworker")
    home = c.get("/cases/field/").content.decode()
    assert 'href="/accounts/tokens/"' in home and "我的账户" in home
    r = c.post("/accounts/tokens/", {"name": "巡查 App", "lifetime_days": "30"})
    assert r.status_code == 201
    html = r.content.decode()
    token = ApiToken.objects.get(user__username="gridworker", name="巡查 App")
    assert token.expires_at == datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    key = html.split('<code id="new-key">')[1].split("</code>")[0]
    assert key.startswith("gg_") and ApiToken.hash(key) == token.digest
    assert me(key).status_code == 200
    listing = c.get("/accounts/tokens/").content.decode()
    assert key not in listing and f"{token.prefix}…" in listing and "巡查 App" in listing and "有效" in listing
    r = c.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert r.status_code == 302 and r["Location"] == "/accounts/tokens/"
    assert me(key).status_code == 401
    listing = c.get("/accounts/tokens/").content.decode()
    assert "已吊销" in listing and f"已吊销令牌 {token.prefix}…（gridworker）" in listing


def test_the_tokens_page_refuses_a_bad_lifetime_and_someone_elses_token(frozen, client_for):
    c = client_for("gridworker")
    r = c.post("/accounts/tokens/", {"name": "x", "lifetime_days": "400"})
    assert r.status_code == 400 and "有效期应为 1～366 天" in r.content.decode()
    assert not ApiToken.objects.filter(user__username="gridworker").exists()
    leader = obtain("gridleader")
    r = c.post(f"/accounts/tokens/{leader['id']}/revoke/", follow=True)
    assert "令牌不存在或不在您的管辖范围内" in r.content.decode()
    assert me(leader["token"]).status_code == 200


def test_an_administrator_sees_the_scopes_tokens_on_the_page(frozen, client_for):
    obtain("gridleader", name="网格长的令牌")
    html = client_for("admin").get("/accounts/tokens/?all=1").content.decode()
    assert "管辖范围内的令牌" in html and "网格长的令牌" in html and "gridleader" in html
    html = client_for("gridworker").get("/accounts/tokens/?all=1").content.decode()
    assert "网格长的令牌" not in html and "我的令牌" in html


def test_createuser_issues_a_token_with_the_lifetime_asked(frozen):
    user, key = services.create_user("li-api", "grid_leader", node="110101001001", token=True, token_days=30)
    token = ApiToken.objects.get(user=user)
    assert token.expires_at == datetime(2027, 1, 2, 2, 0, tzinfo=UTC) and ApiToken.hash(key) == token.digest
    assert [r.action for r in AuditRecord.objects.filter(id__gt=0).order_by("-id")[:2]][::-1] == ["create_user",
                                                                                                  "issue_token"]
    with pytest.raises(DomainError) as e:
        services.create_user("li-api2", "grid_leader", node="110101001001", token=True, token_days=0)
    assert e.value.code == "invalid_lifetime"
    assert not User.objects.filter(username="li-api2").exists()  # refused: nothing written
