"""The transfer letter (giấy giới thiệu sinh hoạt đảng, issue 16) through the API and the web:
issued by the sending grassroots organization once the transfer has started, stating the
member and a box per hop as recorded; its PDF; and the receiving committee's check of its code
before it accepts (TRF-LETTER-CODE), with a forged or a superseded code refused and nothing
written. A transfer whose letter came from outside is accepted without a code
(tests/api/test_process.py)."""

from __future__ import annotations

import io
import re
from typing import Any
from uuid import UUID

from docx import Document
from pypdf import PdfReader

from domain.member import Member
from domain.organization import Organization
from domain.person import Person
from infra.users import Role
from tests.api.conftest import PASSWORD, TODAY, Stack
from tests.api.test_web_starts import post_form, session

DAY = TODAY.isoformat()
WEB_DAY = TODAY.strftime("%d/%m/%Y")


async def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def started_transfer(stack: Stack) -> tuple[str, str]:
    """An official transfer of a new member of the cell to the far cell, through the real
    workflow: (transfer id, the member's name)."""
    world = stack.world
    (member,) = world.add_members(world.cell, 1)
    stack.project()
    started = await ok(
        await stack.http.post(
            "/api/transfers",
            json={
                "member_id": str(member),
                "kind": "official",
                "reason": "new_job",
                "destination_org_id": str(world.far_cell),
                "trigger_on": DAY,
                "on": DAY,
            },
            headers=stack.as_("department"),
        )
    )
    person = stack.app.load(Person, stack.app.load(Member, member).person_id)
    return started["subject_id"], person.data.full_name


async def hop(stack: Stack, user: str, transfer: str, here: UUID, there: UUID, no: str) -> None:
    await ok(
        await stack.step(
            user,
            transfer,
            "forward_letter",
            "transfers",
            from_org_id=str(here),
            to_org_id=str(there),
            letter_no=no,
        )
    )


async def issue_letter(stack: Stack, transfer: str, user: str = "department") -> Any:
    return await stack.http.post(
        f"/api/transfers/{transfer}/papers",
        json={"kind": "transfer_letter", "on": DAY},
        headers=stack.as_(user),
    )


def name(stack: Stack, org_id: UUID) -> str:
    return stack.app.load(Organization, org_id).name


def docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    """The paragraphs, and the rows of the hops' table (the one under "Nơi chuyển")."""
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    (hops,) = [t for t in doc.tables if t.rows[0].cells[0].text == "Nơi chuyển"]
    return text, [[c.text for c in row.cells] for row in hops.rows[1:]]


async def accept(stack: Stack, transfer: str, code: str | None) -> Any:
    args = {} if code is None else {"letter_code": code}
    return await stack.step("far_secretary", transfer, "accept_transfer", "transfers", **args)


async def test_the_letter_states_the_member_and_a_box_per_hop_and_its_code_opens_the_acceptance(
    stack: Stack,
) -> None:
    world = stack.world
    transfer, member_name = await started_transfer(stack)
    await hop(stack, "grassroots", transfer, world.cell, world.grassroots, "12-CV/CB")

    refused = await issue_letter(stack, transfer, "grassroots")
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-ROLE")
    first = await ok(await issue_letter(stack, transfer))
    assert first["subject"] == "transfer" and first["subject_id"] == transfer
    assert re.fullmatch(r"\d+-GGT/ĐU", first["symbol"])
    assert first["issuer_id"] == str(world.grassroots)  # the sending grassroots organization
    facts = first["facts"]
    assert facts["member_name"] == member_name and facts["transfer_kind"] == "official"
    assert [h["letter_no"] for h in facts["hops"]] == ["12-CV/CB"]
    again = await issue_letter(stack, transfer)
    assert (again.status_code, again.json()["rule_id"]) == (422, "PAPER-ONCE")
    seen = await ok(
        await stack.http.get(f"/api/papers/{first['id']}", headers=stack.as_("auditor"))
    )
    assert seen["facts"]["member_name"] == "[redacted]"

    docx = await stack.http.get(first["download"], headers=stack.as_("department"))
    assert docx.status_code == 200 and member_name not in docx.headers["content-disposition"]
    text, rows = docx_text(docx.content)
    assert "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in text
    assert f"đồng chí {member_name}, sinh ngày" in text
    assert "Chuyển sinh hoạt đảng chính thức" in text and "nhận công tác mới" in text
    assert "đảng viên chính thức từ ngày 19/05/2011" in text
    assert f"đến {name(stack, world.far_cell)}" in text
    assert f"Mã xác minh: {first['code']}" in text
    dmy = TODAY.strftime("%d/%m/%Y")
    cell, grassroots = name(stack, world.cell), name(stack, world.grassroots)
    assert rows == [[cell, grassroots, "12-CV/CB", dmy], ["", "", "", ""]]  # and a blank box

    # The letter goes on; a replacement states every hop recorded by its date.
    await hop(stack, "grassroots", transfer, world.grassroots, world.commune, "3-CV/ĐU")
    await hop(stack, "department", transfer, world.commune, world.other_grassroots, "8-CV/ĐU")
    await hop(stack, "far_grassroots", transfer, world.other_grassroots, world.far_cell, "2-GT")
    new = await ok(
        await stack.http.post(
            f"/api/papers/{first['id']}/supersede",
            json={"on": DAY, "reason": "Bổ sung các cấp chuyển"},
            headers=stack.as_("department"),
        )
    )
    assert new["replaces"] == first["id"] and len(new["facts"]["hops"]) == 4
    pdf = await stack.http.get(f"/api/papers/{new['id']}.pdf", headers=stack.as_("department"))
    assert pdf.status_code == 200
    printed = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    for said in (
        "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
        f"Số {new['symbol']}",
        member_name,
        "2-GT",
        new["code"],
    ):
        assert said in printed

    await ok(await stack.step("far_secretary", transfer, "present_letter", "transfers"))
    # The receiving committee checks the letter: no code, a forged one, the superseded one.
    written = stack.written()
    for code, told in (
        (None, "nhập mã xác minh"),
        ("0000-0000-0000", "không khớp"),
        (first["code"], "đã được thay thế"),
    ):
        refused = await accept(stack, transfer, code)
        assert (refused.status_code, refused.json()["rule_id"]) == (422, "TRF-LETTER-CODE")
        assert told in refused.json()["message"]
    assert stack.written() == written

    # The receiving secretary verifies the code and finds the transfer behind it.
    told = await ok(
        await stack.http.get(f"/api/verify/{new['code']}", headers=stack.as_("far_secretary"))
    )
    assert told["case_id"] == transfer and told["superseded"] is False
    far = await session(stack, "far_secretary")
    try:
        page = await far.get(f"/verify/{new['code']}")
        assert f'href="/transfers/{transfer}"' in page.text
    finally:
        await far.aclose()

    typed = new["code"].replace("-", " ").lower()  # as read aloud and typed
    view = await ok(await accept(stack, transfer, typed))
    assert view["stage"] == "completed"


async def test_the_transfer_page_offers_the_letter_and_its_accept_form_refuses_a_wrong_code(
    stack: Stack,
) -> None:
    world = stack.world
    transfer, _ = await started_transfer(stack)
    page = f"/transfers/{transfer}"
    department = await session(stack, "department")
    try:
        shown = (await department.get(page)).text
        assert "Giấy tờ" in shown and "Ban hành Giấy giới thiệu sinh hoạt đảng" in shown
        issued = await post_form(
            department, f"{page}/papers", {"kind": "transfer_letter", "on": WEB_DAY}, page
        )
        assert issued.status_code == 303, issued.text
        listed = (await department.get(page)).text
        assert 'data-testid="paper"' in listed and "-GGT/ĐU" in listed
    finally:
        await department.aclose()
    (letter,) = stack.app.papers_of(UUID(transfer))
    code = stack.app.paper_code(letter.id)

    await hop(stack, "department", transfer, world.cell, world.far_cell, "GT-7")
    await ok(await stack.step("far_secretary", transfer, "present_letter", "transfers"))
    far = await session(stack, "far_secretary")
    try:
        form = {"on": WEB_DAY, "letter_code": "ZZZZ-ZZZZ-ZZZZ", "confirm": "on"}
        action = f"{page}/steps/accept_transfer"
        written = stack.written()
        refused = await post_form(far, action, form, page)
        assert refused.status_code == 422
        beside = re.search(r'id="err-accept_transfer-letter_code">([^<]*)<', refused.text)
        assert beside and "TRF-LETTER-CODE" in beside.group(1)
        assert stack.written() == written
        done = await post_form(far, action, form | {"letter_code": code}, page)
        assert done.status_code == 303, done.text
    finally:
        await far.aclose()


async def test_a_letter_is_not_issued_for_a_transfer_outside_the_subtree_or_unknown(
    stack: Stack,
) -> None:
    transfer, _ = await started_transfer(stack)
    if "other_officer" not in stack.users:  # a department officer of the agency cell only
        stack.users["other_officer"] = stack.services.users.create(
            "other_officer", PASSWORD, Role.department_officer, stack.world.other_cell
        )
        stack.tokens["other_officer"] = stack.services.users.issue_token("other_officer")
    unknown = "0badc0de-0000-4000-8000-00000000beef"
    written = stack.written()
    outside = await issue_letter(stack, transfer, "other_officer")
    missing = await issue_letter(stack, unknown, "other_officer")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == {
        **missing.json(),
        "message": missing.json()["message"].replace(unknown, transfer),
    }
    about_a_case = await stack.http.post(
        f"/api/transfers/{transfer}/papers",
        json={"kind": "cell_resolution", "on": DAY},
        headers=stack.as_("department"),
    )
    assert (about_a_case.status_code, about_a_case.json()["rule_id"]) == (422, "PAPER-KIND")
    assert stack.written() == written
