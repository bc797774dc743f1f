"""A department's own paper template in a real browser on the shared demo (issue 16): the
officer of Ban Tổ chức Đảng ủy xã Tân An opens "Mẫu giấy tờ" from an organization's page, takes
the default as a starting point, uploads a copy with a mistyped tag — refused beside the file
field, nothing adopted — then a reworded one, which the page shows in force as the
organization's own. The journey adapts a cell of its own, so the demo's papers keep their
wording."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import uuid4

from docx import Document
from playwright.sync_api import Browser, expect

from tests.e2e.test_web_confirm import OFFICER, Api, today
from tests.e2e.web_support import Stack, open_as, shot


def own_cell(api: Api) -> str:
    """A cell registered for the journey, under the demo cell's grassroots organization,
    once the read model shows it."""
    parent = api.get(f"/api/orgs/{api.cell}")["parent_id"]
    made = api.http.post(
        "/api/orgs",
        json={
            "parent_id": parent,
            "kind": "cell",
            "name": f"Chi bộ thôn Mẫu {uuid4().hex[:4]}",
            "on": today().date().isoformat(),
            "setting": "hamlet",
        },
    )
    assert made.status_code == 201, made.text
    cell = str(made.json()["id"])
    deadline = time.monotonic() + 30
    while api.http.get(f"/api/orgs/{cell}").status_code != 200:
        assert time.monotonic() < deadline, "the new cell never reached the read model"
        time.sleep(0.2)
    return cell


def edited(default: Path, target: Path, title: str, extra: str | None = None) -> Path:
    doc = Document(str(default))
    heading = next(p for p in doc.paragraphs if p.text == "NGHỊ QUYẾT")
    heading.runs[0].text = title
    if extra is not None:
        doc.add_paragraph(extra)
    doc.save(str(target))
    return target


def test_the_officer_uploads_a_template_for_a_cell_and_a_broken_one_is_refused_beside_the_file(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    api = Api(stack)
    cell = own_cell(api)
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/orgs?org={cell}")
    page.get_by_test_id("paper-templates").click()
    section = page.locator("#kind-cell_resolution")
    expect(section.get_by_test_id("in-force")).to_contain_text("Mẫu mặc định")

    with page.expect_download() as download:
        section.get_by_role("link", name="Tải mẫu mặc định").click()
    default = tmp_path / "mac-dinh.docx"
    download.value.save_as(default)
    assert "NGHỊ QUYẾT" in [p.text for p in Document(str(default)).paragraphs]

    broken = edited(default, tmp_path / "sai.docx", "NGHỊ QUYẾT", "Kính gửi {{ chu_tich }}")
    section.locator("summary", has_text="Tải lên mẫu mới").click()
    section.get_by_label("Tệp mẫu (.docx, tối đa 1 MB)").set_input_files(str(broken))
    section.get_by_role("button", name="Tải lên mẫu mới").click()
    refusal = page.locator("#err-file-cell_resolution")
    expect(refusal).to_contain_text("[PAPER-TEMPLATE]")
    expect(refusal).to_contain_text("chu_tich")
    section = page.locator("#kind-cell_resolution")
    expect(section.get_by_test_id("in-force")).to_contain_text("Mẫu mặc định")
    shot(page, "95-template-refused")

    good = edited(default, tmp_path / "moi.docx", "NGHỊ QUYẾT CỦA CHI BỘ THÔN")
    section.get_by_label("Tệp mẫu (.docx, tối đa 1 MB)").set_input_files(str(good))
    section.get_by_role("button", name="Tải lên mẫu mới").click()
    section = page.locator("#kind-cell_resolution")
    expect(section.get_by_test_id("in-force")).to_contain_text(
        "Mẫu riêng của tổ chức (phiên bản 1)"
    )
    expect(section.get_by_test_id("template-versions")).to_be_visible()
    shot(page, "96-template-adopted")

    with page.expect_download() as download:
        section.get_by_role("link", name="Tải mẫu đang dùng").click()
    taken = tmp_path / "dang-dung.docx"
    download.value.save_as(taken)
    assert taken.read_bytes() == good.read_bytes()
