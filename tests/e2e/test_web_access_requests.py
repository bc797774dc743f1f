"""Access requests in a real browser on the shared demo (issue 18, item 4): the officer of Ban Tổ
chức Đảng ủy xã Tân An records, on a person's page, the request of the person's representative —
a day that has not come is refused beside the field, nothing written —, then downloads the file
to hand over and reads in it the person and their case's history. The journey works on a case of
its own, taken to the cell's vote through the API."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from playwright.sync_api import Browser, expect

from tests.e2e.test_web_confirm import OFFICER, Api, case_at_the_cell_vote, dmy, today
from tests.e2e.web_support import PHONE, Stack, open_as, shot


def test_the_officer_records_a_request_on_the_person_s_page_and_downloads_the_file(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    api = Api(stack)
    case = case_at_the_cell_vote(api)
    person = api.get(f"/api/cases/{case}")["person_id"]
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/cases/{case}")
    page.get_by_role("link", name="Toàn bộ diễn biến của người này").click()
    section = page.locator("#access")
    expect(section).to_contain_text("Chưa có yêu cầu nào")

    # A day that has not come: refused beside the field, nothing written.
    section.locator("summary", has_text="Ghi nhận yêu cầu").click()
    section.get_by_label("Người yêu cầu là").select_option(label="Người đại diện")
    section.get_by_label("Họ tên người yêu cầu").fill("Đỗ Văn Tâm")
    section.get_by_label("Tư cách đại diện (nếu là người đại diện)").fill("Cha, giấy ủy quyền 3/UQ")
    section.get_by_label("Ngày nhận yêu cầu").fill("01/01/2099")
    section.get_by_label("Hình thức gửi").select_option(label="Qua bưu điện")
    section.get_by_role("button", name="Ghi nhận yêu cầu").click()
    expect(page.locator("#err-f-access-received_on")).to_contain_text("[DATE-ORDER]")
    expect(page.locator("#access [data-testid=access-request]")).to_have_count(0)
    assert api.get(f"/api/people/{person}/access-requests") == []
    shot(page, "100-access-request-refused")

    section = page.locator("#access")
    section.get_by_label("Ngày nhận yêu cầu").fill(dmy(today()))
    section.get_by_role("button", name="Ghi nhận yêu cầu").click()
    request = page.locator("#access [data-testid=access-request]")
    expect(request).to_have_count(1)
    expect(request).to_contain_text("Người đại diện: Đỗ Văn Tâm (Cha, giấy ủy quyền 3/UQ)")
    expect(request).to_contain_text("Chưa trả lời")

    with page.expect_download() as download:
        request.get_by_role("link", name="Tải tệp để giao (ZIP)").click()
    assert "Đỗ" not in download.value.suggested_filename
    saved = tmp_path / "answer.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        docx = Document(io.BytesIO(archive.read("du-lieu-ca-nhan.docx")))
    text = " ".join("".join(docx.element.body.itertext()).split())
    for fact in ("Đỗ Thị Hạnh", "02/04/1999", "Nhận đơn xin vào Đảng", "Đỗ Văn Tâm"):
        assert fact in text, fact
    page.reload()
    expect(page.locator("#access [data-testid=access-request]")).to_contain_text("Đã trả lời 1 lần")
    shot(page, "101-access-request-answered")
    page.context.close()

    phone = open_as(browser, stack, OFFICER, PHONE)
    phone.goto(f"{stack.base}/people/{person}#access")
    expect(phone.locator("#access [data-testid=access-request]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()
