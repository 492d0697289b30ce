"""Django's own fallback pages are in Chinese and styled like the rest (no 「Not Found」 or 「Bad Request (400)」)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_chinese_404_page(client):
    r = client.get("/no-such-page/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in html and "返回首页" in html and 'class="page narrow"' in html
    assert "Not Found" not in html


def test_a_request_for_an_unknown_host_gets_the_chinese_400_page(client):
    r = client.get("/", HTTP_HOST="evil.example.com")
    html = r.content.decode()
    assert r.status_code == 400
    assert "请求无效" in html and "Bad Request" not in html


def test_the_server_error_page_is_chinese_and_needs_no_context():
    r = defaults.server_error(RequestFactory().get("/"))
    html = r.content.decode()
    assert r.status_code == 500
    assert "服务器出错" in html and "没有保存" in html and "Server Error" not in html


def test_a_permission_denied_outside_our_pages_gets_the_chinese_403_page():
    r = defaults.permission_denied(RequestFactory().get("/"), PermissionDenied())
    html = r.content.decode()
    assert r.status_code == 403
    assert "无权访问" in html and "403 Forbidden" not in html
