"""The browser-facing security settings from the environment (issue 13, defect 6; gridgov/security.py). Expected
values are written out by hand."""

from gridgov.security import browser_settings

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def test_plain_http_has_the_csp_and_headers_but_no_secure_cookies_or_hsts():
    s = browser_settings({})
    assert s["SECURE_CSP"] == POLICY and s["SECURE_CSP_REPORT_ONLY"] == {}
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SESSION_COOKIE_SECURE"] is False and s["CSRF_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert s["SECURE_SSL_REDIRECT"] is False and s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["CSRF_TRUSTED_ORIGINS"] == []


def test_https_turns_on_secure_cookies_and_a_year_of_hsts_with_subdomains():
    s = browser_settings({"GRIDGOV_HTTPS": "1"})
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert s["SECURE_CSP"] == POLICY


def test_https_options():
    s = browser_settings({"GRIDGOV_HTTPS": "true", "GRIDGOV_HSTS_SECONDS": "600", "GRIDGOV_HSTS_SUBDOMAINS": "0",
                          "GRIDGOV_HSTS_PRELOAD": "1", "GRIDGOV_PROXY_SSL_HEADER": "X-Forwarded-Proto",
                          "GRIDGOV_SSL_REDIRECT": "1",
                          "GRIDGOV_CSRF_TRUSTED_ORIGINS": "https://grid.example.cn, https://m.grid.example.cn"})
    assert s["SECURE_HSTS_SECONDS"] == 600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert s["SECURE_HSTS_PRELOAD"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://grid.example.cn", "https://m.grid.example.cn"]


def test_hsts_is_never_sent_over_plain_http_even_if_asked():
    s = browser_settings({"GRIDGOV_HSTS_SECONDS": "600", "GRIDGOV_HSTS_PRELOAD": "1"})
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_HSTS_PRELOAD"] is False


def test_report_only_moves_the_policy_to_the_report_only_header():
    s = browser_settings({"GRIDGOV_CSP_REPORT_ONLY": "1"})
    assert s["SECURE_CSP"] == {} and s["SECURE_CSP_REPORT_ONLY"] == POLICY
