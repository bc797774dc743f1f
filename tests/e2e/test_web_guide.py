"""The user guide's journeys (docs/huong-dan-su-dung.md) in a real browser against the shared
`dangvien up` and its demo: a cell secretary's day (log in, the board, the cell's roll on a past
day, "+ Mở hồ sơ" from it) and an organization-department officer's (the inbox, the member
register searched by a name typed without accents, a member's history, the record at a moment
on both bases, the quota and its Excel export). Each screenshot the guide shows (70–79) is taken
here, after asserting what the guide says it shows. Names are read from the pages, never assumed
from the demo: other journeys share it."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, ViewportSize, expect

from domain.names import fold
from tests.e2e.web_support import DESKTOP, PHONE, Stack, open_as, shot

SECRETARY = "bithu.phudong"  # Chi bộ thôn Phú Đông
OFFICER = "bantochuc.tanan"  # Ban Tổ chức Đảng ủy xã Tân An
AUDITOR = "kiemtra.tanan"
CELL = "Chi bộ thôn Phú Đông"
PAST = "30/09/2018"


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def fits(page: Page, viewport: ViewportSize) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])


def search(page: Page, typed: str) -> list[str]:
    """The register searched for a name as typed; the names of the first page found."""
    nav(page, "Đảng viên")
    page.get_by_label("Họ tên").fill(typed)
    page.get_by_test_id("register-search").click()
    expect(page.get_by_test_id("register-total")).to_contain_text("Tìm thấy")
    return page.get_by_test_id("register-results").locator("td.head").all_inner_texts()


def roll_on(page: Page, cell: str, day: str) -> None:
    form = page.get_by_test_id("roll-form")
    form.get_by_label("Chi bộ", exact=True).select_option(label=cell)
    form.get_by_label("Những gì đúng vào ngày này").fill(day)
    form.get_by_role("button", name="Xem", exact=True).click()


def test_a_cell_secretary_s_day_the_board_and_the_cell_s_roll_on_a_past_day(
    stack: Stack, browser: Browser
) -> None:
    login = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    login.goto(f"{stack.base}/")
    expect(login).to_have_url(re.compile(r"/login"))
    expect(login.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(login.get_by_label("Mật khẩu")).to_be_visible()
    shot(login, "70-login")
    login.context.close()

    page = open_as(browser, stack, SECRETARY)
    expect(page.get_by_test_id("user")).to_have_text("Bí thư Chi bộ thôn Phú Đông")
    nav(page, "Bảng tiến trình")
    expect(page.get_by_role("heading", name="Nguồn, học lớp nhận thức")).to_be_visible()
    expect(page.get_by_test_id("new-case")).to_be_visible()
    for text in page.get_by_test_id("card").all_inner_texts():
        assert CELL in text  # the secretary's board holds the cell's own cases only
    shot(page, "71-board-secretary")

    # The cell's roll as it was on a past day (effective dates), with "+ Mở hồ sơ".
    nav(page, "Đảng viên")
    page.get_by_test_id("roll-link").click()
    roll_on(page, CELL, PAST)
    expect(page.get_by_test_id("roll-summary")).to_contain_text(f"Ngày {PAST}")
    names = page.get_by_test_id("roll").locator("td.head").all_inner_texts()
    assert names and all(n.strip() for n in names)  # names, not ids
    expect(page.get_by_test_id("new-case")).to_have_text("+ Mở hồ sơ")
    shot(page, "76-roll-on-a-day")

    # Refused: a day that is not a date, beside its field; nothing else shown.
    form = page.get_by_test_id("roll-form")
    form.get_by_label("Những gì đúng vào ngày này").fill("31/02/2018")
    form.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("#err-on")).to_have_text("Ngày theo dạng dd/mm/yyyy")
    expect(page.get_by_test_id("roll")).to_have_count(0)

    # "+ Mở hồ sơ" on the roll opens the form at this cell.
    roll_on(page, CELL, PAST)
    page.get_by_test_id("new-case").click()
    expect(page.get_by_role("heading", name=re.compile("Mở hồ sơ kết nạp"))).to_be_visible()
    chosen = page.get_by_test_id("case-new").locator("#f-cell_id option:checked")
    expect(chosen).to_have_text(f"{CELL} — Đảng bộ xã Tân Phú")
    page.context.close()

    phone = open_as(browser, stack, SECRETARY, PHONE)
    phone.goto(f"{stack.base}/members")
    phone.get_by_test_id("roll-link").click()
    roll_on(phone, CELL, PAST)
    expect(phone.get_by_test_id("new-case")).to_be_visible()
    assert fits(phone, PHONE)
    phone.context.close()


def test_an_officer_opens_a_case_from_a_cell_s_roll_and_an_auditor_is_not_offered_it(
    stack: Stack, browser: Browser
) -> None:
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/members")
    page.get_by_test_id("roll-link").click()
    roll_on(page, "Chi bộ thôn Phú Tây", PAST)
    page.get_by_test_id("new-case").click()
    form = page.get_by_test_id("case-new")
    # The officer may open cases at every cell of the commune: this one is chosen.
    assert form.locator("#f-cell_id option:not([value=''])").count() > 1
    expect(form.locator("#f-cell_id option:checked")).to_have_text(
        "Chi bộ thôn Phú Tây — Đảng bộ xã Tân Phú"
    )
    expect(form.get_by_label("Đảng viên giúp đỡ")).to_be_visible()  # the cell's full members
    shot(page, "77-case-new-from-roll")
    page.context.close()

    auditor = open_as(browser, stack, AUDITOR)
    auditor.goto(f"{stack.base}/members")
    auditor.get_by_test_id("roll-link").click()
    roll_on(auditor, CELL, PAST)
    expect(auditor.get_by_test_id("roll-summary")).to_be_visible()
    expect(auditor.get_by_test_id("new-case")).to_have_count(0)  # auditors open no case
    response = auditor.goto(f"{stack.base}/cases/new")
    assert response is not None and response.status == 403
    auditor.context.close()


def test_an_officer_s_day_inbox_register_history_as_of_quota_and_export(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = open_as(browser, stack, OFFICER)
    nav(page, "Cảnh báo")
    rows = page.get_by_test_id("inbox").locator("tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("inbox")).to_contain_text("Quá hạn")
    shot(page, "72-inbox")

    # Typed without accents or capitals, a name finds its accented spelling.
    found = search(page, "nguyen")
    assert found and all("Nguyễn" in n for n in found), found
    name = found[0].strip()
    typed = fold(name)
    assert typed != name.lower()  # the name has accents, the query none
    found = search(page, typed)
    assert name in [n.strip() for n in found]
    assert typed not in page.url  # posted, not put in the address
    shot(page, "73-register-search")

    # A member's page: the history as sentences, with names and dates.
    page.get_by_test_id("register-results").get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Kết nạp")
    expect(timeline.locator("td.sentence").first).to_contain_text(name)
    expect(timeline).to_contain_text("Ghi nhận lúc (giờ Việt Nam)")
    shot(page, "75-member-history")
    joined = page.locator("main dt", has_text="Ngày kết nạp").locator(
        "xpath=following-sibling::dd[1]"
    )
    year = int(joined.inner_text().strip()[-4:])
    member_page = page.url

    # The record at a moment, both ways: a day after the ceremony (effective) is answered
    # with the member; the record itself (recorded) knew nothing yet: the demo came today.
    day = f"31/12/{max(year + 1, 2016)}"
    asked = page.get_by_test_id("as-of-form")
    asked.locator("summary").click()
    asked.get_by_label("Ngày (dd/mm/yyyy)").fill(day)
    asked.get_by_role("button", name="Tìm").click()
    expect(page.get_by_test_id("as-of")).to_contain_text(f"Hồ sơ như đã đúng vào ngày {day}")
    expect(page.get_by_test_id("as-of")).to_contain_text("Đảng viên")
    page.get_by_label("Điều sổ sự kiện đã biết vào cuối ngày đó").check()
    page.get_by_role("button", name="Tìm").last.click()
    expect(page.get_by_test_id("not-yet")).to_contain_text("chưa")
    shot(page, "79-audit-as-of")
    page.goto(member_page)
    expect(page.get_by_test_id("stage")).to_be_visible()

    nav(page, "Chỉ tiêu")
    expect(page.get_by_role("heading", name=re.compile("Chỉ tiêu kết nạp"))).to_be_visible()
    expect(page.get_by_test_id("figures")).to_contain_text("Đã kết nạp")
    expect(page.get_by_test_id("units")).to_contain_text("Đảng bộ xã Tân Phú")
    expect(page.get_by_test_id("export")).to_have_text("Xuất Excel")
    shot(page, "78-quota")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert openpyxl.load_workbook(path).sheetnames == ["Chỉ tiêu", "Danh sách theo bước"]
    page.context.close()

    phone = open_as(browser, stack, OFFICER, PHONE)
    found = search(phone, typed)
    assert name in [n.strip() for n in found]
    assert fits(phone, PHONE)
    shot(phone, "74-register-search-phone")
    phone.context.close()
