"""The boards in a real browser (Debian's Chromium, headless, Playwright) against one
`dangvien up` with its demo: an organization-department officer follows probations and a
transfer it starts, hop by hop, on the probation and transfer boards; a cell secretary sees
only their cell's, and is refused another unit's board; an early-stage case shows no deadline
of its own, only its certificate's expiry as a warning in its last 3 months. Desktop and
390 px; screenshots for the user guide (docs/huong-dan-su-dung.md, 40–49)."""

from __future__ import annotations

import re
import time
from datetime import datetime

from playwright.sync_api import Browser, Page, expect

from domain.calendar import VIETNAM, add_months
from tests.e2e.test_web_starts import TAN_PHU, fill_person, fits
from tests.e2e.web_support import PHONE, Stack, open_as, shot

SECRETARY = "bithu.phudong"  # Chi bộ thôn Phú Đông
OFFICER = "bantochuc.tanan"  # Ban Tổ chức Đảng ủy xã Tân An
CELL = "Chi bộ thôn Phú Đông"
# 13 words: more than a name has (SEARCH-NAME), and part of no organization's name
TOO_MANY_WORDS = "an bình cường dũng giang hải khánh lan minh nam oanh phúc quang"


def until_shown(page: Page, url: str, selector: str, what: str) -> None:
    """Reload until the projector has caught up with what was just written."""
    deadline = time.monotonic() + 30
    while True:
        page.goto(url)
        if page.locator(selector).count():
            return
        assert time.monotonic() < deadline, f"{what} is not shown"
        time.sleep(0.5)


def start_transfer(page: Page, stack: Stack) -> str:
    """An official transfer of a probationer taken from the probation board; its address."""
    cards = page.locator('[data-due="review"] [data-testid="card"]')
    for n in range(min(cards.count(), 8)):
        page.goto(f"{stack.base}/board/probation")
        cards.nth(cards.count() - 1 - n).click()  # the last ones: other journeys take the first
        start = page.locator("main").get_by_role("link", name="Chuyển sinh hoạt", exact=True)
        if not start.count():
            continue
        start.click()
        here = page.locator("main p.hint").first.inner_text()
        cell = here.removeprefix("Đang sinh hoạt tại ").split(" · ")[0]
        destination = (
            "Chi bộ Quân sự xã — Đảng bộ xã An Lạc"
            if cell in TAN_PHU
            else "Chi bộ thôn Phú Tây — Đảng bộ xã Tân Phú"
        )
        form = page.get_by_test_id("transfer-new")
        form.get_by_label("Loại chuyển sinh hoạt").select_option(label="Chính thức")
        form.get_by_label("Lý do").select_option(label="Nhận công tác mới")
        form.get_by_label("Nơi chuyển đến").select_option(label=destination)
        form.get_by_role("button", name="Bắt đầu chuyển sinh hoạt").click()
        if page.get_by_role("status").count():  # started (a member already moving is refused)
            return page.url.split("?")[0].removeprefix(stack.base)
    raise AssertionError("no probationer could be transferred")


def test_an_officer_follows_probations_and_a_transfer_hop_by_hop_on_the_boards(
    stack: Stack, browser: Browser
) -> None:
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/board")
    page.get_by_test_id("tab-probation").click()
    expect(page.get_by_role("heading", name=re.compile("Bảng theo dõi dự bị"))).to_be_visible()
    board = page.get_by_test_id("probation-board")
    for column in ("Chờ chi bộ xét công nhận", "Chờ cấp ủy quyết định công nhận"):
        expect(board.get_by_role("heading", name=re.compile(column))).to_be_visible()
    review = page.locator('[data-due="review"] [data-testid="card"]')
    expect(review.first).to_contain_text("Hết thời gian dự bị")
    expect(review.first).to_contain_text("PRB-REVIEW")
    shot(page, "40-board-probation")
    # Overdue first: the first card of a column is the most overdue one.
    page.get_by_label("Chỉ việc quá hạn").check()
    page.get_by_role("button", name="Lọc").click()
    for late in page.locator('[data-testid="probation-board"] [data-testid="card"]').all():
        expect(late).to_contain_text("Quá hạn")

    transfer = start_transfer(page, stack)
    card = f'[data-hop="not_sent"] a[href="{transfer}"]'
    until_shown(page, f"{stack.base}/board/transfers", card, "the transfer started")
    expect(page.locator(card)).to_contain_text("TRF-START")
    expect(page.locator(card)).to_contain_text("Còn ")
    expect(page.locator(card)).to_contain_text("Chính thức")
    shot(page, "41-board-transfers")

    # One hop up: the letter is at the commune committee, a hop with no deadline of its own.
    page.goto(f"{stack.base}{transfer}")
    hop = page.locator("#step-forward_letter")
    hop.get_by_label("Đến tổ chức").select_option(label="Đảng ủy xã Tân An")
    hop.get_by_label("Số giấy giới thiệu").fill("31-GGT/ĐU")
    hop.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")
    card = f'[data-hop="forwarded"] a[href="{transfer}"]'
    until_shown(page, f"{stack.base}/board/transfers", card, "the forwarded letter")
    expect(page.locator(card)).to_contain_text("Thư đang ở Đảng ủy xã Tân An (đã chuyển 1 lần)")
    expect(page.locator(card)).to_contain_text("Chưa có hạn")
    shot(page, "42-board-transfer-forwarded")

    # Cancelled, it leaves the board for the finished transfers, found by the member's name.
    page.goto(f"{stack.base}{transfer}")
    heading = page.locator("h1").inner_text()
    assert " — " in heading, heading  # the officer sees the member's name
    name = heading.split(" — ", 1)[1]
    cancel = page.locator("#step-cancel_transfer")
    cancel.locator("summary").click()
    cancel.get_by_label("Tôi xác nhận").check()
    cancel.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Đã hủy")
    page.goto(f"{stack.base}/board/transfers")
    page.get_by_test_id("tab-finished").click()
    expect(page.get_by_test_id("finished-count")).to_be_visible()
    # Searched by name, the name posted (never in the address); too many words are refused
    # beside the field, and nothing is listed.
    search = page.get_by_test_id("transfer-filters")
    search.get_by_label("Tên đảng viên hoặc chi bộ").fill(TOO_MANY_WORDS)
    search.get_by_role("button", name="Lọc").click()
    expect(page.locator("#err-q")).to_contain_text("[SEARCH-NAME]")
    expect(page.get_by_test_id("transfers")).to_have_count(0)
    shot(page, "49-transfers-search-refused")
    deadline = time.monotonic() + 30
    found = f'[data-testid="transfers"] a[href="{transfer}"]'
    while True:  # the projector catches up
        search = page.get_by_test_id("transfer-filters")
        search.get_by_label("Tên đảng viên hoặc chi bộ").fill(name)
        search.get_by_role("button", name="Lọc").click()
        if page.locator(found).count():
            break
        assert time.monotonic() < deadline, "the cancelled transfer is not found"
        time.sleep(0.5)
    assert name not in page.url
    page.goto(f"{stack.base}/board/transfers")
    expect(page.locator(f'a[href="{transfer}"]')).to_have_count(0)
    page.context.close()

    phone = open_as(browser, stack, OFFICER, PHONE)
    for path, test_id, name in (
        ("/board/probation", "probation-board", "47-board-probation-phone"),
        ("/board/transfers", "transfer-board", "48-board-transfers-phone"),
    ):
        phone.goto(f"{stack.base}{path}")
        board = phone.get_by_test_id(test_id)
        expect(board).to_be_visible()
        assert board.evaluate("b => b.scrollWidth > b.clientWidth")  # columns scroll sideways
        assert fits(phone, PHONE)
        shot(phone, name)
    phone.context.close()


def test_a_cell_secretary_sees_only_their_cell_and_is_refused_another_unit_s_board(
    stack: Stack, browser: Browser
) -> None:
    officer = open_as(browser, stack, OFFICER)
    officer.goto(f"{stack.base}/board/transfers")
    commune = officer.get_by_test_id("tab-probation").get_attribute("href")
    officer.context.close()
    assert commune is not None

    page = open_as(browser, stack, SECRETARY)
    page.goto(f"{stack.base}/board")
    page.get_by_test_id("tab-probation").click()
    cells = page.locator("#cell option:not([value=''])")
    expect(cells).to_have_count(1)
    expect(cells.first).to_have_text(CELL)
    for mine in page.locator('[data-testid="probation-board"] [data-testid="card"]').all():
        expect(mine).to_contain_text(CELL)
    shot(page, "43-board-probation-secretary")

    # The commune's board, asked for by its address: not found, as an unknown unit; nothing
    # of it is shown.
    page.goto(f"{stack.base}{commune}".replace("/board/probation", "/board/transfers"))
    expect(page.locator("main")).to_contain_text("Không tìm thấy, hoặc nằm ngoài phạm vi của bạn")
    expect(page.get_by_test_id("transfer-board")).to_have_count(0)
    shot(page, "44-board-refused")
    page.context.close()

    phone = open_as(browser, stack, SECRETARY, PHONE)
    phone.goto(f"{stack.base}/board/transfers")
    expect(phone.get_by_test_id("transfer-board")).to_be_visible()
    assert fits(phone, PHONE)
    phone.context.close()


def test_an_early_stage_card_shows_no_deadline_only_the_certificate_s_warning(
    stack: Stack, browser: Browser
) -> None:
    page = open_as(browser, stack, SECRETARY)
    page.goto(f"{stack.base}/cases/new")
    form = page.get_by_test_id("case-new")
    fill_person(form, f"0{time.time_ns() % 10**11:011d}")
    form.get_by_role("button", name="Mở hồ sơ").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Mở hồ sơ")
    case = page.url.split("?")[0].removeprefix(stack.base)

    # A certificate issued 59 months ago lapses in about a month: its last 3 months.
    today = datetime.now(VIETNAM).date()
    issued = add_months(today, -59)
    lapses = add_months(issued, 60).strftime("%d/%m/%Y")
    step = page.locator("#step-record_certificate")
    step.get_by_label("Ngày thực hiện").fill(issued.strftime("%d/%m/%Y"))
    step.get_by_label("Số").fill("88-GCN/TTCT")
    step.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Đơn xin vào Đảng")
    warning = page.get_by_test_id("validity-warning")
    expect(warning).to_contain_text(f"Giấy chứng nhận học lớp nhận thức hết hạn {lapses}")
    expect(page.get_by_test_id("deadline")).to_have_count(0)  # no deadline of the stage's own
    shot(page, "46-case-validity-warning")

    card = f'[data-stage="application"] a[href="{case}"]'
    until_shown(page, f"{stack.base}/board", card, "the new case")
    shown = page.locator(card)
    expect(shown).to_contain_text("Chưa có hạn")
    expect(shown).not_to_contain_text("ngày làm việc")  # never the certificate's 5 years
    expect(shown.get_by_test_id("validity-warning")).to_contain_text(f"hết hạn {lapses}")
    shown.scroll_into_view_if_needed()
    shot(page, "45-board-early-card")
    page.context.close()

    phone = open_as(browser, stack, SECRETARY, PHONE)
    phone.goto(f"{stack.base}{case}")
    expect(phone.get_by_test_id("validity-warning")).to_be_visible()
    assert fits(phone, PHONE)
    phone.context.close()
