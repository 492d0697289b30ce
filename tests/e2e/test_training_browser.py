"""培训考试 in a real browser (issue #17 item 7): the street's 督导员 opens the demo's question bank and reads the
answers; the demo grid worker starts 「网格员业务知识考试」 (10 questions × 10 points, 60 to pass), answers 8 right and
2 wrong, submits, sees 80 分 合格 and downloads the certificate, whose PDF names the worker and the score."""

import io
import re

import pypdf
from playwright.sync_api import expect

from .test_dashboard_browser import shot, sign_in

WRONG = {"T": "F", "F": "T"}


def _key(page, base: str) -> dict[str, str]:
    """The bank page's answers: question text → answer as the paper's inputs take it (letters, or T / F)."""
    page.goto(base + "/training/banks/")
    page.get_by_role("link", name="网格员业务知识题库").click()
    page.wait_for_load_state("networkidle")
    key = {}
    for row in page.locator("table tbody tr").all():
        cells = [c.inner_text() for c in row.locator("td").all()]
        answer = {"对": "T", "错": "F"}.get(cells[3], cells[3])
        key[cells[2].split("\n")[0].strip()] = answer
    assert len(key) == 30
    return key


def test_a_grid_worker_takes_and_passes_an_exam(server, browser):
    base, _ = server
    manager, outside_m = sign_in(browser, base, "supervisor", 1366)
    key = _key(manager, base)
    manager.close()

    page, outside = sign_in(browser, base, "gridworker", 1366)
    name = re.sub(r"（.*$", "", page.locator(".who").inner_text())
    page.goto(base + "/training/")
    expect(page.get_by_role("heading", name="培训考试")).to_be_visible()
    row = page.locator("#exams tbody tr", has_text="网格员业务知识考试")
    row.get_by_role("button", name="开始考试").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/training/attempts/\d+/$", page.url)
    expect(page.get_by_text(re.compile(r"截止 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"))).to_be_visible()
    questions = page.locator("fieldset.tk-question").all()
    assert len(questions) == 10
    for n, fs in enumerate(questions):
        legend = fs.locator("legend").inner_text()
        text = re.sub(r"^\d+\. \[[^\]]*\] ", "", legend).strip()
        answer = key[text]
        if n >= 8:  # the last two wrong: the opposite of a 判断, or one letter that is not in the answer
            answer = WRONG.get(answer) or next(c for c in "ABCD" if c not in answer)
        for letter in answer:
            fs.locator(f'input[value="{letter}"]').check()
    shot(page, "training-paper")
    page.get_by_role("button", name="交卷").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#score")).to_have_text("80")
    expect(page.locator("#verdict")).to_have_text("合格")
    shot(page, "training-result")
    with page.expect_download() as dl:
        page.locator("#certificate").click()
    content = open(dl.value.path(), "rb").read()
    words = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    words = re.sub(r"\s+", "", words)  # the PDF's text comes back with line breaks and spaces of its own
    assert "培训合格证书" in words and name in words and "成绩80分" in words and "网格员业务知识考试" in words
    assert outside == [] and outside_m == []
    page.close()
