"""Starting processes in a real browser (Debian's Chromium, headless, Playwright) against one
`dangvien up` with its demo: a cell secretary opens an admission case from the board, an
organization-department officer starts a member's transfer and takes it through its hops to
the receiving cell's acceptance. Each journey also meets a refusal — the rule beside its field,
nothing written — and leaves screenshots for the user guide (docs/huong-dan-su-dung.md)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.e2e.web_support import (
    PHONE,
    Stack,
    open_as,
    shot,
)

SECRETARY = "bithu.phudong"  # Chi bộ thôn Phú Đông
OFFICER = "bantochuc.tanan"  # Ban Tổ chức Đảng ủy xã Tân An
CELL = "Chi bộ thôn Phú Đông"
TAN_PHU = {  # the cells of Đảng bộ xã Tân Phú
    "Chi bộ thôn Phú Đông",
    "Chi bộ thôn Phú Tây",
    "Chi bộ thôn Trại Mới",
    "Chi bộ Cơ quan xã",
    "Chi bộ Công an xã",
    "Chi bộ Trạm Y tế xã",
}


def fits(page: Page, viewport: ViewportSize) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])


def fill_person(form: Locator, citizen_id: str) -> None:
    form.get_by_label("Họ và tên").fill("Hà Thị Thu")
    form.get_by_label("Ngày sinh").fill("12/07/1998")
    form.get_by_label("Số CCCD").fill(citizen_id)
    form.get_by_label("Giới tính").select_option(label="Nữ")
    form.get_by_label("Dân tộc").fill("Kinh")
    form.get_by_label("Nơi ở").fill("Thôn Phú Đông, xã Tân An")
    form.get_by_label("Trình độ học vấn").select_option(label="Trung học phổ thông")
    form.get_by_label("Đoàn viên", exact=True).check()


def open_cases(page: Page, stack: Stack) -> int:
    page.goto(f"{stack.base}/board")
    return page.get_by_test_id("card").count()


def test_a_cell_secretary_opens_a_case_from_the_board(stack: Stack, browser: Browser) -> None:
    page = open_as(browser, stack, SECRETARY)
    before = open_cases(page, stack)
    page.get_by_test_id("card").first.click()
    person = page.get_by_test_id("person")
    taken = person.locator("dt", has_text="Số CCCD").locator("xpath=following-sibling::dd[1]")
    citizen_id = taken.inner_text().strip()  # someone whose case is open at this cell

    page.goto(f"{stack.base}/board")
    page.get_by_test_id("new-case").click()
    expect(page.get_by_role("heading", name=re.compile("Mở hồ sơ kết nạp"))).to_be_visible()
    form = page.get_by_test_id("case-new")
    cells = form.locator("#f-cell_id option:not([value=''])")
    expect(cells).to_have_count(1)  # the secretary opens cases at their own cell only
    expect(cells.first).to_have_text(f"{CELL} — Đảng bộ xã Tân Phú")
    shot(page, "20-case-new")

    # Refused: that person already has a live case. The rule is beside the citizen ID.
    fill_person(form, citizen_id)
    form.get_by_role("button", name="Mở hồ sơ").click()
    error = page.locator("#err-f-person-citizen_id")
    expect(error).to_contain_text("[CASE-UNIQUE]")
    expect(page.get_by_label("Họ và tên")).to_have_value("Hà Thị Thu")  # kept as typed
    expect(page.get_by_label("Số CCCD")).to_have_attribute("aria-invalid", "true")
    shot(page, "21-case-new-refused")
    assert open_cases(page, stack) == before  # nothing was written

    page.get_by_test_id("new-case").click()
    form = page.get_by_test_id("case-new")
    fill_person(form, f"0{time.time_ns() % 10**11:011d}")
    form.get_by_role("button", name="Mở hồ sơ").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Mở hồ sơ")
    expect(page.get_by_test_id("stage")).to_contain_text("Nguồn, học lớp nhận thức")
    expect(page.get_by_test_id("person")).to_contain_text("Hà Thị Thu")
    shot(page, "22-case-opened")

    deadline = time.monotonic() + 30
    while open_cases(page, stack) != before + 1:  # the projector catches up
        assert time.monotonic() < deadline, "the board did not show the new case"
        time.sleep(0.5)
    page.context.close()

    phone = open_as(browser, stack, SECRETARY, PHONE)
    phone.goto(f"{stack.base}/cases/new")
    expect(phone.get_by_test_id("case-new")).to_be_visible()
    assert fits(phone, PHONE)
    shot(phone, "23-case-new-phone")
    phone.context.close()


def test_an_officer_starts_a_transfer_and_the_receiving_cell_accepts_it(
    stack: Stack, browser: Browser
) -> None:
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/inbox")
    page.locator('a[href*="/members/"][href$="#step-extend_recognition_deadline"]').first.click()
    page.locator("main").get_by_role("link", name="Chuyển sinh hoạt", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Chuyển sinh hoạt đảng"))).to_be_visible()
    here = page.locator("main p.hint").first.inner_text()
    cell = here.removeprefix("Đang sinh hoạt tại ").split(" · ")[0]
    destination = (
        "Chi bộ Quân sự xã — Đảng bộ xã An Lạc"
        if cell in TAN_PHU
        else "Chi bộ thôn Phú Tây — Đảng bộ xã Tân Phú"
    )
    member_page = page.url.removesuffix("/transfer")
    form = page.get_by_test_id("transfer-new")
    shot(page, "24-transfer-new")

    # Refused: a temporary transfer needs its return date (TRF-TEMP), beside that field.
    form.get_by_label("Loại chuyển sinh hoạt").select_option(label="Tạm thời")
    form.get_by_label("Lý do").select_option(label="Đi làm việc xa")
    form.get_by_label("Nơi chuyển đến").select_option(label=destination)
    form.get_by_role("button", name="Bắt đầu chuyển sinh hoạt").click()
    expect(page.locator("#err-f-returns_on")).to_contain_text("[TRF-TEMP]")
    shot(page, "25-transfer-refused")
    page.goto(member_page)  # nothing was written: the member is not moving
    start = page.locator("main").get_by_role("link", name="Chuyển sinh hoạt", exact=True)
    expect(start).to_be_visible()
    page.goto(f"{member_page}/transfer")

    form = page.get_by_test_id("transfer-new")
    form.get_by_label("Loại chuyển sinh hoạt").select_option(label="Chính thức")
    form.get_by_label("Lý do").select_option(label="Nhận công tác mới")
    form.get_by_label("Nơi chuyển đến").select_option(label=destination)
    form.get_by_role("button", name="Bắt đầu chuyển sinh hoạt").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Bắt đầu chuyển sinh hoạt")
    expect(page.get_by_test_id("stage")).to_contain_text("Thư giới thiệu đang chuyển")
    shot(page, "26-transfer-started")

    # Cancelling cannot be undone: its consequence is on the form, and unconfirmed it is not
    # sent.
    cancel = page.locator("#step-cancel_transfer")
    cancel.locator("summary").click()
    expect(cancel).to_contain_text("Hủy là không hoàn tác được")
    cancel.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator("#err-cancel_transfer-confirm")).to_have_text(
        "Hãy đánh dấu ô xác nhận để thực hiện việc này"
    )
    expect(page.get_by_test_id("stage")).to_contain_text("Thư giới thiệu đang chuyển")
    shot(page, "27-cancel-confirm")

    # The letter's hops: up to the commune committee, then down to the receiving cell.
    for to in ("Đảng ủy xã Tân An", destination):
        hop = page.locator("#step-forward_letter")
        hop.get_by_label("Đến tổ chức").select_option(label=to)
        hop.get_by_label("Số giấy giới thiệu").fill("12-GGT/ĐU")
        hop.get_by_role("button", name="Ghi nhận").click()
        expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")
    expect(page.get_by_test_id("stage")).to_contain_text("Đảng viên giữ thư giới thiệu")
    expect(page.get_by_test_id("deadline")).to_contain_text("TRF-PRESENT")

    page.locator("#step-present_letter").get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Đã nộp thư giới thiệu")
    accept = page.locator("#step-accept_transfer")
    expect(accept).to_contain_text("Tiếp nhận là không hoàn tác được")
    accept.get_by_label("Tôi xác nhận").check()
    accept.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Hoàn tất")
    transfer = page.url.split("?")[0].removeprefix(stack.base)
    shot(page, "28-transfer-accepted")

    receiving = destination.split(" — ")[0]
    deadline = time.monotonic() + 30
    while True:  # the projector catches up
        page.goto(f"{stack.base}/transfers?state=finished&q={receiving}")
        if page.locator(f'[data-testid="transfers"] a[href="{transfer}"]').count():
            break
        assert time.monotonic() < deadline, "the finished transfer is not listed"
        time.sleep(0.5)
    shot(page, "29-transfers-finished")
    page.context.close()

    phone = open_as(browser, stack, OFFICER, PHONE)
    phone.goto(f"{member_page}/transfer")
    expect(phone.get_by_test_id("transfer-new")).to_be_visible()
    assert fits(phone, PHONE)
    phone.context.close()
