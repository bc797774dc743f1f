"""What the browser tests need: one `dangvien up` with its demo (the installed command, a fresh
data directory, free ports), Debian's Chromium driven by Playwright (never a downloaded
browser), logging in, and screenshots for a reviewer (artifacts/screenshots/, not committed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from playwright.sync_api import Browser, Page, Playwright, ViewportSize

from tests.e2e.processes import free_port, pids, proc_stat, wait_until_up

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_SECONDS = 150  # the first start seeds the demo through the workflows
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Stack:
    """A running `dangvien up`: its address and demo users."""

    base: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    out_path: Path
    out: IO[bytes]
    users: dict[str, str] = field(default_factory=dict)  # username → password
    groups: set[int] = field(default_factory=set)  # the process groups of its children
    temporal_port: int = 0

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        wait_until_up(self.process, self.output, READY_SECONDS)
        for pid in pids():
            fields = proc_stat(pid)
            if len(fields) > 2 and int(fields[1]) == self.process.pid:
                self.groups.add(int(fields[2]))
        for line in (self.data_dir / "demo-users.txt").read_text().splitlines():
            if line and not line.startswith("#"):
                username, password, *_ = line.split("\t")
                self.users[username] = password

    def stop(self) -> None:
        """Ctrl-C, then whatever is left of what it started."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in pids():
            fields = proc_stat(pid)
            if len(fields) > 2 and int(fields[2]) in self.groups and fields[0] != "Z":
                os.kill(pid, signal.SIGKILL)
        self.out.close()


@contextmanager
def running_stack(tmp: Path) -> Iterator[Stack]:
    data_dir = tmp / "data"
    port, temporal = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env |= {"DANGVIEN_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    out_path = tmp / "up.out"
    out = out_path.open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dangvien"),
            "up",
            "--port",
            str(port),
            "--temporal-port",
            str(temporal),
            "--no-temporal-ui",
            "--ready-timeout",  # as long as this module waits (up's own default is 120 s)
            str(READY_SECONDS),
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    stack = Stack(f"http://127.0.0.1:{port}", data_dir, process, out_path, out)
    stack.temporal_port = temporal
    try:
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; Playwright never downloads a browser here."""
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/ensure-chromium installs it"
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def log_in(page: Page, stack: Stack, username: str) -> None:
    page.goto(f"{stack.base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(stack.users[username])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{stack.base}/")


def shot(page: Page, name: str) -> None:
    """A full-page screenshot for the reviewer."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def open_as(
    browser: Browser, stack: Stack, username: str, viewport: ViewportSize = DESKTOP
) -> Page:
    """A fresh browser context (its own cookies), logged in."""
    page = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
    page.set_default_timeout(30_000)
    log_in(page, stack, username)
    return page
