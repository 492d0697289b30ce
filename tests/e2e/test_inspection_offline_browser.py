"""The inspector's checklist on the phone with no network (Chromium at 360×740 against `gridgov demo` + `gridgov
serve`): the checklist is filled item by item, one item failed with its photo, submitted offline — it waits on the
phone (待提交的检查), nothing reaches the server — and when the network is back it is sent: exactly one inspection,
one case for the failed item; the same checklist sent again (its key) files nothing more."""

import json
import urllib.parse
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from .test_field_browser import SLOW, api_token, big_photo, fits, signed_in_phone


@pytest.fixture(scope="module")
def inspector_token(server):
    return api_token(server, "inspector")


def inspections_noted(server, token, note) -> list[dict]:
    base, _ = server
    req = urllib.request.Request(base + "/api/v1/inspection/inspections?limit=200",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return [i for i in json.load(r)["items"] if i["note"] == note]


def cases_described(server, token, text) -> list[dict]:
    base, _ = server
    req = urllib.request.Request(base + "/api/v1/cases?limit=50&q=" + urllib.parse.quote(text),
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["items"]


@pytest.fixture
def inspector_phone(server, browser):
    with signed_in_phone(server, browser, "inspector") as p:
        yield p


def test_a_checklist_filled_offline_is_sent_once_when_back_online(server, inspector_phone, inspector_token):
    base, _ = server
    context, page = inspector_phone
    page.goto(base + "/inspection/")
    link = page.locator('a[href^="/inspection/do/target/"]').first
    href = link.get_attribute("href")
    page.goto(base + href)
    items = page.locator("li[data-item]")
    codes = [items.nth(i).get_attribute("data-item") for i in range(items.count())]
    assert len(codes) >= 3
    tag = uuid.uuid4().hex[:8]
    note = f"离线检查（{tag}）"

    context.set_offline(True)  # the inspector walks into a basement: the page is open, the network is gone
    for code in codes:
        page.locator(f'input[name="answer-{code}"][value="pass"]').check()
    failed = codes[1]
    page.locator(f'input[name="answer-{failed}"][value="fail"]').check()
    page.locator(f"#note-{failed}").fill(f"灭火器压力不足 {tag}")
    page.locator(f"#photo-{failed}").set_input_files(files=[{"name": "灭火器.jpg", "mimeType": "image/jpeg",
                                                           "buffer": big_photo(1200, 900)}])
    page.locator("#ins-note").fill(note)
    page.get_by_role("button", name="提交检查").click()

    expect(page.get_by_test_id("ck-queued")).to_contain_text("已保存在本机", timeout=SLOW)
    expect(page.locator("#ck-outbox h2")).to_have_text("待提交的检查（1）")
    expect(page.locator("#ck-outbox-list")).to_contain_text("1 张照片")
    fits(page, "inspection-offline-360")
    assert inspections_noted(server, inspector_token, note) == [], "nothing reached the server"

    context.set_offline(False)  # the `online` event sends it
    expect(page.get_by_test_id("ck-sent")).to_contain_text("已提交 1 份", timeout=SLOW)
    expect(page.locator("#ck-outbox")).to_be_hidden()
    saved = inspections_noted(server, inspector_token, note)
    assert len(saved) == 1
    assert saved[0]["failed_count"] == 1 and saved[0]["outcome"] == "failed"
    bad = [a for a in saved[0]["answers"] if a["answer"] == "fail"]
    assert len(bad) == 1 and bad[0]["item"] == failed and bad[0]["case"] and bad[0]["photos"] == 1

    # the answer was lost on the way (say): the phone sends the same checklist again — the same key, nothing more
    again = page.evaluate("""async () => {
        const form = document.getElementById("checklist-form");
        const r = await fetch(location.pathname, {method: "POST", body: new FormData(form), credentials: "same-origin",
            headers: {Accept: "application/json", "X-CSRFToken": window.gridgovField.csrfToken()}});
        return r.json();
    }""")
    assert again["ok"] is True and again["created"] is False and again["id"] == saved[0]["id"]
    assert len(inspections_noted(server, inspector_token, note)) == 1
    assert len(cases_described(server, inspector_token, tag)) == 1

    # another page of the inspector opened later sends nothing more
    page.goto(base + "/inspection/")
    expect(page.locator("#ck-outbox")).to_be_hidden()
    assert len(inspections_noted(server, inspector_token, note)) == 1
