"""The browser-facing security settings, read from the environment (settings.py applies them).

Always, on http too:
- a Content-Security-Policy without inline script: ``script-src 'self'`` — every page script is a static file
  and page data travels in ``data-*`` attributes or ``<script type="application/json">`` (``json_script``), so
  a name that slipped through as markup still cannot run. Styles may be inline (Leaflet, ECharts and htmx set
  them); images from the site, ``data:`` and ``blob:`` (photos resized on the phone); nothing from elsewhere;
  no framing. ``GRIDGOV_CSP_REPORT_ONLY=1`` sends it as ``…-Report-Only`` instead (to try a change first).
  A view that needs another policy says so with Django's ``@csp_override(...)`` (django.views.decorators.csp),
  starting from :data:`CSP_POLICY` — e.g. an API docs page: ``NinjaAPI(docs_decorator=csp_override(...))``.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``,
  ``Cross-Origin-Opener-Policy: same-origin``; session cookie HttpOnly, both cookies SameSite=Lax.

Behind HTTPS, ``GRIDGOV_HTTPS=1``: Secure session and CSRF cookies and HSTS (``GRIDGOV_HSTS_SECONDS``, default one
year, with subdomains unless ``GRIDGOV_HSTS_SUBDOMAINS=0``; ``GRIDGOV_HSTS_PRELOAD=1`` to ask for preloading).
``GRIDGOV_PROXY_SSL_HEADER=X-Forwarded-Proto`` trusts that header from the TLS-terminating proxy (set it only
when the proxy always sets or strips it); ``GRIDGOV_SSL_REDIRECT=1`` redirects http to https;
``GRIDGOV_CSRF_TRUSTED_ORIGINS`` lists the https origins the forms are posted from when the proxy changes the
host. No Django import here, so the rules are tested as a plain function.
"""

from collections.abc import Mapping

SELF, NONE, UNSAFE_INLINE = "'self'", "'none'", "'unsafe-inline'"  # = django.utils.csp.CSP's values

CSP_POLICY: dict[str, list[str]] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "worker-src": [SELF],
    "manifest-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

YEAR_S = 365 * 24 * 3600


def _on(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def browser_settings(env: Mapping[str, str]) -> dict:
    """Django settings (name → value) for the given environment."""
    out: dict = {
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_CSP": {} if _on(env, "GRIDGOV_CSP_REPORT_ONLY") else CSP_POLICY,
        "SECURE_CSP_REPORT_ONLY": CSP_POLICY if _on(env, "GRIDGOV_CSP_REPORT_ONLY") else {},
    }
    https = _on(env, "GRIDGOV_HTTPS")
    out["SESSION_COOKIE_SECURE"] = out["CSRF_COOKIE_SECURE"] = https
    out["SECURE_HSTS_SECONDS"] = int(env.get("GRIDGOV_HSTS_SECONDS", "").strip() or YEAR_S) if https else 0
    out["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = https and _on(env, "GRIDGOV_HSTS_SUBDOMAINS", default=True)
    out["SECURE_HSTS_PRELOAD"] = https and _on(env, "GRIDGOV_HSTS_PRELOAD")
    out["SECURE_SSL_REDIRECT"] = _on(env, "GRIDGOV_SSL_REDIRECT")
    header = env.get("GRIDGOV_PROXY_SSL_HEADER", "").strip()
    out["SECURE_PROXY_SSL_HEADER"] = ("HTTP_" + header.upper().replace("-", "_"), "https") if header else None
    out["CSRF_TRUSTED_ORIGINS"] = [o.strip() for o in env.get("GRIDGOV_CSRF_TRUSTED_ORIGINS", "").split(",")
                                   if o.strip()]
    return out
