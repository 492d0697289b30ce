"""The Content-Security-Policy in a real browser (issue 13, defect 6): each post's pages load under the policy
(``script-src 'self'``, no inline script) without a single violation reported, and their scripts ran (a map
drawn, a chart drawn, a list loaded). The other browser tests check that the pages still work under it."""

import pytest

REPORT = """document.addEventListener("securitypolicyviolation", (e) => console.error(
    "CSP violation: " + e.violatedDirective + " " + e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber));"""

# post → pages, each with a JavaScript condition that holds once the page's own script has run
PAGES = {
    None: [("/accounts/login/", "true"), ("/r/", "true"),
           ("/r/report/", "document.getElementById('report-map').dataset.ready === '1'"), ("/r/track/", "true")],
    "admin": [("/map/", "document.getElementById('status').dataset.count > 0"), ("/admin/", "true"),
              ("/admin/accounts/user/", "true"), ("/basedata/", "true")],
    "leader": [("/dashboard/", "document.getElementById('trend').dataset.drawn === '1'"
                " && document.getElementById('dbmap').dataset.markers !== undefined")],
    "intake": [("/cases/", "document.getElementById('cs-rows') !== null"), ("/cases/overdue/", "true")],
    "gridworker": [("/cases/field/", "true"),
                   ("/cases/field/report/", "window.gridgovReportMap !== undefined"), ("/basedata/", "true")],
    "gridleader": [("/map/", "document.getElementById('status').dataset.count > 0")],
    "handler": [("/cases/inbox/", "true")],
}


@pytest.mark.parametrize("username", list(PAGES), ids=[u or "anonymous" for u in PAGES])
def test_pages_load_under_the_policy_without_violations(server, browser, username):
    base, _ = server
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    context.add_init_script(REPORT)
    page = context.new_page()
    messages, errors = [], []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        if username:
            page.goto(base + "/accounts/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill("gridgov-demo")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for path, ready in PAGES[username]:
            response = page.goto(base + path)
            assert response.status == 200, path
            assert "script-src 'self';" in response.headers["content-security-policy"]
            page.wait_for_function(f"() => {ready}", timeout=20_000)  # a function: no eval under the CSP
            # "load", not "networkidle": the queue polls for new reports, so the network is never idle for long on a busy machine
            page.wait_for_load_state("load")
        # a case page, with its map (the newest case of the scope)
        if username == "intake":
            number = page.evaluate("fetch('/api/v1/cases?limit=1').then((r) => r.json()).then((d) => d.items[0].number)")
            page.goto(base + f"/cases/{number}/")
            page.wait_for_selector("#casemap .leaflet-pane", state="attached")
            page.wait_for_load_state("load")
    finally:
        context.close()
    violations = [m for m in messages if "Content Security Policy" in m or m.startswith("CSP violation")]
    assert violations == []
    assert errors == []
