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
    # Swagger UI 5 virtualises the operations list: a tag is in the DOM only while it is near the viewport, so the
    # test scrolls to the end and collects what it has seen (that is why only the first tags seemed to render)
    tags, paths, last = set(), set(), -1
    for _ in range(400):
        tags |= set(page.locator(".opblock-tag").all_inner_texts())
        paths |= {p.replace("\u200b", "").strip() for p in page.locator(".opblock-summary-path").all_inner_texts()}
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(50)
        y = page.evaluate("window.scrollY")
        if y == last:
            break
        last = y
    # every tag of the API, in the order the routers are mounted (gridgov/api.py)
    assert {"账户", "辖区与网格", "网格调整", "部件与事项目录", "工作日历与时限", "案件", "消息通知", "审计日志",
            "基础数据（人地物事组织）", "个人信息保护", "值班与应急", "市区联动与督办", "专项行动与任务",
            "检查（监督检查、回头看、门前三包）", "社会治理：调解与信访", "巡查与考勤"} <= tags
    assert {"/api/v1/me", "/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/basedata/residents"} <= paths
    assert foreign == [], "the docs page reached for another host"
    assert errors == []
    context.close()
