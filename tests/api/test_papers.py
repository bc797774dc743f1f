"""Papers through the API (infra/api/papers.py, docs/documents.md): issued from the record by
the body that adopted them, read, downloaded as DOCX (an event with its actor), superseded by a
correction, and verified by their code — anonymously without personal data, throttled per
address, an unknown code answered like a malformed one."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any
from uuid import UUID

from docx import Document
from pypdf import PdfReader

from tests.api.conftest import Stack
from tests.api.test_web_starts import post_form, session
from tests.unit.test_admission import Case, open_case

VOTED = date(2025, 12, 5)


def voted_case(stack: Stack) -> Case:
    """A case of the cell taken through its dossier to a unanimous cell vote, in the record."""
    case = open_case(stack.world)
    case.dossier()
    on_roll, _ = stack.app.cell_count(stack.world.cell, VOTED)
    case.cell_vote(on=VOTED, votes_for=on_roll, votes_against=0)
    return case


async def issue(stack: Stack, case: Case, user: str = "secretary", **extra: Any) -> Any:
    body = {"kind": "cell_resolution", "on": VOTED.isoformat(), **extra}
    return await stack.http.post(
        f"/api/cases/{case.case_id}/papers", json=body, headers=stack.as_(user)
    )


async def test_the_cell_secretary_issues_the_resolution_once_per_key_numbered_by_the_cell(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    headers = {**stack.as_("secretary"), "Idempotency-Key": f"nq-{case.case_id}"}
    body = {"kind": "cell_resolution", "on": VOTED.isoformat(), "signatory_title": "Phó bí thư"}
    url = f"/api/cases/{case.case_id}/papers"
    first = await stack.http.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    paper = first.json()
    assert paper["symbol"].endswith("-NQ/CB") and paper["issuer_id"] == str(stack.world.cell)
    assert paper["signatory_title"] == "PHÓ BÍ THƯ"
    assert paper["facts"]["applicant_name"] == "Nguyễn Thị Hoa"
    before = stack.written()
    again = await stack.http.post(url, json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, paper)
    assert stack.written() == before
    second = await issue(stack, case)
    assert (second.status_code, second.json()["rule_id"]) == (422, "PAPER-ONCE")
    seen = await stack.http.get(f"/api/papers/{paper['id']}", headers=stack.as_("auditor"))
    assert seen.json()["facts"]["applicant_name"] == "[redacted]"


async def test_a_decision_is_not_the_cell_secretary_s_and_a_paper_before_its_step_is_refused(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    before = stack.written()
    url = f"/api/cases/{case.case_id}/papers"
    decision = {"kind": "admission_decision", "on": VOTED.isoformat()}
    refused = await stack.http.post(url, json=decision, headers=stack.as_("secretary"))
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-ROLE")
    early = await stack.http.post(url, json=decision, headers=stack.as_("department"))
    assert (early.status_code, early.json()["rule_id"]) == (422, "PAPER-STEP")
    assert stack.written() == before


async def test_a_download_is_the_docx_of_the_paper_and_an_event_with_its_actor(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    paper = (await issue(stack, case)).json()
    got = await stack.http.get(paper["download"], headers=stack.as_("grassroots"))
    assert got.status_code == 200
    assert "Nguyễn" not in got.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(got.content)).paragraphs)
    assert f"Mã xác minh: {paper['code']}" in text
    assert f"http://testserver/verify/{paper['code']}" in text
    last = stack.app.history(UUID(paper["id"]))[-1]
    assert (last.name, last.actor.user_id) == (
        "Paper.PaperDownloaded",
        stack.users["grassroots"].id,
    )
    auditor = await stack.http.get(paper["download"], headers=stack.as_("auditor"))
    assert (auditor.status_code, auditor.json()["rule_id"]) == (403, "ACCESS-ROLE")


async def test_the_printable_pdf_is_the_docx_converted_with_its_facts_number_and_code(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    paper = (await issue(stack, case)).json()
    docx = await stack.http.get(paper["download"], headers=stack.as_("grassroots"))
    got = await stack.http.get(f"/api/papers/{paper['id']}.pdf", headers=stack.as_("grassroots"))
    assert (got.status_code, got.headers["content-type"]) == (200, "application/pdf")
    assert got.headers["content-disposition"] == f'attachment; filename="paper-{paper["id"]}.pdf"'
    pages = PdfReader(io.BytesIO(got.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    body = Document(io.BytesIO(docx.content)).element.body  # its tables too (the heading)
    written = " ".join("".join(body.itertext()).split())
    for line in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        f"Số {paper['symbol']}",
        paper["code"],
        "Nguyễn Thị Hoa",
    ):
        assert line in written and line in text  # the PDF says what the DOCX says
    width, height = (round(float(x)) for x in (pages[0].mediabox.width, pages[0].mediabox.height))
    assert (width, height) == (595, 842)  # A4
    last = stack.app.history(UUID(paper["id"]))[-1]
    assert (last.name, last.actor.user_id) == (
        "Paper.PaperDownloaded",
        stack.users["grassroots"].id,
    )
    auditor = await stack.http.get(f"/api/papers/{paper['id']}.pdf", headers=stack.as_("auditor"))
    assert (auditor.status_code, auditor.json()["rule_id"]) == (403, "ACCESS-ROLE")


async def test_a_correction_supersedes_and_the_code_tells_it_to_anyone(stack: Stack) -> None:
    case = voted_case(stack)
    old = (await issue(stack, case)).json()
    new = await stack.http.post(
        f"/api/papers/{old['id']}/supersede",
        json={"on": "2025-12-08", "reason": "Sửa ngày sinh"},
        headers=stack.as_("secretary"),
    )
    assert new.status_code == 201, new.text
    assert new.json()["replaces"] == old["id"]
    async with stack.fresh("10.16.1.1") as anonymous:
        told = (await anonymous.get(f"/api/verify/{old['code']}")).json()
    assert told["superseded"] is True
    assert told["superseded_by"] == new.json()["symbol"]
    assert told["case_id"] is None
    assert "Nguyễn" not in str(told)
    assert told["issuer"] == "Chi bộ thôn Đông"
    mine = await stack.http.get(f"/api/verify/{new.json()['code']}", headers=stack.as_("secretary"))
    assert mine.json()["case_id"] == str(case.case_id)
    assert mine.json()["superseded"] is False
    far = await stack.http.get(
        f"/api/verify/{new.json()['code']}", headers=stack.as_("far_secretary")
    )
    assert far.json()["case_id"] is None
    again = await stack.http.post(
        f"/api/papers/{old['id']}/supersede",
        json={"on": "2025-12-09", "reason": "Lần nữa"},
        headers=stack.as_("secretary"),
    )
    assert again.json()["rule_id"] == "PAPER-SUPERSEDED"


async def test_unknown_and_malformed_codes_answer_alike_and_a_guesser_is_throttled(
    stack: Stack,
) -> None:
    async with stack.fresh("10.16.2.2") as guesser:
        unknown = await guesser.get("/api/verify/0000-0000-0000")
        malformed = await guesser.get("/api/verify/not-a-code")
        assert unknown.status_code == malformed.status_code == 404
        assert unknown.json() == malformed.json()
        for _ in range(8):
            await guesser.get("/api/verify/ZZZZ-ZZZZ-ZZZZ")
        throttled = await guesser.get("/api/verify/0000-0000-0001")
        assert (throttled.status_code, throttled.json()["rule_id"]) == (429, "RATE-LIMITED")
    async with stack.fresh("10.16.2.3") as other:  # another address is not held back
        assert (await other.get("/api/verify/0000-0000-0000")).status_code == 404


async def test_the_verify_page_tells_a_visitor_the_paper_without_the_person(stack: Stack) -> None:
    case = voted_case(stack)
    paper = (await issue(stack, case)).json()
    async with stack.fresh("10.16.3.3") as visitor:
        page = await visitor.get(f"/verify/{paper['code'].lower()}")
        assert page.status_code == 200
        assert f"Số {paper['symbol']}" in page.text
        assert "Chi bộ thôn Đông" in page.text and "Nguyễn" not in page.text
        assert "đang có hiệu lực" in page.text and f"/cases/{case.case_id}" not in page.text
        unknown = await visitor.get("/verify/0000-0000-0000")
        assert unknown.status_code == 404 and "NOT-FOUND" in unknown.text


async def test_the_case_page_offers_the_paper_its_step_ends_in_and_lists_it_once_issued(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    page = f"/cases/{case.case_id}"
    secretary = await session(stack, "secretary")
    try:
        shown = (await secretary.get(page)).text
        assert "Giấy tờ" in shown and "Ban hành Nghị quyết chi bộ đề nghị kết nạp" in shown
        before = stack.written()
        early = await post_form(
            secretary, f"{page}/papers", {"kind": "cell_resolution", "on": "04/12/2025"}, page
        )
        assert early.status_code == 422
        beside = re.search(r'id="err-paper-on">([^<]*)<', early.text)
        assert beside and "PAPER-STEP" in beside.group(1)
        assert stack.written() == before
        issued = await post_form(
            secretary, f"{page}/papers", {"kind": "cell_resolution", "on": "05/12/2025"}, page
        )
        assert issued.status_code == 303
        issued = await secretary.get(issued.headers["location"])
        assert 'data-testid="paper"' in issued.text and "-NQ/CB" in issued.text
        assert "Tải về (DOCX)" in issued.text
        assert "Ban hành Nghị quyết" not in issued.text  # issued: no longer offered
        code = re.search(r'href="/verify/([\w-]+)"', issued.text)
        assert code
        verified = await secretary.get(f"/verify/{code.group(1)}")
        assert f'href="/cases/{case.case_id}"' in verified.text  # inside: the case too
    finally:
        await secretary.aclose()
    auditor = await session(stack, "auditor")
    seen = (await auditor.get(page)).text
    await auditor.aclose()
    assert "-NQ/CB" in seen and "Tải về (DOCX)" not in seen


async def test_a_title_with_a_lone_surrogate_or_a_huge_code_is_refused_never_a_server_error(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    body = '{"kind": "cell_resolution", "on": "2025-12-05", "signatory_title": "B\\ud800"}'
    before = stack.written()
    refused = await stack.http.post(
        f"/api/cases/{case.case_id}/papers",
        content=body,
        headers={**stack.as_("secretary"), "Content-Type": "application/json"},
    )
    assert 400 <= refused.status_code < 500, refused.text
    assert stack.written() == before
    async with stack.fresh("10.16.4.4") as visitor:
        huge = await visitor.get("/api/verify/" + "7" * 5000)
        assert huge.status_code == 404


async def test_a_replacement_from_the_case_page_needs_its_reason_then_supersedes(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    old = (await issue(stack, case)).json()
    page = f"/cases/{case.case_id}"
    url = f"{page}/papers/{old['id']}/supersede"
    secretary = await session(stack, "secretary")
    try:
        before = stack.written()
        refused = await post_form(secretary, url, {"on": "08/12/2025", "reason": " "}, page)
        assert refused.status_code == 422
        beside = re.search(r'id="err-sup-reason">([^<]*)<', refused.text)
        assert beside and "lý do" in beside.group(1)
        assert 'value="08/12/2025"' in refused.text  # what was typed stays
        assert stack.written() == before
        done = await post_form(secretary, url, {"on": "08/12/2025", "reason": "Sai ngày"}, page)
        assert done.status_code == 303
        shown = (await secretary.get(done.headers["location"])).text
        assert "Đã được thay thế bằng số" in shown and shown.count('data-testid="paper"') == 2
    finally:
        await secretary.aclose()
