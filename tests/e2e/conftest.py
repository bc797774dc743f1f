"""The browser the web journeys drive (Debian's Chromium, one per test module) and the demo
they drive it on: one `dangvien up` per test process, shared by every web journey module, so a
new journey costs its steps, not another start of the whole system. A journey therefore works
on its own records (a person it registers, a case it opens) and never counts on the demo being
untouched by the journeys before it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.web_support import Stack, launch, running_stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = launch(playwright)
        yield found
        found.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("web")) as found:
        yield found
