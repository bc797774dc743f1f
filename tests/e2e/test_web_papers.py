"""Papers in a real browser on the shared demo (issue 16): the officer of Ban Tổ chức Đảng ủy xã
Tân An issues the admission decision from the case page — a date before the decision is
refused beside the field, nothing written —, downloads it as DOCX, and anyone holding the paper
checks its code on the verify page, on a phone too. The journey works on a case of its own,
taken to the decision through the API."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from docx import Document
from playwright.sync_api import Browser, expect

from tests.e2e.test_web_confirm import OFFICER, Api, case_at_the_cell_vote, today
from tests.e2e.web_support import PHONE, Stack, open_as, shot


def decided_case(api: Api) -> str:
    """A case of the journey's own, decided today by the competent committee (the one the
    ADM-DECIDE deadline holds responsible)."""
    case = case_at_the_cell_vote(api)
    needed = api.get(f"/api/cases/{case}/ballot")["votes_needed"]
    api.step("cases", case, "record_cell_vote", votes_for=needed, votes_against=0)
    view = api.step(
        "cases", case, "record_committee_vote", committee_size=9, votes_for=8, votes_against=1
    )
    competent = view["deadline"]["responsible"]
    api.step("cases", case, "decide", number="21-QĐ/ĐU", decided_by=competent)
    return case


def rows(page: object) -> int:
    return page.locator('[data-testid="timeline"] tbody tr').count()  # type: ignore[attr-defined]


def test_the_officer_issues_the_decision_from_the_case_page_and_anyone_verifies_it(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    api = Api(stack)
    case = decided_case(api)
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/cases/{case}")
    section = page.locator("#papers")
    expect(section).to_contain_text("Chưa ban hành giấy tờ nào")
    button = section.get_by_role("button", name="Ban hành Quyết định kết nạp đảng viên")
    expect(button).to_be_visible()
    before = rows(page)

    # A day before the decision: refused beside the date, nothing written.
    yesterday = today() - timedelta(days=1)
    section.get_by_label("Ngày ban hành").fill(yesterday.strftime("%d/%m/%Y"))
    button.click()
    expect(page.locator("#err-paper-on")).to_contain_text("[PAPER-STEP]")
    expect(page.locator("#papers [data-testid=paper]")).to_have_count(0)
    assert rows(page) == before
    shot(page, "90-paper-refused")

    section = page.locator("#papers")
    section.get_by_label("Ngày ban hành").fill(today().strftime("%d/%m/%Y"))
    section.get_by_role("button", name="Ban hành Quyết định kết nạp đảng viên").click()
    paper = page.locator("#papers [data-testid=paper]")
    expect(paper).to_have_count(1)
    expect(paper).to_contain_text("Đang có hiệu lực")
    symbol = re.search(r"Số (\d+-QĐ/ĐU)", paper.inner_text())
    code = re.search(r"Mã xác minh (\w{4}-\w{4}-\w{4})", paper.inner_text())
    assert symbol and code
    shot(page, "91-paper-issued")

    with page.expect_download() as download:
        paper.get_by_role("link", name="Tải về (DOCX)").click()
    saved = tmp_path / "paper.docx"
    download.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert f"Mã xác minh: {code.group(1)}" in text
    assert "QUYẾT ĐỊNH" in text and "Đỗ Thị Hạnh" in text

    # A replacement: refused without its reason (beside the field, nothing written), then made.
    before = rows(page)
    replace = page.locator("#papers details", has_text="Ban hành bản thay thế").first
    replace.locator("summary").click()
    replace.get_by_label("Ngày ban hành").fill(today().strftime("%d/%m/%Y"))
    replace.get_by_role("button", name="Ban hành bản thay thế").click()
    expect(page.locator("#err-sup-reason")).to_contain_text("lý do")
    assert rows(page) == before
    shot(page, "94-paper-replacement-refused")
    replace = page.locator("#papers details", has_text="Ban hành bản thay thế").first
    replace.get_by_label("Ngày ban hành").fill(today().strftime("%d/%m/%Y"))
    replace.get_by_label("Lý do thay thế").fill("Sửa tên chi bộ")
    replace.get_by_role("button", name="Ban hành bản thay thế").click()
    expect(page.locator("#papers [data-testid=paper]")).to_have_count(2)
    expect(page.locator("#papers")).to_contain_text("Đã được thay thế bằng số")
    page.context.close()

    # Anyone holding the paper, on a phone, without logging in.
    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(f"{stack.base}/verify/{code.group(1)}")
    expect(visitor.get_by_role("heading", name="Kiểm tra giấy tờ")).to_be_visible()
    expect(visitor.locator("body")).to_contain_text(f"Số {symbol.group(1)}")
    expect(visitor.locator("body")).to_contain_text("Đảng ủy xã Tân An")
    expect(visitor.get_by_role("alert")).to_contain_text("đã được thay thế bằng giấy tờ số")
    assert "Đỗ Thị Hạnh" not in visitor.content()
    shot(visitor, "92-verify-phone")
    visitor.goto(f"{stack.base}/verify/0000-0000-0000")
    expect(visitor.locator("body")).to_contain_text("NOT-FOUND")
    visitor.context.close()

    # The officer's phone: the case's papers, with the download.
    phone = open_as(browser, stack, OFFICER, PHONE)
    phone.goto(f"{stack.base}/cases/{case}#papers")
    expect(phone.locator("#papers [data-testid=paper]").first).to_contain_text(symbol.group(1))
    phone.locator("#papers").scroll_into_view_if_needed()
    shot(phone, "93-papers-phone")
    phone.context.close()
