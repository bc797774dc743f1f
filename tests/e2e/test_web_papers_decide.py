"""The decision's number from the register, in a real browser on the shared demo (issue 16): the
officer of Ban Tổ chức Đảng ủy xã Tân An decides on the case page without typing a number, and
the page comes back with the decision offered right under the step's success message, dated
the day of the decision; one click issues it with the committee's register's next number, the
case states that number, and the officer downloads the DOCX and the PDF of it. The journey
works on a case of its own, taken to the committee's vote through the API."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from tests.e2e.test_web_confirm import OFFICER, Api, case_at_the_cell_vote, dmy, submit, today
from tests.e2e.web_support import Stack, open_as, shot


def test_the_officer_decides_on_the_case_page_then_issues_and_downloads_the_decision_offered(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    api = Api(stack)
    case = case_at_the_cell_vote(api)
    needed = api.get(f"/api/cases/{case}/ballot")["votes_needed"]
    api.step("cases", case, "record_cell_vote", votes_for=needed, votes_against=0)
    api.step("cases", case, "record_committee_vote", committee_size=9, votes_for=8, votes_against=1)
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/cases/{case}")
    decision = page.get_by_test_id("paper-offer").filter(has_text="Quyết định kết nạp")
    expect(decision).to_have_count(0)  # not decided yet: the resolutions only

    decide = page.locator("#step-decide")
    number = decide.get_by_label("Số quyết định (chỉ khi đã ban hành ngoài hệ thống)")
    expect(number).to_have_value("")  # left empty: the register numbers the paper
    submit(decide)
    review = page.get_by_test_id("review-decide")
    expect(review).to_contain_text("số quyết định lấy từ sổ đăng ký văn bản")
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")
    expect(page.get_by_test_id("stage")).to_contain_text("Chờ lễ kết nạp")

    # Right under the step's message: the decision, dated the day it was decided.
    offer = page.get_by_test_id("paper-offer")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text("số lấy từ sổ đăng ký văn bản")
    expect(offer.get_by_label("Ngày ban hành")).to_have_value(dmy(today()))
    offered, where = offer.bounding_box(), page.locator("#where").bounding_box()
    assert offered and where and offered["y"] < where["y"]
    expect(page.locator("body")).to_contain_text("chưa ban hành giấy tờ")
    shot(page, "86-decision-offered")

    offer.get_by_role("button", name="Ban hành Quyết định kết nạp đảng viên").click()
    paper = page.locator("#papers [data-testid=paper]")
    expect(paper).to_have_count(1)
    found = re.search(r"Số (\d+-QĐ/ĐU)", paper.inner_text())
    assert found
    symbol = found.group(1)
    expect(page.locator("body")).to_contain_text(f"Số {symbol}, ngày {dmy(today())}")
    expect(decision).to_have_count(0)  # issued: offered no more
    shot(page, "87-decision-issued")

    with page.expect_download() as download:
        paper.get_by_role("link", name="Tải về (DOCX)").click()
    saved = tmp_path / "decision.docx"
    download.value.save_as(saved)
    text = " ".join("".join(Document(str(saved)).element.body.itertext()).split())
    for said in ("ĐẢNG CỘNG SẢN VIỆT NAM", f"Số {symbol}", "Kết nạp đảng viên", "Đỗ Thị Hạnh"):
        assert said in text, said

    with page.expect_download() as printable:
        paper.get_by_role("link", name="Bản in (PDF)").click()
    pdf = Path(printable.value.path()).read_bytes()
    printed = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"Số {symbol}" in printed and "Đỗ Thị Hạnh" in printed
    page.context.close()
