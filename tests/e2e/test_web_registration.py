"""Registration in a real browser (Debian's Chromium, headless, Playwright) against one
`dangvien up` with its demo, as the organization department of Đảng ủy xã Tân An: a hamlet of
the commune, a cell founded under Đảng bộ xã Tân Phú, renamed (after a refused rename dated
tomorrow: the rule beside the date, nothing written), serving the new hamlet, moved under
Đảng bộ xã An Lạc; a member registered there from a paper dossier (after a refused full-member
date), their personal data corrected; the cell, now holding a member, offered to the
dissolution wizard, or merged into another cell of its grassroots organization, instead of a
plain dissolution. A cell secretary is refused. Screenshots
for the user guide (docs/huong-dan-su-dung.md), 30–39."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.web_support import PHONE, Stack, open_as, shot

OFFICER = "bantochuc.tanan"  # Ban Tổ chức Đảng ủy xã Tân An
SECRETARY = "bithu.phudong"  # Chi bộ thôn Phú Đông


def fits(page: Page, viewport: ViewportSize) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])


def vietnam_today() -> datetime:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))


def open_form(page: Page, action: str) -> None:
    details = page.locator(f"#form-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_an_officer_registers_a_cell_a_hamlet_and_a_member_and_corrects_their_data(
    stack: Stack, browser: Browser
) -> None:
    tag = f"{time.time_ns() % 10**6:06d}"  # the journey's own names on the shared demo
    hamlet, cell, renamed = (
        f"Thôn Bãi Sậy {tag}",
        f"Chi bộ thôn Bãi Sậy {tag}",
        f"Chi bộ Bãi Sậy {tag}",
    )
    page = open_as(browser, stack, OFFICER)
    page.get_by_role("navigation").get_by_role("link", name="Tổ chức").click()
    expect(page.get_by_test_id("org-name")).to_contain_text("Đảng ủy xã Tân An")
    expect(page.get_by_test_id("org-hamlets")).to_contain_text("Thôn Phú Đông")

    open_form(page, "hamlet")
    form = page.get_by_test_id("form-hamlet")
    form.get_by_label("Tên thôn, tổ dân phố").fill(hamlet)
    form.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Đăng ký thôn, tổ dân phố")
    deadline = time.monotonic() + 30
    while hamlet not in page.get_by_test_id("org-hamlets").inner_text():  # the projector
        assert time.monotonic() < deadline, "the new hamlet is not listed"
        time.sleep(0.5)
        page.reload()
    shot(page, "30-org-commune")

    page.get_by_test_id("org-units").get_by_role("link", name="Đảng bộ xã Tân Phú").click()
    expect(page.get_by_test_id("org-name")).to_contain_text("Đảng bộ xã Tân Phú")
    open_form(page, "unit")
    form = page.get_by_test_id("form-unit")
    kinds = form.get_by_label("Loại tổ chức").locator("option:not([value=''])")
    expect(kinds).to_have_text(["Đảng bộ bộ phận", "Chi bộ"])  # only what may sit here
    form.get_by_label("Loại tổ chức").select_option(label="Chi bộ")
    form.get_by_label(re.compile(r"^Tên")).fill(cell)
    form.get_by_label("Loại hình chi bộ").select_option(label="Thôn")
    form.get_by_label("Ngày thành lập").fill("01/01/2010")
    form.get_by_role("button", name="Thành lập").click()
    expect(page.get_by_test_id("org-name")).to_contain_text(cell)
    expect(page.get_by_test_id("org-facts")).to_contain_text("Đảng bộ xã Tân Phú")
    cell_page = page.url.split("&")[0]
    shot(page, "31-org-new-cell")

    # Refused: a rename dated tomorrow (DATE-ORDER), beside the date; nothing is written.
    tomorrow = (vietnam_today() + timedelta(days=1)).strftime("%d/%m/%Y")
    open_form(page, "rename")
    form = page.get_by_test_id("form-rename")
    form.get_by_label("Tên mới").fill(renamed)
    form.get_by_label("Ngày hiệu lực").fill(tomorrow)
    form.get_by_role("button", name="Đổi tên").click()
    expect(page.locator("#err-f-rename-on")).to_contain_text("[DATE-ORDER]")
    expect(page.get_by_label("Tên mới")).to_have_value(renamed)  # kept as typed
    shot(page, "32-org-rename-refused")
    page.goto(cell_page)
    expect(page.get_by_test_id("org-name")).to_contain_text(cell)

    open_form(page, "rename")
    form = page.get_by_test_id("form-rename")
    form.get_by_label("Tên mới").fill(renamed)
    form.get_by_role("button", name="Đổi tên").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Đổi tên")
    expect(page.get_by_test_id("org-name")).to_contain_text(renamed)  # the read model's name

    open_form(page, "serves")
    form = page.get_by_test_id("form-serves")
    form.get_by_label(hamlet).check()
    form.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("served")).to_contain_text(hamlet)

    open_form(page, "parent")
    form = page.get_by_test_id("form-parent")
    parents = form.get_by_label("Cấp trên mới").locator("option:not([value=''])")
    expect(parents.filter(has_text="Chi bộ")).to_have_count(0)  # a cell sits under committees
    form.get_by_label("Cấp trên mới").select_option(label="Đảng bộ xã An Lạc")
    form.get_by_role("button", name="Chuyển").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Chuyển cấp trên")
    expect(page.get_by_test_id("org-facts")).to_contain_text("Đảng bộ xã An Lạc")
    shot(page, "33-org-renamed-moved")

    page.get_by_test_id("new-member").click()
    form = page.get_by_test_id("member-new")
    expect(form.get_by_label("Chi bộ sinh hoạt")).to_have_value(cell_page.split("org=")[1])
    form.get_by_label("Ngày quyết định kết nạp").fill("02/03/2015")
    form.get_by_label("Ngày kết nạp").fill("19/05/2015")
    form.get_by_label("Ngày đảng viên chính thức").fill("19/05/2015")  # not a year later
    form.get_by_label("Họ và tên").fill("Đinh Thị Sen")
    form.get_by_label("Ngày sinh").fill("08/08/1980")
    form.get_by_label("Số CCCD").fill(f"0{time.time_ns() % 10**11:011d}")
    form.get_by_label("Giới tính").select_option(label="Nữ")
    form.get_by_label("Dân tộc").fill("Kinh")
    form.get_by_label("Nơi ở").fill(f"{hamlet}, xã Tân An")
    form.get_by_label("Trình độ học vấn").select_option(label="Trung học phổ thông")
    form.get_by_role("button", name="Đăng ký đảng viên").click()
    expect(page.locator("#err-f-full_from")).to_contain_text("[PRB-EFFECTIVE]")
    shot(page, "34-member-new-refused")
    page.get_by_label("Ngày đảng viên chính thức").fill("19/05/2016")
    page.get_by_role("button", name="Đăng ký đảng viên").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Đăng ký đảng viên từ hồ sơ giấy")
    expect(page.get_by_test_id("person")).to_contain_text("Đinh Thị Sen")
    shot(page, "35-member-registered")

    page.locator("main").get_by_role("link", name="Sửa thông tin cá nhân").click()
    form = page.get_by_test_id("person-correction")
    expect(form.get_by_label("Họ và tên")).to_have_value("Đinh Thị Sen")
    form.get_by_label("Nơi ở").fill("Tổ dân phố An Lạc 1, xã Tân An")
    shot(page, "36-person-correction")
    form.get_by_role("button", name="Ghi nhận việc sửa").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Sửa thông tin cá nhân")
    expect(page.get_by_test_id("person")).to_contain_text("Tổ dân phố An Lạc 1, xã Tân An")

    # A cell holding a member is dissolved, or merged, by the wizard that moves its members.
    page.goto(cell_page)
    expect(page.get_by_test_id("dissolve-blocked")).to_contain_text("còn 1 đảng viên")
    expect(page.get_by_test_id("merge-link")).to_have_attribute(
        "href", re.compile(r"^/dissolve\?org=[0-9a-f-]+&cells=[0-9a-f-]+$")
    )
    open_form(page, "merge")  # the shortcut: everyone to one cell of its grassroots organization
    takers = page.get_by_test_id("form-merge").get_by_label("Chi bộ nhận sáp nhập")
    expect(takers.locator("option", has_text="Chi bộ Quân sự xã")).to_have_count(1)
    expect(takers.locator("option", has_text="Chi bộ thôn Phú Đông")).to_have_count(0)
    shot(page, "37-org-dissolve-by-wizard")
    page.context.close()

    phone = open_as(browser, stack, OFFICER, PHONE)
    phone.goto(cell_page)
    expect(phone.get_by_test_id("org-name")).to_contain_text(renamed)
    assert fits(phone, PHONE)
    shot(phone, "38-org-phone")
    phone.goto(f"{stack.base}/members/new")
    expect(phone.get_by_test_id("member-new")).to_be_visible()
    assert fits(phone, PHONE)
    shot(phone, "39-member-new-phone")
    phone.context.close()


def test_a_cell_secretary_may_not_register(stack: Stack, browser: Browser) -> None:
    page = open_as(browser, stack, SECRETARY, PHONE)
    page.get_by_role("navigation").get_by_role("link", name="Tổ chức").click()
    expect(page.get_by_test_id("org-name")).to_contain_text("Chi bộ thôn Phú Đông")
    expect(page.locator("[data-testid^='form-']")).to_have_count(0)
    page.goto(f"{stack.base}/members/new")
    expect(page.get_by_role("alert")).to_contain_text("ACCESS-ROLE")
    page.context.close()
