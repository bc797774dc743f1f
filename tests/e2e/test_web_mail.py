"""The e-mail address notices go to, set by the user on their account page, in a real browser
on the shared demo (desktop and 390 px): a cell secretary of Chi bộ thôn Phú Đông. A malformed
address is refused beside the field with its rule and nothing is saved; a good one is saved
with the daily-digest choice. Only this user's own address is touched."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.web_support import DESKTOP, PHONE, Stack, open_as, shot

SECRETARY = "bithu.phudong"


def contact(stack: Stack) -> Any:
    """The address as the API answers it to its user."""
    with httpx.Client(base_url=stack.base, timeout=60) as http:
        login = {"username": SECRETARY, "password": stack.users[SECRETARY]}
        token = http.post("/api/auth/token", json=login).json()["token"]
        found = http.get("/api/me/email", headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200, found.text
        return found.json()


def submit(page: Page, address: str, digest: bool) -> None:
    form = page.get_by_test_id("email")
    form.get_by_label("Địa chỉ thư điện tử").fill(address)
    box = form.get_by_role("checkbox")
    box.check() if digest else box.uncheck()
    form.get_by_role("button", name="Lưu").click()


def test_a_secretary_sets_the_address_of_their_notices_and_a_bad_one_is_refused_beside_it(
    browser: Browser, stack: Stack
) -> None:
    before = contact(stack)
    for viewport, first in ((DESKTOP, "95"), (PHONE, "97")):
        page = open_as(browser, stack, SECRETARY, viewport)
        page.goto(f"{stack.base}/account")
        expect(page.get_by_role("heading", name="Nhận thông báo qua thư điện tử")).to_be_visible()

        submit(page, "bithu@phudong", digest=True)  # the browser accepts it, the rule does not
        error = page.get_by_test_id("email-error")
        expect(error).to_contain_text("[USER-EMAIL] Địa chỉ thư điện tử không hợp lệ")
        expect(page.get_by_label("Địa chỉ thư điện tử")).to_have_value("bithu@phudong")
        expect(page.get_by_test_id("email").get_by_role("checkbox")).to_be_checked()
        shot(page, f"{first}-account-email-refused{'-phone' if viewport is PHONE else ''}")
        assert contact(stack) == before  # nothing saved
        assert "phudong" not in page.url

        submit(page, "bithu.phudong@donvi.vn", digest=viewport is DESKTOP)
        expect(page.get_by_test_id("done")).to_have_text("Đã lưu cách nhận thông báo.")
        expect(page.get_by_label("Địa chỉ thư điện tử")).to_have_value("bithu.phudong@donvi.vn")
        shot(page, f"{int(first) + 1}-account-email-saved{'-phone' if viewport is PHONE else ''}")
        assert contact(stack) == {
            "email": "bithu.phudong@donvi.vn",
            "digest": viewport is DESKTOP,
        }
        assert "donvi" not in page.url
        before = contact(stack)
        page.context.close()
