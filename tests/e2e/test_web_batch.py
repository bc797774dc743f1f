"""Dissolution at scale in a real browser (Debian's Chromium, Playwright) against one
`dangvien up` with its demo: the organization-department officer of Đảng ủy xã Tân An
dissolves the commune-agency cells of three communes on one date — ticked together by their
kind, each member's destination suggested from their 213 residence link and named with its
commune (every commune has its own "Chi bộ thôn Đông"), one confirmation, the progress of the
whole batch. A first attempt with a member left without a cell is refused beside that member,
and nothing is written. On a desktop and on a 390 px phone, each with communes of its own
(registered through `dangvien import`, as paper dossiers are), never the demo's cells."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid5

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from domain.application import NAMESPACE
from tests.e2e.web_support import DESKTOP, PHONE, Stack, open_as, shot

OFFICER = "bantochuc.tanan"  # Ban Tổ chức Đảng ủy xã Tân An
TAN_AN = uuid5(NAMESPACE, "demo/org/commune")  # the demo's commune committee (infra/demo)
CONFIRM = "Tôi xác nhận, và hiểu rằng việc này không hoàn tác được"
COMMUNES = ("Hòa Bình", "Hòa Lợi", "Hòa Thuận")
ORG_COLUMNS = "Mã,Tên,Loại,Mã cấp trên,Loại hình,Ngày thành lập"
MEMBER_COLUMNS = (
    "Số CCCD,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Nơi cư trú,Học vấn,Nghề nghiệp,"
    "Đoàn viên,Công đoàn viên,Mã chi bộ,Ngày vào Đảng,Ngày quyết định kết nạp,Ngày chính thức,"
    "Mã chi bộ nơi cư trú,Ngày hiệu lực"
)


def import_file(stack: Stack, kind: str, path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env["DANGVIEN_DATA_DIR"] = str(stack.data_dir)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dangvien"), "import", kind, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def register_communes(stack: Stack, tmp: Path, tag: str) -> list[str]:
    """Three grassroots committees under Tân An, each with its "Chi bộ Cơ quan xã" (2
    members, the first living in the hamlet: a 213 link) and its "Chi bộ thôn Đông" (1).
    Returns the communes' names."""
    names = [f"Đảng bộ xã {c} {tag}" for c in COMMUNES]
    orgs, members = [ORG_COLUMNS], [MEMBER_COLUMNS]
    rng = random.Random()
    for i, name in enumerate(names):
        code = f"B{tag}-{i}"
        orgs += [
            f"{code},{name},Đảng bộ cơ sở,{TAN_AN},,01/08/2025",
            f"{code}-CQ,Chi bộ Cơ quan xã,Chi bộ,{code},Cơ quan xã,01/08/2025",
            f"{code}-TD,Chi bộ thôn Đông,Chi bộ,{code},Thôn,01/08/2025",
        ]
        for n, (cell, link) in enumerate(
            ((f"{code}-CQ", f"{code}-TD"), (f"{code}-CQ", ""), (f"{code}-TD", ""))
        ):
            citizen = f"0987{rng.randrange(10**8):08d}"
            when = "01/10/2025" if link else ""
            members.append(
                f'{citizen},Người Thử {i}{n},12/04/1980,Nam,Kinh,,"Thôn Đông, {name}",THPT,,,,'
                f"{cell},02/09/2025,20/08/2025,02/09/2026,{link},{when}"
            )
    (tmp / "orgs.csv").write_text("\n".join(orgs) + "\n", encoding="utf-8")
    (tmp / "members.csv").write_text("\n".join(members) + "\n", encoding="utf-8")
    import_file(stack, "orgs", tmp / "orgs.csv")
    import_file(stack, "members", tmp / "members.csv")
    return names


def agency_boxes(page: Page, tag: str) -> None:
    """Tick every commune-agency cell by kind, then keep this journey's own only."""
    deadline = time.monotonic() + 60
    while page.get_by_label(re.compile(f"Chi bộ Cơ quan xã — Đảng bộ xã .* {tag}")).count() < 3:
        assert time.monotonic() < deadline, "the imported cells never showed"
        time.sleep(0.5)
        page.reload()
    page.get_by_label("Loại hình chi bộ").select_option(label="Cơ quan xã")
    page.get_by_role("button", name="Chọn tất cả chi bộ loại này").click()
    boxes = page.locator('input[name="cells"]:checked')
    for i in reversed(range(boxes.count())):
        box = boxes.nth(i)
        label = box.locator("xpath=..").inner_text()
        if tag not in label:
            box.uncheck()


@pytest.mark.parametrize(
    ("viewport", "shots"),
    [
        pytest.param(DESKTOP, ("60", "61", "62", "63"), id="desktop"),
        pytest.param(PHONE, ("64", "65", "66", "67"), id="phone"),
    ],
)
def test_the_officer_dissolves_three_communes_agency_cells_on_one_date(
    stack: Stack,
    browser: Browser,
    tmp_path: Path,
    viewport: ViewportSize,
    shots: tuple[str, str, str, str],
) -> None:
    tag = f"{viewport['width']}-{random.randrange(10**4)}"
    communes = register_communes(stack, tmp_path, tag)
    suffix = "" if viewport is DESKTOP else "-phone"
    page = open_as(browser, stack, OFFICER, viewport)
    page.goto(f"{stack.base}/dissolve")

    # Only what can be dissolved is offered: the grassroots cell is kept aside, with its rule.
    expect(page.get_by_label(re.compile("Chi bộ Trường THCS Tân An"))).to_have_count(0)
    expect(page.get_by_test_id("kept")).to_contain_text("Chi bộ Trường THCS Tân An")
    expect(page.get_by_test_id("kept")).to_contain_text("ORG-DISSOLVE")
    agency_boxes(page, tag)
    expect(page.locator('input[name="cells"]:checked')).to_have_count(3)
    shot(page, f"{shots[0]}-dissolve-batch-pick{suffix}")

    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("cell")).to_have_count(3)
    for name in communes:  # each cell named with its commune
        expect(
            page.get_by_role("heading", name=re.compile(f"Chi bộ Cơ quan xã — {name}"))
        ).to_be_visible()
    moves = page.get_by_test_id("move")
    expect(moves).to_have_count(6)
    expect(page.get_by_test_id("total-cells")).to_have_text("3")
    expect(page.get_by_test_id("total-members")).to_have_text("6")
    expect(page.get_by_test_id("total-unplaced")).to_have_text("3")  # no 213 link: to choose
    shot(page, f"{shots[1]}-dissolve-batch-review{suffix}")

    # Each member without a suggestion goes to the hamlet cell of their own commune — but the
    # officer forgets the last one: refused beside that member, nothing written.
    empty = [i for i in range(6) if moves.nth(i).input_value() == ""]
    assert len(empty) == 3
    for i in empty[:-1]:
        moves.nth(i).select_option(index=1)  # the commune's first residence cell
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Xác nhận giải thể").click()
    errors = page.locator(".field-error")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("ORG-DISSOLVE")
    expect(page.get_by_test_id("total-unplaced")).to_have_text("1")
    shot(page, f"{shots[2]}-dissolve-batch-refused{suffix}")
    page.goto(f"{stack.base}/dissolve")
    agency_boxes(page, tag)  # still offered: nothing was dissolved
    expect(page.locator('input[name="cells"]:checked')).to_have_count(3)
    page.get_by_role("button", name="Tiếp tục").click()

    for i in range(6):
        if page.get_by_test_id("move").nth(i).input_value() == "":
            page.get_by_test_id("move").nth(i).select_option(index=1)
    expect(page.locator("optgroup").first).to_have_attribute(
        "label", re.compile("Chi bộ nơi cư trú — Đảng bộ xã")
    )
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Xác nhận giải thể").click()
    expect(page).to_have_url(re.compile(r"/dissolve/batches/[0-9a-f-]+$"))
    expect(page.get_by_test_id("done")).to_have_text("Đợt giải thể đã kết thúc.", timeout=90_000)
    expect(page.get_by_test_id("moved")).to_have_text(
        "Đã chuyển 6/6 đảng viên; 3/3 chi bộ đã giải thể"
    )
    expect(page.get_by_test_id("state")).to_have_text(["Đã giải thể"] * 3)
    shot(page, f"{shots[3]}-dissolve-batch-progress{suffix}")

    # The progress is the workflows': a reload shows the same.
    page.reload()
    expect(page.get_by_test_id("state")).to_have_text(["Đã giải thể"] * 3)
    page.context.close()
