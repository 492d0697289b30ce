"""The API documentation page (/api/v1/docs) in a real browser: offline (every request to another host is
refused) and under a Content-Security-Policy without inline script, it lists the operations."""

from urllib.parse import urlsplit

CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


def test_docs_page_renders_offline_under_a_strict_csp(server, browser):
    base, _ = server
    host = urlsplit(base).netloc
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    foreign, errors = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def offline(route):
        if urlsplit(route.request.url).netloc != host:
            foreign.append(route.request.url)
            route.abort()
            return
        if route.request.url.split("?")[0].endswith("/api/v1/docs"):
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
            return
        route.continue_()

    page.route("**/*", offline)
    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30000)
    # Swagger UI renders the operations progressively: wait until the last of the four is there
    page.wait_for_function(
        "() => ['/api/v1/cases', '/api/v1/cases/scan', '/api/v1/cases/{number}', '/api/v1/basedata/residents'].every("
        "(want) => [...document.querySelectorAll('.opblock-summary-path')]"
        ".some((e) => e.textContent.replace(/\\u200b/g, '').trim() === want))", timeout=60000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/cases", "/api/v1/cases/scan", "/api/v1/cases/{number}", "/api/v1/basedata/residents"} <= {
        p.replace("\u200b", "").strip() for p in paths}
    assert page.locator(".opblock-tag").filter(has_text="案件").count() >= 1
    assert foreign == [], "the docs page reached for another host"
    assert errors == []
    context.close()
