"""Secrets must not fail open (issue 13, defect 6): what `gridgov serve` checks before it starts — the keys are
the site's own, or the site is the demo (gridgov/keys.py)."""

import base64

import pytest
from django.test import override_settings

from gridgov import crypto, keys

pytestmark = pytest.mark.django_db

OWN_SECRET = "k" * 50
OWN_DATA_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def env(monkeypatch):
    monkeypatch.delenv("GRIDGOV_SECRET_KEY", raising=False)
    monkeypatch.delenv("GRIDGOV_DATA_KEY", raising=False)
    return monkeypatch


def test_no_keys_at_all_are_two_problems(env, settings):
    settings.SECRET_KEY = settings.DEFAULT_SECRET_KEY
    found = keys.problems()
    assert len(found) == 2
    assert found[0].startswith("GRIDGOV_SECRET_KEY 未设置")
    assert found[1].startswith("GRIDGOV_DATA_KEY 未设置")


@override_settings(SECRET_KEY=OWN_SECRET)
def test_own_secret_key_without_data_key_is_still_refused(env):
    assert [p.split("：")[0] for p in keys.problems()] == ["GRIDGOV_DATA_KEY 未设置"]


@override_settings(SECRET_KEY="short-but-not-default")
def test_a_short_secret_key_is_refused(env):
    env.setenv("GRIDGOV_DATA_KEY", OWN_DATA_KEY)
    assert keys.problems() == ["GRIDGOV_SECRET_KEY 太短（至少 32 个字符）/ too short (at least 32 characters)"]


@override_settings(SECRET_KEY=OWN_SECRET)
def test_a_data_key_of_the_wrong_size_is_refused(env):
    env.setenv("GRIDGOV_DATA_KEY", base64.b64encode(b"x" * 16).decode())
    assert keys.problems() == ["GRIDGOV_DATA_KEY 应为 32 字节密钥的 base64 编码 / GRIDGOV_DATA_KEY must be the base64 "
                               "of 32 random bytes"]


@override_settings(SECRET_KEY=OWN_SECRET)
def test_own_keys_are_no_problem(env):
    env.setenv("GRIDGOV_DATA_KEY", OWN_DATA_KEY)
    assert keys.problems() == []


def test_the_demo_database_is_a_demo_site_until_its_admin_password_changes(users):
    assert keys.is_demo_site() is True
    admin = users["admin"]
    admin.set_password("a-real-administrator-password")
    admin.save(update_fields=["password"])
    assert keys.is_demo_site() is False


def test_data_stored_without_a_data_key_decrypts_with_the_printed_key(env):
    """Moving a site from the derived key to GRIDGOV_DATA_KEY keeps what was stored: the key
    `gridgov data-key --from-secret-key` prints opens it."""
    blob = crypto.Cipher(crypto.master_key()[0]).encrypt("110101199001011234", "id_number")
    printed = keys.data_key_from_secret_key()
    assert len(base64.b64decode(printed)) == 32
    env.setenv("GRIDGOV_DATA_KEY", printed)
    assert crypto.Cipher(crypto.master_key()[0]).decrypt(blob, "id_number") == "110101199001011234"


def test_new_data_keys_are_32_random_bytes():
    a, b = keys.new_data_key(), keys.new_data_key()
    assert len(base64.b64decode(a)) == 32 and a != b
